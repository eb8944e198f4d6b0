"""The dispatcher: the only code that calls a provider's send. It claims chunks of recipients
with a lease, submits them, records each outcome before the next claim, and finishes a task
from a fresh read of its recipients."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio

from bot.providers.base import OutgoingMessage, RegisteredContent, SubmitResult
from bot.metrics import DISPATCH_PASSES, MESSAGES, PROVIDER_ERRORS, PROVIDER_SECONDS, RATE_WAIT
from bot.providers.roster import ProviderRoster
from bot.settings import SettingsError
from domain.applications import Routing
from domain.dispatch import NO_APPLICATION, Claim, MessagePlan, Outcome, Route, judge
from domain.i18n import N_, _
from domain.provider_errors import ErrorKind, classify, fatal_cause
from domain.schedule import StartRules
from domain.segments import MESSAGE_TOO_LONG, over_limit
from storage.statuses import RecipientStatus
from domain.local_windows import RecipientWindows
from domain.rate import Lane, claim_size
from domain.tasks import Composition
from domain.use_cases.test_sends import TestSendPermit
from domain.use_cases.dispatch import (
    NOT_SENT_AFTER_FAILURE,
    claim_work,
    fail_task,
    finish_if_done,
    pause_for_throttling,
    record_outcomes,
)
from domain.use_cases.sending_rate import reserve_sending, sending_lanes

log = logging.getLogger(__name__)

CHUNK = 1000
# Chunks in flight per dispatcher, each claimed, sent and recorded in turn by its own loop.
LANES = 2
LEASE = timedelta(minutes=2)
IDLE_SECONDS = 0.5
# Chunks in a row the provider refused for throughput before the send is paused.
MAX_THROTTLED_CHUNKS = 20
# Said in the thread in the deployment's language (the dispatcher's): _(THROTTLE_NOTE).
THROTTLE_NOTE = N_("Paused: the provider kept refusing messages for throughput (rate limit). "
                   "Resume when its limits allow; nothing was sent twice and nothing is lost.")
THROTTLED = N_("provider throttling")  # the paused task's reason: stored in English, translated where shown


def _count(provider: str, application: str, results: Sequence[SubmitResult], *, skipped: int) -> None:
    """The metrics of one application's share of a chunk."""
    by_result: dict[str, int] = {"skipped": skipped} if skipped else {}
    for result in results:
        by_result[str(result.status)] = by_result.get(str(result.status), 0) + 1
        if result.status != "accepted":
            PROVIDER_ERRORS.labels(provider, str(classify(provider, result.status, result.error_code))).inc()
    for outcome, count in by_result.items():
        MESSAGES.labels(provider, application, outcome).inc(count)


def _by_application(claimed: Sequence[Claim]) -> dict[int | None, list[Claim]]:
    groups: dict[int | None, list[Claim]] = {}
    for claim in claimed:
        groups.setdefault(claim.application_id, []).append(claim)
    return groups


def registered_content(plan: MessagePlan) -> RegisteredContent:
    return RegisteredContent(plan.signature, plan.template_name, plan.template_code, plan.fallback_kind,
                             plan.fallback_template_name, plan.fallback_template_code, plan.template_variables)


def outgoing_messages(plan: MessagePlan, recipients: Sequence, campaign: str,
                      registered_templates: bool) -> list[OutgoingMessage]:
    """`recipients`: anything with client_ref, phone and variables. Template parameters are
    built only for a provider that renders templates itself."""
    registered = registered_content(plan) if registered_templates else None
    return [OutgoingMessage(r.client_ref, r.phone, plan.text_for(r.variables), plan.kind, plan.card,
                            plan.fallback_for(r.variables), campaign, plan.media_urls,
                            plan.params_for(r.variables) if registered else None, registered)
            for r in recipients]


