"""Use cases for send tasks: create, review, edit, cancel, delete, copy, and the stale-task sweep."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain.approvers import Actor
from domain.audit_trail import APPROVED, CREATED, Recorded, approver_of
from domain.content import Purpose, TemplateKind
from domain.errors import DomainError
from domain.i18n import N_, _
from domain.names import fitted_into
from domain.policy import NOT_YOUR_LIST, check_may_see_task, check_owner_or_approver, may_use_list
from domain.schedule import Cutoffs, SendWindow, check_can_cancel, check_can_edit, is_stale
from domain.send_measure import SendMeasure, check_send_measure
from domain.task_state import TaskAction, TaskStatus, next_status, status_label
from domain.tasks import (
    TASK_NAME_MAX,
    Composition,
    Fallback,
    RecipientsSummary,
    TaskDraft,
    TaskField,
    TaskInvalid,
    check_draft,
)
from domain.applications import MAINLAND_PREFIX
from domain.use_cases.applications import check_routable, current_routing, split_of
from domain.use_cases.recipients import PreparedImport, store_import
from domain.use_cases.send_previews import content_choice, measured_send, message_plan_for, template_choice
from storage.errors import AlreadyExists
from storage.tables import AuditEntry, Task
from storage.uow import SqlUnitOfWork as UnitOfWork


class TaskNotFound(DomainError):
    pass


class StaleDecision(DomainError):
    pass


class AlreadySubmitted(DomainError):
    """The same submission made a task already (a double submit, or Slack delivering it twice)."""

    def __init__(self) -> None:
        super().__init__(_("This form was submitted already: its task is waiting for approval."))


# Why the sweep canceled a task: stored in English, translated where shown.
NOT_STARTED_IN_TIME = N_("not started within 24 hours of its send time")


@dataclass(frozen=True)
class TaskView:
    id: int
    name: str
    status: TaskStatus
    created_by: str
    purpose: str
    kind: str
    signature_id: int
    signature: str
    template_id: int
    template: str
    fallback: str
    fallback_template_id: int | None
    fallback_template: str | None
    default_link: str | None
    recipient_list_id: int
    recipient_count: int
    send_at: datetime | None
    version: int
    origin_channel: str
    thread_channel: str | None
    thread_ts: str | None
    decided_by: str | None  # who decided its latest turn: approved or rejected it, or ended it
    reason: str | None
    progress_ts: str | None = None
    finished_at: datetime | None = None  # reached a final state: its details' retention runs from here
    details_purged_at: datetime | None = None
    segments: int | None = None  # every message's, counted at submission (None: a task made before)
    too_long: int = 0  # recipients skipped because their message is over the limit
    report_ts: str | None = None  # the final report in its thread
    chart_file_id: str | None = None  # the delivery chart posted with it
    submitted_channel: str | None = None  # the "submitted" message in the requester's channel (or DM)
    submitted_ts: str | None = None
    approved_by: str | None = None  # who approved it as it stands, kept once it is over (see approver_of)
    split: list[dict] | None = None  # each kind of number's application and part, as submitted

    def draft(self) -> TaskDraft:
        """The task as the send modal shows it for an edit."""
        return TaskDraft(name=self.name, purpose=Purpose(self.purpose), kind=TemplateKind(self.kind),
                         recipient_list_id=self.recipient_list_id, signature_id=self.signature_id,
                         template_id=self.template_id, fallback=Fallback(self.fallback),
                         fallback_template_id=self.fallback_template_id, default_link=self.default_link,
                         send_at=self.send_at, skip_too_long=self.too_long > 0)


def view_of(uow: UnitOfWork, task: Task) -> TaskView:
    fallback_template = uow.templates.get(task.fallback_template_id) if task.fallback_template_id else None
    return TaskView(
        id=task.id, name=task.name, status=TaskStatus(task.status), created_by=task.created_by,
        purpose=task.purpose, kind=task.kind, signature_id=task.signature_id,
        signature=uow.signatures.get(task.signature_id).name, template_id=task.template_id,
        template=uow.templates.get(task.template_id).name, fallback=task.fallback,
        fallback_template_id=task.fallback_template_id,
        fallback_template=fallback_template.name if fallback_template else None, default_link=task.default_link,
        recipient_list_id=task.recipient_list_id, recipient_count=task.recipient_count, send_at=task.send_at,
        version=task.version, origin_channel=task.origin_channel, thread_channel=task.thread_channel,
        thread_ts=task.thread_ts, decided_by=task.decided_by, reason=task.reason, progress_ts=task.progress_ts,
        finished_at=task.finished_at, details_purged_at=task.details_purged_at, segments=task.segments,
        too_long=task.too_long, report_ts=task.report_ts, chart_file_id=task.chart_file_id,
        submitted_channel=task.submitted_channel, submitted_ts=task.submitted_ts,
        approved_by=_approved_by(uow, task), split=task.split,
    )


def recorded(entry: AuditEntry) -> Recorded:
    return Recorded(entry.at, entry.actor, entry.action, dict(entry.detail or {}))


def _approved_by(uow: UnitOfWork, task: Task) -> str | None:
    """From the audit log: a task canceled or stopped after its approval names who ended it in
    `decided_by`, and its approver only there."""
    if task.status in (TaskStatus.moderating, TaskStatus.rejected):
        return None  # never approved as it stands: no need to ask the log
    entries = uow.audit.for_target("task", str(task.id), actions=(CREATED, APPROVED))
    return approver_of(task.status, task.version, task.decided_by, [recorded(entry) for entry in entries])


def task_channels(task: Task) -> tuple[str | None, ...]:
    """The conversations a task was asked from or posted in: their members may see it."""
    return task.origin_channel, task.thread_channel


def existing_task(uow: UnitOfWork, task_id: int) -> Task:
    task = uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound(_("That task no longer exists."))
    return task


def audit_task(uow: UnitOfWork, actor_id: str, action: str, task_id: int, **detail) -> None:
    uow.audit.add(AuditEntry(actor=actor_id, action=f"task.{action}", target_type="task", target_id=str(task_id),
                             detail=detail))


def _checked(uow: UnitOfWork, draft: TaskDraft, now: datetime, window: SendWindow,
             composition: Composition) -> tuple[TaskDraft, int, SendMeasure | None, list[dict] | None]:
    """The draft's rules, then every recipient's message measured and its part for each SMS
    application (None while the recipients are still to come)."""
    recipient_list = uow.recipient_lists.get(draft.recipient_list_id) if draft.recipient_list_id else None
    summary = RecipientsSummary(recipient_list.imported_count, list(recipient_list.variables)) if recipient_list else None
    signature = uow.signatures.get(draft.signature_id) if draft.signature_id else None
    template = uow.templates.get(draft.template_id) if draft.template_id else None
    fallback = uow.templates.get(draft.fallback_template_id) if draft.fallback_template_id else None
    routes = current_routing(uow, composition.provider)
    mainland = uow.recipient_lists.count_with_prefix(recipient_list.id, MAINLAND_PREFIX) if recipient_list else 0
    check_routable(routes, mainland=mainland, international=summary.count - mainland if summary else 0)
    checked = check_draft(
        draft, recipients=summary, signature=content_choice(uow, signature) if signature else None,
        template=template_choice(uow, template) if template else None,
        fallback_template=template_choice(uow, fallback) if fallback else None, now=now, window=window,
        routes=[app for app, count in ((routes.mainland, mainland), (routes.international, summary.count - mainland))
                if app is not None and count] if summary else (),
    )
    if recipient_list is None:
        return checked, 0, None, None
    measured = measured_send(uow, recipient_list, message_plan_for(template, signature, fallback, checked.purpose, composition,
                                                        recipient_list.variables))
    check_send_measure(measured, skip_too_long=checked.skip_too_long)
    return checked, summary.count, measured, split_of(routes, measured)


def _content_fields(draft: TaskDraft, recipient_count: int, measured: SendMeasure, split: list[dict]) -> dict:
    return dict(name=draft.name, purpose=draft.purpose, kind=draft.kind, signature_id=draft.signature_id,
                template_id=draft.template_id, fallback=draft.fallback, fallback_template_id=draft.fallback_template_id,
                default_link=draft.default_link, recipient_list_id=draft.recipient_list_id,
                recipient_count=recipient_count, send_at=draft.send_at, segments=measured.segments,
                too_long=measured.too_long, split=split)


def precheck_draft(uow: UnitOfWork, draft: TaskDraft, now: datetime, window: SendWindow,
                   composition: Composition) -> None:
    """Every problem of a draft whose recipients are still to be read (a file): checked before
    the file is fetched, so a form that cannot pass is answered at once."""
    with uow:
        try:
            _checked(uow, replace(draft, recipient_list_id=None), now, window, composition)
        except TaskInvalid as invalid:
            problems = {field: text for field, text in invalid.problems.items() if field is not TaskField.RECIPIENTS}
            if problems:
                raise TaskInvalid(problems) from None


def _check_list_usable(uow: UnitOfWork, list_id: int | None, actor: Actor) -> None:
    """A task sends only to a list its requester may use, whatever id the submission named."""
    recipient_list = uow.recipient_lists.get(list_id) if list_id else None
    if recipient_list is not None and not may_use_list(actor, uploader=recipient_list.created_by,
                                                       channel_id=recipient_list.channel_id):
        raise TaskInvalid({TaskField.RECIPIENTS: NOT_YOUR_LIST})


def _with_new_recipients(uow: UnitOfWork, draft: TaskDraft, new_recipients: PreparedImport | None) -> TaskDraft:
    """New recipients are stored in the task's own transaction: refused, neither is kept."""
    if new_recipients is None:
        return draft
    source = new_recipients.source
    earlier = (uow.recipient_lists.by_slack_file(source.slack_file_id, source.user_id, source.channel_id)
               if source.slack_file_id else None)  # the same Slack file, read before for this person here
    return replace(draft, recipient_list_id=earlier.id if earlier else store_import(uow, new_recipients).id)


