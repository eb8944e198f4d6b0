"""Recipients waiting for their own sending window (international numbers, by their zone)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from storage.bulk import executemany
from storage.statuses import RecipientStatus as S
from storage.tables import TaskRecipient


class WindowQueries:
    """Mixed into `TaskRecipientRepository` (its `_session`)."""

    def defer(self, until: Sequence[tuple[int, datetime]], reason: str) -> None:
        """Claimed recipients whose window is closed go back to pending until it opens; the
        claim that found them so does not count as an attempt."""
        if not until:
            return
        table = TaskRecipient.__table__
        statement = (update(table).where(table.c.id == bindparam("row_id"), table.c.status == S.in_flight)
                     .values(status=S.pending, next_attempt_at=bindparam("opens_at"), reason=reason,
                             attempts=table.c.attempts - 1, lease_owner=None, lease_expires_at=None))
        executemany(self._session.connection(), statement, [{"row_id": i, "opens_at": at} for i, at in until])

    def has_pending_without_prefix(self, task_id: int, prefix: str) -> bool:
        """Whether numbers not starting so (international ones, for +86) are still to send."""
        table = TaskRecipient.__table__
        return self._session.execute(select(func.count()).select_from(table).where(
            table.c.task_id == task_id, table.c.status.in_([S.pending, S.in_flight]),
            ~table.c.phone.startswith(prefix, autoescape=True))).scalar_one() > 0

    def waiting_for_window(self, task_id: int, reason: str) -> tuple[int, datetime | None]:
        """How many wait for their window, and when the first of those opens."""
        table = TaskRecipient.__table__
        row = self._session.execute(select(func.count(), func.min(table.c.next_attempt_at)).where(
            table.c.task_id == task_id, table.c.status == S.pending, table.c.reason == reason)).one()
        return row[0], row[1]
