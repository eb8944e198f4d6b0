"""What a task's thread tells, as the database knows it: the tasks whose thread still changes
(sending, paused, or over with receipts to come), watched by one process at a time, and the
moment every recipient has its last word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from domain.applications import RouteShare, shares_of_split, worth_showing
from domain.dispatch import Progress
from domain.i18n import N_
from domain.send_measure import cost_of
from domain.tasks import route_parts
from domain.use_cases.applications import applications
from domain.task_state import TaskAction, TaskStatus, next_status
from domain.use_cases.tasks import TaskView, audit_task, view_of
from storage.statuses import NO_RECEIPT
from storage.uow import SqlUnitOfWork as UnitOfWork

ALL_FAILED = N_("every message failed")  # a task's reason: stored in English, translated where shown
# A message with no receipt this long after its submission has none: it counts as failed.
RECEIPT_DEADLINE = timedelta(hours=72)


def timed_out(reasons: list[tuple[str, int]]) -> int:
    """Of a task's failure reasons, the recipients whose receipt never came within the deadline."""
    return dict(reasons).get(NO_RECEIPT, 0)


@dataclass(frozen=True)
class ThreadState:
    task: TaskView
    progress: Progress


def watched_threads(uow: UnitOfWork, owner: str, now: datetime, lease: timedelta) -> list[ThreadState]:
    """The tasks this process (`owner`) tells about now, each with its counts (one grouped
    query for them all). A process that stops renewing loses them after `lease`."""
    with uow:
        tasks = uow.tasks.watch_reports(owner, now, now + lease)
        uow.commit()
        counts = uow.task_recipients.counts_by_task([task.id for task in tasks])
        return [ThreadState(view_of(uow, task), Progress.from_counts(counts.get(task.id, {}))) for task in tasks]


def record_report(uow: UnitOfWork, task_id: int, ts: str) -> None:
    with uow:
        uow.tasks.set_report(task_id, ts)
        uow.commit()


def record_chart(uow: UnitOfWork, task_id: int, file_id: str) -> None:
    with uow:
        uow.tasks.set_chart(task_id, file_id)
        uow.commit()


def receipts_done(uow: UnitOfWork, task_id: int, progress: Progress, now: datetime) -> TaskView:
    """Every recipient has its last word: the report is final from now on. A completed send
    whose every message failed is failed."""
    with uow:
        task = uow.tasks.get(task_id)
        if task.status == TaskStatus.completed and progress.all_failed and uow.tasks.move(
                task_id, from_status=TaskStatus.completed, to_status=next_status(task.status, TaskAction.fail),
                reason=ALL_FAILED):
            audit_task(uow, "smsbot", "failed", task_id, reason=ALL_FAILED)
        uow.tasks.end_report(task_id, now)
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))


def release_watch(uow: UnitOfWork, owner: str) -> None:
    """A stopping process hands its threads to the next one at once."""
    with uow:
        uow.tasks.release_reports(owner)
        uow.commit()


@dataclass(frozen=True)
class ApplicationPart:
    """What became of the messages one SMS application sent for a task."""

    application: str  # its label: name (provider)
    progress: Progress


def application_parts(uow: UnitOfWork, task_id: int, configured_provider: str) -> list[ApplicationPart]:
    """Each application's totals, when there is more to say than "the default sent them all"
    (and none once the task's details were purged)."""
    with uow:
        by_id = {app.id: app for app in applications(uow, configured_provider)}
        counts = uow.task_recipients.counts_by_application(task_id)
        used = [by_id[app_id] for app_id in sorted(counts, key=lambda i: (i is None, i or 0)) if app_id in by_id]
        if not worth_showing([RouteShare(app, 0, 0) for app in used]):
            return []
        return [ApplicationPart(app.label, Progress.from_counts(counts[app.id])) for app in used]


def estimated_cost(uow: UnitOfWork, task: TaskView, configured_provider: str, default_price: Decimal,
                   currency: str) -> str | None:
    """What the task's messages cost as counted when it was submitted, each application's at its
    price (None: submitted before every message was counted)."""
    if task.segments is None:
        return None
    with uow:
        split = shares_of_split(task.split or [], applications(uow, configured_provider))
    _parts, total = route_parts(split, default_price, currency)
    return total or cost_of(task.segments, default_price, currency)


def sending_backlog(uow: UnitOfWork, now: datetime) -> tuple[dict[str, int], float]:
    """What an operator watches: recipients still to send or in flight, and how long the oldest
    message awaiting its receipt has waited (0 when none does)."""
    with uow:
        depth, oldest = uow.tasks.backlog()
    return depth, max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