def create_task(uow: UnitOfWork, draft: TaskDraft, actor: Actor, *, origin_channel: str, now: datetime,
                window: SendWindow, composition: Composition, new_recipients: PreparedImport | None = None,
                submission_key: str | None = None) -> TaskView:
    """A new task, in moderating: it waits for an approver. `submission_key`: the submission it
    comes from; the same one again makes nothing (`AlreadySubmitted`), even at the same moment."""
    with uow:
        if submission_key and uow.tasks.by_submission(submission_key) is not None:
            raise AlreadySubmitted()
        _check_list_usable(uow, draft.recipient_list_id, actor)
        draft = _with_new_recipients(uow, draft, new_recipients)
        checked, count, measured, split = _checked(uow, draft, now, window, composition)
        try:
            task = uow.tasks.add(Task(status=TaskStatus.moderating, created_by=actor.user_id,
                                      origin_channel=origin_channel, submission_key=submission_key,
                                      **_content_fields(checked, count, measured, split)))
        except AlreadyExists:
            raise AlreadySubmitted() from None
        audit_task(uow, actor.user_id, "created", task.id, name=checked.name, recipients=count)
        uow.commit()
        return view_of(uow, task)


def get_task(uow: UnitOfWork, task_id: int) -> TaskView:
    with uow:
        task = existing_task(uow, task_id)
        return view_of(uow, task)


