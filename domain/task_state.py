"""The task state machine: which action moves a task from which status to which. Pure.

One table, ``TRANSITIONS``, is the whole rule; everything else here is derived from it.

Lifecycle: moderating -approve-> scheduled -start-> sending -complete-> completed
(or -fail-> failed: the provider refused the account, credentials or content; and a completed
send -fail-> failed once its last receipt is in and every message failed); moderating -reject-> rejected; sending <-pause/resume-> paused;
scheduled -auto_cancel-> canceled; scheduled, sending and paused -cancel-> canceled.

- ``edit`` from moderating, rejected or scheduled sends the task back to approval.
- ``cancel`` also withdraws a task still awaiting approval (moderating): nothing has been
  sent and the sender no longer wants it, so it should not sit in the approvers' queue.
- ``delete`` is allowed for rejected and canceled tasks, and for scheduled ones (nothing was
  sent; the cancel cutoff in ``domain.schedule`` applies). Its result is ``None``: the
  task no longer exists, so there is no ``deleted`` status to filter out of every query.
  (A task canceled while sending may have sent messages; the use case that deletes it
  should leave an audit entry.)
- Completed, failed and canceled tasks are over (``FINAL_STATUSES``); completed and failed
  ones are kept for the record and offer no action. A failed task is retried by copying it.

Time rules (5-minute edit cutoff, 24-hour auto-cancel, sending window) live in
``domain.schedule``; who may do what lives in the approvals policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from domain.errors import DomainError
from domain.i18n import N_, _
from storage.statuses import TaskStatus


class TaskAction(StrEnum):
    approve = "approve"
    reject = "reject"
    edit = "edit"
    cancel = "cancel"
    delete = "delete"
    start = "start"  # the scheduler starts a due task
    pause = "pause"
    resume = "resume"
    complete = "complete"
    fail = "fail"
    auto_cancel = "auto_cancel"  # not started within 24 h of its send time


S, A = TaskStatus, TaskAction

#: Every allowed move. ``None`` as a result means the task is deleted.
TRANSITIONS: dict[tuple[TaskStatus, TaskAction], TaskStatus | None] = {
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
    (S.completed, A.fail): S.failed,  # the last receipt is in, and every message failed
    (S.paused, A.resume): S.sending,
    (S.paused, A.cancel): S.canceled,
    (S.canceled, A.delete): None,
}

del S, A

#: Actions the bot takes by itself; never shown as buttons.
SYSTEM_ACTIONS: frozenset[TaskAction] = frozenset(
    {TaskAction.start, TaskAction.complete, TaskAction.fail, TaskAction.auto_cancel}
)
#: Actions a person takes (subject to the approvals policy).
USER_ACTIONS: frozenset[TaskAction] = frozenset(TaskAction) - SYSTEM_ACTIONS

#: Statuses whose lifecycle is over: no action a person takes leads anywhere but (perhaps)
#: deletion (the bot still marks a completed send failed once its last receipt says so).
FINAL_STATUSES: frozenset[TaskStatus] = frozenset(
    status
    for status in TaskStatus
    if all(result is None for (source, action), result in TRANSITIONS.items()
           if source is status and action not in SYSTEM_ACTIONS)
)

#: How a status reads in a sentence ("This task is ..."), in English: shown with `_()`
#: (`status_label` does it).
STATUS_LABELS: dict[TaskStatus, str] = {
    TaskStatus.moderating: N_("awaiting approval"),
    TaskStatus.rejected: N_("rejected"),
    TaskStatus.scheduled: N_("scheduled"),
    TaskStatus.sending: N_("sending"),
    TaskStatus.paused: N_("paused"),
    TaskStatus.completed: N_("completed"),
    TaskStatus.failed: N_("failed"),
    TaskStatus.canceled: N_("canceled"),
}

#: How an action reads after "can ...".
_ACTION_PARTICIPLES: dict[TaskAction, str] = {
    TaskAction.approve: N_("be approved"),
    TaskAction.reject: N_("be rejected"),
    TaskAction.edit: N_("be edited"),
    TaskAction.cancel: N_("be canceled"),
    TaskAction.delete: N_("be deleted"),
    TaskAction.start: N_("be started"),
    TaskAction.pause: N_("be paused"),
    TaskAction.resume: N_("be resumed"),
    TaskAction.complete: N_("be marked completed"),
    TaskAction.fail: N_("be marked failed"),
    TaskAction.auto_cancel: N_("be canceled automatically"),
}


def status_label(status: TaskStatus | str) -> str:
    """How a status reads in a sentence, in the reader's language."""
    return _(STATUS_LABELS[TaskStatus(status)])


class InvalidTransition(DomainError):
    """The action is not allowed in the task's current status."""

    def __init__(self, current: TaskStatus, action: TaskAction) -> None:
        self.current = current
        self.action = action
        super().__init__(_explain(current, action))


def next_status(current: TaskStatus | str, action: TaskAction | str) -> TaskStatus | None:
    """The status after ``action``; ``None`` if the action deletes the task.

    Raises ``InvalidTransition`` (a ``DomainError``) saying why when the move is not allowed.
    """
    current, action = TaskStatus(current), TaskAction(action)
    try:
        return TRANSITIONS[current, action]
    except KeyError:
        raise InvalidTransition(current, action) from None


def allowed_actions(status: TaskStatus | str) -> frozenset[TaskAction]:
    """Every action ``next_status`` accepts from ``status`` (system actions included;
    intersect with ``USER_ACTIONS`` to choose the buttons a thread shows)."""
    status = TaskStatus(status)
    return frozenset(action for (source, action) in TRANSITIONS if source is status)


def allowed_from(action: TaskAction | str) -> frozenset[TaskStatus]:
    """The statuses from which ``action`` is allowed."""
    action = TaskAction(action)
    return frozenset(source for (source, act) in TRANSITIONS if act is action)


def _explain(current: TaskStatus, action: TaskAction) -> str:
    results = {result for (_source, act), result in TRANSITIONS.items() if act is action}
    sources = [status for status in TaskStatus if status in allowed_from(action)]  # table order
    said = (_("This task is already {status}; only {tasks} can {done}.") if current in results
            else _("This task is {status}; only {tasks} can {done}."))
    return said.format(status=status_label(current), tasks=_a_task_that_is(sources),
                       done=_(_ACTION_PARTICIPLES[action]))


def _a_task_that_is(statuses: Iterable[TaskStatus]) -> str:
    english = [STATUS_LABELS[status] for status in statuses]
    labels = [_(label) for label in english]
    joined = labels[0]
    for label in labels[1:-1]:
        joined = _("{statuses}, {status}", statuses=joined, status=label)
    if len(labels) > 1:
        joined = _("{statuses} or {status}", statuses=joined, status=labels[-1])
    if all(" " not in label for label in english):
        return _("a {labels} task", labels=joined)  # "a scheduled task", "a rejected or canceled task"
    return _("a task {labels}", labels=joined) if len(labels) == 1 else _("a task that is {labels}", labels=joined)
