"""A task's card and thread, kept in step with the task: opened when it is submitted, edited
in place and told every change. The card, the thread and the "submitted" message are read by
many: in the workspace's language; the requester's news in a DM is in theirs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime

import anyio
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.i18n import in_public, speaking
from domain.segments import SignatureStyle
from domain.task_state import TaskStatus
from domain.tasks import Composition
from domain.use_cases.send_previews import task_preview
from domain.use_cases.tasks import TaskView, get_task, record_submitted_message, record_task_thread, withdraw_task
from handlers.approvals_channel import posting_approval_request
from handlers.task_blocks import build_task_card, edited_note, requester_news, submitted_note

log = logging.getLogger(__name__)


def composition(settings) -> Composition:
    """How this workspace puts messages together (the settings' signature style, opt-out hint,
    and the provider of the application that names none)."""
    return Composition(SignatureStyle(settings.signature_style), settings.optout_hint,
                       provider=settings.provider)


class TaskThread:
    """Keeps a task's card and thread in step with the task."""

    def __init__(self, client: AsyncWebClient, uow, settings, clock: Callable[[], datetime], *,
                 languages=None) -> None:
        """`languages`: each person's (handlers.languages.ReaderLanguages), for the requester's
        DMs; None: they are in the workspace's language."""
        self._client, self._uow, self._settings, self._clock = client, uow, settings, clock
        self._languages = languages

    async def card(self, task: TaskView, *, deleted: bool = False) -> tuple[str, list]:
        settings = self._settings
        with in_public():  # the preview's words too, made in the worker thread
            preview = await anyio.to_thread.run_sync(lambda: task_preview(
                self._uow(), task, composition=composition(settings), price_per_segment=settings.price_per_segment,
                currency=settings.currency))
            closed = (settings.cutoffs.closed(task.send_at, self._clock())
                      if task.status == TaskStatus.scheduled else None)
            return build_task_card(task, preview, deleted=deleted, closed=closed or frozenset())

    async def open(self, task: TaskView) -> TaskView:
        """Posts the request where approvers look; its thread is the task's from now on. Where
        Slack refuses it, the task is taken back and the person is refused."""
        channel = self._settings.approvals_channel or task.origin_channel
        text, blocks = await self.card(task)

        async def withdraw(reason: str) -> None:
            await anyio.to_thread.run_sync(withdraw_task, self._uow(), task.id, reason)

        async with posting_approval_request(self._client, channel, withdraw=withdraw):
            posted = await self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        await anyio.to_thread.run_sync(record_task_thread, self._uow(), task.id, channel, posted["ts"])
        if channel != task.origin_channel:
            link = (await self._client.chat_getPermalink(channel=channel, message_ts=posted["ts"]))["permalink"]
            with in_public():
                message = submitted_note(task, link)
            try:
                told = await self._client.chat_postMessage(channel=task.origin_channel, text=message)
            except SlackApiError:  # the bot is not in that channel: tell the requester alone
                dm = (await self._client.conversations_open(users=task.created_by))["channel"]["id"]
                told = await self._client.chat_postMessage(channel=dm, text=message)
            await anyio.to_thread.run_sync(record_submitted_message, self._uow(), task.id, told["channel"], told["ts"])
        return await anyio.to_thread.run_sync(get_task, self._uow(), task.id)

    async def _requesters_language(self, task: TaskView) -> AbstractContextManager[None]:
        """Where the requester alone reads the news (a DM): their language, if it is known."""
        if self._languages is None:
            return in_public()
        try:
            return speaking(await self._languages.of(self._client, task.created_by))
        except Exception:  # the news goes all the same, in the workspace's language
            log.warning("task %s: the requester's language could not be read", task.id, exc_info=True)
            return in_public()

    async def tell_requester(self, task: TaskView, news: Callable[[TaskView], str]) -> None:
        """The requester hears how their task goes (SMSBOT_TELL_REQUESTER: a DM with a link to
        the thread, or a mention in it), and their "submitted" message says where it stands.
        `news`: the bot's words for it, made in the language of where it is read. Slack
        refusing any of it is logged: the thread has told it already."""
        # Where its messages are, as recorded now (a decision can come a moment before).
        stored = await anyio.to_thread.run_sync(get_task, self._uow(), task.id)
        task = replace(task, thread_channel=stored.thread_channel, thread_ts=stored.thread_ts,
                       submitted_channel=stored.submitted_channel, submitted_ts=stored.submitted_ts)
        try:
            link = (await self._client.chat_getPermalink(channel=task.thread_channel,
                                                         message_ts=task.thread_ts))["permalink"]
            if self._settings.tell_requester == "thread":
                with in_public():
                    text = requester_news(task, news(task), None, in_thread=True)
                await self._client.chat_postMessage(channel=task.thread_channel, thread_ts=task.thread_ts, text=text)
            else:
                with await self._requesters_language(task):
                    text = requester_news(task, news(task), link, in_thread=False)
                dm = (await self._client.conversations_open(users=task.created_by))["channel"]["id"]
                await self._client.chat_postMessage(channel=dm, text=text)
            if task.submitted_channel and task.submitted_ts:
                with in_public():
                    text = submitted_note(task, link)
                await self._client.chat_update(channel=task.submitted_channel, ts=task.submitted_ts, text=text)
        except SlackApiError as error:
            log.info("task %s: the requester could not be told (%s)", task.id, error.response.get("error"))

    async def refresh(self, task: TaskView, note: str | None = None, *, deleted: bool = False,
                      card_at: tuple[str, str] | None = None) -> None:
        """`note`: made by the caller in the workspace's language (`in_public()`). `card_at`: the
        card a button was pressed on, known even if its thread is not yet recorded (a click can
        come a moment after the card is posted)."""
        channel, ts = card_at or (task.thread_channel, task.thread_ts)
        if channel is None:
            return
        text, blocks = await self.card(task, deleted=deleted)
        await self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        if note:
            await self._client.chat_postMessage(channel=channel, thread_ts=ts, text=note)


async def on_task_submitted(client: AsyncWebClient, uow, settings, clock, task: TaskView, actor: Actor, *,
                            edited: bool) -> None:
    thread = TaskThread(client, uow, settings, clock)
    if edited and task.thread_channel:
        with in_public():
            note = edited_note(actor.user_id, task.version)
        async with posting_approval_request(client, task.thread_channel):
            await thread.refresh(task, note)
    else:
        await thread.open(task)
