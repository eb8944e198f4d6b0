"""The one composition root. Every process — `serve` over HTTP, `serve --socket-mode`, `worker`,
the sandbox and the tests — is built here from the same parts: settings → engine and unit of
work → provider → Slack app → dispatcher and progress notifier → scheduler → web routes. They
differ only in which parts they start."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from starlette.applications import Starlette

from bot.app import Runtime, build_runtime, utc_now
from bot.providers.factory import ProviderSetup, make_provider
from bot.scheduler import start_scheduler, tick
from bot.sending import Sending
from bot.settings import Settings
from bot.threaded_server import ThreadedServer
from bot.web import health_route, metrics_route, slack_events_route, webhook_routes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parts:
    """What a process starts."""

    slack_http: bool = False  # Slack's request URL, /slack/events
    socket_mode: bool = False  # a Socket Mode connection to Slack
    webhooks: bool = False  # /healthz and /webhooks/sms/<provider>
    dispatcher: bool = False  # claims and sends recipients of sending tasks
    ticks: bool = False  # the scheduler: start due tasks, settle lost sends, cancel stale tasks, purge
    tick_seconds: float = 30.0  # SMSBOT_TICK_SECONDS's default

    @property
    def sends(self) -> bool:
        """A process that sends or receives receipts needs a provider."""
        return self.dispatcher or self.ticks or self.webhooks

    @property
    def serves_slack(self) -> bool:
        """A process that takes Slack's requests posts approval requests."""
        return self.slack_http or self.socket_mode


def http_parts(settings: Settings) -> Parts:
    return Parts(slack_http=True, webhooks=True, dispatcher=settings.dispatcher, ticks=True,
                 tick_seconds=settings.tick_seconds)


def socket_mode_parts(settings: Settings) -> Parts:
    return Parts(socket_mode=True, webhooks=True, dispatcher=settings.dispatcher, ticks=True,
                 tick_seconds=settings.tick_seconds)


def worker_parts(settings: Settings) -> Parts:
    """A worker runs a dispatcher and the tick beside the web processes on one PostgreSQL."""
    return Parts(dispatcher=True, ticks=True, tick_seconds=settings.tick_seconds)


class Process:
    """One process's bot: the runtime, and the sending and scheduling it starts."""

    def __init__(self, runtime: Runtime, parts: Parts, provider: ProviderSetup | None = None) -> None:
        self.runtime, self.parts, self._provider = runtime, parts, provider
        self.sending = (Sending.build(runtime, runtime.slack.client, runtime.providers)
                        if runtime.providers is not None else None)

    def asgi(self) -> Starlette:
        """The process's web routes; serving them runs the process (ASGI lifespan)."""
        settings = self.runtime.settings
        routes = [health_route(self.runtime.engine), metrics_route(self.runtime.uow, self.runtime.clock)]
        if self.parts.slack_http:
            routes.append(slack_events_route(self.runtime.slack, settings.slack_signing_secret.get_secret_value(),
                                             settings.max_request_bytes))
        if self.parts.webhooks:
            routes += webhook_routes(self.sending.receive_webhook if self.sending else None,
                                     settings.max_request_bytes)

        @asynccontextmanager
        async def lifespan(_app: Starlette) -> AsyncIterator[None]:
            async with self.running():
                yield

        return Starlette(lifespan=lifespan, routes=routes)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Starts what the parts name in the running event loop; stops it all on the way out."""
        # One HTTP session for every Web API call: a session per call (the SDK's default) opens
        # a new connection each time, which was most of the time after an ack when profiled.
        async with aiohttp.ClientSession() as session:
            self.runtime.slack.client.session = session
            if self.sending is not None and self.parts.dispatcher:
                self.sending.start_dispatcher()
            if self.sending is not None and self.parts.ticks:
                self.sending.start_starter()
            if self.sending is not None:
                self.sending.start_notifier()
                self.sending.start_poller(socket_mode=self.parts.socket_mode)
            scheduler = (start_scheduler(self.runtime, self.sending, self.parts.tick_seconds)
                         if self.parts.ticks else None)
            socket_mode = await self._connect_socket_mode() if self.parts.socket_mode else None
            metrics = self._serve_metrics()
            # In the background: start-up does not wait on Slack, and a problem is only logged.
            channel_check = (asyncio.create_task(self.runtime.approvals_channel.warn_at_start_up(
                self.runtime.slack.client)) if self.parts.serves_slack else None)
            try:
                yield
            finally:
                if channel_check is not None:
                    channel_check.cancel()
                if socket_mode is not None:
                    await socket_mode.close_async()
                if metrics is not None:
                    metrics.stop()
                if scheduler is not None:
                    scheduler.shutdown(wait=False)
                if self.sending is not None:
                    await self.sending.stop()
        self.close()

    def _serve_metrics(self) -> ThreadedServer | None:
        """A process without web routes (a worker) serves /metrics on SMSBOT_METRICS_PORT, if set."""
        port = self.runtime.settings.metrics_port
        if port is None or self.parts.slack_http or self.parts.webhooks:
            return None
        app = Starlette(routes=[metrics_route(self.runtime.uow, self.runtime.clock)])
        return ThreadedServer(app, host=self.runtime.settings.host, port=port).start()

    async def _connect_socket_mode(self):
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        token = self.runtime.settings.slack_app_token.get_secret_value()
        handler = AsyncSocketModeHandler(self.runtime.slack, token)
        await handler.connect_async()
        log.info("connected to Slack over Socket Mode")
        return handler

    async def tick(self) -> None:
        """One pass of the scheduler's work, as the scheduler runs it."""
        await tick(self.runtime, self.runtime.slack.client, self.sending)

    async def run_until_signalled(self) -> None:
        """A process without web routes (a worker): runs until SIGINT or SIGTERM."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with self.running():
            await stop.wait()

    def close(self) -> None:
        if self._provider is not None:
            self._provider.stop()
        self.runtime.close()


def compose(settings: Settings, parts: Parts, *, clock: Callable[[], datetime] = utc_now,
            own_url: str | None = None, provider: ProviderSetup | None = None) -> Process:
    """`own_url`: where this process serves its webhooks, for an embedded simulator gateway.
    `provider`: one already set up (the sandbox's gateway, a test's fake); else the settings'."""
    settings.require("slack_signing_secret", "slack_bot_token")
    own_url = own_url or settings.public_url or "http://127.0.0.1"
    if provider is None and parts.sends:
        provider = make_provider(settings, own_url=own_url)
    runtime = build_runtime(settings, clock, provider=provider.provider if provider else None, own_url=own_url)
    return Process(runtime, parts, provider)
