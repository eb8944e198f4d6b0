"""An approvals channel the bot cannot post in: said at start-up and in an approver's help, and
no submission is stored without its approval request."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.manifest import bot_events
from bot.sandbox.emulator import Channel, Workspace
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, BOT_USER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID,
)
from handlers.approvals_channel import ApprovalsChannel
from domain.use_cases.refusals import REFUSED
from handlers.ids import BlockId
from tests.e2e.test_content import eventually, open_template_modal, template_values
from tests.e2e.test_send_tasks import catalog, form, open_send_modal  # noqa: F401  (catalog: a fixture)

NOT_A_MEMBER = ("I can't post in #sms-approvals: I'm not a member. Invite @smsbot there, then try again. "
                "Nothing was saved.")
ARCHIVED = ("I can't post in #sms-approvals: it is archived. Unarchive it, or choose another approvals channel "
            "(SMSBOT_APPROVALS_CHANNEL), then try again. Nothing was saved.")
UNSEEN = ("I can't post in channel C0APPROVE1: I can't see it (it does not exist, or it is private and I'm not in "
          "it). If it is private, invite @smsbot there; if it is gone, choose another approvals channel "
          "(SMSBOT_APPROVALS_CHANNEL), then try again. Nothing was saved.")


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai"}


@pytest.fixture
def workspace():
    """The approvals channel without the bot, from the start."""
    workspace = Workspace(bot_events=bot_events())
    workspace.channel(APPROVALS_CHANNEL_ID).members.discard(BOT_USER_ID)
    return workspace


def leave_out_the_bot(workspace, how: str) -> str:
    """The approvals channel as `how` says; returns the refusal a person gets."""
    channel = workspace.channel(APPROVALS_CHANNEL_ID)
    with workspace.lock:
        if how == "archived":
            channel.members.add(BOT_USER_ID)
            channel.is_archived = True
        elif how == "private":
            channel.is_private = True
    return {"not a member": NOT_A_MEMBER, "archived": ARCHIVED, "private": UNSEEN}[how]


def nothing_in_the_approvals_channel(workspace) -> bool:
    return workspace.messages(APPROVALS_CHANNEL_ID, include_replies=True) == []


def texts(workspace, user_id) -> list[str]:
    return [e.text for e in workspace.ephemerals(user_id=user_id)]


async def test_start_up_logs_what_to_do_and_the_bot_runs_on(workspace, driver, caplog):
    def warned() -> list[str]:  # the process may have started before the test began
        return [r.getMessage() for r in caplog.get_records("setup") + caplog.records
                if r.name == "handlers.approvals_channel"]

    [line] = await eventually(warned)
    assert line == ("invite @smsbot to #sms-approvals: approval requests cannot be posted until then "
                    "(Slack: not_in_channel, C0APPROVE1)")
    assert (await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "help")).status_code == 200


@pytest.mark.parametrize(("how", "fix"), [
    ("archived", "unarchive #sms-approvals or set SMSBOT_APPROVALS_CHANNEL to another channel"),
    ("private", "invite @smsbot to channel C0APPROVE1 if it is private, or set SMSBOT_APPROVALS_CHANNEL to a "
                "channel that exists"),
])
async def test_the_start_up_line_names_the_fix_for_an_archived_or_unseen_channel(workspace, emulator, caplog, how,
                                                                                 fix):
    leave_out_the_bot(workspace, how)
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    with caplog.at_level(logging.WARNING, logger="handlers.approvals_channel"):
        await ApprovalsChannel(APPROVALS_CHANNEL_ID).warn_at_start_up(client)
    assert [r.getMessage().partition(": approval requests")[0] for r in caplog.records
            if r.name == "handlers.approvals_channel"] == [fix]


async def test_an_approvers_help_warns_on_top_and_a_members_does_not(workspace, driver):
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "help")
    [shown] = await eventually(lambda: workspace.ephemerals(user_id=APPROVER_ID))
    assert shown.blocks[0]["block_id"] == BlockId.HELP_WARNING
    assert shown.blocks[0]["text"]["text"] == (
        ":warning: I can't post approval requests in #sms-approvals: I'm not a member. Invite @smsbot there; "
        "until then nothing can be submitted for approval.")
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "help")
    [member_help] = await eventually(lambda: workspace.ephemerals(user_id=MEMBER_ID))
    assert "I can't post" not in str(member_help.blocks)

    workspace.channel(APPROVALS_CHANNEL_ID).members.add(BOT_USER_ID)  # invited: asked afresh, the warning goes
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "help")
    shown_again = await eventually(lambda: workspace.ephemerals(user_id=APPROVER_ID)[1:])
    assert BlockId.HELP_WARNING not in [b.get("block_id") for b in shown_again[0].blocks]


@pytest.mark.parametrize("how", ["not a member", "archived", "private"])
async def test_a_signature_is_not_stored_and_the_sender_is_told_why_and_what_to_do(workspace, driver, bot_runtime,
                                                                                  how):
    refusal = leave_out_the_bot(workspace, how)
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "signature add Acme Our shop")
    assert await eventually(lambda: texts(workspace, SENDER_ID)) == [refusal]
    with bot_runtime.uow() as uow:
        assert uow.signatures.all() == []
        assert not [e for e in uow.audit.latest() if e.action.startswith("signature.")]  # nothing half-stored
    assert nothing_in_the_approvals_channel(workspace)


async def test_a_template_modal_stays_open_with_the_fix_and_nothing_is_stored(workspace, driver, bot_runtime):
    modal = await open_template_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, template_values("text", purpose="notification",
                                                                      name="Receipt", body="Order ${order} shipped"))
    assert workspace.submissions[-1].errors == {BlockId.TEMPLATE_NAME: NOT_A_MEMBER}
    assert workspace.views.top_modal(SENDER_ID).id == modal.id  # what they typed is still there
    with bot_runtime.uow() as uow:
        assert uow.templates.all() == []
        assert [e.action for e in uow.audit.latest()] == [REFUSED]  # the refusal is all that is on the record
    assert nothing_in_the_approvals_channel(workspace)


async def test_a_send_modal_stays_open_with_the_fix_and_no_task_is_stored(workspace, driver, catalog, bot_runtime):
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog))
    assert workspace.submissions[-1].errors == {BlockId.SEND_NAME: NOT_A_MEMBER}
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None
        assert not [e for e in uow.audit.latest() if e.action.startswith("task.")]
    assert nothing_in_the_approvals_channel(workspace)


async def test_an_edit_is_refused_before_it_changes_anything(workspace, driver, catalog, bot_runtime):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template edit Receipt")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, template_values("text", purpose="notification",
                                                                      name="Receipt", body="Changed ${name}"))
    assert workspace.submissions[-1].errors == {BlockId.TEMPLATE_NAME: NOT_A_MEMBER}
    with bot_runtime.uow() as uow:
        template = uow.templates.get(catalog["Receipt"])
        assert (template.status, template.body) == ("approved", "Hi ${name}, your order shipped")


async def bot_leaves_after_a_good_check(workspace, driver):
    """Checked while the bot was in the channel (the answer is trusted for a minute), then removed."""
    workspace.channel(APPROVALS_CHANNEL_ID).members.add(BOT_USER_ID)
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "help")
    await eventually(lambda: workspace.ephemerals(user_id=APPROVER_ID))
    workspace.channel(APPROVALS_CHANNEL_ID).members.discard(BOT_USER_ID)


async def test_a_task_whose_request_slack_refuses_is_withdrawn_and_the_sender_told(workspace, driver, catalog,
                                                                                   bot_runtime):
    await bot_leaves_after_a_good_check(workspace, driver)
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog))
    assert workspace.submissions[-1].errors == {}  # the modal closed: the refusal comes after
    assert await eventually(lambda: texts(workspace, SENDER_ID)) == [NOT_A_MEMBER]
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None
        withdrawn = [e for e in uow.audit.latest() if e.action.startswith("task.")]
        assert [e.action for e in withdrawn] == ["task.withdrawn", "task.created"]
        assert withdrawn[0].detail["reason"] == "not_in_channel"
    assert nothing_in_the_approvals_channel(workspace)


async def test_a_template_whose_request_slack_refuses_is_withdrawn_and_the_refusal_goes_to_a_dm(
        workspace, driver, bot_runtime):
    await bot_leaves_after_a_good_check(workspace, driver)
    random = workspace.add_channel(Channel(id="C0RANDOM01", name="random", members={SENDER_ID}))
    await driver.slash_command(SENDER_ID, random.id, "template add")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, template_values("text", purpose="notification",
                                                                      name="Receipt", body="Order ${order} shipped"))
    dm = workspace.open_dm(SENDER_ID)
    [told] = await eventually(lambda: workspace.messages(dm.id))
    assert told.text == NOT_A_MEMBER
    with bot_runtime.uow() as uow:
        assert uow.templates.all() == []
        assert [e.action for e in uow.audit.latest()] == ["request.refused", "template.withdrawn", "template.submitted"]
