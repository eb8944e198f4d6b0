"""Tasks sending at once share the account's rate by chunk, in turn: a small task never waits
behind the whole of a large one. Here a 10,000-recipient task at 1,000 messages/s (ten seconds
of sending) and a 50-recipient task approved with it: the small one is done within its first
turns, while the large one has most of its way to go."""

from __future__ import annotations

import pytest

from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with its dispatcher, the gateway)
    approved_task, bot, bot_provider, eventually, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import catalog  # noqa: F401
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID

LARGE, SMALL, RATE = 10_000, 50, 1000


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "send_rate": RATE}


async def test_a_small_task_is_not_kept_waiting_behind_a_large_one(
        workspace, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    large, _ = approved_task(bot_runtime, catalog, clock, workspace, recipients=LARGE)
    small, _ = approved_task(bot_runtime, catalog, clock, workspace, recipients=SMALL)
    _client, ticker = await started(bot_runtime, emulator, gateway, large)  # both start together
    assert status_of(bot_runtime, small)[0] == status_of(bot_runtime, large)[0] == "sending"

    def large_handled() -> int:
        counts = status_of(bot_runtime, large)[1]
        return LARGE - counts.get("pending", 0) - counts.get("in_flight", 0)

    await eventually(lambda: status_of(bot_runtime, small)[0] == "completed", timeout=15)
    handled_then = large_handled()
    assert handled_then < LARGE / 2, f"the small task finished only after {handled_then:,} of the large one"
    assert status_of(bot_runtime, large)[0] == "sending"
    await ticker.providers.aclose()


async def test_a_task_is_finished_by_its_last_chunk_not_by_another_turn(
        workspace, catalog, bot_runtime, emulator, gateway, clock):  # noqa: F811
    """At a rate, every turn waits for its share of it: a task whose last recipients went out
    in a chunk is over then, without a turn (and its wait) that finds nothing left to claim."""
    task, _ = approved_task(bot_runtime, catalog, clock, workspace, recipients=SMALL)
    _client, ticker = await started(bot_runtime, emulator, gateway, task)  # no dispatcher runs: this test turns
    assert await ticker.dispatcher.run_once() == SMALL
    assert status_of(bot_runtime, task)[0] == "completed"
    await ticker.providers.aclose()
