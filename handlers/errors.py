"""The one error hook: domain errors become an answer to the person, the rest is logged."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from domain.errors import DomainError
from handlers.replies import error_text, reply_ephemeral

log = logging.getLogger(__name__)
SOMETHING_WENT_WRONG = "Something went wrong on our side; nothing was changed. Please try again."


def _where(body: dict) -> tuple[str | None, str | None]:
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    return channel, user


def register(app: AsyncApp) -> None:
    @app.error
    async def on_error(error: Exception, body: dict, client: AsyncWebClient) -> None:
        channel, user = _where(body)
        if isinstance(error, DomainError):
            message = error_text(error)
        else:
            log.exception("listener failed", exc_info=error)
            message = SOMETHING_WENT_WRONG
        if channel and user:
            try:
                await reply_ephemeral(client, channel=channel, user=user, text=message)
            except Exception:  # the error is already logged; do not mask it with another
                log.warning("could not tell the user about an error", exc_info=True)
