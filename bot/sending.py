"""Sending, wired together: the provider, the dispatcher, the threads' notifier, the receipts
webhook, and the tick's share of the work (start due tasks, settle lost sends)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import anyio
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.app import Runtime
from bot.dispatcher import Dispatcher
from bot.providers.base import ReceiptStatus, SmsProvider
from bot.metrics import RECEIPTS
from bot.providers.roster import ProviderRoster
from bot.settings import SettingsError
from bot.provider_queries import ReceiptPoller, pulls_receipts, settle_lost_by_asking
from bot.request_guard import Rejected, rejection
from domain.i18n import _
from domain.optout import FatiguePolicy
from domain.use_cases.dispatch import (
    apply_receipts,
    next_start_at,
    pause_outside_window,
    resume_in_window,
    settle_lost_sends,
    start_due_tasks,
)
from domain.use_cases.optout import record_inbound
from handlers.progress import ProgressNotifier
from handlers.task_blocks import WINDOW_OPENED_NOTE, window_closed_note
from handlers.task_thread import composition
from domain.dispatch import ReceiptUpdate
from storage.notifications import DueListener
from storage.statuses import RecipientStatus

log = logging.getLogger(__name__)

# A failed look for the next send time is tried again soon, then less often, up to the tick:
# a due task the look would have found (one whose thread was still being recorded, a send
# time in a minute) must not wait a whole tick for a moment's database error.
LOOK_RETRY_SECONDS = 1.0


@dataclass
class Sending:
    runtime: Runtime
    providers: ProviderRoster
    notifier: ProgressNotifier
    dispatcher: Dispatcher
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task] = field(default_factory=list)
    _listener: DueListener | None = None

    @classmethod
    def build(cls, runtime: Runtime, client: AsyncWebClient, providers: ProviderRoster) -> Sending:
        settings = runtime.settings
        dispatcher = Dispatcher(runtime.uow, providers, composition(settings), runtime.clock, None,
                                chunk=settings.dispatch_chunk, max_throttled_chunks=settings.throttle_pause_after,
                                rate_per_second=settings.send_rate, rules=settings.start_rules,
                                windows=settings.recipient_windows)
        notifier = ProgressNotifier(client, runtime.uow, settings, runtime.clock,
                                    owner=dispatcher.owner, signal=runtime.progress_signal)
        dispatcher.notifier = notifier
        return cls(runtime, providers, notifier, dispatcher)

    def start_dispatcher(self) -> None:
        self._tasks.append(asyncio.create_task(self.dispatcher.run(self._stop)))

    def start_poller(self, *, socket_mode: bool) -> None:
        """Receipts pulled from the providers that cannot (or should not) push them here
        (SMSBOT_RECEIPTS), each application's from its own."""
        settings = self.runtime.settings

        def pulls(provider: SmsProvider) -> bool:
            return pulls_receipts(provider, settings.receipts, public_url=settings.public_url, socket_mode=socket_mode)

        poller = ReceiptPoller(self.runtime.uow, self.providers, pulls, self.runtime.clock, self.dispatcher.owner,
                               provider_name=settings.provider, on_applied=self.notifier.nudge)
        self._tasks.append(asyncio.create_task(poller.run(self._stop)))

    def start_starter(self) -> None:
        """Due tasks start the moment they may: on an approval here (on PostgreSQL, in any
        process: LISTEN/NOTIFY), or at the next send time. The tick stays the safety net."""
        signal = self.runtime.start_signal
        if DueListener.wanted(self.runtime.engine):
            loop = asyncio.get_running_loop()
            self._listener = DueListener(self.runtime.engine, lambda: loop.call_soon_threadsafe(signal.nudge))
            self._listener.start()
        self._tasks.append(asyncio.create_task(self._start_when_due()))

    async def _start_when_due(self) -> None:
        retry = LOOK_RETRY_SECONDS
        while not self._stop.is_set():
            try:
                until_next = await self._until_next_send()
                retry = LOOK_RETRY_SECONDS
            except Exception:  # the database, for a moment: a failed look must not end the looking
                until_next = min(retry, self.runtime.settings.tick_seconds)
                log.exception("looking for the next send time failed; looking again in %.0f s", until_next)
                retry *= 2
            await self.runtime.start_signal.wait(until_next)
            if self._stop.is_set():
                break
            try:
                await self.start_due()
            except Exception:
                log.exception("starting due tasks failed; the tick tries again")

    async def _until_next_send(self) -> float:
        """Seconds to the next scheduled send time, within the tick's interval."""
        now = self.runtime.clock()
        upcoming = await anyio.to_thread.run_sync(next_start_at, self.runtime.uow(), now)
        seconds = (upcoming - now).total_seconds() if upcoming else self.runtime.settings.tick_seconds
        return min(max(seconds, 0.05), self.runtime.settings.tick_seconds)

    async def start_due(self) -> list:
        """Scheduled tasks whose time has come start sending, told at once in their threads."""
        runtime, settings = self.runtime, self.runtime.settings
        fatigue = FatiguePolicy(settings.fatigue_max, settings.fatigue_days)
        started = await anyio.to_thread.run_sync(start_due_tasks, runtime.uow(), runtime.clock(),
                                                 settings.start_rules, fatigue, settings.recipient_windows)
        for task in started:
            log.info("task %s started sending to %s recipients", task.id, task.recipient_count)
        if started:
            self.notifier.nudge()  # "Sending started." and the progress message, told at once
            self.dispatcher.wake()
        return started

    def start_notifier(self) -> None:
        """Every process that sends or ticks tells threads; the database gives each task to one."""
        self._tasks.append(asyncio.create_task(self.notifier.run(self._stop)))

    async def stop(self) -> None:
        self._stop.set()
        self.runtime.progress_signal.nudge()
        self.runtime.start_signal.nudge()
        if self._listener is not None:
            await anyio.to_thread.run_sync(self._listener.stop)
        for task in self._tasks:
            await task
        await self.providers.aclose()

    async def tick(self) -> None:
        runtime = self.runtime
        settings = runtime.settings
        rules = settings.start_rules
        for task in await anyio.to_thread.run_sync(pause_outside_window, runtime.uow(), runtime.clock(), rules,
                                                   settings.recipient_windows):
            log.info("task %s paused: the sending window closed", task.id)
            await self.notifier.note(task, window_closed_note(rules, runtime.clock()))
        for task in await anyio.to_thread.run_sync(resume_in_window, runtime.uow(), runtime.clock(), rules):
            log.info("task %s resumed: the sending window opened", task.id)
            await self.notifier.note(task, _(WINDOW_OPENED_NOTE))
        await self.start_due()
        await settle_lost_by_asking(runtime.uow, self.providers, settings.provider, runtime.clock())
        await anyio.to_thread.run_sync(settle_lost_sends, runtime.uow(), runtime.clock())
        self.notifier.nudge()

    async def receive_webhook(self, request: Request) -> Response:
        try:
            provider = await anyio.to_thread.run_sync(lambda: self.providers.for_webhook(
                request.path_params["provider"], request.path_params.get("application")))
        except SettingsError:
            provider = None
        if provider is None:
            return JSONResponse({"error": "unknown provider"}, status_code=404)
        body = await request.body()  # read, bounded, by the route
        url = self.called_url(request)
        try:
            authentic = provider.verify_webhook(url, request.headers, body)
        except Exception:  # forged junk the provider's check cannot even read
            authentic = False
        if not authentic:
            return rejection(request, Rejected(401, "invalid webhook signature", len(body)))
        try:
            parsed = provider.parse_receipts(body, request.headers, url)
        except Exception as error:  # signed, yet not what the provider sends
            return rejection(request, Rejected(400, f"malformed webhook payload ({type(error).__name__})", len(body)))
        receipts = [ReceiptUpdate(r.client_ref, r.provider_id, RecipientStatus(r.status), r.error_code,
                                  r.error_message if r.status == ReceiptStatus.failed else None, r.at,
                                  task_id=task_of_campaign(r.campaign), phone=r.phone)
                    for r in parsed]
        if receipts:
            await anyio.to_thread.run_sync(apply_receipts, self.runtime.uow(), receipts)
            for receipt in receipts:
                RECEIPTS.labels("push", str(receipt.status)).inc()
            self.notifier.nudge()  # the notifier that watches their tasks (here or elsewhere) tells them
        inbound = [(m.phone, m.text) for m in provider.parse_inbound(body, request.headers, url)]
        if inbound:
            await anyio.to_thread.run_sync(lambda: record_inbound(
                self.runtime.uow(), inbound, keywords=self.runtime.settings.optout_keywords,
                source=f"inbound:{provider.name}", now=self.runtime.clock()))
        status, answer, content_type = provider.webhook_answer()
        return Response(answer, status_code=status, media_type=content_type)

    def called_url(self, request: Request) -> str:
        """The URL the provider called, which some sign: behind a proxy this process sees
        another host, so the public URL's origin is put back."""
        public = self.runtime.settings.public_url
        if not public:
            return str(request.url)
        query = f"?{request.url.query}" if request.url.query else ""
        return f"{public.rstrip('/')}{request.url.path}{query}"


def task_of_campaign(campaign: str | None) -> int | None:
    """The dispatcher names a task's campaign by the task's id."""
    return int(campaign) if campaign and campaign.isdigit() else None
