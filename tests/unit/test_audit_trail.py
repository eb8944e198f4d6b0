"""A task's audit trail in plain words (who did what, and when), its pages, and who approved a
task as it stands: the pure rules of domain/audit_trail.py."""

from datetime import datetime, timedelta, timezone

import pytest

from domain.audit_trail import (
    Recorded,
    TrailLine,
    TrailOrder,
    approver_of,
    name_in,
    own_entries,
    trail_lines,
    trail_page,
)
from domain.task_state import TaskStatus

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
SENDER, APPROVER, OTHER = "U0SENDER01", "U0APPROV01", "U0APPROV02"


def entry(minute: int, actor: str, action: str, **detail) -> Recorded:
    return Recorded(T0 + timedelta(minutes=minute), actor, f"task.{action}", detail)


LIFE = [
    entry(0, SENDER, "created", name="November receipts", recipients=60),
    entry(1, SENDER, "edited", version=2),
    entry(2, SENDER, "test_sent", numbers=["•••8000", "•••5678"], approved=False),
    entry(3, APPROVER, "approve", version=2, reason=None, start="earliest", send_at="2026-11-24T01:00:00+00:00"),
    entry(4, "smsbot", "started", recipients=60, skipped=2),
    entry(5, SENDER, "pause"),
    entry(6, "smsbot", "resume", reason="the sending window opened"),
    entry(7, SENDER, "cancel"),
    entry(8, APPROVER, "exported", kind="failed", rows=12, file="x.xlsx", delivered_to="D0APPROV01"),
    entry(9, "smsbot", "details_purged", recipients=60, retention_days=7, finished_at=None),
]


def test_each_entry_reads_who_did_what_with_its_facts():
    lines = trail_lines(LIFE)
    assert [(line.actor, line.did) for line in lines] == [
        (SENDER, "created it"), (SENDER, "edited it"), (SENDER, "sent a test of it"), (APPROVER, "approved it"),
        (None, "started sending it"), (SENDER, "paused it"), (None, "resumed it"),
        (SENDER, "stopped it while sending"),  # a cancel after the send started was a Stop
        (APPROVER, "exported its recipients"), (None, "purged its per-recipient details")]
    assert lines[0].facts == ("named “November receipts”", "60 recipients")
    assert lines[2].facts == ("to •••8000, •••5678", "content not approved yet")
    assert lines[3].facts == ("version 2", "to send at the earliest allowed time")
    assert lines[3].send_at == datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
    assert lines[4].facts == ("60 recipients", "2 skipped") and lines[6].facts == ("the sending window opened",)
    assert lines[8].facts == ("failed recipients", "12 rows", "to their direct message")
    assert [line.at for line in lines] == [e.at for e in LIFE]


def test_a_cancel_before_the_send_started_is_a_cancel_and_the_bots_own_moves_are_named():
    lines = trail_lines([entry(0, SENDER, "created", name="A"), entry(1, APPROVER, "reject", version=1,
                                                                       reason="Wrong audience"),
                         entry(2, SENDER, "cancel", reason=None), entry(3, "smsbot", "auto_cancel"),
                         entry(4, "smsbot", "failed", reason="the provider refused the account"),
                         entry(5, APPROVER, "deleted", name="A"), entry(6, SENDER, "reassigned", reason="to U2")])
    assert [(line.actor, line.did, line.facts) for line in lines] == [
        (SENDER, "created it", ("named “A”",)), (APPROVER, "rejected it", ("version 1", "Wrong audience")),
        (SENDER, "canceled it", ()), (None, "canceled it: not started within 24 hours of its send time", ()),
        (None, "marked it failed", ("the provider refused the account",)), (APPROVER, "deleted it", ("named “A”",)),
        (SENDER, "reassigned", ("to U2",))]  # an action the trail does not know reads as its name


def test_no_whole_number_comes_out_whatever_the_log_kept():
    [test, rejected] = trail_lines([entry(0, SENDER, "test_sent", numbers=["+8613800138000", "13912345678"]),
                                    entry(1, APPROVER, "reject", reason="not to +86 139 1234 5678 or 13800138000")])
    assert test.facts == ("to •••8000, •••5678",)
    assert rejected.facts == ("not to •••5678 or •••8000",)


def test_long_facts_are_cut_and_odd_details_are_left_out():
    [created, approved] = trail_lines([entry(0, SENDER, "created", name="x" * 500, recipients="many"),
                                       entry(1, APPROVER, "approve", version=True, send_at="not a time")])
    assert created.facts == (f"named “{'x' * 199}…”",)
    assert approved.facts == () and approved.send_at is None


def test_pages_newest_or_oldest_first():
    lines = [TrailLine(T0 + timedelta(minutes=n), SENDER, f"did {n}") for n in range(32)]
    newest, page = trail_page(lines, TrailOrder.NEWEST, 0)
    assert [line.did for line in newest][:2] == ["did 31", "did 30"] and len(newest) == 15
    assert (page.total, page.pages, page.has_next, page.has_previous) == (32, 3, True, False)
    oldest, page = trail_page(lines, TrailOrder.OLDEST, 2)
    assert [line.did for line in oldest] == ["did 30", "did 31"] and not page.has_next
    past_the_end, page = trail_page(lines, TrailOrder.NEWEST, 9)
    assert page.number == 2 and [line.did for line in past_the_end] == ["did 1", "did 0"]
    assert trail_page([], TrailOrder.NEWEST, 0) == ([], trail_page([], TrailOrder.OLDEST, 3)[1])


def test_entries_before_the_last_creation_belong_to_an_earlier_task_with_that_id():
    earlier = [entry(0, SENDER, "created", name="Old"), entry(1, APPROVER, "approve", version=1),
               entry(2, SENDER, "deleted", name="Old")]
    now = [entry(3, OTHER, "created", name="New"), entry(4, OTHER, "cancel")]
    assert own_entries(earlier + now) == now
    assert own_entries(now[1:]) == now[1:]  # none created: all of them
    assert name_in(earlier) == "Old" and name_in(earlier + now) == "New" and name_in(now[1:]) is None
    assert [line.did for line in trail_lines(earlier + now)] == ["created it", "canceled it"]
    assert approver_of(TaskStatus.canceled, 1, OTHER, earlier + now) is None  # the old approval is not this task's


@pytest.mark.parametrize(("status", "version", "decided_by", "expected"), [
    (TaskStatus.canceled, 2, SENDER, OTHER),  # canceled after approval: the log names the approver
    (TaskStatus.completed, 2, APPROVER, OTHER),  # the log's latest approval of this version
    (TaskStatus.canceled, 3, SENDER, None),  # edited (version 3) and canceled before a new approval
    (TaskStatus.sending, 3, APPROVER, APPROVER),  # on its way, the log silent: its decider
    (TaskStatus.moderating, 2, None, None),
    (TaskStatus.rejected, 2, APPROVER, None),
])
def test_who_approved_a_task_as_it_stands(status, version, decided_by, expected):
    entries = [entry(0, SENDER, "created"), entry(1, APPROVER, "approve", version=1),
               entry(2, APPROVER, "approve", version=2), entry(3, OTHER, "approve", version=2)]
    assert approver_of(status, version, decided_by, entries) == expected
