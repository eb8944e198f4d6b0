"""The requester hears how their task goes — approval, rejection with its reason, start, the
end with its totals — in their DM with a link to the thread (or mentioned in the thread, as a
setting chooses), and their "submitted" message says where the task stands."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from handlers.ids import ActionId, BlockId
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with sending on, the gateway)
    approved_task, bot, bot_provider, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_dispatch import eventually as eventually_long
from tests.e2e.test_send_tasks import bot_overrides, catalog, eventually, submit_valid_task  # noqa: F401


def dm_of(workspace, user: str) -> list[str]:
    return [m.text for m in workspace.messages(workspace.open_dm(user).id)]


def submitted_recorded(bot_runtime) -> bool:
    with bot_runtime.uow() as uow:
        return uow.tasks.get(1).submitted_ts is not None


def submitted_message(workspace):
    return next((m for m in workspace.messages(GENERAL_CHANNEL_ID) if "submitted send task" in m.text), None)


async def test_approval_reaches_the_requester_and_their_submitted_message(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    await eventually(lambda: submitted_recorded(bot_runtime))
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    news = await eventually(lambda: [t for t in dm_of(workspace, SENDER_ID) if "was approved by" in t])
    assert f"<@{APPROVER_ID}>" in news[0] and f"/archives/{APPROVALS_CHANNEL_ID}/p{card.ts.replace('.', '')}" in news[0]
    await eventually(lambda: "Now *scheduled*." in submitted_message(workspace).text)


async def test_rejection_reaches_the_requester_with_its_reason(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    await eventually(lambda: submitted_recorded(bot_runtime))
    await driver.block_actions(APPROVER_ID, ActionId.TASK_REJECT, message=(APPROVALS_CHANNEL_ID, card.ts))
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    await driver.view_submission(APPROVER_ID, modal.id, {BlockId.APPROVAL_REASON: {
        ActionId.APPROVAL_REASON_INPUT: {"type": "plain_text_input", "value": "Wrong <!channel> audience"}}})
    news = await eventually(lambda: [t for t in dm_of(workspace, SENDER_ID) if "was rejected by" in t])
    assert "Wrong &lt;!channel&gt; audience" in news[0]  # their words, inert
    await eventually(lambda: "Now *rejected*: Wrong &lt;!channel&gt; audience." in submitted_message(workspace).text)


async def test_start_and_end_reach_the_requester(workspace, catalog, bot_runtime, emulator, gateway, clock,
                                                 bot):  # noqa: F811
    task_id, _card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=30)
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    started_news = await eventually_long(lambda: [t for t in dm_of(workspace, SENDER_ID) if "started sending" in t])
    assert "started sending to 30 recipients" in started_news[0]
    done = await eventually_long(lambda: [t for t in dm_of(workspace, SENDER_ID) if "is done:" in t])
    assert "of 30 recipients" in done[0] and "delivered" in done[0]
    await ticker.providers.aclose()


@pytest.mark.parametrize("bot_overrides", [{"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
                                            "tell_requester": "thread"}])
async def test_a_workspace_can_tell_requesters_in_the_thread_instead(workspace, driver, catalog):
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    mention = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                        if m.text.startswith(f"<@{SENDER_ID}> Your send task")])
    assert "was approved by" in mention[0].text
    assert not [t for t in dm_of(workspace, SENDER_ID) if "was approved by" in t]
