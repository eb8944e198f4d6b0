"""`smsbot sandbox`: the bot, the simulator gateway, the Slack emulator and its web page in one
process, on one port, with SQLite in a data directory.

Nothing is faked around the bot: it is the app `smsbot serve` runs, its Web API client aimed at
the emulator (`/api/…` on this port) and its request URL (`/slack/events`) called by the
emulator's driver with signed requests, as Slack would. Its scheduler's tick runs every few
seconds instead of every 30, so an approved send starts while you watch.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.composition import compose, http_parts
from bot.manifest import bot_events
from bot.providers.factory import ProviderSetup, simulator_credentials, webhook_url
from bot.providers.simulator import SimulatorConfig, SimulatorProvider, create_gateway_app
from bot.sandbox.app import ChangeHub, create_page_app
from bot.sandbox.emulator import SlackDriver, Workspace, create_emulator_app
from bot.threaded_server import ThreadedServer
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVERS_GROUP_ID, DEFAULT_BOT_TOKEN
from bot.sandbox.page_texts import SLACK_LOCALES
from bot.sandbox.pace import PACES, Pace
from bot.sandbox.persist import load_workspace, save_workspace
from bot.sandbox.seed import seed_content
from bot.settings import Settings, load_settings
from bot.web import HEALTH_PATH, SLACK_EVENTS_PATH
from storage.migrate import upgrade

log = logging.getLogger(__name__)

DATABASE_FILE = "smsbot.db"
WORKSPACE_FILE = "workspace.json"
SAVE_DELAY_SECONDS = 1.0
# Where each request goes: the bot's own URLs, the emulator's (Slack's), else the page.
BOT_PATHS = (SLACK_EVENTS_PATH, HEALTH_PATH)
BOT_PREFIXES = ("/webhooks/",)
EMULATOR_PREFIXES = ("/api/", "/upload/", "/files-pri/", "/response/", "/_emulator/")


@dataclass
class SandboxOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    reset: bool = False
    tick_seconds: float = 2.0
    pace: Pace = PACES["watch"]
    simulator_seed: int | None = None


def sandbox_settings(database_url: str, base_url: str, signing_secret: str, tick_seconds: float,
                     pace: Pace = PACES["watch"]) -> Settings:
    """The bot's settings in the sandbox; the environment (.env) may set the rest, such as the
    time zone, but not where the bot talks to, its database or its provider."""
    return load_settings(**{
        "slack_bot_token": DEFAULT_BOT_TOKEN,
        "slack_signing_secret": signing_secret,
        "slack_api_url": f"{base_url}/api/",
        "database_url": database_url,
        "approvers": [APPROVERS_GROUP_ID],
        "approvals_channel": APPROVALS_CHANNEL_ID,
        "provider": "simulator",
        "simulator_url": None,
        "public_url": None,
        "dispatcher": True,
        "send_window": "00:00-24:00",  # a sandbox is tried at any hour
        "dispatch_chunk": pace.dispatch_chunk,
        "send_rate": pace.send_rate,
        "tick_seconds": tick_seconds,
    })


def reset_data(data_dir: Path) -> None:
    for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", WORKSPACE_FILE):
        if not (data_dir / name).is_dir():  # never a folder someone put there: opening it then says so
            (data_dir / name).unlink(missing_ok=True)


class Sandbox:
    """An ASGI app (serve it on options.host:options.port) and everything it runs."""

    def __init__(self, options: SandboxOptions, *, on_ready: Callable[[Sandbox], None] | None = None) -> None:
        self.options = options
        self._on_ready = on_ready
        data_dir = options.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        if options.reset:
            reset_data(data_dir)
        loopback = "127.0.0.1" if options.host in ("0.0.0.0", "::", "") else options.host
        self.url = f"http://{loopback}:{options.port}"
        database_url = f"sqlite:///{data_dir / DATABASE_FILE}"
        upgrade(database_url)
        signing_secret = secrets.token_hex(16)  # only this process signs and checks requests
        self.settings = sandbox_settings(database_url, self.url, signing_secret, options.tick_seconds, options.pace)

        self.workspace = Workspace(base_url=self.url, bot_events=bot_events())
        for user in self.workspace.users():
            # SMSBOT_LANGUAGE=zh: a Chinese workspace, its people's Slack in Chinese (a kept one keeps theirs).
            user.tz, user.locale = self.settings.timezone, SLACK_LOCALES[self.settings.language]
        self.workspace_file = data_dir / WORKSPACE_FILE
        self.restored_messages = load_workspace(self.workspace, self.workspace_file)
        self.driver = SlackDriver(self.workspace, self.url + SLACK_EVENTS_PATH, signing_secret)
        self.hub = ChangeHub()
        self.emulator_app = create_emulator_app(self.workspace)
        self.page_app = create_page_app(self)

        api_key, gateway_secret = simulator_credentials(self.settings)
        self.gateway_config = SimulatorConfig(
            api_key=api_key, receipt_secret=gateway_secret,
            receipt_url=webhook_url(self.settings, "simulator", self.url),
            receipt_latency=options.pace.receipt_latency, seed=options.simulator_seed)
        gateway_app, self.gateway_state = create_gateway_app(self.gateway_config)
        # Its port is taken now, so the bot's provider knows its address; it serves from start-up.
        self.gateway = ThreadedServer(gateway_app).bind()
        provider = ProviderSetup(SimulatorProvider(self.gateway.url, api_key, gateway_secret), self.gateway)
        # The bot as `smsbot serve` runs it, with a tick every few seconds instead of every 30.
        self.process = compose(self.settings, http_parts(self.settings), provider=provider)
        self.runtime = self.process.runtime
        self.bot_app = self.process.asgi()
        self.seeded = seed_content(self.runtime.uow, self.runtime.clock())
        self._save_pending = False
        self._save_lock = threading.Lock()

    # ------------------------------------------------------------------ ASGI

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self._route(scope.get("path", ""))(scope, receive, send)

    def _route(self, path: str):
        if path in BOT_PATHS or path.startswith(BOT_PREFIXES):
            return self.bot_app
        if path.startswith(EMULATOR_PREFIXES):
            return self.emulator_app
        return self.page_app

    async def _lifespan(self, receive, send) -> None:
        await receive()  # lifespan.startup
        phase = "startup"
        try:
            async with self.running():
                await send({"type": "lifespan.startup.complete"})
                phase = "shutdown"
                announce = asyncio.create_task(self._announce_when_listening())
                await receive()  # lifespan.shutdown
                announce.cancel()
        except Exception as error:
            log.exception("sandbox: %s failed", phase)
            await send({"type": f"lifespan.{phase}.failed", "message": str(error)})
            return
        await send({"type": "lifespan.shutdown.complete"})

    # ------------------------------------------------------------------ running

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        self.gateway.start()
        stop_listening = self.workspace.add_listener(lambda what: loop.call_soon_threadsafe(self._changed, what))
        try:
            async with self.bot_app.router.lifespan_context(self.bot_app):
                try:
                    yield
                finally:
                    self.hub.close()
        finally:
            stop_listening()
            self.gateway.stop()
            self._save()

    async def _announce_when_listening(self) -> None:
        """The server listens only once start-up is complete: tell `on_ready` when it answers."""
        if self._on_ready is None:
            return
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        while True:
            try:
                _reader, writer = await asyncio.open_connection(host, int(port))
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            self._on_ready(self)
            return

    def _changed(self, what: str) -> None:
        """On the event loop: tell the page, and save the workspace a moment later."""
        self.hub.publish(what)
        if not self._save_pending:
            self._save_pending = True
            asyncio.get_running_loop().call_later(SAVE_DELAY_SECONDS, self._save_soon)

    def _save_soon(self) -> None:
        self._save_pending = False
        asyncio.get_running_loop().run_in_executor(None, self._save)

    def _save(self) -> None:
        try:
            with self._save_lock:
                save_workspace(self.workspace, self.workspace_file)
        except OSError:
            log.warning("sandbox: could not save the workspace to %s", self.workspace_file, exc_info=True)
