import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

from storage.engine import make_engine, make_session_factory
from sqlmodel import Session

from storage.tables import RecipientList, Signature, Task, TaskRecipient, Template
from domain.dispatch import Outcome, ReceiptUpdate
from storage.statuses import INTERRUPTED, NO_RECEIPT
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
LEASE = NOW + timedelta(minutes=5)


@pytest.fixture
def engine(migrated_database_url):
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine):
    return lambda: SqlUnitOfWork(make_session_factory(engine))


@pytest.fixture
def task_id(uow):
    """A task of 1,000 recipients, materialized."""
    with uow() as work:
        recipient_list = work.recipient_lists.add(
            RecipientList(created_by="U1", channel_id="C1", source="file", variables=["name"]),
            [(n, f"+86138{n:08d}", json.dumps([f"n{n}"])) for n in range(2, 1002)])
        signature = work.signatures.add(Signature(name="Acme", name_key="acme", status="approved", created_by="U1"))
        template = work.templates.add(Template(name="T", name_key="t", kind="text", purpose="notification",
                                               body="Hi ${name}", status="approved", created_by="U1"))
        task = work.tasks.add(Task(name="t", status="sending", purpose="notification", kind="text",
                                   signature_id=signature.id, template_id=template.id,
                                   recipient_list_id=recipient_list.id, created_by="U1", origin_channel="C1"))
        assert work.task_recipients.materialize(task.id, recipient_list.id, ("+86", 1, 1)) == 1000
        work.commit()
        return task.id


def claim(uow, task_id, owner="w1", limit=100, now=NOW):
    with uow() as work:
        claimed = work.task_recipients.claim(task_id, owner, limit, now, now + timedelta(minutes=5))
        work.commit()
        return claimed


def test_claims_take_pending_recipients_in_order_and_never_twice(uow, task_id):
    first, second = claim(uow, task_id), claim(uow, task_id)
    assert [c.variables for c in first[:2]] == [["n2"], ["n3"]]
    assert {c.id for c in first}.isdisjoint({c.id for c in second})
    with uow() as work:
        assert work.task_recipients.counts(task_id) == {"in_flight": 200, "pending": 800}


def test_concurrent_claimers_never_share_a_recipient(uow, task_id):
    claimed: list[list] = []
    errors = []

    def worker(name):
        try:
            for _ in range(10):
                claimed.append([c.id for c in claim(uow, task_id, owner=name, limit=37)])
        except Exception as error:  # a test failure, reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [i for chunk in claimed for i in chunk]
    assert len(ids) == len(set(ids)) == 1000


def test_results_are_recorded_but_never_over_a_receipt(uow, task_id):
    a, b, c = claim(uow, task_id, limit=3)
    with uow() as work:
        # the receipt for `a` comes before its submit result is recorded
        assert work.task_recipients.apply_receipts([ReceiptUpdate(a.client_ref, "p-a", "delivered", None, None, NOW)]) == 1
        work.task_recipients.record([
            Outcome(a.id, "submitted", provider_id="p-a"), Outcome(b.id, "failed", error_code="invalid_number",
                                                                   reason="invalid number"),
            Outcome(c.id, "pending", next_attempt_at=NOW + timedelta(seconds=4), reason="HTTP 503"),
        ], NOW)
        work.commit()
    with uow() as work:
        assert work.task_recipients.counts(task_id) == {"delivered": 1, "failed": 1, "pending": 998}
        # a duplicate receipt, and one for a recipient that already failed for good, change nothing
        assert work.task_recipients.apply_receipts([
            ReceiptUpdate(a.client_ref, "p-a", "failed", "X", "late", NOW),
            ReceiptUpdate(b.client_ref, None, "delivered", None, None, NOW)]) == 0
    assert c.id not in [x.id for x in claim(uow, task_id, limit=2, now=NOW)]  # retried only when due
    assert c.id in [x.id for x in claim(uow, task_id, limit=1000, now=NOW + timedelta(seconds=5))]


def test_receipts_that_name_only_the_task_and_phone_settle_that_recipient_alone(uow, task_id):
    """Some providers' receipts carry the batch they came in and the number, nothing finer."""
    a, b = claim(uow, task_id, limit=2)
    with uow() as work:
        assert work.task_recipients.apply_receipts([
            ReceiptUpdate(None, "biz-1:86138", "failed", "MK:0001", "blocked", NOW, task_id=task_id, phone=a.phone),
            ReceiptUpdate(None, None, "delivered", None, None, NOW, task_id=task_id + 1, phone=b.phone)]) == 1
        work.commit()
    with uow() as work:
        assert work.task_recipients.counts(task_id) == {"failed": 1, "in_flight": 1, "pending": 998}
        assert work.task_recipients.failure_reasons(task_id) == [("blocked", 1)]


def test_interrupted_sends_are_settled_by_a_receipt_or_fail_without_being_resent(uow, task_id):
    a, b = claim(uow, task_id, limit=2)
    with uow() as work:
        assert work.task_recipients.settle_interrupted(LEASE + timedelta(seconds=1)) == 2
        work.commit()
    with uow() as work:
        work.task_recipients.apply_receipts([ReceiptUpdate(a.client_ref, "p-a", "delivered", None, None, NOW)])
        work.commit()
    with uow() as work:
        assert work.task_recipients.counts(task_id) == {"delivered": 1, "failed": 1, "pending": 998}
        assert work.task_recipients.failure_reasons(task_id) == [(INTERRUPTED, 1)]


def test_submitted_without_receipt_for_72_hours_fails(uow, task_id):
    [a] = claim(uow, task_id, limit=1)
    with uow() as work:
        work.task_recipients.record([Outcome(a.id, "submitted", provider_id="p")], NOW)
        work.commit()
    with uow() as work:
        assert work.task_recipients.expire_without_receipt(NOW - timedelta(seconds=1)) == 0
        assert work.task_recipients.expire_without_receipt(NOW + timedelta(seconds=1)) == 1
        work.commit()
    with uow() as work:
        assert work.task_recipients.failure_reasons(task_id) == [(NO_RECEIPT, 1)]


def test_times_written_in_bulk_read_back_as_the_orm_writes_them(uow, task_id, engine):
    """Bulk writes convert their values themselves: the stored form must be the ORM's, or
    SQLite compares times as mismatched strings."""
    [a] = claim(uow, task_id, limit=1)
    later = NOW + timedelta(seconds=5, microseconds=250)
    with uow() as work:
        work.task_recipients.record([Outcome(a.id, "submitted", provider_id="p")], NOW)
        work.task_recipients.apply_receipts([ReceiptUpdate(a.client_ref, "p", "delivered", None, None, later)])
        work.commit()
    with Session(engine) as session:
        row = session.get(TaskRecipient, a.id)
        assert (row.submitted_at, row.receipt_at, row.fell_back) == (NOW, later, False)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT submitted_at, receipt_at FROM task_recipient WHERE id = ?",
                                                (a.id,)).one()
        assert tuple(stored) == ("2026-11-23 08:00:00.000000", "2026-11-23 08:00:05.000250")
