"""Send tasks. Status changes are compare-and-set, so concurrent deciders, ticks and
processes can never both move the same task."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, text, update
from sqlalchemy import case, exists, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.errors import AlreadyExists
from storage.statuses import TaskStatus
from storage.tables import Task, TaskRecipient

DUE_CHANNEL = "smsbot_due"  # PostgreSQL's LISTEN/NOTIFY channel: a task may start now


def _name_contains(part: str):
    """Ignoring case as the database folds it (SQLite folds ASCII letters only), and as typed,
    so a name written exactly as it is always matches."""
    return (func.lower(col(Task.name)).contains(part.lower(), autoescape=True)
            | col(Task.name).contains(part, autoescape=True))


class TaskRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, task: Task) -> Task:
        """`AlreadyExists` if a task was made from the same submission (another process, at once)."""
        self._session.add(task)
        try:
            self._session.flush()
        except IntegrityError:
            if task.submission_key is None:
                raise
            raise AlreadyExists(f"task from submission {task.submission_key}") from None
        return task

    def by_submission(self, key: str) -> Task | None:
        return self._session.exec(select(Task).where(col(Task.submission_key) == key)).first()

    def get(self, task_id: int) -> Task | None:
        return self._session.get(Task, task_id)

    def move(self, task_id: int, *, from_status: str, to_status: str, version: int | None = None, **fields) -> bool:
        """Move the task only if it is still in `from_status` (and, given, at `version`)."""
        query = update(Task).where(col(Task.id) == task_id, col(Task.status) == from_status)
        if version is not None:
            query = query.where(col(Task.version) == version)
        result = self._session.execute(query.values(status=to_status, **fields))
        self._session.expire_all()
        return result.rowcount == 1

    def replace_content(self, task_id: int, *, from_status: str, version: int, **fields) -> bool:
        """An edit: new content, back to moderating, the next version."""
        result = self._session.execute(
            update(Task)
            .where(col(Task.id) == task_id, col(Task.status) == from_status, col(Task.version) == version)
            .values(status=TaskStatus.moderating, version=version + 1, decided_by=None, decided_at=None, reason=None, **fields)
        )
        self._session.expire_all()
        return result.rowcount == 1

    def set_thread(self, task_id: int, channel: str, ts: str) -> None:
        self._session.execute(update(Task).where(col(Task.id) == task_id).values(thread_channel=channel, thread_ts=ts))

    def delete(self, task_id: int, *, from_status: str) -> bool:
        result = self._session.execute(delete(Task).where(col(Task.id) == task_id, col(Task.status) == from_status))
        return result.rowcount == 1

    def open_using_template(self, template_id: int) -> list[Task]:
        """Tasks not yet sending whose content includes this template."""
        query = select(Task).where(
            (col(Task.template_id) == template_id) | (col(Task.fallback_template_id) == template_id),
            col(Task.status).in_([TaskStatus.moderating, TaskStatus.scheduled]),
        ).order_by(col(Task.id))
        return list(self._session.exec(query))

    def due(self, now: datetime) -> list[Task]:
        """Scheduled tasks whose send time has come (or that go as soon as approved)."""
        query = select(Task).where(
            col(Task.status) == TaskStatus.scheduled, col(Task.send_at).is_(None) | (col(Task.send_at) <= now)
        ).order_by(col(Task.id))
        return list(self._session.exec(query))

    def next_send_at(self, after: datetime) -> datetime | None:
        """The earliest send time still to come of a scheduled task."""
        return self._session.exec(select(func.min(Task.send_at)).where(
            col(Task.status) == TaskStatus.scheduled, col(Task.send_at) > after)).one()

    def due_without_thread(self, now: datetime) -> bool:
        """A due task whose thread is still being recorded (approved the moment its card appeared)."""
        return self._session.exec(select(func.count()).where(
            col(Task.status) == TaskStatus.scheduled, col(Task.thread_ts).is_(None),
            col(Task.send_at).is_(None) | (col(Task.send_at) <= now))).one() > 0

    def announce_due(self) -> None:
        """Tells every process listening on PostgreSQL that a task may start now (delivered when
        the transaction commits, and only then); SQLite has one process, told in it."""
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(text(f"NOTIFY {DUE_CHANNEL}"))

    def backlog(self) -> tuple[dict[str, int], datetime | None]:
        """Recipients of sending or paused tasks not yet answered for, by status (pending, in
        flight); and the oldest submission still awaiting its receipt, of tasks whose thread waits."""
        open_tasks = select(Task.id).where(col(Task.status).in_([TaskStatus.sending, TaskStatus.paused]))
        rows = self._session.execute(
            select(TaskRecipient.status, func.count()).where(
                col(TaskRecipient.task_id).in_(open_tasks.scalar_subquery()),
                col(TaskRecipient.status).in_(["pending", "in_flight"]))
            .group_by(TaskRecipient.status)).all()
        waiting = select(Task.id).where(col(Task.receipts_done_at).is_(None),
                                        col(Task.status) != TaskStatus.scheduled)
        oldest = self._session.exec(select(func.min(TaskRecipient.submitted_at)).where(
            col(TaskRecipient.task_id).in_(waiting.scalar_subquery()), col(TaskRecipient.status) == "submitted")).one()
        return dict(rows), oldest

    def ids_in(self, status: str) -> list[int]:
        return list(self._session.exec(select(Task.id).where(col(Task.status) == status).order_by(col(Task.id))))

    def splits_in(self, status: str) -> list[tuple[int, list[dict] | None]]:
        """(id, split) of the tasks in `status`, the oldest first."""
        rows = self._session.exec(select(Task.id, Task.split).where(col(Task.status) == status).order_by(col(Task.id)))
        return [(task_id, split) for task_id, split in rows]

    def set_progress_message(self, task_id: int, ts: str) -> None:
        self._session.execute(update(Task).where(col(Task.id) == task_id).values(progress_ts=ts))

    def set_report(self, task_id: int, ts: str) -> None:
        self._session.execute(update(Task).where(col(Task.id) == task_id).values(report_ts=ts))

    def set_submitted_message(self, task_id: int, channel: str, ts: str) -> None:
        self._session.execute(update(Task).where(col(Task.id) == task_id).values(submitted_channel=channel,
                                                                                  submitted_ts=ts))

    def set_chart(self, task_id: int, file_id: str) -> None:
        self._session.execute(update(Task).where(col(Task.id) == task_id).values(chart_file_id=file_id))

    # The thread's notifier: tasks whose thread still has something to tell, one process each.

    def watch_reports(self, owner: str, now: datetime, until: datetime) -> list[Task]:
        """Takes (or renews) the watch of every task whose thread still changes — sending or
        paused, or over with receipts to come — that no live process holds; returns those
        `owner` holds, in id order."""
        started = exists().where(col(TaskRecipient.task_id) == col(Task.id))  # canceled before it sent: nothing to tell
        watched = col(Task.status).in_([TaskStatus.sending, TaskStatus.paused]) | (
            col(Task.status).in_([TaskStatus.completed, TaskStatus.failed, TaskStatus.canceled])
            & col(Task.receipts_done_at).is_(None) & started)
        free = col(Task.notifier_owner).is_(None) | (col(Task.notifier_owner) == owner) | (
            col(Task.notifier_until) < now)
        self._session.execute(update(Task).where(watched, free).values(notifier_owner=owner, notifier_until=until))
        self._session.expire_all()
        query = select(Task).where(watched, col(Task.notifier_owner) == owner).order_by(col(Task.id))
        return list(self._session.exec(query))

    def end_report(self, task_id: int, now: datetime) -> None:
        """Every recipient has its last word: the thread is final, and no one watches it."""
        self._session.execute(update(Task).where(col(Task.id) == task_id).values(
            receipts_done_at=now, notifier_owner=None, notifier_until=None))

    def release_reports(self, owner: str) -> None:
        self._session.execute(update(Task).where(col(Task.notifier_owner) == owner).values(
            notifier_owner=None, notifier_until=None))

    def scheduled_between(self, after: datetime, until: datetime) -> list[Task]:
        """Scheduled tasks whose send time is in (after, until], in id order."""
        query = select(Task).where(col(Task.status) == TaskStatus.scheduled, col(Task.send_at) > after,
                                   col(Task.send_at) <= until).order_by(col(Task.id))
        return list(self._session.exec(query))

    def scheduled_before(self, moment: datetime) -> list[Task]:
        query = select(Task).where(col(Task.status) == TaskStatus.scheduled, col(Task.send_at) < moment).order_by(col(Task.id))
        return list(self._session.exec(query))

    # Status and reporting: lists of tasks, paged, newest first unless asked otherwise.

    def page(self, *, channel_id: str | None = None, created_by: str | None = None, status: str | None = None,
             name_contains: str | None = None, offset: int = 0, limit: int = 10,
             oldest_first: bool = False) -> tuple[list[Task], int]:
        """One page of the tasks that match, and how many match in all. `channel_id`: asked
        from that channel or threaded in it; `name_contains`: a part of the name, in any case
        (`%` and `_` are letters here, not wildcards)."""
        conditions = []
        if channel_id is not None:
            conditions.append((col(Task.origin_channel) == channel_id) | (col(Task.thread_channel) == channel_id))
        if created_by is not None:
            conditions.append(col(Task.created_by) == created_by)
        if status is not None:
            conditions.append(col(Task.status) == str(status))
        if name_contains:
            conditions.append(_name_contains(name_contains))
        total = self._session.execute(select(func.count()).select_from(Task).where(*conditions)).scalar_one()
        order = col(Task.id).asc() if oldest_first else col(Task.id).desc()
        rows = self._session.exec(select(Task).where(*conditions).order_by(order).offset(offset).limit(limit))
        return list(rows), total

    def by_name(self, name: str, *, prefer_channel: str | None = None) -> Task | None:
        """The task of that name (ignoring case), this channel's first, then the newest."""
        query = select(Task).where(func.lower(Task.name) == name.lower())
        if prefer_channel is not None:
            here = case(((col(Task.origin_channel) == prefer_channel) | (col(Task.thread_channel) == prefer_channel),
                         0), else_=1)
            query = query.order_by(here)
        return self._session.exec(query.order_by(col(Task.id).desc()).limit(1)).first()

    # Retention: finished tasks whose per-recipient details are due to be purged.

    def due_for_purge(self, finished_by: datetime) -> list[int]:
        """Tasks finished at or before `finished_by` whose details are still there, oldest first."""
        query = (select(Task.id).where(col(Task.finished_at) <= finished_by, col(Task.details_purged_at).is_(None))
                 .order_by(col(Task.finished_at), col(Task.id)))
        return list(self._session.exec(query))

    def start_purge(self, task_id: int, final_counts: dict, now: datetime) -> bool:
        """Keeps the totals and marks the details purged, once: only the caller that moved it
        purges and audits (several processes may tick at once)."""
        result = self._session.execute(
            update(Task).where(col(Task.id) == task_id, col(Task.details_purged_at).is_(None))
            .values(final_counts=final_counts, details_purged_at=now))
        self._session.expire_all()
        return result.rowcount == 1
