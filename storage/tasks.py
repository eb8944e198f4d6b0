"""Send tasks. Status changes are compare-and-set, so concurrent deciders, ticks and
processes can never both move the same task."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.tables import Task


class TaskRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, task: Task) -> Task:
        self._session.add(task)
        self._session.flush()
        return task

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
            .values(status="moderating", version=version + 1, decided_by=None, decided_at=None, reason=None, **fields)
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
            col(Task.status).in_(["moderating", "scheduled"]),
        ).order_by(col(Task.id))
        return list(self._session.exec(query))

    def due(self, now: datetime) -> list[Task]:
        """Scheduled tasks whose send time has come (or that go as soon as approved)."""
        query = select(Task).where(
            col(Task.status) == "scheduled", col(Task.send_at).is_(None) | (col(Task.send_at) <= now)
        ).order_by(col(Task.id))
        return list(self._session.exec(query))

    def ids_in(self, status: str) -> list[int]:
        return list(self._session.exec(select(Task.id).where(col(Task.status) == status).order_by(col(Task.id))))

    def set_progress_message(self, task_id: int, ts: str) -> None:
        self._session.execute(update(Task).where(col(Task.id) == task_id).values(progress_ts=ts))

    def scheduled_before(self, moment: datetime) -> list[Task]:
        query = select(Task).where(col(Task.status) == "scheduled", col(Task.send_at) < moment).order_by(col(Task.id))
        return list(self._session.exec(query))
