"""Rules of status and reporting: list arguments, who sees which tasks, task references,
recipient filters, the last-digits search and paging."""

import pytest

from domain.approvers import Actor
from domain.errors import DomainError
from domain.privacy import last_four
from domain.status import (
    ListQuery,
    ListScope,
    Page,
    RecipientFilter,
    TaskFilter,
    clamp_page,
    has_started,
    name_filter,
    parse_list_args,
    parse_search,
    parse_task_ref,
    recipient_statuses,
    visible_to,
)
from domain.task_state import TaskStatus


@pytest.mark.parametrize(("args", "expected"), [
    ((), ListQuery()),
    (("all",), ListQuery(ListScope.ALL)),
    (("sending",), ListQuery(status=TaskStatus.sending)),
    (("all", "failed"), ListQuery(ListScope.ALL, TaskStatus.failed)),
    (("FAILED", "All"), ListQuery(ListScope.ALL, TaskStatus.failed)),
    (("moderating",), ListQuery(status=TaskStatus.moderating)),
])
def test_list_arguments(args, expected):
    assert parse_list_args(args) == expected


@pytest.mark.parametrize(("args", "expected"), [
    (("receipts",), ListQuery(name="receipts")),
    (("all", "failed", "November", "receipts"), ListQuery(ListScope.ALL, TaskStatus.failed, "November receipts")),
    (("sent",), ListQuery(name="sent")),
    (("all", "all"), ListQuery(ListScope.ALL, name="all")),  # a keyword once its place is taken is a name's
    (("failed", "sending"), ListQuery(status=TaskStatus.failed, name="sending")),
    (("receipts", "all"), ListQuery(name="receipts all")),  # after the first name word, every word is the name's
    (("all hands",), ListQuery(name="all hands")),  # quoted: one word, not `all`
    (("  Big ", "\x00send\t",), ListQuery(name="Big send")),  # one line, single spaces, no control characters
    (("2",), ListQuery(name="2")),
    (("\u200b",), ListQuery(name="\u200b")),
    (("all", " ", ""), ListQuery(ListScope.ALL)),  # blank words are no name
])
def test_words_after_scope_and_status_are_a_part_of_the_name(args, expected):
    assert parse_list_args(args) == expected


def test_a_name_longer_than_any_tasks_is_refused_with_the_usage():
    assert name_filter("x" * 30) == "x" * 30
    with pytest.raises(DomainError, match=r"at most 30 characters.*Usage: `/sms list \[all\] \[status\] \[name"):
        parse_list_args(("all", "x" * 31))
    assert name_filter(None) is None and name_filter(" \n ") is None


def test_the_name_is_kept_whoever_asks_and_whatever_the_scope():
    channel, every = ListQuery(name="rec"), ListQuery(ListScope.ALL, name="rec")
    assert visible_to(channel, Actor("U1", channels=frozenset({"C1"})), "C1") == TaskFilter(channel_id="C1", name="rec")
    assert visible_to(channel, Actor("U1"), "C1") == TaskFilter(channel_id="C1", created_by="U1", name="rec")
    assert visible_to(every, Actor("U1", is_approver=True), "C1") == TaskFilter(name="rec")
    assert visible_to(every, Actor("U1"), "C1") == TaskFilter(created_by="U1", name="rec")


def test_a_channel_list_shows_the_channels_tasks_to_its_members_and_approvers_and_others_their_own():
    query = ListQuery(status=TaskStatus.sending)
    for actor in (Actor("U1", channels=frozenset({"C1"})), Actor("U1", is_approver=True)):
        assert visible_to(query, actor, "C1") == TaskFilter(channel_id="C1", status=TaskStatus.sending)
    outsider = Actor("U1", channels=frozenset({"C2"}))
    assert visible_to(query, outsider, "C1") == TaskFilter(channel_id="C1", created_by="U1",
                                                           status=TaskStatus.sending)


def test_all_shows_approvers_every_task_and_others_their_own():
    query = ListQuery(ListScope.ALL)
    assert visible_to(query, Actor("U1", is_approver=True), "C1") == TaskFilter()
    assert visible_to(query, Actor("U1", channels=frozenset({"C1"})), "C1") == TaskFilter(created_by="U1")


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("#12", 12), ("  November   receipts ", "November receipts"), ("Big send", "Big send"),
    ("12a", "12a"),
])
def test_task_references(text, expected):
    assert parse_task_ref(text) == expected


def test_an_empty_task_reference_gets_the_usage():
    with pytest.raises(DomainError, match="Usage: `/sms status"):
        parse_task_ref("   ")
    with pytest.raises(DomainError, match="Usage: `/sms audit"):
        parse_task_ref("", usage="Usage: `/sms audit <task id or name>`")


@pytest.mark.parametrize(("status", "progress_ts", "started"), [
    ("moderating", None, False), ("scheduled", None, False), ("rejected", None, False),
    ("sending", None, True), ("paused", "1.2", True), ("completed", "1.2", True), ("failed", None, True),
    ("canceled", None, False),  # canceled before it started
    ("canceled", "1763900000.000100", True),  # stopped while sending
])
def test_which_tasks_have_per_recipient_results(status, progress_ts, started):
    assert has_started(status, progress_ts) is started


def test_recipient_filters_name_stored_statuses():
    assert recipient_statuses(RecipientFilter.ALL) is None
    assert recipient_statuses(None) is None
    assert recipient_statuses("awaiting") == ("submitted",)
    assert recipient_statuses(RecipientFilter.NOT_SENT) == ("pending", "in_flight")
    assert recipient_statuses("nonsense") is None


@pytest.mark.parametrize(("text", "expected"), [
    (None, None), ("", None), ("  ", None), ("8000", "8000"), ("0", "0"), ("•••8000", "8000"), (" 80 00 ", "8000"),
])
def test_search_by_last_digits(text, expected):
    assert parse_search(text) == expected


@pytest.mark.parametrize("text", ["80000", "13800138000", "+86", "abcd"])
def test_a_search_is_never_a_whole_number(text):
    with pytest.raises(DomainError, match="1 to 4 digits"):
        parse_search(text)


def test_pages():
    page = Page(0, 25, 300)
    assert (page.pages, page.offset, page.has_previous, page.has_next) == (12, 0, False, True)
    last = Page(11, 25, 300)
    assert (last.offset, last.has_previous, last.has_next) == (275, True, False)
    assert Page(0, 10, 0).pages == 1 and not Page(0, 10, 0).has_next


@pytest.mark.parametrize(("asked", "total", "shown"), [(0, 0, 0), (3, 25, 2), (-1, 25, 0), (1, 20, 1), (2, 20, 1)])
def test_a_page_past_the_end_shows_the_last(asked, total, shown):
    assert clamp_page(asked, 10, total).number == shown


def test_masking_shows_the_last_four_digits_only():
    assert last_four("+8613800138000") == "•••8000"
