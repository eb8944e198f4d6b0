"""Answering the person who asked, visible to them alone."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.errors import DomainError, Said
from domain.i18n import _
from handlers.block_kit import escape, mention, plain, section
from handlers.pressed import where_pressed

log = logging.getLogger(__name__)


def _message(error: Exception) -> str:
    return error.args[0] if isinstance(error, DomainError) and error.args else str(error)


def error_text(error: Exception) -> str:
    """A refusal's message as plain text, for a modal's inline errors (Slack shows them as
    typed: nothing is escaped there). The people it names (`Said`) read as mentions."""
    message = _message(error)
    return message.render(mention) if isinstance(message, Said) else message


def error_mrkdwn(error: Exception) -> str:
    """A refusal's message in mrkdwn (ephemerals, DMs, thread notes, a message's text): the
    names and values it quotes are escaped, the people it names are mentions."""
    message = _message(error)
    return message.render(mention, escape) if isinstance(message, Said) else escape(message)


# chat.postEphemeral needs the bot in a live conversation that the person is in.
_NOT_REACHABLE = {"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived"}


async def reply_ephemeral(client: AsyncWebClient, *, channel: str, user: str, text: str, blocks: list[dict[str,
                          Any]] | None = None, respond: AsyncRespond | None = None,
                          thread_ts: str | None = None,) -> None:
    """The response_url of a slash command or an action works anywhere, so it is the way out
    when Slack refuses the ephemeral."""
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts)
    except SlackApiError as error:
        if respond is None or error.response.get("error") not in _NOT_REACHABLE:
            raise
        log.info("ephemeral reply went through response_url: %s", error.response.get("error"))
        await respond(text=text, blocks=blocks, response_type="ephemeral", thread_ts=thread_ts)


async def reply_ephemeral_or_dm(client: AsyncWebClient, *, channel: str | None, user: str, text: str,
                                blocks: list[dict[str, Any]] | None = None, thread_ts: str | None = None) -> None:
    """An answer with no response_url to fall back on (after a modal, or a press on the App Home
    tab): visible to the person alone in `channel`, where they were, or else in their direct
    message with the bot (no channel, or one the bot cannot post in)."""
    if channel is not None:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts)
            return
        except SlackApiError as error:
            if error.response.get("error") not in _NOT_REACHABLE:
                raise
            log.info("ephemeral reply went to the direct message: %s", error.response.get("error"))
    dm = (await client.conversations_open(users=user))["channel"]["id"]
    await client.chat_postMessage(channel=dm, text=text, blocks=blocks)


def build_refusal_view(text: str) -> dict[str, Any]:
    """A refusal (mrkdwn) shown over the modal it was pressed in; closing it shows that modal again."""
    return {"type": "modal", "title": plain(_("Not done")), "close": plain(_("OK")), "blocks": [section(text)]}


async def _told_in_modal(client: AsyncWebClient, body: dict, text: str) -> bool:
    """Pushed over the person's modal, which stays underneath; False where Slack refuses it (the
    trigger expired or was used, the stack is full)."""
    try:
        await client.views_push(trigger_id=body.get("trigger_id"), view=build_refusal_view(text))
        return True
    except SlackApiError as error:
        log.info("refusal could not be shown in the modal: %s", error.response.get("error"))
        return False


async def refuse_action(client: AsyncWebClient, body: dict, user: str, text: str) -> None:
    """Why a button press did nothing (mrkdwn), to the person who pressed it, where they pressed
    it: in the modal, in the message's thread or channel; a press on the App Home tab (or a modal
    Slack would not stack on) has no channel, so the answer goes to the DM."""
    pressed = where_pressed(body)
    if pressed.in_modal and await _told_in_modal(client, body, text):
        return
    await reply_ephemeral_or_dm(client, channel=pressed.channel, user=user, text=text, thread_ts=pressed.thread_ts)
