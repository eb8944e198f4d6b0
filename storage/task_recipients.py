"""A task's recipients and their sends: claimed in leased chunks, results recorded in bulk.

A recipient is marked in flight (with its lease) and committed before its request leaves;
its outcome is written before the next claim. Every write that settles a recipient names
the state it expects, so a late submit result never overwrites a receipt, and a duplicate
receipt changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol

from sqlalchemy import (
    Integer, Row, String, bindparam, case, cast, delete, func, insert, literal, or_, select, tuple_, type_coerce, update,
)
from sqlmodel import Session, col

from storage.bulk import executemany
from storage.statuses import INTERRUPTED, RecipientStatus
from storage.task_recipient_windows import WindowQueries
from storage.task_recipient_settling import SettlingQueries
from storage.tables import Recipient, Task, TaskRecipient

EXPORT_BATCH = 5_000  # rows an export reads from the database at a time
S = RecipientStatus


class OutcomeRecord(Protocol):
    """What `record` reads of an outcome (the domain's `Outcome`)."""

    id: int
    status: str
    provider_id: str | None
    error_code: str | None
    reason: str | None
    next_attempt_at: datetime | None
    fell_back: bool


class ReceiptRecord(Protocol):
    """What `apply_receipts` reads of a receipt (the domain's `ReceiptUpdate`)."""

    client_ref: str | None
    provider_id: str | None
    status: str
    error_code: str | None
    reason: str | None
    at: datetime
    task_id: int | None
    phone: str | None


def names_by(receipt: ReceiptRecord) -> str:
    """Which of its keys a receipt's recipient is found by."""
    if receipt.client_ref:
        return "client_ref"
    if receipt.task_id is not None and receipt.phone:
        return "task_phone"
    return "provider_id" if receipt.provider_id else "nothing"


class TaskRecipientRepository(SettlingQueries, WindowQueries):
    def __init__(self, session: Session) -> None:
        self._session = session

    def materialize(self, task_id: int, list_id: int, routes: tuple[str, int | None, int | None]) -> int:
        """Copies the list's recipients into the task, all pending, in one statement, each with
        its application: `routes` is (prefix, application of numbers with it, of the others)."""
        prefix, with_prefix, others = routes
        application = case((col(Recipient.phone).startswith(prefix, autoescape=True), literal(with_prefix, Integer)),
                           else_=literal(others, Integer))
        source = select(
            literal(task_id), Recipient.row_number, Recipient.phone, Recipient.variables, literal(S.pending.value),
            literal(f"{task_id}-") + cast(Recipient.id, String), literal(0), literal(False), application,
        ).where(col(Recipient.list_id) == list_id)
        self._session.execute(insert(TaskRecipient.__table__).from_select(
            ["task_id", "row_number", "phone", "variables", "status", "client_ref", "attempts", "fell_back",
             "application_id"], source))
        return self._session.execute(
            select(func.count()).where(col(TaskRecipient.task_id) == task_id)).scalar_one()

    def claim(self, task_id: int, owner: str, limit: int, now: datetime, lease_until: datetime, *,
              except_prefix: str | None = None, application_id: int | None = None) -> list[Row]:
        """Marks up to `limit` due pending recipients (but those whose number starts with
        `except_prefix`; only those of `application_id` if given) in flight for `owner`. On PostgreSQL two claimers skip each other's
        rows (SKIP LOCKED); SQLite has one writer at a time."""
        # Core, not the ORM: no session objects to keep in step with 1,000 rows a claim.
        table = TaskRecipient.__table__
        due = (
            select(table.c.id)
            .where(table.c.task_id == task_id, table.c.status == S.pending,
                   table.c.next_attempt_at.is_(None) | (table.c.next_attempt_at <= now),
                   *([~table.c.phone.startswith(except_prefix, autoescape=True)] if except_prefix else []),
                   *([table.c.application_id == application_id] if application_id is not None else []))
            .order_by(table.c.id)
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        statement = (
            update(table)
            .where(table.c.id.in_(due.scalar_subquery()))
            .values(status=S.in_flight, lease_owner=owner, lease_expires_at=lease_until, attempts=table.c.attempts + 1)
            .returning(table.c.id, table.c.client_ref, table.c.phone, table.c.variables, table.c.attempts,
                       table.c.application_id)
        )
        # Rows of (id, client_ref, phone, variables, attempts, application_id), in id order.
        return sorted(self._session.connection().execute(statement).all(), key=attrgetter("id"))

    def record(self, outcomes: Sequence[OutcomeRecord], now: datetime) -> None:
        """Outcomes of claimed recipients; a recipient a receipt already settled keeps it.
        Outcomes alike but for the row and the provider's id share one statement whose other
        values are bound once: per-row parameters were most of the time spent here."""
        table = TaskRecipient.__table__
        alike: dict[tuple, list[OutcomeRecord]] = {}
        for outcome in outcomes:
            key = (outcome.status, outcome.error_code, outcome.reason, outcome.next_attempt_at, outcome.fell_back)
            alike.setdefault(key, []).append(outcome)
        connection = self._session.connection()
        self._lock_in_id_order(table.c.id.in_([outcome.id for outcome in outcomes]))
        for (status, error_code, reason, next_attempt_at, fell_back), group in alike.items():
            statement = (
                update(table)
                .where(table.c.id == bindparam("row_id"), table.c.status == S.in_flight)
                .values(status=status, provider_id=bindparam("new_provider_id"), error_code=error_code,
                        reason=reason, next_attempt_at=next_attempt_at, fell_back=fell_back,
                        submitted_at=now if status == S.submitted else None, lease_owner=None, lease_expires_at=None)
            )
            executemany(connection, statement, [{"row_id": o.id, "new_provider_id": o.provider_id} for o in group])

    def apply_receipts(self, receipts: Iterable[ReceiptRecord]) -> int:
        """A receipt settles a recipient that is in flight, submitted, or failed as interrupted;
        it may arrive before the submit result is recorded, or twice. One statement per way of
        naming the recipient and outcome, executed for all the receipts it fits."""
        table = TaskRecipient.__table__
        # Written without IN (...): executemany takes no expanding parameters.
        open_states = (table.c.status == S.in_flight) | (table.c.status == S.submitted) | (
            (table.c.status == S.failed) & (table.c.reason == INTERRUPTED))
        matches = {
            "client_ref": (table.c.client_ref == bindparam("match_ref"),),
            "task_phone": (table.c.task_id == bindparam("match_task"), table.c.phone == bindparam("match_phone")),
            "provider_id": (table.c.provider_id == bindparam("match_provider_id"),),
        }
        # As in `record`: receipts alike but for whom they name share one statement.
        alike: dict[tuple, list[ReceiptRecord]] = {}
        for receipt in receipts:
            key = (names_by(receipt), receipt.status, receipt.at, receipt.error_code, receipt.reason)
            alike.setdefault(key, []).append(receipt)
        connection = self._session.connection()
        self._lock_in_id_order(_named_rows(table, [r for group in alike.values() for r in group]))
        settled = 0
        for (named_by, status, at, error_code, reason), group in alike.items():
            if named_by not in matches:
                continue
            statement = (
                update(table).where(*matches[named_by], open_states)
                .values(status=status, receipt_at=at, error_code=error_code, reason=reason,
                        provider_id=func.coalesce(table.c.provider_id, bindparam("new_provider_id")),
                        lease_owner=None, lease_expires_at=None)
            )
            if named_by == "client_ref":
                rows = [{"match_ref": r.client_ref, "new_provider_id": r.provider_id} for r in group]
            elif named_by == "task_phone":
                rows = [{"match_task": r.task_id, "match_phone": r.phone, "new_provider_id": r.provider_id}
                        for r in group]
            else:
                rows = [{"match_provider_id": r.provider_id, "new_provider_id": r.provider_id} for r in group]
            settled += executemany(connection, statement, rows)
        return settled

    def _lock_in_id_order(self, condition) -> None:
        """On PostgreSQL, the rows a write will change, locked first in id order: a submit result
        and a receipt for the same rows then wait for each other instead of deadlocking (each
        UPDATE would otherwise lock rows in its own order). SQLite has one writer at a time."""
        if condition is None or self._session.get_bind().dialect.name != "postgresql":
            return
        table = TaskRecipient.__table__
        self._session.connection().execute(
            select(table.c.id).where(condition).order_by(table.c.id).with_for_update()).all()

    def skip_pending(self, task_id: int, reason: str) -> int:
        result = self._session.execute(
            update(TaskRecipient).where(col(TaskRecipient.task_id) == task_id, col(TaskRecipient.status) == S.pending)
            .values(status=S.skipped, reason=reason))
        return result.rowcount

    def counts(self, task_id: int) -> dict[str, int]:
        rows = self._session.execute(
            select(TaskRecipient.status, func.count()).where(col(TaskRecipient.task_id) == task_id)
            .group_by(TaskRecipient.status)
        ).all()
        return {status: count for status, count in rows}

    def counts_by_application(self, task_id: int) -> dict[int | None, dict[str, int]]:
        """Counts by status, for each application the task's recipients go through."""
        rows = self._session.execute(
            select(TaskRecipient.application_id, TaskRecipient.status, func.count())
            .where(col(TaskRecipient.task_id) == task_id)
            .group_by(TaskRecipient.application_id, TaskRecipient.status)
        ).all()
        counts: dict[int | None, dict[str, int]] = {}
        for application_id, status, count in rows:
            counts.setdefault(application_id, {})[status] = count
        return counts

    def fallback_count(self, task_id: int) -> int:
        return self._session.execute(select(func.count()).where(
            col(TaskRecipient.task_id) == task_id, col(TaskRecipient.fell_back).is_(True))).scalar_one()

    def failure_reasons(self, task_id: int, limit: int = 5) -> list[tuple[str, int]]:
        reason = func.coalesce(TaskRecipient.reason, TaskRecipient.error_code, literal("unknown"))
        rows = self._session.execute(
            select(reason, func.count()).where(col(TaskRecipient.task_id) == task_id,
                                               col(TaskRecipient.status) == S.failed)
            .group_by(reason).order_by(func.count().desc()).limit(limit)
        ).all()
        return [(r, n) for r, n in rows]

    def tasks_with_unsettled(self) -> list[int]:
        rows = self._session.execute(select(TaskRecipient.task_id).where(
            col(TaskRecipient.status).in_([S.pending, S.in_flight])).distinct()).all()
        return [row[0] for row in rows]


    # Status and reporting: counts for many tasks at once, a task's recipients page by page,
    # one number across tasks.

    def counts_by_task(self, task_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """{task id: {status: count}} for every task given, in one GROUP BY."""
        if not task_ids:
            return {}
        rows = self._session.execute(
            select(TaskRecipient.task_id, TaskRecipient.status, func.count())
            .where(col(TaskRecipient.task_id).in_(list(task_ids)))
            .group_by(TaskRecipient.task_id, TaskRecipient.status)
        ).all()
        counts: dict[int, dict[str, int]] = {task_id: {} for task_id in task_ids}
        for task_id, status, count in rows:
            counts[task_id][status] = count
        return counts

    def details(self, task_id: int, *, statuses: Sequence[str] | None = None, ending: str | None = None,
                offset: int = 0, limit: int = 25) -> tuple[list[Row], int]:
        """One page of a task's recipients in file order, and how many match in all. `ending`:
        digits the number ends with. Rows read as .row_number, .phone, .status, .submitted_at,
        .receipt_at, .error_code, .reason, .provider_id, .variables, .fell_back, .application_id."""
        table = TaskRecipient.__table__
        conditions = [table.c.task_id == task_id]
        if statuses:
            conditions.append(table.c.status.in_(list(statuses)))
        if ending:
            conditions.append(table.c.phone.like(f"%{ending}"))
        total = self._session.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()
        rows = self._session.execute(
            select(table.c.row_number, table.c.phone, table.c.status, table.c.submitted_at, table.c.receipt_at,
                   table.c.error_code, table.c.reason, table.c.provider_id, table.c.variables, table.c.fell_back,
                   table.c.application_id)
            .where(*conditions).order_by(table.c.id).offset(offset).limit(limit)
        ).all()
        return list(rows), total

    def for_phone(self, phone: str, *, channel_id: str, created_by: str | None = None,
                  limit: int = 20) -> list[tuple[Task, TaskRecipient]]:
        """The number in the tasks asked from or threaded in a channel (`created_by`: only those
        this person asked for), newest task first; tasks whose details were purged are left out."""
        query = (
            select(Task, TaskRecipient).join(Task, col(Task.id) == col(TaskRecipient.task_id))
            .where(col(TaskRecipient.phone) == phone, col(Task.details_purged_at).is_(None),
                   (col(Task.origin_channel) == channel_id) | (col(Task.thread_channel) == channel_id))
        )
        if created_by is not None:
            query = query.where(col(Task.created_by) == created_by)
        rows = self._session.execute(query.order_by(col(Task.id).desc(), col(TaskRecipient.id)).limit(limit)).all()
        return [(task, recipient) for task, recipient in rows]

    # --- exports, follow-ups, retention and the delivery chart --------------------------------

    def count_selected(self, task_id: int, selection: RowFilter) -> int:
        table = TaskRecipient.__table__
        return self._session.execute(
            select(func.count()).select_from(table).where(_selected(table, task_id, selection))).scalar_one()

    def iter_selected(self, task_id: int, selection: RowFilter, batch: int = EXPORT_BATCH) -> Iterator[Row]:
        """(row_number, phone, variables, status, submitted_at, receipt_at, error_code, reason,
        fell_back, provider_id, application_id) in id order (the list's order), streamed: `yield_per` reads `batch` rows at a
        time (a server-side cursor on PostgreSQL; SQLite steps its cursor), so a million rows
        never sit in memory. Iterate inside the unit of work.

        The two times come as the driver gives them, UTC either way: ISO text on SQLite, aware
        datetimes on PostgreSQL. Turning SQLite's text into datetimes (and then into aware ones)
        took a sixth of a million-row export in its profile; the export formats them itself."""
        table = TaskRecipient.__table__
        query = (select(table.c.row_number, table.c.phone, table.c.variables, table.c.status,
                        type_coerce(table.c.submitted_at, String), type_coerce(table.c.receipt_at, String),
                        table.c.error_code, table.c.reason, table.c.fell_back, table.c.provider_id,
                        table.c.application_id)
                 .where(_selected(table, task_id, selection)).order_by(table.c.id))
        result = self._session.connection().execution_options(yield_per=batch).execute(query)
        for partition in result.partitions():
            yield from partition

    def copy_to_list(self, task_id: int, list_id: int, selection: RowFilter) -> int:
        """The selected recipients (their row numbers, numbers and variables, in order) into a
        recipient list, in one statement."""
        table = TaskRecipient.__table__
        source = (select(literal(list_id), table.c.row_number, table.c.phone, table.c.variables)
                  .where(_selected(table, task_id, selection)).order_by(table.c.id))
        self._session.execute(insert(Recipient.__table__).from_select(
            ["list_id", "row_number", "phone", "variables"], source))
        # Counted, not taken from rowcount: SQLAlchemy gives -1 for an INSERT ... SELECT on psycopg.
        return self._session.execute(select(func.count()).where(Recipient.list_id == list_id)).scalar_one()

    def delete_some(self, task_id: int, limit: int) -> int:
        """Up to `limit` of a task's recipients, lowest ids first: a purge goes in short
        transactions, so that sends and receipts are never locked out for long."""
        table = TaskRecipient.__table__
        some = select(table.c.id).where(table.c.task_id == task_id).order_by(table.c.id).limit(limit)
        return self._session.execute(delete(table).where(table.c.id.in_(some.scalar_subquery()))).rowcount

    def delivery_span(self, task_id: int) -> tuple[int | None, int | None]:
        """The first time a message went out and the last time anything happened to one (a
        submission or a receipt), in epoch seconds."""
        table = TaskRecipient.__table__
        dialect = self._session.get_bind().dialect.name
        sent = _epoch(func.coalesce(table.c.submitted_at, table.c.receipt_at), dialect)
        first, last_sent, last_receipt = self._session.execute(
            select(func.min(sent), func.max(sent), func.max(_epoch(table.c.receipt_at, dialect)))
            .where(table.c.task_id == task_id)).one()
        ends = [e for e in (last_sent, last_receipt) if e is not None]
        return (int(first) if first is not None else None), (int(max(ends)) if ends else None)

    def delivery_buckets(self, task_id: int, start: int,
                         width: int) -> tuple[dict[int, int], dict[tuple[str, int], int]]:
        """Messages sent per bucket of `width` seconds from `start` (epoch seconds), and receipts
        per (status, bucket): counted by the database, a few dozen rows back whatever the size.
        A receipt may overtake its submit result, which then leaves `submitted_at` empty: such
        a message counts as sent when its receipt came."""
        table = TaskRecipient.__table__
        dialect = self._session.get_bind().dialect.name

        def bucket(moment):
            return cast(func.floor((_epoch(moment, dialect) - start) / float(width)), Integer)

        sent_at = func.coalesce(table.c.submitted_at, table.c.receipt_at)
        sent = bucket(sent_at)
        sent_rows = self._session.execute(
            select(sent, func.count()).where(table.c.task_id == task_id, sent_at.is_not(None)).group_by(sent)).all()
        received = bucket(table.c.receipt_at)
        receipts = self._session.execute(
            select(table.c.status, received, func.count())
            .where(table.c.task_id == task_id, table.c.receipt_at.is_not(None),
                   table.c.status.in_((S.delivered, S.failed)))
            .group_by(table.c.status, received)).all()
        return ({int(b): n for b, n in sent_rows}, {(status, int(b)): n for status, b, n in receipts})

    def purged_with_rows_left(self) -> list[int]:
        """Tasks marked purged that still have recipient rows: a purge cut short (a restart)."""
        table = TaskRecipient.__table__
        left = select(table.c.id).where(table.c.task_id == Task.id).exists()
        return list(self._session.execute(
            select(Task.id).where(col(Task.details_purged_at).is_not(None), left).order_by(col(Task.id))).scalars())


@dataclass(frozen=True)
class RowFilter:
    """A task's recipients whose status is one of `statuses`, or that failed with
    `failed_reason`; `statuses` None: all of them."""

    statuses: tuple[str, ...] | None = None
    failed_reason: str | None = None


def _named_rows(table, receipts: Sequence[ReceiptRecord]):
    """The rows receipts name (by reference, by task and number, or by the provider's id)."""
    refs = [r.client_ref for r in receipts if names_by(r) == "client_ref"]
    pairs = [(r.task_id, r.phone) for r in receipts if names_by(r) == "task_phone"]
    provider_ids = [r.provider_id for r in receipts if names_by(r) == "provider_id"]
    conditions = ([table.c.client_ref.in_(refs)] if refs else []) + (
        [tuple_(table.c.task_id, table.c.phone).in_(pairs)] if pairs else []) + (
        [table.c.provider_id.in_(provider_ids)] if provider_ids else [])
    return or_(*conditions) if conditions else None


def _selected(table, task_id: int, selection: RowFilter):
    condition = table.c.task_id == task_id
    if selection.statuses is None:
        return condition
    chosen = table.c.status.in_(selection.statuses)
    if selection.failed_reason is not None:
        chosen = chosen | ((table.c.status == S.failed) & (table.c.reason == selection.failed_reason))
    return condition & chosen


def _epoch(column, dialect: str):
    """Seconds since the epoch of a stored UTC time (SQLite keeps it as ISO text)."""
    if dialect == "postgresql":
        return func.floor(func.extract("epoch", column))
    return cast(func.strftime("%s", column), Integer)
