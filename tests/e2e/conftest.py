"""The end-to-end harness: the Slack emulator, the bot served over HTTP, and a driver
that talks to the bot the way Slack does. Every Web API call the bot made in a test is
checked against Slack's method specs and Block Kit schema when the test ends."""

from __future__ import annotations

import pytest

from bot.app import build_runtime
from bot.sandbox.emulator import EmulatorServer, SlackDriver, Workspace, start_emulator
from bot.sandbox.emulator.defaults import APPROVERS_GROUP_ID, DEFAULT_BOT_TOKEN
from bot.settings import load_settings
from bot.web import SLACK_EVENTS_PATH, build_web_app
from storage.migrate import upgrade
from tests.fakes import FakeClock
from tests.slack_calls import assert_calls_follow_slack_specs

SIGNING_SECRET = "e2e-signing-secret"


@pytest.fixture
def workspace():
    return Workspace()


@pytest.fixture
def emulator(workspace):
    server = start_emulator(workspace)
    yield server
    server.stop()


def bot_settings(emulator: EmulatorServer, database_url: str, **overrides):
    return load_settings(
        slack_bot_token=DEFAULT_BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=f"{emulator.url}/api/",
        database_url=database_url,
        approvers=[APPROVERS_GROUP_ID],
        **overrides,
    )


@pytest.fixture
def bot_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    return url


@pytest.fixture
def bot_overrides():
    """Settings a test module wants different (e.g. small limits); override the fixture."""
    return {}


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def bot_runtime(emulator, bot_database_url, bot_overrides, clock):
    runtime = build_runtime(bot_settings(emulator, bot_database_url, **bot_overrides), clock=clock)
    yield runtime
    runtime.close()


@pytest.fixture
def bot(bot_runtime, workspace, tmp_path):
    # The tests run the scheduler's tick themselves, with a clock they move.
    server = EmulatorServer(build_web_app(bot_runtime, run_scheduler=False)).start()
    yield server
    server.stop()
    assert_calls_follow_slack_specs(workspace, tmp_path / "slack_calls.jsonl")


@pytest.fixture
def driver(workspace, bot):
    return SlackDriver(workspace, bot.url + SLACK_EVENTS_PATH, SIGNING_SECRET)


@pytest.fixture
def uow(bot_runtime):
    """The bot's own database, to check what it stored."""
    from storage.engine import make_session_factory
    from storage.uow import SqlUnitOfWork

    return SqlUnitOfWork(make_session_factory(bot_runtime.engine))
