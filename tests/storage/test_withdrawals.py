"""Taking back a submission whose approval request Slack refused, on SQLite and PostgreSQL: only
what no approver was asked about goes, and the audit log says so."""

import pytest

from domain.use_cases.content import ContentKind, withdraw_content
from domain.use_cases.tasks import withdraw_task
from storage.tables import RecipientList, Signature, Task, Template

ASKED_TS = "1763900000.000100"


@pytest.fixture
def uow(uow_factory):
    return uow_factory


@pytest.fixture
def stored(uow):
    """A pending signature not yet asked about and one that was; likewise two tasks."""
    with uow() as work:
        new = work.signatures.add(Signature(name="New", name_key="new", status="pending", created_by="U1"))
        asked = work.signatures.add(Signature(name="Asked", name_key="asked", status="pending", created_by="U1",
                                              approval_channel="CA", approval_ts=ASKED_TS))
        template = work.templates.add(Template(name="T", name_key="t", kind="text", purpose="notification",
                                               body="Hi", status="approved", created_by="U1"))
        recipients = work.recipient_lists.add(RecipientList(created_by="U1", channel_id="C1", source="file",
                                                            variables=[]), [(2, "+8613800000000", "[]")])
        tasks = [work.tasks.add(Task(name=name, status="moderating", purpose="notification", kind="text",
                                     signature_id=asked.id, template_id=template.id,
                                     recipient_list_id=recipients.id, created_by="U1", origin_channel="C1",
                                     thread_channel="CA" if ts else None, thread_ts=ts))
                 for name, ts in (("New", None), ("Asked", ASKED_TS))]
        work.commit()
        return {"signatures": (new.id, asked.id), "tasks": tuple(t.id for t in tasks)}


def test_new_content_is_taken_back_and_audited_content_asked_about_stays(uow, stored):
    new, asked = stored["signatures"]
    for content_id in (new, asked):
        withdraw_content(uow(), ContentKind.SIGNATURE, content_id, "not_in_channel")
    with uow() as work:
        assert [s.name for s in work.signatures.all()] == ["Asked"]
        [entry] = work.audit.latest()
    assert (entry.action, entry.actor, entry.target_id) == ("signature.withdrawn", "smsbot", str(new))
    assert entry.detail == {"name": "New", "requested_by": "U1", "reason": "not_in_channel"}


def test_a_new_task_is_taken_back_and_audited_a_task_with_a_thread_stays(uow, stored):
    new, asked = stored["tasks"]
    for task_id in (new, asked):
        withdraw_task(uow(), task_id, "is_archived")
    with uow() as work:
        assert (work.tasks.get(new), work.tasks.get(asked).name) == (None, "Asked")
        [entry] = work.audit.latest()
    assert (entry.action, entry.target_id, entry.detail["reason"]) == ("task.withdrawn", str(new), "is_archived")
