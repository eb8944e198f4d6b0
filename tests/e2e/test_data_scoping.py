"""Data scoped to who may see it, at every door: a recipient list is used by its uploader, the
members of the channel it was imported in (a DM import by its uploader alone) and the approvers;
a task is seen by its requester, the members of its channels and the approvers, asked again
on every request. Memberships come from Slack's users.conversations, as the emulator answers it.
Every refusal here is on the record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.sandbox.emulator import Channel
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, BOT_USER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID,
)
from domain.approvers import Actor
from domain.content import Purpose, TemplateKind
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.segments import SignatureStyle
from domain.tasks import Composition, TaskDraft
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.refusals import REFUSED
from domain.use_cases.status import lookup_number
from domain.use_cases.tasks import create_task
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import ListRef, TaskListState
from tests.e2e.imports import final_reply
from tests.e2e.test_send_tasks import (  # noqa: F401  (fixtures: approved content, the approvals channel)
    bot_overrides, catalog, eventually, form, select,
)

SALES = "G0SALES001"  # a private channel: the sender and the bot, not the member


@pytest.fixture(autouse=True)
def sales_channel(workspace):
    workspace.add_channel(Channel(SALES, "sales", {SENDER_ID, BOT_USER_ID}, is_private=True))
    # Approval cards go to the approvals channel, whose members see every card: the member here
    # is not one of them, so what they may see is what their other channels give them.
    workspace.channel(APPROVALS_CHANNEL_ID).members.discard(MEMBER_ID)


def imported(bot_runtime, channel: str, user: str = SENDER_ID) -> int:
    return import_file(bot_runtime.uow(), b"phone,name\n13800138000,Li\n", ImportSource(user, channel, "file", "x.csv"),
                       limits=Limits(1 << 20, 100), normalizer=PhoneNormalizer("CN")).list_id


def task_in(bot_runtime, catalog, clock, channel: str, list_id: int) -> int:
    draft = TaskDraft(name="Sales push", purpose=Purpose.NOTIFICATION, kind=TemplateKind.TEXT, recipient_list_id=list_id,
                      signature_id=catalog["signature"], template_id=catalog["Receipt"])
    return create_task(bot_runtime.uow(), draft, Actor(SENDER_ID), origin_channel=channel, now=clock(),
                       window=bot_runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP")).id


def refusals(bot_runtime) -> list[tuple[str, str, str]]:
    """(who, what, why) of every refusal on the record, oldest first."""
    with bot_runtime.uow() as uow:
        return [(e.actor, e.target_id, e.detail["reason"]) for e in reversed(uow.audit.latest()) if e.action == REFUSED]


def tasks_of(bot_runtime, user: str) -> list[int]:
    with bot_runtime.uow() as uow:
        return [t.id for t in uow.tasks.page(created_by=user)[0]]


async def submit_send(workspace, driver, catalog, user: str, list_id: int):
    """The send modal opened in #general and submitted naming `list:<list_id>`, offered or not."""
    await driver.slash_command(user, GENERAL_CHANNEL_ID, "send")
    modal = await eventually(lambda: workspace.views.top_modal(user))
    return await driver.crafted_view_submission(user, modal.id, form(catalog, recipients={
        ActionId.SEND_REFRESH: select(f"list:{list_id}")}))


async def test_a_crafted_list_id_naming_another_persons_dm_import_is_refused_and_audited(
        workspace, driver, catalog, bot_runtime):
    dm_list = imported(bot_runtime, workspace.open_dm(SENDER_ID).id)
    response = await submit_send(workspace, driver, catalog, MEMBER_ID, dm_list)
    assert response.status_code == 200
    assert "not yours to use" in workspace.submissions[-1].errors[BlockId.SEND_RECIPIENTS]
    assert tasks_of(bot_runtime, MEMBER_ID) == []  # no task, so nothing of the list can be exported
    [(who, what, why)] = refusals(bot_runtime)
    assert (who, what) == (MEMBER_ID, CallbackId.SEND_SUBMIT) and "not yours to use" in why
    # an approver may not send to someone's DM import either; its uploader may
    await submit_send(workspace, driver, catalog, APPROVER_ID, dm_list)
    assert "not yours to use" in workspace.submissions[-1].errors[BlockId.SEND_RECIPIENTS]
    await submit_send(workspace, driver, catalog, SENDER_ID, dm_list)
    assert workspace.submissions[-1].errors == {} and len(tasks_of(bot_runtime, SENDER_ID)) == 1


