"""Which process tells a task's thread: one at a time, taken over when the other stops renewing,
handed over at once when it stops; a task whose last receipt is in is no one's any more."""

from datetime import datetime, timedelta, timezone

import pytest

from storage.tables import RecipientList, Signature, Task, Template

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
LEASE = timedelta(seconds=30)


@pytest.fixture
def uow(uow_factory):
    return uow_factory


@pytest.fixture
def task_ids(uow):
    """A sending task, a completed one with receipts to come, one whose report is final, and
    one canceled before it ever sent (no progress message)."""
    with uow() as work:
        recipient_list = work.recipient_lists.add(RecipientList(created_by="U1", channel_id="C1", source="file"),
                                                  [(2, "+8613800138000", "[]")])
        signature = work.signatures.add(Signature(name="Acme", name_key="acme", status="approved", created_by="U1"))
        template = work.templates.add(Template(name="T", name_key="t", kind="text", purpose="notification",
                                               body="Hi", status="approved", created_by="U1"))
        ids = []
        for status, progress_ts, done in [("sending", "1.1", None), ("completed", "1.2", None),
                                          ("completed", "1.3", NOW), ("canceled", None, None)]:
            task = work.tasks.add(Task(name=status, status=status, purpose="notification", kind="text",
                                       signature_id=signature.id, template_id=template.id,
                                       recipient_list_id=recipient_list.id, created_by="U1", origin_channel="C1",
                                       progress_ts=progress_ts, receipts_done_at=done))
            ids.append(task.id)
            if progress_ts:  # it started: it has recipients
                work.task_recipients.materialize(task.id, recipient_list.id, ("+86", 1, 1))
        work.commit()
        return ids


def watched(uow, owner: str, now: datetime = NOW) -> list[int]:
    with uow() as work:
        tasks = work.tasks.watch_reports(owner, now, now + LEASE)
        work.commit()
        return [t.id for t in tasks]


def test_one_process_at_a_time_tells_each_thread(uow, task_ids):
    sending, coming, _final, _never_sent = task_ids
    assert watched(uow, "a") == [sending, coming]
    assert watched(uow, "b") == []  # a still holds them
    assert watched(uow, "a", NOW + LEASE / 2) == [sending, coming]  # renewed
    assert watched(uow, "b", NOW + LEASE) == []
    assert watched(uow, "b", NOW + LEASE * 2) == [sending, coming]  # a stopped renewing


def test_a_stopping_process_hands_its_threads_over_and_a_final_report_is_no_ones(uow, task_ids):
    sending, coming, _final, _never_sent = task_ids
    watched(uow, "a")
    with uow() as work:
        work.tasks.release_reports("a")
        work.tasks.end_report(coming, NOW)
        work.commit()
    assert watched(uow, "b") == [sending]
