"""A modal's own updates: a press re-rendering the modal it was made in, and a modal that says
it is working, with the result that replaces it.

A modal that says it is working, and the result that replaces it: Slack applies a
submission's answer (`response_action: update`) when it receives it, which may be after a quick
result's views.update: the working view carries an external id of its own, and the result waits
until that view is there, so it can never be covered by it."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

WORKING_VIEW_TRIES, WORKING_VIEW_WAIT = 50, 0.1  # how long a result waits for the working view: 5 s


def new_working_id() -> str:
    return f"smsbot-working-{uuid.uuid4().hex}"


def as_working(view: dict[str, Any], working_id: str) -> dict[str, Any]:
    """The working view to answer a submission with, named by `working_id`."""
    return {**view, "external_id": working_id}


async def show_over_working(client: AsyncWebClient, working_id: str, view: dict[str, Any]) -> bool:
    """The result in place of the working view, once Slack shows it; False if the modal was
    closed meanwhile."""
    for _ in range(WORKING_VIEW_TRIES):
        try:
            await client.views_update(external_id=working_id, view=view)
            return True
        except SlackApiError as error:
            if error.response.get("error") != "not_found":
                raise
        await asyncio.sleep(WORKING_VIEW_WAIT)
    log.info("a modal was closed before its result could be shown")
    return False


async def update_pressed_view(client: AsyncWebClient, view: dict[str, Any], rendered: dict[str, Any]) -> None:
    """`view` re-rendered for a press made in it. Two presses faster than the modal re-rendered
    both carry the hash from before either: the second meets a newer view (hash_conflict). It
    is the person's latest press, made of the state it was pressed in, so it is shown, not lost."""
    try:
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=rendered)
    except SlackApiError as error:
        if error.response.get("error") != "hash_conflict":
            raise
        await client.views_update(view_id=view["id"], view=rendered)
