"""A task's recipients and their sends: claimed in leased chunks, results recorded in bulk.

A recipient is marked in flight (with its lease) and committed before its request leaves;
its outcome is written before the next claim. Every write that settles a recipient names
the state it expects, so a late submit result never overwrites a receipt, and a duplicate
receipt changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, bindparam, cast, func, insert, literal, select, update
from sqlmodel import Session, col

from storage.tables import Recipient, TaskRecipient

IN_FLIGHT = "in_flight"
FINAL = ("delivered", "failed", "skipped")
INTERRUPTED = "outcome unknown after interruption"
NO_RECEIPT = "no receipt"


@dataclass(frozen=True)
class Claimed:
    id: int
    client_ref: str
    phone: str
    variables: list[str]
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What the provider said about one claimed recipient."""

    id: int
    status: str  # submitted, failed, skipped, or pending (to retry)
    provider_id: str | None = None
    error_code: str | None = None
    reason: str | None = None
    next_attempt_at: datetime | None = None
    fell_back: bool = False


@dataclass(frozen=True)
class ReceiptUpdate:
    """Names its recipient by `client_ref`, else by (`task_id`, `phone`), else by `provider_id`."""

    client_ref: str | None
    provider_id: str | None
    status: str  # delivered or failed
    error_code: str | None
    reason: str | None
    at: datetime
    task_id: int | None = None
    phone: str | None = None

    @property
    def names_by(self) -> str:
        if self.client_ref:
            return "client_ref"
        if self.task_id is not None and self.phone:
            return "task_phone"
        return "provider_id" if self.provider_id else "nothing"


class TaskRecipientRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def materialize(self, task_id: int, list_id: int) -> int:
        """Copies the list's recipients into the task, all pending, in one statement."""
        source = select(
            literal(task_id), Recipient.row_number, Recipient.phone, Recipient.variables, literal("pending"),
            literal(f"{task_id}-") + cast(Recipient.id, String), literal(0), literal(False),
        ).where(col(Recipient.list_id) == list_id)
        self._session.execute(insert(TaskRecipient.__table__).from_select(
            ["task_id", "row_number", "phone", "variables", "status", "client_ref", "attempts", "fell_back"], source))
        return self._session.execute(
            select(func.count()).where(col(TaskRecipient.task_id) == task_id)).scalar_one()

    def claim(self, task_id: int, owner: str, limit: int, now: datetime, lease_until: datetime) -> list[Claimed]:
        """Marks up to `limit` due pending recipients in flight for `owner`. On PostgreSQL two
        claimers skip each other's rows (SKIP LOCKED); SQLite has one writer at a time."""
        due = (
            select(TaskRecipient.id)
            .where(col(TaskRecipient.task_id) == task_id, col(TaskRecipient.status) == "pending",
                   (col(TaskRecipient.next_attempt_at).is_(None)) | (col(TaskRecipient.next_attempt_at) <= now))
            .order_by(col(TaskRecipient.id))
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        statement = (
            update(TaskRecipient)
            .where(col(TaskRecipient.id).in_(due.scalar_subquery()))
            .values(status=IN_FLIGHT, lease_owner=owner, lease_expires_at=lease_until,
                    attempts=TaskRecipient.attempts + 1)
            .returning(TaskRecipient.id, TaskRecipient.client_ref, TaskRecipient.phone, TaskRecipient.variables,
                       TaskRecipient.attempts)
        )
        rows = self._session.execute(statement).all()
        return sorted((Claimed(*row) for row in rows), key=lambda claimed: claimed.id)

    def record(self, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Outcomes of claimed recipients; a recipient a receipt already settled keeps it."""
        if not outcomes:
            return
        statement = (
            update(TaskRecipient.__table__)
            .where(TaskRecipient.__table__.c.id == bindparam("row_id"), TaskRecipient.__table__.c.status == IN_FLIGHT)
            .values(status=bindparam("new_status"), provider_id=bindparam("new_provider_id"),
                    error_code=bindparam("new_error_code"), reason=bindparam("new_reason"),
                    next_attempt_at=bindparam("new_next_attempt_at"), fell_back=bindparam("new_fell_back"),
                    submitted_at=bindparam("new_submitted_at"), lease_owner=None, lease_expires_at=None)
        )
        self._session.connection().execute(statement, [
            {"row_id": o.id, "new_status": o.status, "new_provider_id": o.provider_id, "new_error_code": o.error_code,
             "new_reason": o.reason, "new_next_attempt_at": o.next_attempt_at, "new_fell_back": o.fell_back,
             "new_submitted_at": now if o.status == "submitted" else None}
            for o in outcomes
        ])

    def apply_receipts(self, receipts: Iterable[ReceiptUpdate]) -> int:
        """A receipt settles a recipient that is in flight, submitted, or failed as interrupted;
        it may arrive before the submit result is recorded, or twice. One statement, executed
        for the whole batch, per way of naming the recipient."""
        table = TaskRecipient.__table__
        # Written without IN (...): executemany takes no expanding parameters.
        open_states = (table.c.status == IN_FLIGHT) | (table.c.status == "submitted") | (
            (table.c.status == "failed") & (table.c.reason == INTERRUPTED))
        matches = {
            "client_ref": (table.c.client_ref == bindparam("match_ref"),),
            "task_phone": (table.c.task_id == bindparam("match_task"), table.c.phone == bindparam("match_phone")),
            "provider_id": (table.c.provider_id == bindparam("match_provider_id"),),
        }
        settled = 0
        receipts = list(receipts)
        for names_by, match in matches.items():
            batch = [r for r in receipts if r.names_by == names_by]
            if not batch:
                continue
            statement = (
                update(table).where(*match, open_states)
                .values(status=bindparam("new_status"), receipt_at=bindparam("new_at"),
                        error_code=bindparam("new_error_code"), reason=bindparam("new_reason"),
                        provider_id=func.coalesce(table.c.provider_id, bindparam("new_provider_id")),
                        lease_owner=None, lease_expires_at=None)
            )
            result = self._session.connection().execute(statement, [
                {"match_ref": r.client_ref, "match_task": r.task_id, "match_phone": r.phone,
                 "match_provider_id": r.provider_id, "new_status": r.status, "new_at": r.at,
                 "new_error_code": r.error_code, "new_reason": r.reason, "new_provider_id": r.provider_id}
                for r in batch
            ])
            settled += max(result.rowcount, 0)
        return settled

    def settle_interrupted(self, now: datetime) -> int:
        """In flight past its lease: its owner died mid-request. Not resent on its own."""
        result = self._session.execute(
            update(TaskRecipient)
            .where(col(TaskRecipient.status) == IN_FLIGHT, col(TaskRecipient.lease_expires_at) < now)
            .values(status="failed", reason=INTERRUPTED, lease_owner=None, lease_expires_at=None)
        )
        return result.rowcount

    def expire_without_receipt(self, submitted_before: datetime) -> int:
        result = self._session.execute(
            update(TaskRecipient)
            .where(col(TaskRecipient.status) == "submitted", col(TaskRecipient.submitted_at) < submitted_before)
            .values(status="failed", reason=NO_RECEIPT)
        )
        return result.rowcount

    def skip_pending(self, task_id: int, reason: str) -> int:
        result = self._session.execute(
            update(TaskRecipient).where(col(TaskRecipient.task_id) == task_id, col(TaskRecipient.status) == "pending")
            .values(status="skipped", reason=reason))
        return result.rowcount

    def counts(self, task_id: int) -> dict[str, int]:
        rows = self._session.execute(
            select(TaskRecipient.status, func.count()).where(col(TaskRecipient.task_id) == task_id)
            .group_by(TaskRecipient.status)
        ).all()
        return {status: count for status, count in rows}

    def fallback_count(self, task_id: int) -> int:
        return self._session.execute(select(func.count()).where(
            col(TaskRecipient.task_id) == task_id, col(TaskRecipient.fell_back).is_(True))).scalar_one()

    def failure_reasons(self, task_id: int, limit: int = 5) -> list[tuple[str, int]]:
        reason = func.coalesce(TaskRecipient.reason, TaskRecipient.error_code, literal("unknown"))
        rows = self._session.execute(
            select(reason, func.count()).where(col(TaskRecipient.task_id) == task_id,
                                               col(TaskRecipient.status) == "failed")
            .group_by(reason).order_by(func.count().desc()).limit(limit)
        ).all()
        return [(r, n) for r, n in rows]

    def tasks_with_unsettled(self) -> list[int]:
        rows = self._session.execute(select(TaskRecipient.task_id).where(
            col(TaskRecipient.status).in_(["pending", IN_FLIGHT])).distinct()).all()
        return [row[0] for row in rows]

