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
        opted_out = select(OptOut.phone)
        return self._session.execute(
            update(TaskRecipient)
            .where(col(TaskRecipient.task_id) == task_id, col(TaskRecipient.status) == RecipientStatus.pending,
                   col(TaskRecipient.phone).in_(opted_out))
            .values(status=RecipientStatus.skipped, reason=reason)
        ).rowcount

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
        return self._session.execute(
            update(TaskRecipient)
            .where(col(TaskRecipient.task_id) == task_id, col(TaskRecipient.status) == RecipientStatus.pending,
                   col(TaskRecipient.phone).in_(recent))
            .values(status=RecipientStatus.skipped, reason=reason)
        ).rowcount
