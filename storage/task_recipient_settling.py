"""The queries that settle what the sending left open: sends whose worker died (asked of the
provider, or given up as unknown), messages awaiting a receipt (asked for, or expired after the
deadline). Part of the task recipients' repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import Row, bindparam, select, update
from sqlmodel import col

from storage.bulk import executemany
from storage.statuses import INTERRUPTED, NO_RECEIPT, RecipientStatus as S
from storage.tables import Task, TaskRecipient


class SettlementRecord(Protocol):
    """What `settle_asked` reads of what a provider said of a lost request (the domain's `Settlement`)."""

    id: int
    fate: str  # never_received, accepted or rejected
    provider_id: str | None
    error_code: str | None
    reason: str | None


class SettlingQueries:
    """Mixed into `TaskRecipientRepository` (its `_session`)."""

    def lost_in_flight(self, now: datetime, limit: int, after_id: int = 0) -> list[Row]:
        """(id, client_ref, application_id) of recipients in flight past their lease (their worker
        died), by id."""
        table = TaskRecipient.__table__
        return list(self._session.connection().execute(
            select(table.c.id, table.c.client_ref, table.c.application_id)
            .where(table.c.status == S.in_flight, table.c.lease_expires_at < now, table.c.id > after_id)
            .order_by(table.c.id).limit(limit)).all())

    def settle_asked(self, settlements: Sequence[SettlementRecord], now: datetime) -> int:
        """What the provider said of lost requests: never received (pending again, to be sent),
        accepted (submitted, its receipt to come) or rejected (failed). Rows no longer in flight
        (a late answer got there first) are left as they are."""
        table = TaskRecipient.__table__
        connection = self._session.connection()
        settled = 0
        values = {
            # the attempt never reached the provider: it does not count
            "never_received": dict(status=S.pending, next_attempt_at=None, attempts=table.c.attempts - 1),
            "accepted": dict(status=S.submitted, provider_id=bindparam("new_provider_id"), submitted_at=now),
            "rejected": dict(status=S.failed, error_code=bindparam("new_error_code"), reason=bindparam("new_reason")),
        }
        for fate, fields in values.items():
            rows = [{"row_id": s.id, "new_provider_id": s.provider_id, "new_error_code": s.error_code,
                     "new_reason": s.reason} for s in settlements if s.fate == fate]
            if rows:
                statement = (update(table).where(table.c.id == bindparam("row_id"), table.c.status == S.in_flight)
                             .values(lease_owner=None, lease_expires_at=None, **fields))
                settled += executemany(connection, statement, rows)
        return settled

    def due_to_ask(self, owner: str, now: datetime, submitted_before: datetime, limit: int,
                   application_ids: Sequence[int]) -> list[Row]:
        """(id, client_ref, provider_id, phone, task_id, submitted_at, application_id) of messages
        awaiting a receipt, sent through those applications for the tasks `owner` watches, due to
        be asked about (receipts by pull)."""
        table = TaskRecipient.__table__
        watched = select(Task.id).where(col(Task.notifier_owner) == owner)
        due = ((table.c.receipt_ask_after.is_(None) & (table.c.submitted_at <= submitted_before))
               | (table.c.receipt_ask_after <= now))
        return list(self._session.connection().execute(
            select(table.c.id, table.c.client_ref, table.c.provider_id, table.c.phone, table.c.task_id,
                   table.c.submitted_at, table.c.application_id)
            .where(table.c.task_id.in_(watched.scalar_subquery()), table.c.status == S.submitted, due,
                   table.c.application_id.in_(list(application_ids)))
            .order_by(table.c.id).limit(limit)).all())

    def ask_again(self, when: Sequence[tuple[int, datetime]]) -> None:
        if when:
            table = TaskRecipient.__table__
            statement = update(table).where(table.c.id == bindparam("row_id")).values(
                receipt_ask_after=bindparam("ask_after"))
            executemany(self._session.connection(), statement, [{"row_id": i, "ask_after": at} for i, at in when])

    def settle_interrupted(self, now: datetime) -> int:
        """In flight past its lease: its owner died mid-request. Not resent on its own."""
        result = self._session.execute(
            update(TaskRecipient)
            .where(col(TaskRecipient.status) == S.in_flight, col(TaskRecipient.lease_expires_at) < now)
            .values(status=S.failed, reason=INTERRUPTED, lease_owner=None, lease_expires_at=None)
        )
        return result.rowcount

    def expire_without_receipt(self, submitted_before: datetime) -> int:
        result = self._session.execute(
            update(TaskRecipient)
            .where(col(TaskRecipient.status) == S.submitted, col(TaskRecipient.submitted_at) < submitted_before)
            .values(status=S.failed, reason=NO_RECEIPT)
        )
        return result.rowcount
