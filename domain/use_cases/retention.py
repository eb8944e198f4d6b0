"""Retention: per-recipient details of a finished task are kept `SMSBOT_DETAIL_RETENTION_DAYS`
(7 by default) and then purged; the task and its totals stay.

A purge first saves the totals on the task and marks it purged (once, compare-and-set, with
an audit entry), then deletes its recipient rows in short transactions of `batch` rows, so a
million-row task never holds the database's write lock for long: sends and receipts of other
tasks go on between batches. A purge cut short (a restart) is finished by the next tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.dispatch import Progress
from domain.exports import purge_cutoff
from storage.tables import AuditEntry
from storage.uow import SqlUnitOfWork as UnitOfWork

PURGE_BATCH = 5_000


@dataclass(frozen=True)
class PurgedTask:
    task_id: int
    rows: int  # recipient rows deleted by this process


def purge_expired_details(uow: UnitOfWork, now: datetime, retention_days: int, *,
                          batch: int = PURGE_BATCH) -> list[PurgedTask]:
    cutoff = purge_cutoff(now, retention_days)
    with uow:
        due = uow.tasks.due_for_purge(cutoff)
        unfinished = uow.task_recipients.purged_with_rows_left()
    for task_id in due:
        _start_purge(uow, task_id, now, retention_days)
    purged = []
    for task_id in dict.fromkeys(due + unfinished):
        rows = _delete_rows(uow, task_id, batch)
        if rows or task_id in due:
            purged.append(PurgedTask(task_id, rows))
    return purged


def _start_purge(uow: UnitOfWork, task_id: int, now: datetime, retention_days: int) -> bool:
    with uow:
        task = uow.tasks.get(task_id)
        if task is None or task.details_purged_at is not None:
            return False
        counts = uow.task_recipients.counts(task_id)
        totals = {"counts": counts, "fallbacks": uow.task_recipients.fallback_count(task_id),
                  "reasons": [[reason, count] for reason, count in uow.task_recipients.failure_reasons(task_id)]}
        if not uow.tasks.start_purge(task_id, totals, now):
            return False  # another process got there first
        uow.audit.add(AuditEntry(actor="smsbot", action="task.details_purged", target_type="task",
                                 target_id=str(task_id),
                                 detail={"recipients": sum(counts.values()), "retention_days": retention_days,
                                         "finished_at": task.finished_at.isoformat() if task.finished_at else None}))
        uow.commit()
        return True


def _delete_rows(uow: UnitOfWork, task_id: int, batch: int) -> int:
    deleted = 0
    while True:
        with uow:
            count = uow.task_recipients.delete_some(task_id, batch)
            uow.commit()
        deleted += count
        if count < batch:
            return deleted


def saved_counts(final_counts: dict | None) -> dict[str, int]:
    """A purged task's recipients by status, as they were when its details were purged."""
    return dict((final_counts or {}).get("counts") or {})


def saved_totals(final_counts: dict) -> tuple[Progress, list[tuple[str, int]], int]:
    """A purged task's totals as they were when its details were purged."""
    return (Progress.from_counts(saved_counts(final_counts)),
            [(reason, count) for reason, count in final_counts.get("reasons") or []],
            int(final_counts.get("fallbacks") or 0))
