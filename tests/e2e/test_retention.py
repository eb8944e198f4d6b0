"""Retention, end to end: the final report says until when details and exports are kept and
comes with a delivery chart; the tick purges per-recipient details once the retention period
is over, keeps the totals, audits it, and exports and follow-ups then say so."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, SENDER_ID
from bot.scheduler import tick
from domain.use_cases.dispatch import failure_summary, progress
from domain.use_cases.retention import purge_expired_details
from handlers.ids import ActionId, BlockId
from tests.e2e.sent_tasks import audit, recipients_of, report_ts, sent_task, uploads_to
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures)
    approved_task, bot, bot_overrides, bot_provider, eventually, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import catalog  # noqa: F401  (approved content)

PURGED = ("The per-recipient details of *Big send* were purged on 2026-11-30 02:00 UTC, after the retention "
          "period: there is nothing left to export or follow up. Its totals are kept.")


def slack_client(emulator) -> AsyncWebClient:
    return AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")


def task_row(runtime, task_id: int):
    with runtime.uow() as uow:
        return uow.tasks.get(task_id)


@pytest.mark.parametrize("gateway_options", [{"deliver_ratio": 0.9, "fail_ratio": 0.1}])  # every receipt comes
async def test_the_final_report_says_until_when_details_are_kept_and_brings_a_delivery_chart(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, card_ts, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    assert task_row(bot_runtime, task_id).finished_at == clock()
    until = clock() + timedelta(days=7)
    context = next(b for b in report.blocks if b["type"] == "context")["elements"][0]["text"]
    assert context == (f"Details and exports available until <!date^{int(until.timestamp())}^{{date_short_pretty}} "
                       "at {time}|2026-11-30 02:00 UTC>; after that only the totals are kept.")
    actions = next(b for b in report.blocks if b.get("block_id") == BlockId.REPORT_ACTIONS)
    assert [e.get("text", {}).get("text") for e in actions["elements"]] == [
        "Details", "Export failed", "Resend to failed", "Save failed as audience", "Follow up on…", None]

    # a chart as of the last submit, replaced by the whole picture once the last receipt is in
    await eventually(lambda: task_row(bot_runtime, task_id).receipts_done_at is not None)
    chart_upload = uploads_to(workspace, APPROVALS_CHANNEL_ID)[-1]
    assert chart_upload.args["thread_ts"] == card_ts
    [chart_message] = [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts) if m.file_ids]  # one, the last
    chart = workspace.files.get(chart_message.file_ids[0])
    assert chart.name == f"delivery-task-{task_id}.png" and chart.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(chart.content)).size == (1000, 520)
    assert chart.alt_txt.startswith("Delivery over time: ") and "as of 2026-11-23 02:00 UTC" in chart.alt_txt
    assert chart.id == task_row(bot_runtime, task_id).chart_file_id
    assert all(c.args["filename"] == chart.name for c in workspace.calls("files.getUploadURLExternal"))


async def test_details_are_purged_after_seven_days_the_totals_stay_and_exports_say_so(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    totals = failure_summary(bot_runtime.uow(), task_id)
    client = slack_client(emulator)

    clock.advance(days=6, hours=23, minutes=59)
    await tick(bot_runtime, client)
    assert task_row(bot_runtime, task_id).details_purged_at is None and len(recipients_of(bot_runtime, task_id)) == 60

    clock.advance(minutes=1)  # seven days after it finished
    await tick(bot_runtime, client)
    task = task_row(bot_runtime, task_id)
    assert task.details_purged_at == datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    assert recipients_of(bot_runtime, task_id) == []
    assert failure_summary(bot_runtime.uow(), task_id) == totals  # the totals stay
    assert progress(bot_runtime.uow(), task_id) == totals[0] and totals[0].total == 60
    [entry] = audit(bot_runtime, "task.details_purged")
    assert (entry.actor, entry.target_id, entry.detail["recipients"], entry.detail["retention_days"]) == (
        "smsbot", str(task_id), 60, 7)
    await tick(bot_runtime, client)
    assert len(audit(bot_runtime, "task.details_purged")) == 1  # once

    await driver.block_actions(SENDER_ID, ActionId.EXPORT_FAILED, message=report_ts(report))
    await driver.block_actions(SENDER_ID, ActionId.FOLLOW_UP_RESEND, message=report_ts(report))
    await driver.block_actions(SENDER_ID, ActionId.FOLLOW_UP_AUDIENCE, message=report_ts(report))
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, f"export #{task_id} all")
    answers = await eventually(lambda: len(workspace.ephemerals(user_id=SENDER_ID)) == 4
                               and [e.text for e in workspace.ephemerals(user_id=SENDER_ID)])
    assert answers == [PURGED] * 4
    assert workspace.views.top_modal(SENDER_ID) is None
    assert uploads_to(workspace, workspace.open_dm(SENDER_ID).id) == []


@pytest.mark.parametrize("bot_overrides", [{"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
                                            "detail_retention_days": 1}])
async def test_a_purge_goes_in_batches_follows_the_setting_and_finishes_one_cut_short(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    first, _card, _report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                            recipients=23)
    second, _card, _report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                             recipients=11)
    # The second one's purge was cut short by a restart: marked, its rows still there.
    with bot_runtime.uow() as uow:
        assert uow.tasks.start_purge(second, {"counts": {"delivered": 11}}, clock())
        uow.commit()
    clock.advance(days=1)
    purged = purge_expired_details(bot_runtime.uow(), clock(), bot_runtime.settings.detail_retention_days, batch=5)
    assert sorted((p.task_id, p.rows) for p in purged) == [(first, 23), (second, 11)]
    assert recipients_of(bot_runtime, first) == [] and recipients_of(bot_runtime, second) == []
    assert [e.target_id for e in audit(bot_runtime, "task.details_purged")] == [str(first)]
    assert purge_expired_details(bot_runtime.uow(), clock(), 1) == []


@pytest.mark.parametrize("gateway_options", [{"rate_limit_per_s": 0.01}])
@pytest.mark.parametrize("bot_overrides", [{"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
                                            "dispatch_chunk": 100, "throttle_pause_after": 2}])
async def test_a_stopped_send_is_finished_when_stopped(workspace, driver, catalog, bot_runtime, emulator, gateway,
                                                       clock, bot):  # noqa: F811
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=250)
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "paused")
    # the message is edited just after the status changes
    progress_message = await eventually(lambda: next(
        (m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts) if m.text.startswith("Paused") and m.blocks),
        None))
    clock.advance(minutes=5)
    await driver.block_actions(SENDER_ID, ActionId.TASK_STOP, message=(APPROVALS_CHANNEL_ID, progress_message.ts))
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "canceled")
    assert task_row(bot_runtime, task_id).finished_at == clock()
    await ticker.providers.aclose()
