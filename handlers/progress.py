"""The live progress message in a sending task's thread: edited in place, at most every few
seconds per task whatever the send rate, and a final report when the task completes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone

import anyio
from slack_sdk.web.async_client import AsyncWebClient


from domain.exports import details_expire_at
from domain.send_measure import cost_of
from domain.task_state import TaskAction
from domain.use_cases.dispatch import change_sending, failure_summary, progress, record_progress_message
from domain.use_cases.reports import delivery_timeline
from domain.use_cases.tasks import TaskView, get_task
from handlers import listeners
from handlers.delivery_chart import chart_alt_text, render_delivery_chart
from handlers.exports_blocks import build_report_actions, retention_line
from handlers.payloads import TaskRef
from handlers.progress_blocks import build_final_report, build_progress_message
from handlers.ids import ActionId

from handlers.slack_files import share_in_thread
from handlers.task_blocks import acted_note
from handlers.task_thread import TaskThread

log = logging.getLogger(__name__)

MIN_EDIT_INTERVAL_SECONDS = 3.0


class ProgressReporter:
    def __init__(self, client: AsyncWebClient, uow, settings, clock: Callable[[], datetime],
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._client, self._uow, self._settings, self._monotonic = client, uow, settings, monotonic
        self._thread = TaskThread(client, uow, settings, clock)
        self._message: dict[int, tuple[str, str]] = {}  # task id -> (channel, ts)
        self._last_edit: dict[int, float] = {}
        self._first: dict[int, tuple[float, int]] = {}  # when we first saw it, and how much was done
        self._status: dict[int, tuple[str, str]] = {}  # task id -> (status, button value)

    async def started(self, task: TaskView) -> None:
        await self._thread.refresh(task, "Sending started.")
        counts = await anyio.to_thread.run_sync(progress, self._uow(), task.id)
        text, blocks = build_progress_message(counts, task_ref=TaskRef(id=task.id, version=task.version).dump())
        posted = await self._client.chat_postMessage(channel=task.thread_channel, thread_ts=task.thread_ts,
                                                     text=text, blocks=blocks)
        self._message[task.id] = (task.thread_channel, posted["ts"])
        await anyio.to_thread.run_sync(record_progress_message, self._uow(), task.id, posted["ts"])
        self._last_edit[task.id] = self._monotonic()
        self._first[task.id] = (self._monotonic(), 0)

    async def _known(self, task_id: int) -> bool:
        """The progress message survives a restart: its ts is kept with the task."""
        task = await anyio.to_thread.run_sync(get_task, self._uow(), task_id)
        self._status[task_id] = (str(task.status), TaskRef(id=task.id, version=task.version).dump())
        if task_id not in self._message:
            if not task.progress_ts:
                return False
            self._message[task_id] = (task.thread_channel, task.progress_ts)
            self._first[task_id] = (self._monotonic(), 0)
        return True

    async def update(self, task_id: int, *, force: bool = False) -> None:
        now = self._monotonic()
        # The interval is checked before any database read: this runs after every chunk.
        if not force and now - self._last_edit.get(task_id, 0) < MIN_EDIT_INTERVAL_SECONDS:
            return
        # Taken before the first await, so that two chunks finishing together edit once.
        self._last_edit[task_id] = now
        if not await self._known(task_id):
            return
        counts = await anyio.to_thread.run_sync(progress, self._uow(), task_id)
        began, done_then = self._first[task_id]
        handled = counts.sent_to_carrier + counts.skipped
        elapsed = max(now - began, 1e-6)
        rate = (handled - done_then) / elapsed if handled > done_then else None
        eta = (counts.total - handled) / rate if rate else None
        channel, ts = self._message[task_id]
        status, ref = self._status[task_id]
        text, blocks = build_progress_message(counts, rate=rate, eta_seconds=eta, status=status, task_ref=ref)
        await self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    async def changed(self, task: TaskView, note: str) -> None:
        """The send paused or went on by itself (throttling, the window): the progress message
        and the card show it, and the thread says why."""
        await self.update(task.id, force=True)
        await self._thread.refresh(task, note)

    async def completed(self, task: TaskView) -> None:
        counts, reasons, fallbacks = await anyio.to_thread.run_sync(failure_summary, self._uow(), task.id)
        if await self._known(task.id):
            channel, ts = self._message.pop(task.id)
            text, blocks = build_progress_message(counts, finished=True)
            await self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        until = details_expire_at(task.finished_at, self._settings.detail_retention_days) if task.finished_at else None
        text, blocks = build_final_report(counts, reasons, fallbacks, retention=retention_line(until) if until else None,
                                          actions=build_report_actions(task.id, task.version),
                                          estimate=self._estimate(task))
        await self._client.chat_postMessage(channel=task.thread_channel, thread_ts=task.thread_ts, text=text,
                                            blocks=blocks)
        await self._post_chart(task)
        await self._thread.refresh(
            await anyio.to_thread.run_sync(get_task, self._uow(), task.id))

    def _estimate(self, task: TaskView) -> str | None:
        if task.segments is None:
            return None  # submitted before every message was counted
        cost = cost_of(task.segments, self._settings.price_per_segment, self._settings.currency)
        skipped = (f"; {task.too_long:,} recipients skipped because their message was over the limit"
                   if task.too_long else "")
        return f"Estimated cost when submitted: {cost} for {task.segments:,} segments{skipped}."

    async def _post_chart(self, task: TaskView) -> None:
        """Delivered, failed and awaiting receipt over time, drawn now and labelled "as of now":
        receipts may still come. A chart that fails is logged and the report stands without it."""
        try:
            as_of = task.finished_at or datetime.now(timezone.utc)
            timeline = await anyio.to_thread.run_sync(delivery_timeline, self._uow(), task.id, as_of)
            if timeline is None:
                return
            png = await anyio.to_thread.run_sync(render_delivery_chart, timeline, self._settings.timezone)
            await share_in_thread(self._client, channel=task.thread_channel, thread_ts=task.thread_ts,
                                  filename=f"delivery-task-{task.id}.png", title="Delivery over time", content=png,
                                  alt_text=chart_alt_text(timeline, as_of))
        except Exception:
            log.warning("task %s: the delivery chart was not posted", task.id, exc_info=True)


# Pause, Resume and Stop on the progress message: for the requester and approvers.
async def change(action: TaskAction, verb: str, ack, body: dict, client: AsyncWebClient, actor, uow, settings, clock,
                 ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(change_sending, uow(), ref.id, action, actor, clock(), settings.start_rules)
    reporter = ProgressReporter(client, uow, settings, clock)
    await reporter.update(task.id, force=True)
    await TaskThread(client, uow, settings, clock).refresh(task, acted_note(actor.user_id, f"{verb} this send"))


async def pause(ack, body, client, actor, uow, settings, clock, ref: TaskRef) -> None:
    await change(TaskAction.pause, "paused", ack, body, client, actor, uow, settings, clock, ref)


async def resume(ack, body, client, actor, uow, settings, clock, ref: TaskRef) -> None:
    await change(TaskAction.resume, "resumed", ack, body, client, actor, uow, settings, clock, ref)


async def stop(ack, body, client, actor, uow, settings, clock, ref: TaskRef) -> None:
    await change(TaskAction.cancel, "stopped", ack, body, client, actor, uow, settings, clock, ref)


LISTENERS = (
    listeners.action(ActionId.TASK_PAUSE, pause),
    listeners.action(ActionId.TASK_RESUME, resume),
    listeners.action(ActionId.TASK_STOP, stop),
)
