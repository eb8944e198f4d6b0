"""A task's card and thread, kept in step with the task: opened when it is submitted, edited
in place and told every change."""

from __future__ import annotations

import anyio
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.content import Purpose
from domain.segments import SignatureStyle
from domain.use_cases.tasks import TaskView, get_task, preview_for, record_task_thread
from handlers.task_blocks import build_task_card, edited_note, submitted_note


class TaskThread:
    """Keeps a task's card and thread in step with the task."""

    def __init__(self, client: AsyncWebClient, uow, settings) -> None:
        self._client, self._uow, self._settings = client, uow, settings

    async def card(self, task: TaskView, *, deleted: bool = False) -> tuple[str, list]:
        settings = self._settings
        preview = await anyio.to_thread.run_sync(lambda: preview_for(
            self._uow(), list_id=task.recipient_list_id, signature_id=task.signature_id,
            template_id=task.template_id, purpose=Purpose(task.purpose), style=SignatureStyle(settings.signature_style),
            optout_hint=settings.optout_hint, price_per_segment=settings.price_per_segment, currency=settings.currency))
        return build_task_card(task, preview, deleted=deleted)

    async def open(self, task: TaskView) -> TaskView:
        """Posts the request where approvers look; its thread is the task's from now on."""
        channel = self._settings.approvals_channel or task.origin_channel
        text, blocks = await self.card(task)
        posted = await self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        await anyio.to_thread.run_sync(record_task_thread, self._uow(), task.id, channel, posted["ts"])
        if channel != task.origin_channel:
            link = (await self._client.chat_getPermalink(channel=channel, message_ts=posted["ts"]))["permalink"]
            message = submitted_note(task, link)
            try:
                await self._client.chat_postMessage(channel=task.origin_channel, text=message)
            except SlackApiError:  # the bot is not in that channel: tell the requester alone
                dm = (await self._client.conversations_open(users=task.created_by))["channel"]["id"]
                await self._client.chat_postMessage(channel=dm, text=message)
        return await anyio.to_thread.run_sync(get_task, self._uow(), task.id)

    async def refresh(self, task: TaskView, note: str | None = None, *, deleted: bool = False,
                      card_at: tuple[str, str] | None = None) -> None:
        """`card_at`: the card a button was pressed on, known even if its thread is not yet
        recorded (a click can come a moment after the card is posted)."""
        channel, ts = card_at or (task.thread_channel, task.thread_ts)
        if channel is None:
            return
        text, blocks = await self.card(task, deleted=deleted)
        await self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        if note:
            await self._client.chat_postMessage(channel=channel, thread_ts=ts, text=note)


def pressed_card(body: dict) -> tuple[str, str] | None:
    """The message a button was pressed on; None on the App Home tab (the task's thread is known)."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return None
    return container["channel_id"], container["message_ts"]


async def on_task_submitted(client: AsyncWebClient, uow, settings, task: TaskView, actor: Actor, *,
                            edited: bool) -> None:
    thread = TaskThread(client, uow, settings)
    if edited and task.thread_channel:
        await thread.refresh(task, edited_note(actor.user_id, task.version))
    else:
        await thread.open(task)
