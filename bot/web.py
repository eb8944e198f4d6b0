"""The web routes of a process: Slack's request URL (HTTP mode), the providers' webhooks and
a health check. The composition root says which a process serves."""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.metrics import exposition
from bot.request_guard import Rejected, check_slack_payload, check_slack_signature, read_bounded, rejection
from domain.use_cases.reporting import sending_backlog
from storage.engine import ping

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
WEBHOOK_PATH = "/webhooks/sms/{provider}"
# An SMS application whose provider has settings of its own takes its receipts here.
APPLICATION_WEBHOOK_PATH = "/webhooks/sms/{provider}/{application}"


def slack_events_route(slack: AsyncApp, signing_secret: str, max_body_bytes: int) -> Route:
    handler = AsyncSlackRequestHandler(slack)
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: Request) -> Response:
        try:
            body = await read_bounded(request, max_body_bytes)
            check_slack_signature(verifier, request, body)
            check_slack_payload(request, body)
        except Rejected as rejected:
            return rejection(request, rejected)
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


def metrics_route(uow: Callable, clock: Callable) -> Route:
    """Prometheus metrics; the database's figures read afresh for each scrape, off the loop."""

    async def metrics(_request: Request) -> Response:
        depth, oldest = await anyio.to_thread.run_sync(lambda: sending_backlog(uow(), clock()))
        body, content_type = exposition(depth, oldest)
        return Response(body, media_type=content_type)

    return Route(METRICS_PATH, metrics, methods=["GET"])


def webhook_routes(receive: Callable | None, max_body_bytes: int) -> list[Route]:
    """`receive`: the sending's webhook receiver; None where this process does not send."""

    async def webhook(request: Request) -> Response:
        if receive is None:
            return JSONResponse({"error": "sending is off"}, status_code=404)
        try:
            await read_bounded(request, max_body_bytes)
        except Rejected as rejected:
            return rejection(request, rejected)
        return await receive(request)

    return [Route(WEBHOOK_PATH, webhook, methods=["POST"]), Route(APPLICATION_WEBHOOK_PATH, webhook, methods=["POST"])]
