"""The ASGI app of HTTP mode: Slack's one request URL and a health check."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import anyio
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import Runtime
from bot.providers.base import SmsProvider
from bot.scheduler import start_scheduler
from bot.sending import Sending
from storage.engine import ping

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
WEBHOOK_PATH = "/webhooks/sms/{provider}"


def build_web_app(runtime: Runtime, *, run_scheduler: bool = True, provider: SmsProvider | None = None,
                  run_dispatcher: bool = True) -> Starlette:
    """`provider`: where messages go; without one the bot takes requests but sends nothing."""
    slack_handler = AsyncSlackRequestHandler(runtime.slack)
    sending: dict[str, Sending] = {}

    async def webhook(request: Request) -> Response:
        if "sending" not in sending:
            return JSONResponse({"error": "sending is off"}, status_code=404)
        return await sending["sending"].receive_webhook(request)

    async def slack_events(request: Request) -> Response:
        return await slack_handler.handle(request)

    async def healthz(_request: Request) -> Response:
        try:
            # The database driver blocks: keep it off the event loop.
            await anyio.to_thread.run_sync(ping, runtime.engine)
        except Exception as error:
            log.warning("health check: database unreachable (%s)", type(error).__name__)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One HTTP session for every Web API call: a session per call (the SDK's default)
        # opens a new connection each time, which showed up as most of the time after
        # an ack in the ack-latency profile.
        async with aiohttp.ClientSession() as session:
            runtime.slack.client.session = session
            if provider is not None:
                sending["sending"] = Sending.build(runtime, runtime.slack.client, provider)
                runtime.services["test_send"] = sending["sending"].test_send
                if run_dispatcher:
                    sending["sending"].start_dispatcher()
            scheduler = start_scheduler(runtime, sending.get("sending")) if run_scheduler else None
            app.state.sending = sending.get("sending")
            yield
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if "sending" in sending:
                await sending["sending"].stop()
        runtime.close()

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"]),
            Route(HEALTH_PATH, healthz, methods=["GET"]),
            Route(WEBHOOK_PATH, webhook, methods=["POST"]),
        ],
    )