def task_to_edit(uow: UnitOfWork, task_id: int, actor: Actor, *, now: datetime, tz: str, cutoffs: Cutoffs) -> TaskView:
    """The task, for its requester or an approver about to edit it: refused before the form opens
    if its status or its cutoff no longer allows an edit."""
    with uow:
        task = existing_task(uow, task_id)
        check_owner_or_approver(actor, task.created_by, _("edit it"))
        _check_open(task, TaskAction.edit, now, cutoffs, tz)
        return view_of(uow, task)


def record_task_thread(uow: UnitOfWork, task_id: int, channel: str, ts: str) -> None:
    with uow:
        uow.tasks.set_thread(task_id, channel, ts)
        uow.commit()


def record_submitted_message(uow: UnitOfWork, task_id: int, channel: str, ts: str) -> None:
    with uow:
        uow.tasks.set_submitted_message(task_id, channel, ts)
        uow.commit()


def withdraw_task(uow: UnitOfWork, task_id: int, reason: str) -> None:
    """A new task whose approval request Slack refused (`reason`): taken back, so that none
    waits for an approval no approver was asked for. A task with a thread stays."""
    with uow:
        task = uow.tasks.get(task_id)
        if task is None or task.thread_ts is not None:
            return
        if uow.tasks.delete(task_id, from_status=TaskStatus.moderating):
            audit_task(uow, "smsbot", "withdrawn", task_id, name=task.name, requested_by=task.created_by, reason=reason)
        uow.commit()


def _move(uow: UnitOfWork, task: Task, action: TaskAction, actor_id: str, **fields) -> Task:
    target = next_status(task.status, action)
    if not uow.tasks.move(task.id, from_status=task.status, to_status=target, **fields):
        current = uow.tasks.get(task.id)
        raise StaleDecision(_("Someone else changed this task first: it is {status} now.",
                              status=status_label(current.status)))
    audit_task(uow, actor_id, str(action), task.id, reason=fields.get("reason"))
    return uow.tasks.get(task.id)


def _may_change(task: Task, actor: Actor) -> None:
    check_owner_or_approver(actor, task.created_by, _("change this task"))


