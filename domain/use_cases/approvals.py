"""Use cases for an approver's decision on a send task: who may decide, which version, and when
an approved task really starts (a late approval asks the approver)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.approvers import Actor
from domain.content import ContentStatus
from domain.errors import DomainError
from domain.i18n import N_, _
from domain.policy import PERSON_MARK, check_can_decide, naming
from domain.schedule import LateStart, ScheduleError, StartChoice, StartRules, check_send_time, late_start
from domain.task_state import TaskAction, TaskStatus, next_status, status_label
from domain.text_rules import rejection_reason
from domain.tasks import TaskField, TaskFieldError, binding_problem, registration_problem
from domain.use_cases.applications import applications
from domain.use_cases.send_previews import content_choice, template_choice
from domain.use_cases.tasks import StaleDecision, TaskView, audit_task, existing_task, get_task, view_of
from storage.tables import Signature, Task
from storage.uow import SqlUnitOfWork as UnitOfWork


def task_to_decide(uow: UnitOfWork, task_id: int, actor: Actor, *, allow_self_approval: bool) -> TaskView:
    """The task, for a person about to approve or reject it (the reject form asks first)."""
    task = get_task(uow, task_id)
    check_can_decide(actor, task.created_by, allow_self_approval=allow_self_approval)
    return task


class NeedsStartChoice(DomainError):
    """Approving would start the task late or outside the window: the approver must choose."""

    def __init__(self, late: LateStart) -> None:
        super().__init__(_("This task cannot start as it asks: {reason}. Choose when it should send.",
                           reason=late.reason))
        self.late = late


@dataclass(frozen=True)
class Approval:
    """An approver's decision, with when the task starts if it cannot start as it asks."""

    approve: bool
    reason: str | None = None
    start: StartChoice | None = None
    reschedule_at: datetime | None = None


def decide_task(uow: UnitOfWork, task_id: int, version: int, actor: Actor, decision: Approval, *,
                allow_self_approval: bool, now: datetime, rules: StartRules) -> TaskView:
    with uow:
        task = existing_task(uow, task_id)
        check_can_decide(actor, task.created_by, allow_self_approval=allow_self_approval)
        if task.version != version:
            raise StaleDecision(_("This request is out of date: the task was edited since. Review its latest "
                                  "request."))
        if task.status != TaskStatus.moderating:
            raise StaleDecision(already_decided(task.status, task.decided_by))
        reason, problem = rejection_reason(decision.reason) if not decision.approve else (None, None)
        if problem:
            raise DomainError(problem)
        start = {}
        if decision.approve:
            _check_content_still_approved(uow, task)
            _check_signature_still_allowed(uow, task)
            _check_still_registered(uow, task)
            start = _start_of(task, decision, now, rules)
        action = TaskAction.approve if decision.approve else TaskAction.reject
        moved = uow.tasks.move(task_id, from_status=TaskStatus.moderating, to_status=next_status(task.status, action),
                               version=version, decided_by=actor.user_id, decided_at=now,
                               reason=reason, **start)
        if not moved:
            current = uow.tasks.get(task_id)
            raise StaleDecision(already_decided(current.status, current.decided_by))
        audit_task(uow, actor.user_id, str(action), task_id, version=version, reason=reason,
               start=decision.start, send_at=start["send_at"].isoformat() if start else None)
        if decision.approve:
            uow.tasks.announce_due()  # its dispatchers start it now, not at the next tick
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))


def already_decided(status: str, decided_by: str | None) -> str:
    """Why a decision comes too late: who decided first, and where the task stands."""
    if decided_by is None:
        return _("This task was already decided: it is {status}.", status=status_label(status))
    return naming(_("This task was already decided by {person}: it is {status}.", person=PERSON_MARK,
                    status=status_label(status)), decided_by)


def _start_of(task: Task, decision: Approval, now: datetime, rules: StartRules) -> dict:
    """A new send time when the task cannot start as it asks: the approver's choice, checked
    here (a crafted request gets no other time), or a refusal that asks for the choice."""
    late = late_start(task.send_at, now, rules.window, windowed=rules.windowed(task.purpose))
    if late is None:
        return {}
    if decision.start is None:
        raise NeedsStartChoice(late)
    if decision.start is StartChoice.EARLIEST:
        return {"send_at": late.earliest}
    if decision.reschedule_at is None:
        raise TaskFieldError(TaskField.SEND_AT, _("Pick the date and time it should send."))
    try:
        check_send_time(decision.reschedule_at, now, rules.window)
    except ScheduleError as error:
        raise TaskFieldError(TaskField.SEND_AT, str(error)) from None
    return {"send_at": decision.reschedule_at}


def _check_content_still_approved(uow: UnitOfWork, task: Task) -> None:
    """Content may have changed or been disabled since the task was made."""
    used = [uow.signatures.get(task.signature_id), uow.templates.get(task.template_id)]
    if task.fallback_template_id:
        used.append(uow.templates.get(task.fallback_template_id))
    for content in used:
        if content.status != ContentStatus.APPROVED:
            unapproved = NOT_APPROVED_SIGNATURE if isinstance(content, Signature) else NOT_APPROVED_TEMPLATE
            status = _(CONTENT_STATUSES.get(content.status, content.status))
            raise DomainError(_(unapproved, name=content.name, status=status))


# The content a task uses that is no longer approved (its status in words, `CONTENT_STATUSES`).
NOT_APPROVED_SIGNATURE = N_("The signature “{name}” is {status}: it must be approved before this task can be.")
NOT_APPROVED_TEMPLATE = N_("The template “{name}” is {status}: it must be approved before this task can be.")
CONTENT_STATUSES = {ContentStatus.PENDING: N_("pending"), ContentStatus.APPROVED: N_("approved"),
                    ContentStatus.REJECTED: N_("rejected"), ContentStatus.DISABLED: N_("disabled")}


def _check_still_registered(uow: UnitOfWork, task: Task) -> None:
    """The content may have been unregistered from an application the task's numbers go
    through since it was submitted: it would not get through there."""
    used = {part["application_id"] for part in task.split or []}
    routes = [app for app in applications(uow) if app.id in used]
    content = [(content_choice(uow, uow.signatures.get(task.signature_id)), "signature")]
    content += [(template_choice(uow, uow.templates.get(template_id)), "template")
                for template_id in filter(None, (task.template_id, task.fallback_template_id))]
    for choice, kind in content:
        if problem := registration_problem(choice, kind, routes):
            raise DomainError(_("{problem} This task cannot be approved until then.", problem=problem))


def _check_signature_still_allowed(uow: UnitOfWork, task: Task) -> None:
    """A template's signatures may have changed since the task was made (and been approved so)."""
    signature = content_choice(uow, uow.signatures.get(task.signature_id))
    for template_id in filter(None, (task.template_id, task.fallback_template_id)):
        if problem := binding_problem(template_choice(uow, uow.templates.get(template_id)), signature):
            raise DomainError(_("{problem} This task's signature is “{name}”: edit the task to choose another "
                                "before it can be approved.", problem=problem, name=signature.name))
