"""The thread tells the truth to the last receipt, whatever Slack says: a task that can fail
(every message failed, or the provider refused the account), a report that arrives when its
message was deleted or its channel archived, and sending that never waits on Slack's rate
limits. Every call the bot makes is checked against Slack's specs when each test ends."""

from __future__ import annotations

import time

import pytest

from bot.dispatcher import LANES
from bot.providers.simulator import SimulatorProvider
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from domain.use_cases.dispatch import NOT_SENT_AFTER_FAILURE
from domain.use_cases.reporting import ALL_FAILED
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with sending on, the gateway)
    API_KEY, SECRET, approved_task, bot, bot_overrides, eventually, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import catalog  # noqa: F401


def task_row(runtime, task_id):
    with runtime.uow() as uow:
        return uow.tasks.get(task_id)


def report_in(workspace, channel: str, thread_ts: str | None, starts: str):
    """The latest message there that starts so."""
    messages = workspace.replies(channel, thread_ts) if thread_ts else workspace.messages(channel)
    return next((m for m in reversed(messages) if m.text.startswith(starts)), None)


@pytest.fixture
def api_key():
    return API_KEY


@pytest.fixture
def bot_provider(gateway, api_key):
    return SimulatorProvider(gateway[0].url, api_key, SECRET)


@pytest.mark.parametrize("gateway_options", [{"deliver_ratio": 0.0, "fail_ratio": 1.0}])
async def test_a_send_whose_every_message_failed_is_failed_everywhere(workspace, driver, catalog, bot_runtime,
                                                                      emulator, gateway, clock, bot):  # noqa: F811
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=20)
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    report = await eventually(lambda: (m := report_in(workspace, APPROVALS_CHANNEL_ID, card_ts, "Send failed"))
                              and "All receipts in" in str(m.blocks) and m)
    assert report.text.startswith(f"Send failed: {ALL_FAILED}. 20 recipients: 20 sent to carrier, 0 delivered, 20 failed")
    row = await eventually(lambda: (r := task_row(bot_runtime, task_id)) and r.status == "failed" and r)
    assert row.reason == ALL_FAILED
    card = await eventually(lambda: (m := workspace.message(APPROVALS_CHANNEL_ID, card_ts)) and "failed" in m.text and m)
    assert ALL_FAILED in str(card.blocks)
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "list")
    assert f"*failed*: {ALL_FAILED}" in str(workspace.ephemerals(user_id=SENDER_ID)[-1].blocks)
    await driver.app_home_opened(SENDER_ID)
    home = await eventually(lambda: workspace.views.home(SENDER_ID))
    assert f"*failed*: {ALL_FAILED}" in str(home.blocks)
    await ticker.providers.aclose()


@pytest.mark.parametrize("api_key", ["not-the-key"])  # credentials the gateway refuses
@pytest.mark.parametrize("bot_overrides", [{"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
                                            "dispatch_chunk": 10}])
async def test_a_provider_that_refuses_the_account_fails_the_send_at_once(workspace, catalog, bot_runtime, emulator,
                                                                          gateway, clock, bot):  # noqa: F811
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=60)
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    # (a chunk another lane had on the wire is settled a moment later: the report keeps up)
    report = await eventually(lambda: (m := report_in(workspace, APPROVALS_CHANNEL_ID, card_ts, "Send failed"))
                              and "All receipts in" in str(m.blocks) and m)
    assert "check the simulator API key (unauthorized)" in report.text
    assert "60 recipients: 0 sent to carrier, 0 delivered, 0 failed, 0 awaiting receipt, 60 skipped" in report.text
    row = task_row(bot_runtime, task_id)
    assert row.status == "failed" and "HTTP 401" in row.reason
    with bot_runtime.uow() as uow:
        rows = uow.task_recipients.details(task_id, limit=100)[0]
    assert {r.reason for r in rows} == {NOT_SENT_AFTER_FAILURE}
    # the chunks in flight at once (one per lane) were tried; nothing more was claimed
    assert 10 <= sum(r.error_code == "unauthorized" for r in rows) <= 10 * LANES
    await ticker.providers.aclose()


@pytest.mark.parametrize("gateway_options", [{"deliver_ratio": 0.9, "fail_ratio": 0.1}])
async def test_a_deleted_progress_message_is_posted_again_and_the_report_arrives(
        workspace, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    deleted = []

    def delete_the_first_progress_message(_what: str) -> None:
        for message in workspace.replies(APPROVALS_CHANNEL_ID, card_ts):
            if not deleted and message.text.startswith("Sending") and message.blocks:
                deleted.append(message.ts)
                workspace.delete_message(APPROVALS_CHANNEL_ID, message.ts)  # someone deleted it

    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=300)
    stop = workspace.add_listener(delete_the_first_progress_message)
    try:
        _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
        report = await eventually(lambda: (m := report_in(workspace, APPROVALS_CHANNEL_ID, card_ts, "Send completed"))
                                  and "All receipts in" in str(m.blocks) and m, timeout=30)
    finally:
        stop()
    assert deleted and any(c.error == "message_not_found" for c in workspace.calls("chat.update"))
    progress = [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts) if m.text.startswith("Sending finished")]
    assert len(progress) == 1 and task_row(bot_runtime, task_id).progress_ts == progress[0].ts
    assert "300 recipients" in report.text
    await ticker.providers.aclose()


@pytest.mark.parametrize("gateway_options", [{"deliver_ratio": 0.9, "fail_ratio": 0.1}])
async def test_a_report_the_thread_cannot_take_goes_to_the_requester_and_the_approver(
        workspace, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=30)
    workspace.channel(APPROVALS_CHANNEL_ID).is_archived = True  # archived with the task's thread in it
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    for person in (SENDER_ID, APPROVER_ID):
        dm = workspace.open_dm(person).id
        final = await eventually(lambda: (m := report_in(workspace, dm, None, "Send completed"))
                                 and "All receipts in" in str(m.blocks) and m, timeout=30)
        assert "30 recipients" in final.text
    assert status_of(bot_runtime, task_id)[0] == "completed"
    await ticker.providers.aclose()


@pytest.mark.parametrize("gateway_options", [{"deliver_ratio": 0.9, "fail_ratio": 0.1}])
async def test_slacks_rate_limit_on_edits_never_slows_the_sending(workspace, catalog, bot_runtime, emulator,
                                                                  gateway, clock, bot):  # noqa: F811
    """chat.update answers 429 with Retry-After: 60 for the whole send. The notifier holds its
    edits; the two sends finish long before a minute, and the reports (chat.postMessage) come."""
    workspace.faults.add("chat.update", "ratelimited", times=None, retry_after=60)
    tasks = [approved_task(bot_runtime, catalog, clock, workspace, recipients=200) for _ in range(2)]
    began = time.monotonic()
    _client, ticker = await started(bot_runtime, emulator, gateway, tasks[0][0])
    await eventually(lambda: all(status_of(bot_runtime, task_id)[0] == "completed" for task_id, _ in tasks), timeout=20)
    assert time.monotonic() - began < 20  # a send that waited out Retry-After would take a minute
    for task_id, card_ts in tasks:
        await eventually(lambda: report_in(workspace, APPROVALS_CHANNEL_ID, card_ts, "Send completed"))
    # The notifier's edits (progress and report): told once, then held, not tried every pass.
    limited = [c for c in workspace.calls("chat.update") if c.error == "ratelimited"
               and str(c.args.get("text", "")).startswith(("Sending", "Send completed"))]
    assert len(limited) == 1
    workspace.faults.clear()
    await ticker.providers.aclose()
