"""The queries behind exports, follow-ups, retention and the delivery chart, on SQLite and
PostgreSQL: what each selection holds, streaming, copying into a list, batched deletes, the
purge's compare-and-set, and time buckets counted by the database."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from domain.approvers import Actor
from domain.exports import ExportKind
from domain.segments import SignatureStyle
from domain.tasks import Composition
from domain.errors import DomainError
from domain.exports import FollowUpGroup
from domain.use_cases.audiences import AudienceError
from domain.use_cases.exports import (
    follow_up_counts, follow_up_list, plan_export, save_follow_up_audience, write_export,
)
from domain.use_cases.reports import delivery_timeline
from domain.use_cases.retention import purge_expired_details
from domain.dispatch import Outcome, ReceiptUpdate
from storage.statuses import NO_RECEIPT
from storage.task_recipients import RowFilter
from tests.storage.test_task_recipients import NOW, claim, engine, task_id, uow  # noqa: F401  (fixtures)

ALL, FAILED = RowFilter(), RowFilter(("failed",))
NO_RECEIPT_ROWS = RowFilter(("submitted",), NO_RECEIPT)


def send(uow, task_id):  # noqa: F811
    """100 recipients out: 60 delivered (receipts 3 s later), 20 failed by receipt, 10 refused
    at submission, 5 awaiting a receipt, and 5 sent 10 s earlier that expire with no receipt
    (the 72-hour rule, with a nearer cutoff); the other 900 left pending."""
    claimed = claim(uow, task_id, limit=100)
    refused = {c.id for c in claimed[90:]}
    early = {c.id for c in claimed[85:90]}
    with uow() as work:
        work.task_recipients.record([Outcome(c.id, "failed" if c.id in refused else "submitted",
                                             provider_id=f"p{c.id}", reason="invalid" if c.id in refused else None)
                                     for c in claimed if c.id not in early], NOW)
        work.task_recipients.record([Outcome(c.id, "submitted", provider_id=f"p{c.id}") for c in claimed[85:90]],
                                    NOW - timedelta(seconds=10))
        work.commit()
    later = NOW + timedelta(seconds=3)
    with uow() as work:
        work.task_recipients.apply_receipts(
            [ReceiptUpdate(c.client_ref, None, "delivered", None, None, later) for c in claimed[:60]]
            + [ReceiptUpdate(c.client_ref, None, "failed", "E1", "unreachable", later + timedelta(seconds=70))
               for c in claimed[60:80]])
        assert work.task_recipients.expire_without_receipt(NOW - timedelta(seconds=5)) == 5
        work.commit()
    return claimed


def test_selections_hold_what_their_names_say_and_stream_in_order(uow, task_id):  # noqa: F811
    claimed = send(uow, task_id)
    with uow() as work:
        repository = work.task_recipients
        assert repository.count_selected(task_id, ALL) == 1000
        assert repository.count_selected(task_id, FAILED) == 35  # 20 by receipt, 5 no receipt, 10 refused
        assert repository.count_selected(task_id, NO_RECEIPT_ROWS) == 10  # 5 awaiting, 5 expired
        rows = list(repository.iter_selected(task_id, FAILED, batch=7))
    assert [r.phone for r in rows] == [c.phone for c in claimed[60:80] + claimed[85:100]]
    first = rows[0]
    assert first.variables == ["n62"] and first.error_code == "E1" and first.reason == "unreachable"
    assert first.provider_id == f"p{claimed[60].id}" and first.fell_back is False
    assert str(first.receipt_at)[:19] == "2026-11-23 08:01:13"  # UTC, as text or as a datetime


def test_an_export_is_written_from_the_database(uow, task_id):  # noqa: F811
    send(uow, task_id)
    approver = Actor("U9", is_approver=True)
    plan = plan_export(uow(), task_id, approver, ExportKind.NO_RECEIPT,
                       composition=Composition(SignatureStyle.COLON, "Reply STOP"))
    target = io.BytesIO()
    assert write_export(uow(), plan, target, tz="Asia/Shanghai") == plan.rows == 10
    from openpyxl import load_workbook

    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(target.getvalue())).active.iter_rows()]
    assert rows[0][2:6] == ["name", "status", "submitted at (Asia/Shanghai)", "receipt at (Asia/Shanghai)"]
    assert rows[0][8:] == ["SMS ID", "characters", "segments", "text"]
    assert rows[1][3:6] == ["awaiting receipt", "2026-11-23 16:00:00", None]
    assert rows[-1][3:5] == ["failed", "2026-11-23 15:59:50"] and rows[-1][7] == "no receipt"
    with uow() as work:  # the first awaiting one: its SMS ID, and its text as this workspace composes it
        first = next(work.task_recipients.iter_selected(task_id, NO_RECEIPT_ROWS))
        provider_id = work.task_recipients.details(task_id, ending=first.phone[-4:])[0][0].provider_id
    text = f"Acme: Hi {first.variables[0]}"  # a notification: no opt-out hint
    assert rows[1][8:] == [provider_id, len(text), 1, text] and provider_id.startswith("p")


def test_follow_ups_copy_failed_and_awaiting_in_order_with_their_variables(uow, task_id):  # noqa: F811
    claimed = send(uow, task_id)
    follow = follow_up_list(uow(), task_id, Actor("U1"), channel_id="C1", purpose="resend")
    assert follow.count == 40
    with uow() as work:
        copied = work.recipient_lists.recipients(follow.list_id)
        assert work.recipient_lists.get(follow.list_id).imported_count == 40
    assert [(r.phone, r.variables) for r in copied] == [(c.phone, c.variables) for c in claimed[60:100]]


def test_follow_ups_take_any_mix_of_delivered_failed_and_no_receipt(uow, task_id):  # noqa: F811
    claimed = send(uow, task_id)
    sender = Actor("U1")
    counts = follow_up_counts(uow(), task_id, sender)
    assert (counts.delivered, counts.failed, counts.no_receipt, counts.failed_no_receipt) == (60, 35, 10, 5)
    mix = {FollowUpGroup.DELIVERED, FollowUpGroup.NO_RECEIPT}  # 60 delivered, 5 awaiting, 5 expired
    follow = follow_up_list(uow(), task_id, sender, channel_id="C1", purpose="resend", groups=mix)
    with uow() as work:
        copied = work.recipient_lists.recipients(follow.list_id)
        assert work.recipient_lists.get(follow.list_id).source_name == "t: delivered and no receipt"
    assert [r.phone for r in copied] == [c.phone for c in claimed[:60] + claimed[80:90]] and follow.count == 70

    saved = save_follow_up_audience(uow(), task_id, sender, channel_id="C1", today=date(2026, 11, 23),
                                    groups={FollowUpGroup.DELIVERED}, name="  Happy  customers ")
    assert (saved.name, saved.recipient_count) == ("Happy customers", 60)
    unnamed = save_follow_up_audience(uow(), task_id, sender, channel_id="C1", today=date(2026, 11, 23),
                                      groups={FollowUpGroup.DELIVERED})
    assert unnamed.name == "t delivered 2026-11-23"
    with uow() as work:
        lists_before = len(work.recipient_lists.latest(100))
    with pytest.raises(AudienceError, match="already exists"):  # asked before any list is made
        save_follow_up_audience(uow(), task_id, sender, channel_id="C1", today=date(2026, 11, 23),
                                groups={FollowUpGroup.FAILED}, name="happy CUSTOMERS")
    with uow() as work:
        assert len(work.recipient_lists.latest(100)) == lists_before
    with pytest.raises(DomainError, match="Only U1"):
        follow_up_counts(uow(), task_id, Actor("U2"))


def test_the_timeline_buckets_sends_and_receipts_in_the_database(uow, task_id):  # noqa: F811
    send(uow, task_id)
    timeline = delivery_timeline(uow(), task_id, NOW + timedelta(minutes=5))
    assert timeline.start == NOW - timedelta(seconds=10) and timeline.width == 2  # 83 s in <= 60 buckets
    assert timeline.sent[-1] == 90 and timeline.delivered[-1] == 60 and timeline.failed[-1] == 20
    assert timeline.sent[1] == 5 and timeline.sent[5] == 5 and timeline.sent[6] == 90  # refused: no time
    assert timeline.delivered[6] == 0 and timeline.delivered[7] == 60  # receipts 13 s in
    assert timeline.failed[-2] == 0  # and 83 s in
    assert timeline.awaiting[-1] == 10 and timeline.times[-1] == NOW + timedelta(seconds=74)


def test_a_purge_deletes_in_batches_keeps_totals_and_happens_once(uow, task_id):  # noqa: F811
    send(uow, task_id)
    with uow() as work:
        work.tasks.move(task_id, from_status="sending", to_status="canceled", finished_at=NOW)
        work.commit()
    assert purge_expired_details(uow(), NOW + timedelta(days=7) - timedelta(seconds=1), 7) == []
    purged = purge_expired_details(uow(), NOW + timedelta(days=7), 7, batch=300)
    assert [(p.task_id, p.rows) for p in purged] == [(task_id, 1000)]
    with uow() as work:
        task = work.tasks.get(task_id)
        assert task.details_purged_at == NOW + timedelta(days=7)
        assert task.final_counts["counts"] == {"pending": 900, "delivered": 60, "failed": 35, "submitted": 5}
        assert task.final_counts["fallbacks"] == 0
        assert task.final_counts["reasons"][0] == ["unreachable", 20]
        assert work.task_recipients.count_selected(task_id, ALL) == 0
        assert not work.tasks.start_purge(task_id, {}, NOW)  # already purged: no second purge
        assert work.task_recipients.purged_with_rows_left() == []
    assert purge_expired_details(uow(), NOW + timedelta(days=30), 7) == []
