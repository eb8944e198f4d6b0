"""The task state machine: the table, the refusals and their words, and a walk through it."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.task_state import (
    FINAL_STATUSES,
    STATUS_LABELS,
    SYSTEM_ACTIONS,
    TRANSITIONS,
    USER_ACTIONS,
    InvalidTransition,
    TaskAction,
    TaskStatus,
    allowed_actions,
    allowed_from,
    next_status,
)

S, A = TaskStatus, TaskAction

EXPECTED = {
    (S.moderating, A.approve): S.scheduled,
    (S.moderating, A.reject): S.rejected,
    (S.moderating, A.edit): S.moderating,
    (S.moderating, A.cancel): S.canceled,
    (S.rejected, A.edit): S.moderating,
    (S.rejected, A.delete): None,
    (S.scheduled, A.edit): S.moderating,
    (S.scheduled, A.cancel): S.canceled,
    (S.scheduled, A.start): S.sending,
    (S.scheduled, A.auto_cancel): S.canceled,
    (S.scheduled, A.delete): None,
    (S.sending, A.pause): S.paused,
    (S.sending, A.cancel): S.canceled,
    (S.sending, A.complete): S.completed,
    (S.sending, A.fail): S.failed,
    (S.completed, A.fail): S.failed,
    (S.paused, A.resume): S.sending,
    (S.paused, A.cancel): S.canceled,
    (S.canceled, A.delete): None,
}
DISALLOWED = [pair for pair in itertools.product(S, A) if pair not in EXPECTED]
RESULTS = {result for result in TRANSITIONS.values()}


def test_the_statuses_and_actions_are_the_products():
    assert [s.value for s in S] == [
        "moderating", "rejected", "scheduled", "sending", "paused", "completed", "failed", "canceled",
    ]  # fmt: skip
    assert {a.value for a in A} == {
        "approve", "reject", "edit", "cancel", "delete", "start",
        "pause", "resume", "complete", "fail", "auto_cancel",
    }  # fmt: skip
    assert S("sending") is S.sending and S.sending == "sending"


def test_the_table_is_exactly_the_expected_one():
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("current", "action"), list(EXPECTED), ids=lambda x: str(x))
def test_every_allowed_move(current, action):
    assert next_status(current, action) == EXPECTED[current, action]
    assert next_status(current.value, action.value) == EXPECTED[current, action]  # strings from storage
    assert action in allowed_actions(current)
    assert current in allowed_from(action)


@pytest.mark.parametrize(("current", "action"), DISALLOWED, ids=lambda x: str(x))
def test_every_disallowed_move_says_why(current, action):
    with pytest.raises(InvalidTransition) as raised:
        next_status(current, action)
    error = raised.value
    assert isinstance(error, DomainError)
    assert (error.current, error.action) == (current, action)
    message = str(error)
    assert message.startswith("This task is ")
    assert STATUS_LABELS[current] in message
    for source in allowed_from(action):
        assert STATUS_LABELS[source] in message.split(";", 1)[1]
    assert action not in allowed_actions(current)


@pytest.mark.parametrize(
    ("current", "action", "message"),
    [
        (S.completed, A.pause, "This task is completed; only a sending task can be paused."),
        (S.paused, A.pause, "This task is already paused; only a sending task can be paused."),
        (S.completed, A.delete, "This task is completed; only a rejected, scheduled or canceled task can be deleted."),
        (S.sending, A.approve, "This task is sending; only a task awaiting approval can be approved."),
        (S.moderating, A.start, "This task is awaiting approval; only a scheduled task can be started."),
        (
            S.completed,
            A.cancel,
            "This task is completed; only a task that is awaiting approval, scheduled, sending or paused"
            " can be canceled.",
        ),
        (
            S.sending,
            A.edit,
            "This task is sending; only a task that is awaiting approval, rejected or scheduled"
            " can be edited.",
        ),
    ],
)
def test_messages_read_as_sentences(current, action, message):
    with pytest.raises(InvalidTransition) as raised:
        next_status(current, action)
    assert str(raised.value) == message


def test_unknown_values_are_a_programming_error_not_a_domain_error():
    with pytest.raises(ValueError):
        next_status("archived", A.cancel)
    with pytest.raises(ValueError):
        next_status(S.sending, "explode")


def test_final_statuses():
    assert FINAL_STATUSES == {S.completed, S.failed, S.canceled}
    assert allowed_actions(S.completed) & USER_ACTIONS == allowed_actions(S.failed) == frozenset()
    assert allowed_actions(S.canceled) == {A.delete}


def test_buttons_a_thread_shows():
    assert USER_ACTIONS | SYSTEM_ACTIONS == set(A) and not USER_ACTIONS & SYSTEM_ACTIONS
    assert allowed_actions(S.moderating) & USER_ACTIONS == {A.approve, A.reject, A.edit, A.cancel}
    assert allowed_actions(S.scheduled) & USER_ACTIONS == {A.edit, A.cancel, A.delete}
    assert allowed_actions(S.sending) & USER_ACTIONS == {A.pause, A.cancel}
    assert allowed_actions(S.paused) & USER_ACTIONS == {A.resume, A.cancel}
    assert allowed_actions(S.rejected) & USER_ACTIONS == {A.edit, A.delete}


def reachable(start):
    seen, todo = {start}, [start]
    while todo:
        status = todo.pop()
        for action in allowed_actions(status):
            result = next_status(status, action)
            if result is not None and result not in seen:
                seen.add(result)
                todo.append(result)
    return seen


def test_every_status_is_reachable_and_every_task_can_end():
    assert reachable(S.moderating) == set(S)
    for status in S:
        assert reachable(status) & FINAL_STATUSES, status


@settings(max_examples=500, database=None)
@given(st.lists(st.sampled_from(list(A)), max_size=40))
def test_any_sequence_of_actions_from_moderating(actions):
    status = S.moderating
    for action in actions:
        allowed = action in allowed_actions(status)
        try:
            result = next_status(status, action)
        except InvalidTransition as error:
            assert not allowed
            assert STATUS_LABELS[status] in str(error)
            continue
        assert allowed
        assert result in RESULTS
        if result is None:  # deleted: nothing more can happen to it
            assert status in {S.rejected, S.scheduled, S.canceled}  # nothing was sent
            return
        status = result
