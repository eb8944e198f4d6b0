"""Test sends from a task's card: only the requester and approvers, with typed values, capped,
audited and noted in the thread; through the simulator gateway over HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from domain.content import TemplateKind
from domain.segments import SignatureStyle
from domain.tasks import Composition, TaskDraft
from domain.use_cases.tasks import create_task, get_task, record_task_thread
from handlers.ids import ActionId, BlockId
from handlers.task_blocks import build_task_card
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the gateway and the bot that sends through it)
    approved_task, bot, bot_provider, eventually, gateway, gateway_options,
)
from tests.e2e.test_send_tasks import SENDER, catalog  # noqa: F401  (the approved content fixture)


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai"}


def numbers_form(text: str, **values: str) -> dict:
    typed = {f"{BlockId.TEST_VALUE}{name}": {ActionId.TEST_NUMBERS_INPUT: {"value": value}}
             for name, value in values.items()}
    return {BlockId.TEST_NUMBERS: {ActionId.TEST_NUMBERS_INPUT: {"value": text}}, **typed}


async def open_test_modal(workspace, driver, user: str, card_ts: str):
    await driver.block_actions(user, ActionId.TASK_TEST_SEND, message=(APPROVALS_CHANNEL_ID, card_ts))
    return await eventually(lambda: workspace.views.top_modal(user))


def posted_card(workspace, runtime, task_id: int):
    text, blocks = build_task_card(get_task(runtime.uow(), task_id), None)
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, text, blocks)
    record_task_thread(runtime.uow(), task_id, APPROVALS_CHANNEL_ID, card.ts)
    return card


def waiting_task(runtime, catalog, clock, list_of_task: int) -> int:  # noqa: F811
    """A task still awaiting approval, on the same recipients as another."""
    with runtime.uow() as uow:
        list_id = uow.tasks.get(list_of_task).recipient_list_id
    draft = TaskDraft(name="Unapproved", purpose=None, kind=TemplateKind.TEXT, recipient_list_id=list_id,
                      signature_id=catalog["signature"], template_id=catalog["Receipt"])
    return create_task(runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=clock(),
                       window=runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out")).id


async def test_a_test_send_goes_through_the_provider_and_is_not_counted(workspace, driver, catalog, bot_runtime,
                                                                        gateway, clock, bot):  # noqa: F811
    _server, _config, state = gateway
    task_id, _card = approved_task(bot_runtime, catalog, clock, workspace, recipients=3)
    card = posted_card(workspace, bot_runtime, task_id)
    modal = await open_test_modal(workspace, driver, SENDER_ID, card.ts)
    value_block = next(b for b in modal.blocks if b.get("block_id") == f"{BlockId.TEST_VALUE}name")
    assert value_block["element"]["initial_value"] == "name"  # prefilled with the column's name
    assert "not approved" not in str(modal.blocks)
    await driver.view_submission(SENDER_ID, modal.id, numbers_form("\n".join(f"1391234567{n}" for n in range(6))))
    assert "at most 5 numbers" in workspace.submissions[-1].errors[BlockId.TEST_NUMBERS]
    await driver.view_submission(SENDER_ID, modal.id, numbers_form("13912345678\n12345"))
    assert "•••2345 is not usable" in workspace.submissions[-1].errors[BlockId.TEST_NUMBERS]
    await driver.view_submission(SENDER_ID, modal.id, numbers_form("13912345678, +86 139 1234 5679", name="Tester"))
    reply = await eventually(lambda: [e for e in workspace.ephemerals(user_id=SENDER_ID) if "Test send" in e.text])
    assert reply[0].text.startswith("Test send: •••5678: accepted; •••5679: accepted.")
    assert reply[0].thread_ts == card.ts  # answered in the thread the person is looking at
    assert state.submissions_for("+8613912345678") == 1 and state.total_submissions == 2
    sent = [m.text for m in state.messages() if m.phone == "+8613912345678"]
    assert sent == ["【Acme】Hi Tester, your order shipped"]  # the typed value, never a recipient's ("N0")
    note = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                     if "sent a test" in m.text])
    assert note[0].text == f"<@{SENDER_ID}> sent a test of this task's approved content to 2 numbers (•••5678, •••5679)."
    with bot_runtime.uow() as uow:
        assert uow.task_recipients.counts(task_id) == {}  # still scheduled: no recipient touched
        assert uow.tasks.get(task_id).status == "scheduled"
        [entry] = [e for e in uow.audit.latest() if e.action == "task.test_sent"]
    assert (entry.actor, entry.target_id, entry.detail) == (
        SENDER_ID, str(task_id), {"numbers": ["•••5678", "•••5679"], "approved": True})


async def test_only_the_requester_and_approvers_may_test_send(workspace, driver, catalog, bot_runtime, gateway,
                                                             clock, bot):  # noqa: F811
    _server, _config, state = gateway
    task_id, _card = approved_task(bot_runtime, catalog, clock, workspace, recipients=3)
    card = posted_card(workspace, bot_runtime, task_id)
    await driver.block_actions(MEMBER_ID, ActionId.TASK_TEST_SEND, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("Only <@U0SENDER01> or an approver can test-send it" in e.text
                                 for e in workspace.ephemerals(user_id=MEMBER_ID)))
    assert workspace.views.top_modal(MEMBER_ID) is None
    # The sender's modal submitted as the member, as a crafted request would be: refused the same way.
    modal = await open_test_modal(workspace, driver, SENDER_ID, card.ts)
    await driver.crafted_view_submission(MEMBER_ID, modal.id, numbers_form("13912345678"))
    assert "Only <@U0SENDER01> or an approver" in workspace.submissions[-1].errors[BlockId.TEST_NUMBERS]
    with bot_runtime.uow() as uow:  # on the record like a success: the button and the crafted form
        refused = {(e.actor, e.target_id) for e in uow.audit.latest() if e.action == "request.refused"}
    assert refused == {(MEMBER_ID, "task.test_send"), (MEMBER_ID, "task.test_send_numbers")}
    approver = await open_test_modal(workspace, driver, APPROVER_ID, card.ts)
    await driver.view_submission(APPROVER_ID, approver.id, numbers_form("13912345670"))
    await eventually(lambda: state.total_submissions == 1)
    assert state.submissions_for("+8613912345678") == 0


@pytest.mark.parametrize("bot_overrides", [{"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
                                            "test_send_daily_limit": 3}])
async def test_test_sends_are_capped_per_person_and_say_when_content_is_unapproved(
        workspace, driver, catalog, bot_runtime, gateway, clock, bot):  # noqa: F811
    _server, _config, state = gateway
    approved, _ = approved_task(bot_runtime, catalog, clock, workspace, recipients=3)
    card = posted_card(workspace, bot_runtime, waiting_task(bot_runtime, catalog, clock, approved))
    modal = await open_test_modal(workspace, driver, SENDER_ID, card.ts)
    assert "not approved yet" in str(modal.blocks)
    await driver.view_submission(SENDER_ID, modal.id, numbers_form("13912345671\n13912345672"))
    await eventually(lambda: state.total_submissions == 2)
    note = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                     if "sent a test" in m.text])
    assert "this task's content, not approved yet," in note[0].text
    again = await open_test_modal(workspace, driver, SENDER_ID, card.ts)
    await driver.view_submission(SENDER_ID, again.id, numbers_form("13912345673\n13912345674"))
    refusal = workspace.submissions[-1].errors[BlockId.TEST_NUMBERS]
    assert "You can send 1 more test message in the next 24 hours (the limit is 3)" in refusal
    assert state.total_submissions == 2
    clock.now = clock.now + timedelta(hours=24, seconds=1)  # the cap is a rolling 24 hours
    await driver.view_submission(SENDER_ID, again.id, numbers_form("13912345673\n13912345674"))
    await eventually(lambda: state.total_submissions == 4)