async def test_a_channels_import_is_its_members_and_the_approvers_and_no_one_elses(
        workspace, driver, catalog, bot_runtime):
    await submit_send(workspace, driver, catalog, MEMBER_ID, catalog["list"])  # the sender's import in #general
    assert workspace.submissions[-1].errors == {} and len(tasks_of(bot_runtime, MEMBER_ID)) == 1

    sales_list = imported(bot_runtime, SALES)
    await submit_send(workspace, driver, catalog, MEMBER_ID, sales_list)  # not in #sales
    assert "not yours to use" in workspace.submissions[-1].errors[BlockId.SEND_RECIPIENTS]
    await submit_send(workspace, driver, catalog, APPROVER_ID, sales_list)
    assert workspace.submissions[-1].errors == {}
    # the preview shows nothing of a list the person may not use
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "send")
    modal = await eventually(lambda: workspace.views.top_modal(MEMBER_ID))
    await driver.block_actions(MEMBER_ID, ActionId.SEND_REFRESH, block_id=BlockId.SEND_RECIPIENTS, view_id=modal.id,
                               selected_option={"text": {"type": "plain_text", "text": "x"}, "value": f"list:{sales_list}"})
    await eventually(lambda: len(workspace.calls("views.update")) >= 1)
    assert "13800138000" not in str(workspace.views.top_modal(MEMBER_ID).blocks)
    assert "Li" not in str([b for b in workspace.views.top_modal(MEMBER_ID).blocks if b.get("type") == "section"])


async def test_an_imports_buttons_refuse_a_list_the_presser_may_not_use(workspace, driver, catalog, bot_runtime):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "people.csv", b"phone\n13800138000\n")
    result = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    dm_list = imported(bot_runtime, workspace.open_dm(SENDER_ID).id)
    crafted = ListRef(id=dm_list).dump()
    for action in (ActionId.IMPORT_CREATE_TASK, ActionId.IMPORT_SAVE_AUDIENCE):
        await driver.block_actions(MEMBER_ID, action, value=crafted, message=(GENERAL_CHANNEL_ID, result.ts))
    await eventually(lambda: len(refusals(bot_runtime)) == 2)
    assert sorted((who, what) for who, what, _why in refusals(bot_runtime)) == [
        (MEMBER_ID, ActionId.IMPORT_CREATE_TASK), (MEMBER_ID, ActionId.IMPORT_SAVE_AUDIENCE)]
    assert workspace.views.top_modal(MEMBER_ID) is None
    assert "not yours to use" in workspace.ephemerals(user_id=MEMBER_ID)[-1].text
    # the import's own list is the member's to use: the channel's
    await driver.block_actions(MEMBER_ID, ActionId.IMPORT_CREATE_TASK, message=(GENERAL_CHANNEL_ID, result.ts))
    assert (await eventually(lambda: workspace.views.top_modal(MEMBER_ID))).callback_id == CallbackId.SEND_SUBMIT


async def test_a_file_shared_again_by_someone_else_is_their_own_import(workspace, driver, bot_runtime):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "people.csv", b"phone\n13800138000\n")
    await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    dm = workspace.open_dm(MEMBER_ID).id
    await driver.message(MEMBER_ID, dm, files=[shared.file_id])
    again = await final_reply(workspace, dm, workspace.messages(dm)[0].ts)
    assert "1 imported" in again.text and "already" not in again.text
    with bot_runtime.uow() as uow:
        lists = {(r.created_by, r.channel_id) for r in uow.recipient_lists.latest()}
    assert lists == {(SENDER_ID, GENERAL_CHANNEL_ID), (MEMBER_ID, dm)}


async def test_status_of_another_channels_task_is_refused_to_one_outside_it(
        workspace, driver, catalog, bot_runtime, clock):
    task_id = task_in(bot_runtime, catalog, clock, SALES, imported(bot_runtime, SALES))
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, f"status {task_id}")
    assert "not one you can see" in workspace.ephemerals(user_id=MEMBER_ID)[-1].text
    assert workspace.views.top_modal(MEMBER_ID) is None
    [(who, what, _why)] = await eventually(lambda: refusals(bot_runtime))
    assert (who, what) == (MEMBER_ID, "/sms status")
    for allowed in (SENDER_ID, APPROVER_ID):  # its requester, and an approver
        await driver.slash_command(allowed, GENERAL_CHANNEL_ID, f"status {task_id}")
        assert (await eventually(lambda: workspace.views.top_modal(allowed))).callback_id == CallbackId.TASK_DETAILS


