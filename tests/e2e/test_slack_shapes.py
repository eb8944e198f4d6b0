"""Shapes real Slack sends that a workspace of U… users dropping files into public channels
never shows: Enterprise Grid W… user ids, Slack Connect file stubs, files Slack hides or
deleted, files shared from a thread "also to the channel", and group direct messages."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator import User
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from bot.sandbox.emulator.payloads import FileShape
from handlers.ids import ActionId
from tests.e2e.imports import final_reply
from tests.e2e.test_send_tasks import catalog, eventually, submit_valid_task  # noqa: F401  (fixture)

GRID_APPROVER = "W0GRIDAPP1"  # an Enterprise Grid user id
GRID_SENDER = "W0GRIDSND1"
CSV = b"phone,name\n13800138000,Li\n13912345678,Han\n"


def imported_lists(uow):
    with uow:
        return uow.recipient_lists.latest()


def join(workspace, user_id: str, name: str) -> None:
    workspace.add_user(User(user_id, name, name.title()))
    for channel in (GENERAL_CHANNEL_ID, APPROVALS_CHANNEL_ID):
        workspace.channel(channel).members.add(user_id)


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
            "approvers": [GRID_APPROVER]}


async def test_an_enterprise_grid_approver_named_by_its_w_id_approves(workspace, driver, catalog, bot_runtime):  # noqa: F811
    join(workspace, GRID_APPROVER, "gia")
    card = await submit_valid_task(workspace, driver, catalog)
    # A U… user who is not in the list is refused …
    await driver.block_actions(MEMBER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("Only an approver" in e.text for e in workspace.ephemerals(user_id=MEMBER_ID)))
    # … and the W… user who is approves.
    await driver.block_actions(GRID_APPROVER, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, card.ts))
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "scheduled"


async def test_a_w_user_drops_a_file_and_it_is_imported_for_them(workspace, driver, uow):
    join(workspace, GRID_SENDER, "wes")
    shared = await driver.share_file(GRID_SENDER, GENERAL_CHANNEL_ID, "grid.csv", CSV)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "2 imported" in reply.text
    assert imported_lists(uow)[0].created_by == GRID_SENDER


async def test_a_slack_connect_stub_is_read_through_files_info_and_imported(workspace, driver, uow):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "partner.csv", CSV,
                                     shape=FileShape.CHECK_FILE_INFO)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "2 imported" in reply.text and "partner.csv" in reply.text
    assert any(c.args.get("file") == shared.file_id for c in workspace.calls("files.info"))
    assert imported_lists(uow)[0].source_name == "partner.csv"


@pytest.mark.parametrize(("shape", "why"), [
    (FileShape.HIDDEN_BY_LIMIT, "Slack hides it"),
    (FileShape.TOMBSTONE, "it was deleted"),
])
async def test_a_file_slack_will_not_show_gets_a_clear_answer_and_nothing_is_stored(workspace, driver, uow,
                                                                                      shape, why):
    await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "old.csv", CSV, shape=shape)
    answer = await eventually(lambda: workspace.ephemerals(user_id=SENDER_ID))
    assert why in answer[-1].text and "/sms import" in answer[-1].text
    assert imported_lists(uow) == []
    assert [m for m in workspace.messages(GENERAL_CHANNEL_ID, include_replies=True)
            if m.user == workspace.bot.user_id] == []


async def test_a_file_shared_from_a_thread_also_to_the_channel_is_imported_in_that_thread(workspace, driver, uow):
    parent = workspace.post_message(GENERAL_CHANNEL_ID, SENDER_ID, "This week's list follows")
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "week.csv", CSV, thread_ts=parent.ts,
                                     broadcast=True)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, parent.ts)
    assert "2 imported" in reply.text and shared.message_ts != reply.ts
    assert len(imported_lists(uow)) == 1


async def test_a_file_dropped_into_a_group_dm_is_imported_there(workspace, driver, uow):
    group = workspace.open_group_dm([SENDER_ID, MEMBER_ID])
    shared = await driver.share_file(SENDER_ID, group.id, "group.csv", CSV)
    reply = await final_reply(workspace, group.id, shared.message_ts)
    assert "2 imported" in reply.text
    assert imported_lists(uow)[0].channel_id == group.id


async def test_a_button_whose_reference_is_not_a_task_is_refused_in_words_and_changes_nothing(
        workspace, driver, catalog, bot_runtime):  # noqa: F811
    join(workspace, GRID_APPROVER, "gia")
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(GRID_APPROVER, ActionId.TASK_APPROVE, value='{"id": "one"}',
                               message=(APPROVALS_CHANNEL_ID, card.ts))
    refusal = await eventually(lambda: workspace.ephemerals(user_id=GRID_APPROVER))
    assert "no longer matches" in refusal[-1].text
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "moderating"