def edit_task(uow: UnitOfWork, task_id: int, draft: TaskDraft, actor: Actor, *, now: datetime, window: SendWindow,
              composition: Composition, cutoffs: Cutoffs, new_recipients: PreparedImport | None = None) -> TaskView:
    """New content: back to moderating, and any earlier approval no longer counts."""
    with uow:
        task = existing_task(uow, task_id)
        _may_change(task, actor)
        _check_open(task, TaskAction.edit, now, cutoffs, window.tz)
        if draft.recipient_list_id != task.recipient_list_id:  # the task's own list stays usable to an editor
            _check_list_usable(uow, draft.recipient_list_id, actor)
        draft = _with_new_recipients(uow, draft, new_recipients)
        checked, count, measured, split = _checked(uow, draft, now, window, composition)
        if not uow.tasks.replace_content(task_id, from_status=task.status, version=task.version,
                                         **_content_fields(checked, count, measured, split)):
            raise StaleDecision(_("Someone else changed this task first. Open it again."))
        audit_task(uow, actor.user_id, "edited", task_id, version=task.version + 1)
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))


def _check_open(task: Task, action: TaskAction, now: datetime, cutoffs: Cutoffs, tz: str) -> None:
    """The action is allowed from the task's status, and a scheduled task's cutoff has not closed it."""
    next_status(task.status, action)
    if task.status != TaskStatus.scheduled or task.send_at is None:
        return
    if action is TaskAction.edit:
        check_can_edit(task.send_at, now, cutoffs, tz)
    else:
        check_can_cancel(task.send_at, now, cutoffs, tz)


def cancel_task(uow: UnitOfWork, task_id: int, actor: Actor, *, now: datetime, tz: str, cutoffs: Cutoffs) -> TaskView:
    with uow:
        task = existing_task(uow, task_id)
        _may_change(task, actor)
        _check_open(task, TaskAction.cancel, now, cutoffs, tz)
        # Who canceled it decided its end; the card names them (decided_by), no reason needed.
        task = _move(uow, task, TaskAction.cancel, actor.user_id, decided_by=actor.user_id, finished_at=now)
        uow.commit()
        return view_of(uow, task)


def delete_task(uow: UnitOfWork, task_id: int, actor: Actor, *, now: datetime, tz: str, cutoffs: Cutoffs) -> str:
    """A rejected or canceled task, or a scheduled one up to its cancel cutoff (nothing was sent)."""
    with uow:
        task = existing_task(uow, task_id)
        _may_change(task, actor)
        _check_open(task, TaskAction.delete, now, cutoffs, tz)
        if not uow.tasks.delete(task_id, from_status=task.status):
            raise StaleDecision(_("Someone else changed this task first."))
        audit_task(uow, actor.user_id, "deleted", task_id, name=task.name)
        uow.commit()
        return task.name


def copy_source(uow: UnitOfWork, task_id: int, actor: Actor) -> tuple[TaskDraft, dict]:
    """What a copy starts from: the same content and no send time; the recipients are chosen anew
    (the original list is offered as an option, and used only if the copier may use it)."""
    with uow:
        task = existing_task(uow, task_id)
        check_may_see_task(actor, requester=task.created_by, channels=task_channels(task))
        name = fitted_into(lambda name: _("Copy of {name}", name=name), task.name, TASK_NAME_MAX)
        draft = TaskDraft(name=name, purpose=Purpose(task.purpose),
                          kind=TemplateKind(task.kind),
                          recipient_list_id=None, signature_id=task.signature_id, template_id=task.template_id,
                          fallback=Fallback(task.fallback), fallback_template_id=task.fallback_template_id,
                          default_link=task.default_link)
        return draft, {"previous_list_id": task.recipient_list_id}


def passed_a_cutoff(uow: UnitOfWork, since: datetime, now: datetime, cutoffs: Cutoffs) -> list[TaskView]:
    """Scheduled tasks whose edit or cancel cutoff passed in (since, now]: their cards lose the
    buttons it closed."""
    with uow:
        found = {task.id: task for cutoff in (cutoffs.edit, cutoffs.cancel)
                 for task in uow.tasks.scheduled_between(since + cutoff, now + cutoff)}
        return [view_of(uow, found[task_id]) for task_id in sorted(found)]


def cancel_stale_tasks(uow: UnitOfWork, now: datetime) -> list[TaskView]:
    """Scheduled tasks not started within 24 hours of their send time. Safe in two processes
    at once: each task moves once, and only the process that moved it reports it."""
    canceled = []
    with uow:
        for task in uow.tasks.scheduled_before(now):
            if task.send_at is None or not is_stale(task.send_at, now):
                continue
            # No one ended it: its approver (decided_by so far) is not named as who canceled it.
            if uow.tasks.move(task.id, from_status=TaskStatus.scheduled, to_status=TaskStatus.canceled,
                              reason=NOT_STARTED_IN_TIME, finished_at=now,
                              decided_by=None):
                audit_task(uow, "smsbot", str(TaskAction.auto_cancel), task.id)
                canceled.append(task.id)
        uow.commit()
        return [view_of(uow, uow.tasks.get(task_id)) for task_id in canceled]
