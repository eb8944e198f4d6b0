"""The queries of status and reporting, on SQLite and PostgreSQL: task pages, names, counts of
many tasks in one GROUP BY, a task's recipients filtered and paged, one number across tasks."""

import json
from datetime import datetime, timezone

import pytest

from storage.tables import RecipientList, Signature, Task, Template
from domain.dispatch import Outcome

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def uow(uow_factory):
    return uow_factory


@pytest.fixture
def tasks(uow):
    """Three tasks: two in C1 (one threaded in CA), one asked from C2; the first two sent to
    30 numbers each, +8613800000000 … 029."""
    with uow() as work:
        recipient_list = work.recipient_lists.add(
            RecipientList(created_by="U1", channel_id="C1", source="file", variables=["name"]),
            [(n + 2, f"+8613800000{n:03d}", json.dumps([f"n{n}"])) for n in range(30)])
        signature = work.signatures.add(Signature(name="Acme", name_key="acme", status="approved", created_by="U1"))
        template = work.templates.add(Template(name="T", name_key="t", kind="text", purpose="notification",
                                               body="Hi ${name}", status="approved", created_by="U1"))
        ids = []
        for name, status, creator, origin, thread in [("Spring", "sending", "U1", "C1", "CA"),
                                                      ("Summer", "completed", "U2", "C1", None),
                                                      ("spring", "moderating", "U1", "C2", None)]:
            task = work.tasks.add(Task(name=name, status=status, purpose="notification", kind="text",
                                       signature_id=signature.id, template_id=template.id,
                                       recipient_list_id=recipient_list.id, created_by=creator, origin_channel=origin,
                                       thread_channel=thread, thread_ts="1763900000.000100" if thread else None))
            ids.append(task.id)
        for task_id in ids[:2]:
            work.task_recipients.materialize(task_id, recipient_list.id, ("+86", 1, 1))
        work.commit()
    with uow() as work:  # the first task: 10 submitted, 5 of them failed
        claimed = work.task_recipients.claim(ids[0], "w1", 10, NOW, NOW)
        work.task_recipients.record([Outcome(c.id, "failed" if i % 2 else "submitted", reason="unknown number"
                                             if i % 2 else None) for i, c in enumerate(claimed)], NOW)
        work.commit()
    return ids


def test_pages_of_tasks_by_channel_creator_and_status(uow, tasks):
    first, second, third = tasks
    with uow() as work:
        page, total = work.tasks.page(channel_id="C1", limit=1)
        assert ([t.id for t in page], total) == ([second], 2)
        page, total = work.tasks.page(channel_id="C1", offset=1, limit=1)
        assert [t.id for t in page] == [first]
        assert [t.id for t in work.tasks.page(channel_id="CA")[0]] == [first]  # its thread's channel
        assert [t.id for t in work.tasks.page(created_by="U1")[0]] == [third, first]
        assert [t.id for t in work.tasks.page(created_by="U1", oldest_first=True)[0]] == [first, third]
        assert work.tasks.page(status="completed")[1] == 1 and work.tasks.page()[1] == 3


def test_a_name_is_found_ignoring_case_this_channels_first(uow, tasks):
    first, _second, third = tasks
    with uow() as work:
        assert work.tasks.by_name("SPRING", prefer_channel="C1").id == first
        assert work.tasks.by_name("spring", prefer_channel="C2").id == third
        assert work.tasks.by_name("spring").id == third  # otherwise the newest
        assert work.tasks.by_name("autumn") is None


def test_pages_of_tasks_whose_name_contains_a_part_in_any_case(uow, tasks):
    first, second, third = tasks
    with uow() as work:
        assert [t.id for t in work.tasks.page(name_contains="PRIN")[0]] == [third, first]
        assert work.tasks.page(name_contains="pring", channel_id="C1") == ([work.tasks.get(first)], 1)
        assert work.tasks.page(name_contains="summer", status="completed")[1] == 1
        assert work.tasks.page(name_contains="sum", created_by="U1")[1] == 0  # every condition holds
        assert work.tasks.page(name_contains="autumn") == ([], 0)
        assert work.tasks.page(name_contains="")[1] == 3  # no part: no condition