class Dispatcher:
    """`notifier`: told of every change (`nudge(task_id)`) and of what the thread should say
    (`note(task, text)`); it talks to Slack, so the dispatcher never waits on Slack.
    `providers`: each SMS application's provider; a chunk's recipients go out through theirs."""

    def __init__(self, uow, providers: ProviderRoster, composition: Composition, clock: Callable[[], datetime],
                 notifier=None, *, chunk: int = CHUNK, owner: str | None = None, seed: int | None = None,
                 max_throttled_chunks: int = MAX_THROTTLED_CHUNKS, rate_per_second: float = 0.0,
                 lanes: int = LANES, rules: StartRules | None = None,
                 windows: RecipientWindows | None = None) -> None:
        self._uow, self._providers, self._composition, self._clock = uow, providers, composition, clock
        self.notifier = notifier
        self._rules = rules  # the sending window, held between ticks too
        self._windows = windows  # and each international number's own
        self._rate = rate_per_second  # the deployment's account; an application may have its own
        self._chunk = chunk
        self._lanes = lanes
        self.owner = owner or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self._rng = random.Random(seed)
        self._max_throttled = max_throttled_chunks
        self._throttled: dict[int, int] = {}  # task id -> throttled chunks in a row
        self._woken: asyncio.Event | None = None  # made in the loop that runs the lanes

    def wake(self) -> None:
        """A task started: idle lanes claim at once instead of after their pause."""
        if self._woken is not None:
            self._woken.set()

    async def run_once(self) -> int:
        """One pass over the sending tasks: returns how many recipients it handled."""
        handled = 0
        for lane in await anyio.to_thread.run_sync(sending_lanes, self._uow(), self._rate):
            handled += await self._send_chunk(lane)
        return handled

    async def _send_chunk(self, lane: Lane) -> int:
        task_id, size = lane.task_id, claim_size(self._chunk, lane.bucket.rate)
        if lane.bucket.rate > 0:
            # The account's rate, shared with every other dispatcher on this database; waited
            # for before claiming: a claimed recipient is in flight, and a crash while it waited
            # would leave it "outcome unknown" though never sent.
            wait = await anyio.to_thread.run_sync(reserve_sending, self._uow(), lane.bucket, size, time.time())
            if wait is None:
                return 0  # another claim waits for this rate: this lane goes again after it
            RATE_WAIT.inc(wait)
            await asyncio.sleep(wait)
        DISPATCH_PASSES.inc()
        work = await anyio.to_thread.run_sync(lambda: claim_work(
            self._uow(), task_id, self.owner, size, self._clock(), LEASE, self._composition, self._rules,
            self._windows, lane.application_id))
        if work is None:
            return 0
        if not work.claimed:
            await self._finish_if_done(task_id)
            return 0
        sent = await asyncio.gather(*(self._send_through(work.routes.get(application_id), claimed, task_id)
                                      for application_id, claimed in _by_application(work.claimed).items()))
        outcomes = [outcome for route_outcomes, _results, _fatal in sent for outcome in route_outcomes]
        results = [result for _outcomes, route_results, _fatal in sent for result in route_results]
        now = self._clock()
        if fatal := next((cause for _outcomes, _results, cause in sent if cause), None):
            # Failed before this chunk's outcomes are in: once they are, every recipient may be
            # handled, and another lane's chunk would find the task done and complete it.
            log.warning("task %s failed: %s", task_id, fatal)
            await anyio.to_thread.run_sync(fail_task, self._uow(), task_id, fatal, now)
        await anyio.to_thread.run_sync(record_outcomes, self._uow(), outcomes, now)
        self._nudge(task_id)
        if fatal is None and results and all(r.status == "throttled" for r in results):
            await self._throttled_again(task_id)
        else:
            self._throttled.pop(task_id, None)
        if fatal is None and len(work.claimed) < size:  # its last recipients, maybe: finished now, not a turn later
            await self._finish_if_done(task_id)
        return len(outcomes)

    async def _finish_if_done(self, task_id: int) -> None:
        if await anyio.to_thread.run_sync(finish_if_done, self._uow(), task_id, self._clock()) is not None:
            self._nudge(task_id)

    async def _send_through(self, route: Route | None, claimed: list[Claim],
                            task_id: int) -> tuple[list[Outcome], list[SubmitResult], str | None]:
        """One application's share of a chunk: (outcomes, the provider's results, the cause of a
        fatal refusal if the provider refused the whole account)."""
        if route is None:  # its number was routed to no application
            return [Outcome(c.id, RecipientStatus.skipped, reason=NO_APPLICATION) for c in claimed], [], None
        try:
            provider = self._providers.provider_for(route.application)
        except SettingsError as error:
            # Built from a setting's problem, which has values in it: written whole in the workspace's
            # language (the dispatcher speaks no one's own), so the thread reads one language.
            return [Outcome(c.id, RecipientStatus.skipped, reason=NOT_SENT_AFTER_FAILURE) for c in claimed], [], _(
                "{application} cannot send: {error}", application=route.application.name, error=str(error))
        messages = outgoing_messages(route.plan, claimed, str(task_id), provider.uses_registered_templates)
        attempts = {c.client_ref: c for c in claimed}
        # Measured at submission; held here too, whatever door the task came through.
        outcomes = [Outcome(attempts[m.client_ref].id, RecipientStatus.skipped, reason=MESSAGE_TOO_LONG)
                    for m in messages if over_limit(m.text) or over_limit(m.fallback_text)]
        messages = [m for m in messages if not (over_limit(m.text) or over_limit(m.fallback_text))]
        results = []
        for start in range(0, len(messages), provider.max_batch):
            with PROVIDER_SECONDS.labels(provider.name).time():
                results += await provider.submit(messages[start:start + provider.max_batch])
        now = self._clock()
        _count(provider.name, route.application.name, results, skipped=len(outcomes))
        fatal = next((r for r in results if classify(provider.name, r.status, r.error_code) is ErrorKind.FATAL), None)
        outcomes += [self._outcome(attempts[result.client_ref], result, now, failing=fatal is not None)
                     for result in results]
        cause = fatal_cause(provider.name, fatal.error_code or str(fatal.status), fatal.error_message) if fatal else None
        return outcomes, results, cause

    def _outcome(self, claimed, result, now: datetime, *, failing: bool) -> Outcome:
        """What to record of one answer; in a chunk the provider refused for the whole account,
        a message it did not take was never sent, and is released unsent."""
        if failing and result.status != "accepted":
            return Outcome(claimed.id, RecipientStatus.skipped, error_code=result.error_code,
                           reason=NOT_SENT_AFTER_FAILURE)
        verdict = judge(result.status, attempts=claimed.attempts, now=now, error=result.error_message or result.error_code,
                        retry_after=result.retry_after, rng=self._rng)
        return Outcome(claimed.id, verdict.status, provider_id=result.provider_id, error_code=result.error_code,
                       reason=verdict.reason, next_attempt_at=verdict.retry_at, fell_back=result.fell_back)

    def _nudge(self, task_id: int) -> None:
        if self.notifier is not None:
            self.notifier.nudge(task_id)

    async def _throttled_again(self, task_id: int) -> None:
        """Throttled recipients wait as the provider asked (their next attempt is set), which
        slows the send; throttled for too long, the task is paused, never finished."""
        count = self._throttled[task_id] = self._throttled.get(task_id, 0) + 1
        if count < self._max_throttled:
            return
        self._throttled.pop(task_id, None)
        paused = await anyio.to_thread.run_sync(pause_for_throttling, self._uow(), task_id, THROTTLED)
        if paused is not None and self.notifier is not None:
            await self.notifier.note(paused, _(THROTTLE_NOTE))

    async def run(self, stop: asyncio.Event) -> None:
        """`LANES` loops of claim, submit, record: while one waits for the provider, the
        other writes to the database."""
        self._woken = asyncio.Event()
        await asyncio.gather(*(self._lane(stop, self._woken) for _lane in range(self._lanes)))

    async def _lane(self, stop: asyncio.Event, woken: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("dispatcher pass failed; trying again")
                handled = 0
            if not handled:
                waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(woken.wait())]
                await asyncio.wait(waits, timeout=IDLE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
                for wait in waits:
                    wait.cancel()
                woken.clear()


@dataclass(frozen=True)
class TestRecipient:
    __test__ = False  # a product class, not a pytest test class
    client_ref: str
    phone: str
    variables: list[str]


class TestSender:
    """A test send: up to a few numbers, through the real provider, outside the task's
    recipients and counts."""

    __test__ = False  # a product class, not a pytest test class

    def __init__(self, providers: ProviderRoster) -> None:
        self._providers = providers

    async def send(self, permit: TestSendPermit, phones: list[str]) -> list[tuple[str, str, str | None]]:
        """(phone, provider status, reason) for each number of a test already permitted and audited,
        each through the application its number goes to."""
        task_id = permit.task_id
        answers: dict[str, tuple[str, str, str | None]] = {}
        for application_id, numbers in _group(phones, permit.routing).items():
            route = permit.routes.get(application_id) if application_id is not None else None
            if route is None:
                answers.update({phone: (phone, "rejected", NO_APPLICATION) for phone in numbers})
                continue
            provider = self._providers.provider_for(route.application)
            # A test send is no recipient of the task: its own campaign, so no receipt can touch the task.
            recipients = [TestRecipient(f"test-{task_id}-{uuid.uuid4().hex[:12]}", phone, permit.values)
                          for phone in numbers]
            messages = outgoing_messages(route.plan, recipients, f"test-{task_id}", provider.uses_registered_templates)
            results = await provider.submit(messages)
            answers.update({m.phone: (m.phone, str(r.status), r.error_message or r.error_code)
                            for m, r in zip(messages, results)})
        return [answers[phone] for phone in phones]


def _group(phones: Sequence[str], routing: Routing) -> dict[int | None, list[str]]:
    groups: dict[int | None, list[str]] = {}
    for phone in phones:
        application = routing.for_phone(phone)
        groups.setdefault(application.id if application else None, []).append(phone)
    return groups
