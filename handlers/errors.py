"""The one error hook: a domain refusal becomes the answer the person sees where they are,
anything else is logged and answered with an apology. Listeners do not catch refusals
themselves, except a modal's, which shows them inline on its fields; a refusal after a modal
closed goes to the channel it was opened from, or to the person's direct message."""

from __future__ import annotations

import logging

import anyio

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from domain.errors import DomainError
from domain.i18n import N_, _
from domain.use_cases.refusals import record_refusal
from handlers.home import refresh_if_on_home
from handlers.replies import error_mrkdwn, error_text, refuse_action, reply_ephemeral_or_dm

log = logging.getLogger(__name__)
# In the reader's language where it is said: _(SOMETHING_WENT_WRONG).
SOMETHING_WENT_WRONG = N_("Something went wrong on our side; nothing was changed. Please try again.")


def _where(body: dict, context: AsyncBoltContext) -> tuple[str | None, str | None, str | None]:
    """(channel, thread, user) of a request other than a press (see handlers/pressed.py for those)."""
    event = body.get("event") or {}
    user = body.get("user_id") or (body.get("user") or {}).get("id") or event.get("user")
    # A modal's submission names no channel; its state names the one (and the thread) it was opened from.
    ref = context.get("ref")
    channel = (body.get("channel_id") or (body.get("channel") or {}).get("id") or event.get("channel")
               or getattr(ref, "channel_id", None))
    thread_ts = event.get("thread_ts") if event else getattr(ref, "thread_ts", None)
    return channel, thread_ts, user


async def on_error(error: Exception, body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    channel, thread_ts, user = _where(body, context)
    if isinstance(error, DomainError):
        message = error_mrkdwn(error)
        await record_refused(body, context, user, error_text(error))
    else:
        log.exception("listener failed", exc_info=error)
        message = _(SOMETHING_WENT_WRONG)
    try:
        if body.get("type") == "block_actions" and user:
            await refuse_action(client, body, user, message)
            if isinstance(error, DomainError) and context.get("actor") is not None:
                await refresh_if_on_home(body, client, context["uow"], context["settings"], context["actor"])
        elif user:
            await reply_ephemeral_or_dm(client, channel=channel, user=user, text=message, thread_ts=thread_ts)
    except Exception:  # the error is already logged; do not mask it with another
        log.warning("could not tell the user about an error", exc_info=True)


def asked_for(body: dict) -> str:
    """What a request asked for, as the audit names it."""
    if body.get("type") == "block_actions":
        return (body.get("actions") or [{}])[0].get("action_id") or "block_actions"
    if body.get("type") in ("view_submission", "view_closed"):
        return (body.get("view") or {}).get("callback_id") or str(body["type"])
    if body.get("command"):
        return f"{body['command']} {(body.get('text') or '').split(' ')[0]}".strip()
    return (body.get("event") or {}).get("type") or str(body.get("type") or "request")


async def record_refused(body: dict, context: AsyncBoltContext, user: str | None, reason: str) -> None:
    """A refused request on the record: who, what they asked for, and why (plain text)."""
    if context.get("uow") is None:
        return
    try:
        await anyio.to_thread.run_sync(lambda: record_refusal(
            context["uow"](), user or "unknown", asked_for(body), reason, context["clock"]()))
    except Exception:  # the refusal is still told; a record that fails must not hide it
        log.warning("could not record a refusal", exc_info=True)


def register(app: AsyncApp) -> None:
    app.error(on_error)
