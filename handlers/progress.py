"""The threads' notifier: the one writer of a task's progress message and final report. It
watches in the database every task whose thread still changes (sending, paused, or over with
receipts to come; one process at a time per task), and tells what the database says: at most
every few seconds per task while counts move, at once when the status changes, and until
every recipient has its last word. Slack's refusals are met here — a message someone deleted
is posted again, a thread the bot cannot reach sends the report to the requester and the
approver — and never reach the sending loop. It runs in the background: what it says is in the
workspace's language, the requester's DMs in theirs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import anyio
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from domain.dispatch import Progress
from domain.exports import details_expire_at
from domain.i18n import N_, _, in_public
from domain.task_state import TaskAction, TaskStatus
from domain.use_cases.dispatch import change_sending, failure_summary, record_progress_message, waiting_for_window
from domain.use_cases.reporting import (
    ALL_FAILED, ThreadState, application_parts, estimated_cost, receipts_done, record_chart, record_report,
    release_watch, watched_threads,
)
from domain.use_cases.reports import delivery_timeline
from domain.use_cases.tasks import TaskView
from handlers import listeners
from handlers.delivery_chart import chart_alt_text, render_delivery_chart
from handlers.exports_blocks import build_report_actions, retention_line
from handlers.ids import ActionId
from handlers.languages import ReaderLanguages
from handlers.payloads import TaskRef
from handlers.progress_blocks import build_final_report, build_progress_message, estimate_line
from handlers.slack_files import share_in_thread
from handlers.slack_pacing import SlackHeld, SlackPacer, retry_after
from handlers.task_blocks import PAUSED_NOTE, RESUMED_NOTE, STOPPED_NOTE, acted_note, ended_news, started_news
from handlers.task_thread import TaskThread

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # how soon a change made by another process is told
MIN_EDIT_INTERVAL_SECONDS = 3.0  # per task, while only its counts move
WATCH_LEASE = timedelta(seconds=10)  # a process killed mid-send holds its threads no longer
# The message is gone (deleted by someone): post it again in the thread.
GONE = frozenset({"message_not_found", "cant_update_message"})
# The thread cannot be reached (the bot was removed, the channel archived or deleted).
UNREACHABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived", "thread_not_found",
                         "restricted_action"})
REPORT_IN_DM = "dm"  # report_ts of a report the thread could not take: it went to people's DMs
SENDING_STARTED = N_("Sending started.")


class ProgressSignal:
    """Wakes this process's notifier at once when something changed a task (a chunk recorded,
    a send finished, Pause, Resume or Stop); other processes' changes are seen on the next poll."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def nudge(self, task_id: int | None = None) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            pass
        self._event.clear()


class StartSignal(ProgressSignal):
    """Wakes this process's sending when a task may start now: approved here (an approval in
    another process comes by PostgreSQL's NOTIFY), or its send time came."""


@dataclass
class _Shown:
    """What this process last told of a task."""

    status: str | None = None
    progress: Progress | None = None
    told_at: float = float("-inf")
    rate_from: tuple[float, int] | None = None  # (when, handled) since the send last (re)started


def handled(progress: Progress) -> int:
    return progress.sent_to_carrier + progress.skipped


def own_client(client: AsyncWebClient) -> AsyncWebClient:
    """The notifier's client, on the process's connection: a rate-limited call holds its method
    in the notifier's pacing (Retry-After) instead of sleeping inside the client."""
    return type(client)(token=client.token, base_url=client.base_url, session=client.session,
                        retry_handlers=[AsyncConnectionErrorRetryHandler()])  # metered as the process's is


