"""One context middleware: every listener gets `settings`, `uow`, `clock`, `test_send`, `actor`
and `member_actor` (the actor with their channels, fetched when awaited)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from functools import partial
from datetime import datetime
from typing import Any

import anyio
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor, is_approver
from domain.i18n import speak_from_now
from domain.use_cases.requests import take_once
from domain.use_cases.test_sends import TestSendPermit
from handlers.errors import record_refused
from handlers.form_input import on_inputs
from handlers.references import StaleReference, reference_of
from handlers.replies import error_text

log = logging.getLogger(__name__)

GROUP_CACHE_SECONDS = 300
# (a permitted test, numbers) -> (number, provider status, reason) for each: a test send through the provider.
TestSend = Callable[[TestSendPermit, list[str]], Awaitable[list[tuple[str, str, str | None]]]]


@dataclass(frozen=True)
class ApproverConfig:
    user_ids: frozenset[str]
    group_ids: frozenset[str]


class ApproverDirectory:
    """Resolves approver user groups through Slack, cached for a few minutes."""

    def __init__(self, config: ApproverConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._members: frozenset[str] = frozenset()
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self._refreshing: asyncio.Task | None = None

    async def actor(self, client: AsyncWebClient, user_id: str) -> Actor:
        members = await self._group_members(client) if self._config.group_ids else frozenset()
        return Actor(user_id=user_id, is_approver=is_approver(user_id, self._config.user_ids, members))

    async def _group_members(self, client: AsyncWebClient) -> frozenset[str]:
        """Only the first request waits for Slack; later ones get the cached members
        while a stale cache refreshes in the background, so acks never wait on it."""
        if self._fetched_at is None:
            await self._refresh(client)
        elif self._clock() - self._fetched_at >= GROUP_CACHE_SECONDS and self._refreshing is None:
            self._refreshing = asyncio.create_task(self._refresh(client))
            self._refreshing.add_done_callback(lambda _task: setattr(self, "_refreshing", None))
        return self._members

    async def _refresh(self, client: AsyncWebClient) -> None:
        async with self._lock:
            if self._fetched_at is not None and self._clock() - self._fetched_at < GROUP_CACHE_SECONDS:
                return  # another request refreshed it while this one waited
            members: set[str] = set()
            for group_id in sorted(self._config.group_ids):
                try:
                    response = await client.usergroups_users_list(usergroup=group_id)
                    members.update(response.get("users", []))
                except SlackApiError as error:
                    log.warning("approver group %s could not be read: %s", group_id, error.response.get("error"))
            self._members, self._fetched_at = frozenset(members), self._clock()


@dataclass(frozen=True)
class ListenerContext:
    """What the composition gives every listener, each by its name in the listener's arguments."""

    settings: Any
    uow: Callable[[], Any]
    clock: Callable[[], datetime]
    test_send: TestSend | None  # None where this process cannot send
    import_settings: Any  # handlers.recipients.ImportSettings
    normalizer: Any  # domain.phones.PhoneNormalizer
    subcommands: Any  # handlers.sms_command.SubcommandRegistry
    approvals_channel: Any  # handlers.approvals_channel.ApprovalsChannel
    memberships: Any  # handlers.memberships.ChannelMemberships
    progress_signal: Any  # handlers.progress.ProgressSignal
    start_signal: Any  # handlers.progress.StartSignal
    check_application: Any  # an SMS application -> what its provider lacks to send, or None
    languages: Any  # handlers.languages.ReaderLanguages


async def _taken_before(body: dict, values: dict) -> bool:
    """Slack delivers an event again (X-Slack-Retry-Num) when an answer was slow or lost, with the
    same event_id: only its first delivery, in any process, is acted on."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not event_id:
        return False
    first = await anyio.to_thread.run_sync(take_once, values["uow"](), f"event:{event_id}", values["clock"]())
    return not first


class RefusalRecordingAck(AsyncAck):
    """A modal answered with errors refused what was submitted: each such answer, whichever
    form gave it, goes on the record like every other refusal."""

    def __init__(self, record: Callable[[str], Awaitable[None]]) -> None:
        super().__init__()
        self._record = record

    async def __call__(self, *args, **kwargs) -> BoltResponse:
        if kwargs.get("response_action") == "errors":  # on the record before the answer leaves
            await self._record(" ".join((kwargs.get("errors") or {}).values()))
        return await super().__call__(*args, **kwargs)


def _inline_refusal(errors: dict[str, str]) -> BoltResponse:
    """A modal is answered on its own fields: Slack shows a 500 as a broken modal. (A middleware
    that does not go on answers with the response it returns.)"""
    return BoltResponse(status=200, body=json.dumps({"response_action": "errors", "errors": errors}),
                        headers={"content-type": "application/json"})


def install_context_middleware(app: AsyncApp, approvers: ApproverDirectory, given: ListenerContext) -> None:
    values = {f.name: getattr(given, f.name) for f in fields(given)}

    @app.middleware
    async def load_context(context: AsyncBoltContext, body: dict,
                           next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        context.update(values)
        if body.get("type") == "view_submission":
            context["ack"] = RefusalRecordingAck(lambda reason: record_refused(body, context, context.user_id, reason))
        try:
            context["ref"] = reference_of(body)
        except StaleReference:
            # Refused in the reader's language, which the rest of this request is said in too.
            if context.user_id:
                speak_from_now(await values["languages"].of(context.client, context.user_id))
            stale = StaleReference()
            if body.get("type") != "view_submission":
                raise stale from None  # a button's refusal goes where it was pressed (the error hook)
            await record_refused(body, context, context.user_id, error_text(stale))
            return _inline_refusal(on_inputs(body["view"], {"": error_text(stale)}))
        if await _taken_before(body, values):
            return BoltResponse(status=200, body="")  # a retry of an event already taken: answered once
        if context.user_id:
            actor = context["actor"] = await approvers.actor(context.client, context.user_id)
            # The person with the channels they are in: asked of Slack only by the rules that need it.
            context["member_actor"] = partial(values["memberships"].actor, context.client, actor)
            # What the listener says to them is in their language (None: the deployment's); what it
            # posts where many read is said `in_public()`.
            context["language"] = await values["languages"].of(context.client, context.user_id)
        # Bolt runs the listener after this middleware returns, in the request's own task: the
        # language is set for the rest of that task, not around `next()`.
        speak_from_now(context.get("language"))
        await next()
        return None
