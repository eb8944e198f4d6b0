"""The web routes of a process: Slack's request URL (HTTP mode), the providers' webhooks and
a health check. The composition root says which a process serves."""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage.engine import ping

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
WEBHOOK_PATH = "/webhooks/sms/{provider}"


def slack_events_route(slack: AsyncApp) -> Route:
    handler = AsyncSlackRequestHandler(slack)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return Route(SLACK_EVENTS_PATH, slack_events, methods=["POST"])


def health_route(engine: Engine) -> Route:
    async def healthz(_request: Request) -> Response:
        try:
            # The database driver blocks: keep it off the event loop.
            await anyio.to_thread.run_sync(ping, engine)
        except Exception as error:
            log.warning("health check: database unreachable (%s)", type(error).__name__)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return Route(HEALTH_PATH, healthz, methods=["GET"])


def webhook_route(receive: Callable | None) -> Route:
    """`receive`: the sending's webhook receiver; None where this process does not send."""

    async def webhook(request: Request) -> Response:
        if receive is None:
            return JSONResponse({"error": "sending is off"}, status_code=404)
        return await receive(request)

    return Route(WEBHOOK_PATH, webhook, methods=["POST"])
