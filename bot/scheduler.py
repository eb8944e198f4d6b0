"""The scheduler only ticks: each tick re-reads the database, which stays the source of truth,
so a restart or a second process loses nothing and does nothing twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import anyio
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Runtime
from domain.i18n import N_, _
from domain.use_cases.requests import forget_old_requests
from domain.use_cases.retention import purge_expired_details
from domain.use_cases.tasks import cancel_stale_tasks, passed_a_cutoff
from handlers.task_thread import TaskThread

log = logging.getLogger(__name__)

# Said in the thread in the deployment's language (the tick's): _(AUTO_CANCEL_NOTE).
AUTO_CANCEL_NOTE = N_("Canceled automatically: this task was not started within 24 hours of its send time.")


async def tick(runtime: Runtime, client: AsyncWebClient, sending=None) -> None:
    """One pass: start due tasks and settle lost sends (when sending is on), cancel stale tasks,
    purge the per-recipient details of tasks finished longer ago than the retention period."""
    if sending is not None:
        await sending.tick()
    canceled = await anyio.to_thread.run_sync(cancel_stale_tasks, runtime.uow(), runtime.clock())
    thread = TaskThread(client, runtime.uow, runtime.settings, runtime.clock)
    for task in canceled:
        log.info("task %s canceled: not started within 24 hours", task.id)
        await thread.refresh(task, _(AUTO_CANCEL_NOTE))
    # A card redrawn after a cutoff passed shows only the buttons still open; twice is harmless.
    since = runtime.clock() - timedelta(seconds=2 * runtime.settings.tick_seconds)
    for task in await anyio.to_thread.run_sync(lambda: passed_a_cutoff(
            runtime.uow(), since, runtime.clock(), runtime.settings.cutoffs)):
        await thread.refresh(task)
    await anyio.to_thread.run_sync(forget_old_requests, runtime.uow(), runtime.clock())
    purged = await anyio.to_thread.run_sync(lambda: purge_expired_details(
        runtime.uow(), runtime.clock(), runtime.settings.detail_retention_days))
    for task in purged:
        log.info("task %s: per-recipient details purged (%s rows)", task.task_id, task.rows)


def start_scheduler(runtime: Runtime, sending, seconds: float) -> AsyncIOScheduler:
    """Runs inside the process's event loop; the first tick comes at once, not after a wait."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", seconds=seconds, args=[runtime, runtime.slack.client, sending], id="tick",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))
    scheduler.start()
    return scheduler
