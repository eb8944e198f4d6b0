"""Receipts by pull: where nothing can push receipts to the bot (no public URL, Socket Mode),
it asks the provider about every message still awaiting one, and ends with the same totals as
receipts pushed would give."""

from __future__ import annotations

import pytest

from bot.composition import Process
from bot.threaded_server import ThreadedServer
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID
from tests.e2e.conftest import BOT_PARTS
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the gateway, the provider)
    approved_task, bot_provider, eventually, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import catalog  # noqa: F401
from tests.slack_calls import assert_calls_follow_slack_specs


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "receipts": "pull"}


@pytest.fixture
def bot(bot_runtime, workspace, tmp_path, gateway):
    """The bot sending, with no webhook the gateway could reach: the gateway pushes nothing."""
    bot_server = ThreadedServer(Process(bot_runtime, BOT_PARTS).asgi()).start()
    assert gateway[1].receipt_url is None
    yield bot_server
    bot_server.stop()
    assert_calls_follow_slack_specs(workspace, tmp_path / "slack_calls.jsonl")


async def test_receipts_pulled_end_with_the_totals_the_gateway_decided(workspace, catalog, bot_runtime, emulator,
                                                                     gateway, clock, bot):  # noqa: F811
    _server, _config, state = gateway
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=60)
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    decided = {"delivered": 0, "failed": 0, "silent": 0}
    for message in state.messages():
        decided[message.outcome] += 1
    expected = {k: v for k, v in {"delivered": decided["delivered"], "failed": decided["failed"],
                                  "submitted": decided["silent"]}.items() if v}
    # asked about once 5 s have passed since their submission (the bot's clock), then less often
    clock.advance(seconds=6)
    await eventually(lambda: status_of(bot_runtime, task_id)[1] == expected, timeout=30)
    assert state.receipts_posted == 0 and decided["delivered"] > 40
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                       if m.text.startswith("Send completed.") and
                                       f"{decided['delivered']} delivered" in m.text], timeout=15)
    assert report
    await ticker.providers.aclose()