def test_a_name_part_matches_its_letters_never_a_wildcard(uow, tasks):
    with uow() as work:
        task = work.tasks.get(tasks[0])
        work.tasks.add(Task(name="50% off_Ärger", status="moderating", purpose="notification", kind="text",
                            signature_id=task.signature_id, template_id=task.template_id,
                            recipient_list_id=task.recipient_list_id, created_by="U3", origin_channel="C3"))
        work.commit()
    with uow() as work:
        assert [t.name for t in work.tasks.page(name_contains="50% OFF")[0]] == ["50% off_Ärger"]
        assert [t.name for t in work.tasks.page(name_contains="f_Ä")[0]] == ["50% off_Ärger"]  # as typed
        assert work.tasks.page(name_contains="%")[1] == 1 and work.tasks.page(name_contains="_")[1] == 1
        assert work.tasks.page(name_contains="s_r")[1] == 0  # not "Spring" and "spring" by a wildcard
        assert work.tasks.page(name_contains="S%G")[1] == 0


def test_counts_of_many_tasks_in_one_query(uow, tasks):
    first, second, third = tasks
    with uow() as work:
        counts = work.task_recipients.counts_by_task([first, second, third])
    assert counts == {first: {"pending": 20, "submitted": 5, "failed": 5}, second: {"pending": 30}, third: {}}


def test_a_tasks_recipients_filtered_by_status_and_last_digits_and_paged(uow, tasks):
    first = tasks[0]
    with uow() as work:
        rows, total = work.task_recipients.details(first, limit=25)
        assert total == 30 and len(rows) == 25 and rows[0].row_number == 2 and rows[0].phone == "+8613800000000"
        rows, total = work.task_recipients.details(first, offset=25, limit=25)
        assert total == 30 and [r.row_number for r in rows] == [27, 28, 29, 30, 31]
        rows, total = work.task_recipients.details(first, statuses=["failed"])
        assert total == 5 and {r.status for r in rows} == {"failed"} and rows[0].reason == "unknown number"
        rows, total = work.task_recipients.details(first, statuses=["pending", "in_flight"], ending="9")
        assert total == 2 and [r.phone for r in rows] == ["+8613800000019", "+8613800000029"]
        rows, total = work.task_recipients.details(first, ending="0013")
        assert total == 1 and rows[0].phone.endswith("0013")


def test_a_page_of_recipients_carries_what_their_message_is_made_of(uow, tasks):
    """The SMS ID, the values the text is composed from, and whether a card went as its fallback."""
    second = tasks[1]
    with uow() as work:
        claimed = work.task_recipients.claim(second, "w1", 2, NOW, NOW)
        work.task_recipients.record([Outcome(claimed[0].id, "submitted", provider_id="sim-0"),
                                     Outcome(claimed[1].id, "submitted", provider_id="sim-1", fell_back=True)], NOW)
        work.commit()
    with uow() as work:
        rows, _total = work.task_recipients.details(second, limit=3)
    assert [(r.provider_id, r.variables, r.fell_back) for r in rows] == [
        ("sim-0", ["n0"], False), ("sim-1", ["n1"], True), (None, ["n2"], False)]


def test_one_number_across_a_channels_tasks(uow, tasks):
    first, second, _third = tasks
    with uow() as work:
        found = work.task_recipients.for_phone("+8613800000001", channel_id="C1")
        assert [(task.id, recipient.status) for task, recipient in found] == [(second, "pending"), (first, "failed")]
        assert [t.id for t, _ in work.task_recipients.for_phone("+8613800000001", channel_id="CA")] == [first]
        assert work.task_recipients.for_phone("+8613800000001", channel_id="C2") == []
        mine = work.task_recipients.for_phone("+8613800000001", channel_id="C1", created_by="U2")  # Summer's asker
        assert [t.id for t, _ in mine] == [second]
        work.tasks.get(second).details_purged_at = NOW
        work.commit()
    with uow() as work:  # a purged task is not searched
        assert [t.id for t, _ in work.task_recipients.for_phone("+8613800000001", channel_id="C1")] == [first]
