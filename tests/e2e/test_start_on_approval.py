"""A task approved to go "as soon as approved" starts at once, not at the next tick: the
approval wakes the sending of its own process, and, on PostgreSQL, of every process through
LISTEN/NOTIFY. The ticks here are an hour apart, so only the wake-up can start the send; the
clock is the real one, so the sending window is open at every hour (the default window would
turn a late-evening run's approval into a choice of when to start)."""

from __future__ import annotations

import pytest

from sqlalchemy.exc import OperationalError

from bot import sending
from bot.app import build_runtime, utc_now
from bot.composition import Parts, Process
from bot.providers.simulator import SimulatorProvider
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID
from bot.sandbox.emulator.driver import SlackDriver
from bot.threaded_server import ThreadedServer
from handlers.ids import ActionId
from domain.use_cases.dispatch import next_start_at
from storage.migrate import upgrade
from tests.databases import fresh_database
from tests.e2e.conftest import SIGNING_SECRET, bot_settings
from tests.e2e.test_dispatch import API_KEY, SECRET, eventually, gateway, gateway_options  # noqa: F401
from tests.e2e.test_send_tasks import cards, catalog, submit_valid_task  # noqa: F401
from tests.slack_calls import assert_calls_follow_slack_specs
from bot.web import SLACK_EVENTS_PATH

HOUR = 3600.0
ANY_TIME = "00:00-24:00"
FIRST = "+8613800138000"  # the catalog's list: its first number


@pytest.fixture
def clock():
    return utc_now  # real time: nothing here moves the clock


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "tick_seconds": HOUR,
                 "send_window": ANY_TIME}


@pytest.fixture
def bot_provider(gateway):  # noqa: F811
    return SimulatorProvider(gateway[0].url, API_KEY, SECRET)


@pytest.fixture
def bot(bot_runtime, workspace, tmp_path, gateway):  # noqa: F811
    """Every part of `smsbot serve` in one process, its tick an hour away."""
    _server, config, _state = gateway
    parts = Parts(slack_http=True, webhooks=True, dispatcher=True, ticks=True, tick_seconds=HOUR)
    server = ThreadedServer(Process(bot_runtime, parts).asgi()).start()
    config.receipt_url = f"{server.url}/webhooks/sms/simulator"
    yield server
    server.stop()
    assert_calls_follow_slack_specs(workspace, tmp_path / "slack_calls.jsonl")


async def test_an_approval_starts_the_send_in_its_own_process_at_once(
        workspace, driver, catalog, bot, gateway):  # noqa: F811
    card = await submit_valid_task(workspace, driver, catalog)
    state = gateway[2]
    assert state.submissions_for(FIRST) == 0
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: state.submissions_for(FIRST) == 1, timeout=10)  # an hour before the tick
    await eventually(lambda: any(m.text == "Sending started." for m in workspace.replies(APPROVALS_CHANNEL_ID,
                                                                                        card.ts)))


@pytest.mark.postgres
async def test_an_approval_in_one_process_starts_the_send_in_another_on_postgresql(
        workspace, emulator, tmp_path, gateway):  # noqa: F811
    """The Slack-facing process has no provider; the worker hears the approval through NOTIFY."""
    with fresh_database("postgresql", tmp_path) as database_url:
        upgrade(database_url)
        overrides = {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "tick_seconds": HOUR,
                     "send_window": ANY_TIME}
        web = build_runtime(bot_settings(emulator, database_url, **overrides))
        worker = build_runtime(bot_settings(emulator, database_url, **overrides),
                               provider=SimulatorProvider(gateway[0].url, API_KEY, SECRET))
        web_server = ThreadedServer(Process(web, Parts(slack_http=True)).asgi()).start()
        worker_server = ThreadedServer(Process(worker, Parts(dispatcher=True, ticks=True, tick_seconds=HOUR)).asgi()
                                       ).start()
        try:
            driver = SlackDriver(workspace, web_server.url + SLACK_EVENTS_PATH, SIGNING_SECRET)
            ids = catalog.__wrapped__(web, workspace, utc_now)
            card = await submit_valid_task(workspace, driver, ids)
            await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
            await eventually(lambda: gateway[2].submissions_for(FIRST) == 1, timeout=10)
        finally:
            worker_server.stop()
            web_server.stop()
            web.close()
            worker.close()


@pytest.fixture
def looks(monkeypatch):
    """Every look for the next send time; the first (the starter's, at start-up) fails as a
    database may for a moment. Patched before the bot starts, so that first look is this one."""
    seen = []

    def fails_once(uow, now):
        seen.append(now)
        if len(seen) == 1:
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return next_start_at(uow, now)

    monkeypatch.setattr(sending, "next_start_at", fails_once)
    return seen


async def test_a_failed_look_for_the_next_send_time_is_tried_again_soon_not_at_the_tick(
        looks, workspace, driver, catalog, bot, gateway):  # noqa: F811
    """A look that fails is tried again in a second, unasked (a task it would have found, such as
    one whose thread was still being recorded, would otherwise wait the tick: an hour here); and
    approvals after it still start their sends at once."""
    await eventually(lambda: len(looks) >= 2, timeout=5)  # nothing approved yet: no nudge brought it
    for sends in (1, 2):
        await submit_valid_task(workspace, driver, catalog)
        card = (await eventually(lambda: len(cards(workspace)) == sends and cards(workspace)))[-1]  # noqa: B023
        await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
        await eventually(lambda: gateway[2].submissions_for(FIRST) == sends, timeout=10)  # noqa: B023
