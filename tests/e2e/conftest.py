"""The end-to-end harness: the Slack emulator, the bot served over HTTP, and a driver
that talks to the bot the way Slack does. Every Web API call the bot made in a test is
checked against Slack's method specs and Block Kit schema when the test ends."""

from __future__ import annotations

import pytest

from bot.app import build_runtime
from bot.composition import Parts, Process
from bot.manifest import bot_events
from bot.sandbox.emulator import SlackDriver, Workspace, start_emulator
from bot.threaded_server import ThreadedServer
from bot.sandbox.emulator.defaults import APPROVER_ID, APPROVERS_GROUP_ID, DEFAULT_BOT_TOKEN, MEMBER_ID, SENDER_ID
from bot.settings import load_settings
from bot.web import SLACK_EVENTS_PATH
from storage.migrate import upgrade
from tests.fakes import FakeClock
from tests.slack_calls import assert_calls_follow_slack_specs

SIGNING_SECRET = "e2e-signing-secret"
# The bot as `smsbot serve` runs it, but for the tick: the tests run it themselves, with a clock they move.
BOT_PARTS = Parts(slack_http=True, webhooks=True, dispatcher=True)


@pytest.fixture
def workspace():
    """Subscribed to the manifest's events, as the app installed from it is."""
    return Workspace(bot_events=bot_events())


@pytest.fixture
def emulator(workspace):
    server = start_emulator(workspace)
    yield server
    server.stop()


def bot_settings(emulator: ThreadedServer, database_url: str, **overrides):
    return load_settings(**{
        "slack_bot_token": DEFAULT_BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": f"{emulator.url}/api/",
        "database_url": database_url,
        "approvers": [APPROVERS_GROUP_ID],
        **overrides,
    })


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
def settings(emulator, bot_database_url, bot_overrides):
    return bot_settings(emulator, bot_database_url, **bot_overrides)


@pytest.fixture
def bot_provider():
    """Where the bot sends (a module with a gateway overrides it); None: it sends nothing."""
    return None


@pytest.fixture
def bot_runtime(settings, bot_provider, clock):
    runtime = build_runtime(settings, clock=clock, provider=bot_provider)
    yield runtime
    runtime.close()


@pytest.fixture
def bot(bot_runtime, workspace, tmp_path):
    server = ThreadedServer(Process(bot_runtime, BOT_PARTS).asgi()).start()
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


@pytest.fixture
def readers(workspace):
    """The sandbox's sender, approver and member, their Slack set to Simplified Chinese."""
    for user in (SENDER_ID, APPROVER_ID, MEMBER_ID):
        workspace.user(user).locale = "zh-CN"
