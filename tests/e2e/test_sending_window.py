"""The sending window and the clock hold at approval and while sending: a late approval never
sends silently, a send the window closes on pauses and goes on when it opens."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, SENDER_ID
from handlers.ids import ActionId, BlockId
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the simulator gateway; no dispatcher runs here)
    approved_task, bot_provider, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import catalog, eventually, submit_valid_task  # noqa: F401

SHANGHAI_2230 = datetime(2026, 11, 23, 14, 30, tzinfo=timezone.utc)
NEXT_OPENING = datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)  # 08:00 in Shanghai


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai"}


def notes(workspace, card_ts: str) -> list[str]:
    return [m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)]


async def approve_late(workspace, driver, card_ts: str):
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card_ts))
    return await eventually(lambda: workspace.views.top_modal(APPROVER_ID))


async def test_a_late_approval_waits_for_the_approvers_choice_and_the_window(workspace, driver, catalog, bot_runtime,
                                                                           clock):
    card = await submit_valid_task(workspace, driver, catalog)  # as soon as approved, asked at 10:00
    clock.now = SHANGHAI_2230
    modal = await approve_late(workspace, driver, card.ts)
    assert "outside the sending window, 08:00–22:00 (Asia/Shanghai)" in str(modal.blocks)
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "moderating"  # nothing approved, nothing sent, until the choice
    await driver.view_submission(APPROVER_ID, modal.id, {BlockId.LATE_START_CHOICE: {
        ActionId.APPROVAL_REASON_INPUT: {"type": "radio_buttons", "selected_option": {"value": "earliest"}}}})
    assert workspace.submissions[-1].errors == {}
    with bot_runtime.uow() as uow:
        task = uow.tasks.get(1)
        assert (task.status, task.send_at) == ("scheduled", NEXT_OPENING)
    note = await eventually(lambda: [n for n in notes(workspace, card.ts) if "approved this task" in n])
    assert f"so it sends at the earliest allowed time, <!date^{int(NEXT_OPENING.timestamp())}^" in note[0]
    assert "outside the sending window" in note[0]


async def test_a_late_approval_by_a_chinese_reader_is_noted_in_the_workspaces_language(
        workspace, driver, catalog, bot_runtime, clock):
    """The modal speaks the approver's Chinese; the thread note, read by many, says the same cause
    in the workspace's English: the reason is worked out again for it, not carried over."""
    workspace.user(APPROVER_ID).locale = "zh-CN"
    card = await submit_valid_task(workspace, driver, catalog)
    clock.now = SHANGHAI_2230
    modal = await approve_late(workspace, driver, card.ts)
    assert "它将在发送时段" in str(modal.blocks)
    await driver.view_submission(APPROVER_ID, modal.id, {BlockId.LATE_START_CHOICE: {
        ActionId.APPROVAL_REASON_INPUT: {"type": "radio_buttons", "selected_option": {"value": "earliest"}}}})
    note = await eventually(lambda: [n for n in notes(workspace, card.ts) if "approved this task" in n])
    assert "(it would start outside the sending window, 08:00–22:00 (Asia/Shanghai))" in note[0]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in note[0])


async def test_a_late_approval_can_reschedule_inside_the_window(workspace, driver, catalog, bot_runtime, clock):
    workspace.user(APPROVER_ID).tz = "Asia/Shanghai"  # the times picked are the approver's own
    card = await submit_valid_task(workspace, driver, catalog)
    clock.now = SHANGHAI_2230
    modal = await approve_late(workspace, driver, card.ts)

    def reschedule(day: str, at: str) -> dict:
        return {BlockId.LATE_START_CHOICE: {ActionId.APPROVAL_REASON_INPUT: {
                    "type": "radio_buttons", "selected_option": {"value": "reschedule"}}},
                BlockId.LATE_START_DATE: {ActionId.APPROVAL_REASON_INPUT: {"type": "datepicker", "selected_date": day}},
                BlockId.LATE_START_TIME: {ActionId.APPROVAL_REASON_INPUT: {"type": "timepicker", "selected_time": at}}}

    await driver.view_submission(APPROVER_ID, modal.id, reschedule("2026-11-24", "23:00"))
    assert "Outside the sending window" in workspace.submissions[-1].errors[BlockId.LATE_START_DATE]
    await driver.view_submission(APPROVER_ID, modal.id, reschedule("2026-11-24", "09:30"))
    assert workspace.submissions[-1].errors == {}
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).send_at == datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)
    await eventually(lambda: any("so it was rescheduled to" in n for n in notes(workspace, card.ts)))


async def test_an_approval_in_the_window_says_when_it_starts(workspace, driver, catalog, bot_runtime, clock):
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("approved this task. It starts sending now." in n for n in notes(workspace, card.ts)))
    assert workspace.views.top_modal(APPROVER_ID) is None


async def test_a_send_pauses_when_the_window_closes_and_goes_on_when_it_opens(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock):  # noqa: F811
    clock.now = datetime(2026, 11, 23, 13, 50, tzinfo=timezone.utc)  # 21:50 in Shanghai
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=20)
    client, ticker = await started(bot_runtime, emulator, gateway, task_id)  # no dispatcher: it stays sending
    await ticker.notifier.pass_once()  # the thread's notifier posts the progress message
    assert status_of(bot_runtime, task_id)[0] == "sending"
    clock.now = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # 22:00: the window closes
    assert await ticker.dispatcher.run_once() == 0  # nothing is claimed outside the window, even between ticks
    await ticker.tick()
    with bot_runtime.uow() as uow:
        assert (uow.tasks.get(task_id).status, uow.tasks.get(task_id).reason) == ("paused", "the sending window closed")
    await eventually(lambda: any(n.startswith("Paused: the sending window (08:00–22:00") for n in notes(workspace, card_ts)))
    await ticker.notifier.pass_once()  # a paused send's message offers Resume, with no rate
    with bot_runtime.uow() as uow:
        progress_ts = uow.tasks.get(task_id).progress_ts
    # Told by whichever notifier holds the thread's lease: this pass's, or the bot's own.
    progress = await eventually(lambda: (m := workspace.message(APPROVALS_CHANNEL_ID, progress_ts)) and
                                m.text.startswith("Paused") and m)
    assert "/s" not in str(progress.blocks)
    await driver.block_actions(SENDER_ID, ActionId.TASK_RESUME, message=(APPROVALS_CHANNEL_ID, progress.ts))
    await eventually(lambda: any("The sending window (08:00–22:00 (Asia/Shanghai)) is closed" in e.text
                                 for e in workspace.ephemerals(user_id=SENDER_ID)))
    assert status_of(bot_runtime, task_id)[0] == "paused"
    clock.now = NEXT_OPENING
    await ticker.tick()
    assert status_of(bot_runtime, task_id)[0] == "sending"
    await eventually(lambda: "Resumed: the sending window is open again." in notes(workspace, card_ts))
    await ticker.providers.aclose()
