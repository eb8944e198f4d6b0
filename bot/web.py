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
from bot.scheduler import start_scheduler
from storage.engine import ping

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_web_app(runtime: Runtime, *, run_scheduler: bool = True) -> Starlette:
    slack_handler = AsyncSlackRequestHandler(runtime.slack)

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
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # One HTTP session for every Web API call: a session per call (the SDK's default)
        # opens a new connection each time, which showed up as most of the time after
        # an ack in the ack-latency profile.
        async with aiohttp.ClientSession() as session:
            runtime.slack.client.session = session
            scheduler = start_scheduler(runtime) if run_scheduler else None
            yield
            if scheduler is not None:
                scheduler.shutdown(wait=False)
        runtime.close()

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"]),
            Route(HEALTH_PATH, healthz, methods=["GET"]),
        ],
    )
