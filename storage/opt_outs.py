"""The opt-out list, and the skips it and fatigue control cause at the start of a promotional send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from storage.statuses import RecipientStatus
from storage.tables import OptOut, Task, TaskRecipient


class OptOutRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, phone: str, source: str, added_by: str | None, at: datetime) -> bool:
        """False if the number was on the list already."""
        if self._session.get(OptOut, phone) is not None:
            return False
        self._session.add(OptOut(phone=phone, source=source, added_by=added_by, added_at=at))
        self._session.flush()
        return True

    def remove(self, phone: str) -> bool:
        return self._session.execute(delete(OptOut).where(col(OptOut.phone) == phone)).rowcount == 1

    def get(self, phone: str) -> OptOut | None:
        return self._session.get(OptOut, phone)

    def skip_opted_out(self, task_id: int, reason: str) -> int:
        return self._skip_pending(task_id, select(OptOut.phone), reason)

    def skip_fatigued(self, task_id: int, *, since: datetime, limit: int, reason: str) -> int:
        """Numbers that already got `limit` promotional messages since `since` (notifications
        don't count)."""
        recent = (
            select(TaskRecipient.phone)
            .join(Task, col(Task.id) == col(TaskRecipient.task_id))
            .where(col(Task.purpose) == "promotional", col(TaskRecipient.task_id) != task_id,
                   col(TaskRecipient.status).in_([RecipientStatus.submitted, RecipientStatus.delivered]),
                   col(TaskRecipient.submitted_at) >= since)
            .group_by(TaskRecipient.phone)
            .having(func.count() >= limit)
        )
        return self._skip_pending(task_id, recent, reason)

    def _skip_pending(self, task_id: int, phones, reason: str) -> int:
        """The task's pending recipients whose number is among `phones` (a query) are skipped."""
        return self._session.execute(
            update(TaskRecipient)
            .where(col(TaskRecipient.task_id) == task_id, col(TaskRecipient.status) == RecipientStatus.pending,
                   col(TaskRecipient.phone).in_(phones))
            .values(status=RecipientStatus.skipped, reason=reason)
        ).rowcount