class ProgressNotifier:
    def __init__(self, client: AsyncWebClient, uow, settings, clock: Callable[[], datetime], *, owner: str,
                 signal: ProgressSignal | None = None, pacer: SlackPacer | None = None,
                 monotonic: Callable[[], float] = time.monotonic, languages: ReaderLanguages | None = None) -> None:
        self._client, self._uow, self._settings, self._clock = client, uow, settings, clock
        self._owner, self._monotonic = owner, monotonic
        self._signal = signal or ProgressSignal()
        self._pacer = pacer or SlackPacer(monotonic)
        self._languages = languages or ReaderLanguages(uow)  # the requesters', for their DMs
        self._thread = TaskThread(client, uow, settings, clock, languages=self._languages)
        self._shown: dict[int, _Shown] = {}

    def nudge(self, task_id: int | None = None) -> None:
        self._signal.nudge(task_id)

    async def note(self, task: TaskView, text: str) -> None:
        """The card and a note in the thread (the send paused or went on by itself)."""
        try:
            await self._thread.refresh(task, text)
        except Exception:
            log.warning("task %s: a note could not be posted in its thread", task.id, exc_info=True)
        self.nudge(task.id)

    async def run(self, stop: asyncio.Event) -> None:
        self._client = own_client(self._client)  # made here: the process's connection is open now
        self._thread = TaskThread(self._client, self._uow, self._settings, self._clock, languages=self._languages)
        try:
            while not stop.is_set():
                await self.pass_once()
                await self._signal.wait(POLL_SECONDS)
        finally:
            await anyio.to_thread.run_sync(release_watch, self._uow(), self._owner)

    async def pass_once(self) -> None:
        try:
            states = await anyio.to_thread.run_sync(lambda: watched_threads(
                self._uow(), self._owner, self._clock(), WATCH_LEASE))
        except Exception:
            log.exception("the threads to tell could not be read")
            return
        for state in states:
            try:
                with in_public():  # whatever started this loop: the thread is read by many
                    await self._tell(state)
            except SlackHeld:
                continue  # Slack's Retry-After still runs: told on a later pass
            except Exception:  # told on the next pass; never the sending's problem
                log.warning("task %s: its thread could not be told", state.task.id, exc_info=True)

    async def _tell(self, state: ThreadState) -> None:
        task, progress = state.task, state.progress
        shown = self._shown.setdefault(task.id, _Shown())
        now = self._monotonic()
        if (task.status, progress) == (shown.status, shown.progress):
            return
        if task.status == shown.status and now - shown.told_at < MIN_EDIT_INTERVAL_SECONDS:
            return  # only counts moved: told again a little later
        if task.status in (TaskStatus.sending, TaskStatus.paused):
            await self._show_progress(task, progress, shown, now)
        else:
            await self._show_end(task, progress)
        shown.status, shown.progress, shown.told_at = task.status, progress, now

    def _rate(self, task: TaskView, progress: Progress, shown: _Shown, now: float) -> tuple[float | None, float | None]:
        """Messages a second over the sending time since the send last (re)started, and the
        seconds left at that rate; none while paused."""
        if task.status != TaskStatus.sending:
            shown.rate_from = None
            return None, None
        if shown.rate_from is None:
            shown.rate_from = (now, handled(progress))
            return None, None
        began, done_then = shown.rate_from
        if now - began < 1 or handled(progress) <= done_then:
            return None, None
        rate = (handled(progress) - done_then) / (now - began)
        return rate, (progress.total - handled(progress)) / rate

    async def _show_progress(self, task: TaskView, progress: Progress, shown: _Shown, now: float) -> None:
        if task.progress_ts is None:  # the send has just started: the card, the note, then the message
            await self.note(task, _(SENDING_STARTED))
            await self._thread.tell_requester(task, started_news)
        rate, eta = self._rate(task, progress, shown, now)
        waiting = (await anyio.to_thread.run_sync(waiting_for_window, self._uow(), task.id)
                   if progress.pending else (0, None))
        text, blocks = build_progress_message(progress, rate=rate, eta_seconds=eta, status=task.status,
                                              task_ref=TaskRef(id=task.id, version=task.version).dump(),
                                              waiting=waiting)
        ts = await self._edit_or_post(task, task.progress_ts, text, blocks)
        if ts and ts != task.progress_ts:
            await anyio.to_thread.run_sync(record_progress_message, self._uow(), task.id, ts)

    async def _show_end(self, task: TaskView, progress: Progress) -> None:
        """The report (posted, then kept true) and the progress message's last word; once every
        recipient has its last word, the card and the chart, and the thread is final. Slack's
        Retry-After on the way leaves it all for a later pass."""
        final = progress.final
        shown_as = (replace(task, status=TaskStatus.failed, reason=ALL_FAILED)
                    if final and task.status == TaskStatus.completed and progress.all_failed else task)
        first = task.report_ts is None
        await self._tell_report(task, *(await self._report(shown_as, final=final)), final=final)
        if first:
            await self._tell_end(shown_as, progress)
        await self._last_word(task, progress)
        if final:
            await self._refresh_card(shown_as)
            await self._post_chart(task, replacing=task.chart_file_id)
            await anyio.to_thread.run_sync(lambda: receipts_done(self._uow(), task.id, progress, self._clock()))
            self._shown.pop(task.id, None)
            if not first and shown_as.status != task.status:  # found failed by its last receipt
                await self._tell_end(shown_as, progress)
        elif first:
            await self._refresh_card(task)
            await self._post_chart(task)  # as of now; replaced by the final picture

    async def _tell_end(self, task: TaskView, progress: Progress) -> None:
        """The requester hears the end (a stop is told by whoever pressed it, in the thread)."""
        if task.status in (TaskStatus.completed, TaskStatus.failed):
            await self._thread.tell_requester(task, lambda told: ended_news(
                told, progress.delivered, progress.failed, progress.submitted, progress.total))

    async def _tell_report(self, task: TaskView, text: str, blocks: list, *, final: bool) -> None:
        if task.report_ts == REPORT_IN_DM:
            if final:
                await self._report_by_dm(task, text, blocks)
            return
        ts = await self._edit_or_post(task, task.report_ts, text, blocks)
        if ts is None:
            await self._report_by_dm(task, text, blocks)
            ts = REPORT_IN_DM
        if ts != task.report_ts:
            await anyio.to_thread.run_sync(record_report, self._uow(), task.id, ts)

    async def _last_word(self, task: TaskView, progress: Progress) -> None:
        """The progress message of a send that is over: a failure here leaves the report standing."""
        if not task.progress_ts:
            return
        text, blocks = build_progress_message(progress, status=task.status, finished=True)
        try:
            ts = await self._edit_or_post(task, task.progress_ts, text, blocks)
        except (SlackApiError, SlackHeld):
            log.info("task %s: its progress message keeps its last state for now", task.id)
            return
        if ts and ts != task.progress_ts:
            await anyio.to_thread.run_sync(record_progress_message, self._uow(), task.id, ts)

    async def _report(self, task: TaskView, *, final: bool) -> tuple[str, list]:
        settings = self._settings
        counts, reasons, fallbacks = await anyio.to_thread.run_sync(failure_summary, self._uow(), task.id)
        parts = await anyio.to_thread.run_sync(application_parts, self._uow(), task.id, settings.provider)
        cost = await anyio.to_thread.run_sync(lambda: estimated_cost(
            self._uow(), task, settings.provider, settings.price_per_segment, settings.currency))
        until = details_expire_at(task.finished_at, settings.detail_retention_days) if task.finished_at else None
        return build_final_report(counts, reasons, fallbacks, status=task.status, cause=task.reason, final=final,
                                  retention=retention_line(until) if until else None,
                                  actions=build_report_actions(task.id, task.version),
                                  estimate=estimate_line(task, cost) if cost else None, parts=parts)

    async def _call(self, method: str, **arguments):
        """One Web API call in its method's tier; a Retry-After holds the method, not the loop."""
        await self._pacer.turn(method)
        try:
            return await getattr(self._client, method)(**arguments)
        except SlackApiError as error:
            wait = retry_after(error)
            if wait is not None:
                self._pacer.hold(method, wait)
            raise

    async def _edit_or_post(self, task: TaskView, ts: str | None, text: str, blocks: list) -> str | None:
        """The message edited in place, or posted in the thread if there is none or it is gone:
        its ts; None when the thread cannot be reached."""
        if ts is not None:
            try:
                await self._call("chat_update", channel=task.thread_channel, ts=ts, text=text, blocks=blocks)
                return ts
            except SlackApiError as error:
                code = error.response.get("error")
                if code not in GONE | UNREACHABLE:
                    raise
                log.info("task %s: a message in its thread could not be edited (%s): posting it again", task.id, code)
        try:
            posted = await self._call("chat_postMessage", channel=task.thread_channel, thread_ts=task.thread_ts,
                                      text=text, blocks=blocks)
        except SlackApiError as error:
            if error.response.get("error") not in UNREACHABLE:
                raise
            log.info("task %s: its thread cannot be reached (%s)", task.id, error.response.get("error"))
            return None
        return posted["ts"]

    async def _report_by_dm(self, task: TaskView, text: str, blocks: list) -> None:
        """The thread is out of reach: the report goes to the requester and the approver."""
        for person in dict.fromkeys(p for p in (task.created_by, task.decided_by) if p):
            try:
                dm = (await self._client.conversations_open(users=person))["channel"]["id"]
                await self._call("chat_postMessage", channel=dm, text=text, blocks=blocks)
            except SlackApiError as error:
                log.warning("task %s: its report could not reach a person either (%s)", task.id,
                            error.response.get("error"))

    async def _refresh_card(self, task: TaskView) -> None:
        """The card as the task is now; held by Slack's Retry-After, it waits for a later pass
        (`SlackHeld`); a card Slack cannot reach stays as it is."""
        await self._pacer.turn("chat_update")
        try:
            await self._thread.refresh(task)
        except SlackApiError as error:
            if (wait := retry_after(error)) is not None:
                self._pacer.hold("chat_update", wait)
                raise SlackHeld("chat_update") from None
            log.info("task %s: its card could not be updated (%s)", task.id, error.response.get("error"))

    async def _post_chart(self, task: TaskView, *, replacing: str | None = None) -> None:
        """Delivered, failed and awaiting receipt over time, as of now; `replacing`: the chart
        posted before, deleted once this one is in. A chart that fails is logged and the report
        stands without it."""
        try:
            as_of = self._clock()
            timeline = await anyio.to_thread.run_sync(delivery_timeline, self._uow(), task.id, as_of)
            if timeline is None:
                return
            png = await anyio.to_thread.run_sync(render_delivery_chart, timeline, self._settings.timezone)
            file_id = await share_in_thread(self._client, channel=task.thread_channel, thread_ts=task.thread_ts,
                                            filename=f"delivery-task-{task.id}.png", title=_("Delivery over time"),
                                            content=png, alt_text=chart_alt_text(timeline, as_of))
            if file_id:
                await anyio.to_thread.run_sync(record_chart, self._uow(), task.id, file_id)
            if replacing and file_id:
                await self._client.files_delete(file=replacing)
        except Exception:
            log.warning("task %s: the delivery chart was not posted", task.id, exc_info=True)