async def test_a_details_modal_asks_again_on_every_request(workspace, driver, catalog, bot_runtime, clock):
    """A member who left the channel is refused the next search, once Slack says so."""
    list_id = imported(bot_runtime, SALES)
    task_id = task_in(bot_runtime, catalog, clock, SALES, list_id)
    with bot_runtime.uow() as uow:  # sending: its details have rows and a Search
        uow.task_recipients.materialize(task_id, list_id, ("+86", 1, 1))
        uow.tasks.get(task_id).status = "sending"
        uow.commit()
    workspace.channel(SALES).members.add(MEMBER_ID)
    await driver.slash_command(MEMBER_ID, SALES, f"status {task_id}")
    modal = await eventually(lambda: workspace.views.top_modal(MEMBER_ID))
    # a member sees the recipient by its last four digits; what it is sent is its requester's to read
    assert "•••8000" in str(modal.blocks) and "SMS ID" not in str(modal.blocks)
    await driver.slash_command(SENDER_ID, SALES, f"status {task_id}")
    mine = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    assert "SMS ID — · " in str(mine.blocks) and "Hi Li, your order shipped" in str(mine.blocks)
    workspace.channel(SALES).members.discard(MEMBER_ID)
    clock.now += timedelta(minutes=2)  # what Slack said about their channels is kept a minute
    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_REFRESH, view_id=modal.id)
    refused = await eventually(lambda: refusals(bot_runtime))
    assert refused[-1][:2] == (MEMBER_ID, ActionId.DETAILS_REFRESH) and "not one you can see" in refused[-1][2]
    assert workspace.views.get(modal.id).hash == modal.hash  # the page was not read again for them
    await driver.view_submission(MEMBER_ID, modal.id, {BlockId.DETAILS_SEARCH: {
        ActionId.DETAILS_SEARCH_INPUT: {"type": "plain_text_input", "value": "8000"}}})
    assert "not one you can see" in workspace.submissions[-1].errors[BlockId.DETAILS_SEARCH]
    refused = await eventually(lambda: refusals(bot_runtime))  # recorded as the answer goes
    assert refused[-1][:2] == (MEMBER_ID, CallbackId.TASK_DETAILS)


async def test_a_tampered_pager_lists_only_what_the_person_may_see(workspace, driver, catalog, bot_runtime, clock):
    task_in(bot_runtime, catalog, clock, SALES, imported(bot_runtime, SALES))
    for _ in range(11):  # #general's tasks: two pages, so the member's list has a pager
        task_in(bot_runtime, catalog, clock, GENERAL_CHANNEL_ID, catalog["list"])
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "list")
    reply = workspace.ephemerals(user_id=MEMBER_ID)[-1]
    assert reply.text == "11 tasks in this channel: 1–10"  # #general's, the member's channel
    await driver.slash_command(SENDER_ID, SALES, "list")
    assert "Sales push" in workspace.ephemerals(user_id=SENDER_ID)[-1].text + str(
        workspace.ephemerals(user_id=SENDER_ID)[-1].blocks)
    await driver.send_interaction(tampered_page(workspace, MEMBER_ID, reply.ts))
    shown = await eventually(lambda: workspace.ephemeral(reply.ts).text == "No tasks in this channel."
                             and workspace.ephemeral(reply.ts))
    assert "Sales push" not in str(shown.blocks)


def tampered_page(workspace, user: str, ts: str) -> dict:
    """A "next page" press on the person's list whose value names #sales instead of #general."""
    from bot.sandbox.emulator import payloads

    payload = payloads.block_actions_payload(workspace, user, ActionId.LIST_NEXT, value=None, block_id=None,
                                             message=(GENERAL_CHANNEL_ID, ts), view_id=None, selected_option=None)
    payload["actions"][0]["value"] = TaskListState(scope="channel", channel_id=SALES, page=0).dump()
    return payload


async def test_lookup_in_a_channel_shows_its_tasks_to_its_members_and_to_others_only_their_own(
        workspace, driver, catalog, bot_runtime, clock):
    list_id = imported(bot_runtime, SALES)
    task_id = task_in(bot_runtime, catalog, clock, SALES, list_id)
    with bot_runtime.uow() as uow:
        uow.task_recipients.materialize(task_id, list_id, ("+86", 1, 1))
        uow.commit()
    await driver.slash_command(SENDER_ID, SALES, "lookup 13800138000")
    assert f"#{task_id}" in str(workspace.ephemerals(user_id=SENDER_ID)[-1].blocks)
    # Slack takes commands only from a conversation's members: one outside it is the use case's to refuse
    normalizer = PhoneNormalizer("CN")
    for actor, found in ((Actor(MEMBER_ID), 0), (Actor(MEMBER_ID, channels=frozenset({SALES})), 1),
                         (Actor(APPROVER_ID, is_approver=True), 1)):
        _shown, lines = lookup_number(bot_runtime.uow(), "13800138000", SALES, actor, normalizer=normalizer)
        assert len(lines) == found


async def test_audiences_are_listed_and_offered_only_to_those_who_may_use_their_list(workspace, driver, catalog,
                                                                                   bot_runtime):
    from domain.use_cases.audiences import save_audience

    dm = workspace.open_dm(SENDER_ID).id
    save_audience(bot_runtime.uow(), "Private VIPs", Actor(SENDER_ID), channel_id=dm,
                  list_id=imported(bot_runtime, dm))
    save_audience(bot_runtime.uow(), "General VIPs", Actor(SENDER_ID), channel_id=GENERAL_CHANNEL_ID,
                  list_id=catalog["list"])
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "audience list")
    listed = str(workspace.ephemerals(user_id=MEMBER_ID)[-1].blocks)
    assert "General VIPs" in listed and "Private VIPs" not in listed
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "send")
    offered = str((await eventually(lambda: workspace.views.top_modal(MEMBER_ID))).blocks)
    assert "Audience: General VIPs" in offered and "Private VIPs" not in offered
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "audience list")
    assert "Private VIPs" in str(workspace.ephemerals(user_id=SENDER_ID)[-1].blocks)
