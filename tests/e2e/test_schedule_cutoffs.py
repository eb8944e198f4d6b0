"""Schedules as the consoles have them: edit until 10 minutes before the send time, cancel or
delete until 5, a confirmation before Cancel and Delete, and buttons a cutoff closed not shown."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, DEFAULT_BOT_TOKEN, SENDER_ID
from bot.scheduler import tick
from handlers.ids import ActionId, BlockId
from tests.e2e.test_send_tasks import approved_task_at, bot_overrides, catalog, eventually  # noqa: F401

SEND_AT = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)  # 15:00 in Shanghai


def buttons(workspace, card_ts: str) -> dict[str, dict]:
    card = workspace.message(APPROVALS_CHANNEL_ID, card_ts)
    actions = next(b for b in card.blocks if b.get("block_id") == BlockId.TASK_ACTIONS)
    return {e["text"]["text"]: e for e in actions["elements"]}


def refusals(workspace) -> list[str]:
    return [e.text for e in workspace.ephemerals(user_id=SENDER_ID)]


async def test_edit_closes_at_ten_minutes_and_cancel_at_five_and_the_card_follows(workspace, driver, catalog, clock,
                                                                                 bot_runtime, emulator):
    card = await approved_task_at(workspace, driver, catalog, "2026-11-23", "15:00")
    assert {"Edit", "Cancel task", "Delete"} <= set(buttons(workspace, card.ts))
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")

    clock.now = datetime(2026, 11, 23, 6, 50, 30, tzinfo=timezone.utc)  # 9½ minutes before
    await driver.block_actions(SENDER_ID, ActionId.TASK_EDIT, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("can be edited until 10 minutes before its send time (15:00 Asia/Shanghai)" in t
                                 for t in refusals(workspace)))
    assert workspace.views.top_modal(SENDER_ID) is None  # refused before the form opens
    await tick(bot_runtime, client)  # the edit cutoff passed since the last tick: the card is redrawn
    await eventually(lambda: "Edit" not in buttons(workspace, card.ts))
    assert {"Cancel task", "Delete"} <= set(buttons(workspace, card.ts))

    clock.now = datetime(2026, 11, 23, 6, 55, 30, tzinfo=timezone.utc)  # 4½ minutes before
    # Pressed on the card as it still is, before a tick redraws it: the rule holds at the press.
    await driver.block_actions(SENDER_ID, ActionId.TASK_DELETE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("can be canceled or deleted until 5 minutes" in t for t in refusals(workspace)))
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "scheduled"
    await tick(bot_runtime, client)
    await eventually(lambda: not {"Cancel task", "Delete"} & set(buttons(workspace, card.ts)))


async def test_a_scheduled_task_can_be_deleted_directly_before_the_cutoff(workspace, driver, catalog, clock,
                                                                         bot_runtime):
    card = await approved_task_at(workspace, driver, catalog, "2026-11-23", "15:00")
    clock.now = datetime(2026, 11, 23, 6, 54, tzinfo=timezone.utc)  # 6 minutes before
    await driver.block_actions(SENDER_ID, ActionId.TASK_DELETE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("deleted this task" in m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)))
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None
        assert "task.deleted" in [e.action for e in uow.audit.latest()]


@pytest.mark.parametrize("label", ["Cancel task", "Delete"])
async def test_cancel_and_delete_ask_first_with_a_danger_button(workspace, driver, catalog, label):
    card = await approved_task_at(workspace, driver, catalog, "2026-11-23", "15:00")
    button = buttons(workspace, card.ts)[label]
    assert button["style"] == "danger"
    assert button["confirm"]["style"] == "danger" and button["confirm"]["deny"]["text"] == "Keep it"