# Pause, Resume and Stop on the progress message: for the requester and approvers. The notifier
# tells the progress message; the card and the note are told here, where the person pressed.
async def change(action: TaskAction, did: str, ack, body: dict, client: AsyncWebClient, actor, uow, settings, clock,
                 progress_signal: ProgressSignal, ref: TaskRef) -> None:
    """`did`: the thread's note on it (`PAUSED_NOTE`…), said in the workspace's language."""
    await ack()
    task = await anyio.to_thread.run_sync(change_sending, uow(), ref.id, action, actor, clock(), settings.start_rules)
    progress_signal.nudge(task.id)
    with in_public():
        note = acted_note(actor.user_id, did)
    await TaskThread(client, uow, settings, clock).refresh(task, note)


async def pause(ack, body, client, actor, uow, settings, clock, progress_signal, ref: TaskRef) -> None:
    await change(TaskAction.pause, PAUSED_NOTE, ack, body, client, actor, uow, settings, clock, progress_signal, ref)


async def resume(ack, body, client, actor, uow, settings, clock, progress_signal, ref: TaskRef) -> None:
    await change(TaskAction.resume, RESUMED_NOTE, ack, body, client, actor, uow, settings, clock, progress_signal,
                 ref)


async def stop(ack, body, client, actor, uow, settings, clock, progress_signal, ref: TaskRef) -> None:
    await change(TaskAction.cancel, STOPPED_NOTE, ack, body, client, actor, uow, settings, clock, progress_signal, ref)


LISTENERS = (
    listeners.action(ActionId.TASK_PAUSE, pause),
    listeners.action(ActionId.TASK_RESUME, resume),
    listeners.action(ActionId.TASK_STOP, stop),
)
