"""Use cases for send tasks: create, review, edit, cancel, delete, copy, and the stale-task sweep."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from domain.errors import Person, Said
from domain.policy import check_can_decide, check_owner_or_approver
from domain.approvers import Actor
from domain.content import ContentStatus, Purpose, TemplateKind
from domain.errors import DomainError
from domain.segments import SignatureStyle
from domain.schedule import (
    LateStart,
    ScheduleError,
    SendWindow,
    StartChoice,
    StartRules,
    check_can_change,
    check_send_time,
    is_stale,
    late_start,
)
from domain.task_state import TaskAction, TaskStatus, next_status
from domain.tasks import (
    Composition,
    ContentChoice,
    Fallback,
    Preview,
    RecipientsSummary,
    TaskDraft,
    TaskField,
    TaskFieldError,
    TaskInvalid,
    check_draft,
    preview_message,
    sent_as,
)
from domain.dispatch import MessagePlan
from domain.send_measure import SendMeasure, check_send_measure, measure_send, preview_of
from domain.use_cases.recipients import PreparedImport, store_import
from storage.tables import AuditEntry, RecipientList, Signature, Task, Template
from storage.uow import SqlUnitOfWork as UnitOfWork


class TaskNotFound(DomainError):
    pass


class StaleDecision(DomainError):
    pass


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
    decided_by: str | None
    reason: str | None
    progress_ts: str | None = None
    finished_at: datetime | None = None  # reached a final state: its details' retention runs from here
    details_purged_at: datetime | None = None
    segments: int | None = None  # every message's, counted at submission (None: a task made before)
    too_long: int = 0  # recipients skipped because their message is over the limit

    def draft(self) -> TaskDraft:
        """The task as the send modal shows it for an edit."""
        return TaskDraft(name=self.name, purpose=Purpose(self.purpose), kind=TemplateKind(self.kind),
                         recipient_list_id=self.recipient_list_id, signature_id=self.signature_id,
                         template_id=self.template_id, fallback=Fallback(self.fallback),
                         fallback_template_id=self.fallback_template_id, default_link=self.default_link,
                         send_at=self.send_at, skip_too_long=self.too_long > 0)


@dataclass(frozen=True)
class SendChoices:
    signatures: list[ContentChoice]
    templates: list[ContentChoice]  # approved, of every kind: the modal filters by message type


@dataclass(frozen=True)
class RecipientsPreview:
    summary: RecipientsSummary
    first: dict[str, str]


def _choice(row: Signature | Template) -> ContentChoice:
    return ContentChoice(row.id, row.name, row.status, getattr(row, "kind", None), getattr(row, "purpose", None),
                         getattr(row, "body", ""), getattr(row, "provider_code", None))


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
        too_long=task.too_long,
    )


def existing_task(uow: UnitOfWork, task_id: int) -> Task:
    task = uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound("That task no longer exists.")
    return task


def _audit(uow: UnitOfWork, actor_id: str, action: str, task_id: int, **detail) -> None:
    uow.audit.add(AuditEntry(actor=actor_id, action=f"task.{action}", target_type="task", target_id=str(task_id),
                             detail=detail))


def send_choices(uow: UnitOfWork) -> SendChoices:
    with uow:
        return SendChoices(
            signatures=[_choice(s) for s in uow.signatures.all(ContentStatus.APPROVED)],
            templates=[_choice(t) for t in uow.templates.all(ContentStatus.APPROVED)],
        )


def list_size(uow: UnitOfWork, list_id: int) -> int:
    """How many recipients a list holds (0 if there is no such list)."""
    with uow:
        recipient_list = uow.recipient_lists.get(list_id)
        return recipient_list.imported_count if recipient_list else 0


def recipients_preview(uow: UnitOfWork, list_id: int) -> RecipientsPreview | None:
    with uow:
        recipient_list = uow.recipient_lists.get(list_id)
        if recipient_list is None:
            return None
        first = uow.recipient_lists.recipients(list_id, limit=1)
        values = dict(zip(recipient_list.variables, first[0].variables)) if first else {}
        return RecipientsPreview(RecipientsSummary(recipient_list.imported_count, list(recipient_list.variables)), values)


def _checked(uow: UnitOfWork, draft: TaskDraft, now: datetime, window: SendWindow,
             composition: Composition) -> tuple[TaskDraft, int, SendMeasure | None]:
    """The draft's rules, then every recipient's message measured (None while the recipients
    are still to come)."""
    recipient_list = uow.recipient_lists.get(draft.recipient_list_id) if draft.recipient_list_id else None
    summary = RecipientsSummary(recipient_list.imported_count, list(recipient_list.variables)) if recipient_list else None
    signature = uow.signatures.get(draft.signature_id) if draft.signature_id else None
    template = uow.templates.get(draft.template_id) if draft.template_id else None
    fallback = uow.templates.get(draft.fallback_template_id) if draft.fallback_template_id else None
    checked = check_draft(
        draft, recipients=summary, signature=_choice(signature) if signature else None,
        template=_choice(template) if template else None, fallback_template=_choice(fallback) if fallback else None,
        now=now, window=window, registered_templates=composition.registered_templates,
    )
    if recipient_list is None:
        return checked, 0, None
    measured = measured_send(uow, recipient_list, _plan(template, signature, fallback, checked.purpose, composition,
                                                        recipient_list.variables))
    check_send_measure(measured, skip_too_long=checked.skip_too_long)
    return checked, summary.count, measured


def _plan(template: Template, signature: Signature, fallback: Template | None, purpose: Purpose,
          composition: Composition, columns: list[str]) -> MessagePlan:
    """The text of every message as the dispatcher will compose it."""
    return MessagePlan(template.body, signature.name, sent_as(purpose, template.purpose), composition.style,
                       composition.optout_hint, list(columns), kind=template.kind,
                       fallback_body=fallback.body if fallback else None)


def measured_send(uow: UnitOfWork, recipient_list: RecipientList, plan: MessagePlan) -> SendMeasure:
    """Remembered for a while per list and composed message: the modal's every re-render and the
    submission after it measure a million recipients once. A list's rows never change, and
    its creation time tells apart two lists that reuse an id after a rollback."""
    key = (recipient_list.id, recipient_list.created_at, plan.body, plan.signature, plan.purpose, plan.style,
           plan.optout_hint, plan.fallback_body, tuple(plan.columns))
    with _MEASURES_LOCK:
        if key in _MEASURES:
            _MEASURES.move_to_end(key)
            return _MEASURES[key]
    measured = measure_send(plan, uow.recipient_lists.iter_variables(recipient_list.id))
    with _MEASURES_LOCK:
        _MEASURES[key] = measured
        while len(_MEASURES) > MEASURES_KEPT:
            _MEASURES.popitem(last=False)
    return measured


MEASURES_KEPT = 16
_MEASURES: OrderedDict = OrderedDict()
_MEASURES_LOCK = threading.Lock()


def _content_fields(draft: TaskDraft, recipient_count: int, measured: SendMeasure) -> dict:
    return dict(name=draft.name, purpose=draft.purpose, kind=draft.kind, signature_id=draft.signature_id,
                template_id=draft.template_id, fallback=draft.fallback, fallback_template_id=draft.fallback_template_id,
                default_link=draft.default_link, recipient_list_id=draft.recipient_list_id,
                recipient_count=recipient_count, send_at=draft.send_at, segments=measured.segments,
                too_long=measured.too_long)


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


def _with_new_recipients(uow: UnitOfWork, draft: TaskDraft, new_recipients: PreparedImport | None) -> TaskDraft:
    """New recipients are stored in the task's own transaction: refused, neither is kept."""
    if new_recipients is None:
        return draft
    file_id = new_recipients.source.slack_file_id
    earlier = uow.recipient_lists.by_slack_file(file_id) if file_id else None  # the same Slack file, read before
    return replace(draft, recipient_list_id=earlier.id if earlier else store_import(uow, new_recipients).id)


def create_task(uow: UnitOfWork, draft: TaskDraft, actor: Actor, *, origin_channel: str, now: datetime,
                window: SendWindow, composition: Composition,
                new_recipients: PreparedImport | None = None) -> TaskView:
    """A new task, in moderating: it waits for an approver."""
    with uow:
        draft = _with_new_recipients(uow, draft, new_recipients)
        checked, count, measured = _checked(uow, draft, now, window, composition)
        task = uow.tasks.add(Task(status=TaskStatus.moderating, created_by=actor.user_id, origin_channel=origin_channel,
                                  **_content_fields(checked, count, measured)))
        _audit(uow, actor.user_id, "created", task.id, name=checked.name, recipients=count)
        uow.commit()
        return view_of(uow, task)


def get_task(uow: UnitOfWork, task_id: int) -> TaskView:
    with uow:
        task = existing_task(uow, task_id)
        return view_of(uow, task)


def task_to_decide(uow: UnitOfWork, task_id: int, actor: Actor, *, allow_self_approval: bool) -> TaskView:
    """The task, for a person about to approve or reject it (the reject form asks first)."""
    task = get_task(uow, task_id)
    check_can_decide(actor, task.created_by, allow_self_approval=allow_self_approval)
    return task


def task_to_edit(uow: UnitOfWork, task_id: int, actor: Actor) -> TaskView:
    """The task, for its requester or an approver about to edit it."""
    task = get_task(uow, task_id)
    check_owner_or_approver(actor, task.created_by, "edit it")
    return task


def record_task_thread(uow: UnitOfWork, task_id: int, channel: str, ts: str) -> None:
    with uow:
        uow.tasks.set_thread(task_id, channel, ts)
        uow.commit()


def withdraw_task(uow: UnitOfWork, task_id: int, reason: str) -> None:
    """A new task whose approval request Slack refused (`reason`): taken back, so that none
    waits for an approval no approver was asked for. A task with a thread stays."""
    with uow:
        task = uow.tasks.get(task_id)
        if task is None or task.thread_ts is not None:
            return
        if uow.tasks.delete(task_id, from_status=TaskStatus.moderating):
            _audit(uow, "smsbot", "withdrawn", task_id, name=task.name, requested_by=task.created_by, reason=reason)
        uow.commit()


def _move(uow: UnitOfWork, task: Task, action: TaskAction, actor_id: str, **fields) -> Task:
    target = next_status(task.status, action)
    if not uow.tasks.move(task.id, from_status=task.status, to_status=target, **fields):
        current = uow.tasks.get(task.id)
        raise StaleDecision(f"Someone else changed this task first: it is {current.status} now.")
    _audit(uow, actor_id, str(action), task.id, reason=fields.get("reason"))
    return uow.tasks.get(task.id)


class NeedsStartChoice(DomainError):
    """Approving would start the task late or outside the window: the approver must choose."""

    def __init__(self, late: LateStart) -> None:
        super().__init__(f"This task cannot start as it asks: {late.reason}. Choose when it should send.")
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
            raise StaleDecision("This request is out of date: the task was edited since. Review its latest request.")
        if task.status != TaskStatus.moderating:
            who = (" by ", Person(task.decided_by)) if task.decided_by else ()
            raise StaleDecision(Said("This task was already decided", *who, f": it is {task.status}."))
        if not decision.approve and not (decision.reason or "").strip():
            raise DomainError("Give a reason for the rejection.")
        start = {}
        if decision.approve:
            _check_content_still_approved(uow, task)
            start = _start_of(task, decision, now, rules)
        action = TaskAction.approve if decision.approve else TaskAction.reject
        moved = uow.tasks.move(task_id, from_status=TaskStatus.moderating, to_status=next_status(task.status, action),
                               version=version, decided_by=actor.user_id, decided_at=now,
                               reason=None if decision.approve else decision.reason.strip(), **start)
        if not moved:
            current = uow.tasks.get(task_id)
            raise StaleDecision(Said("This task was already decided by ", Person(current.decided_by),
                                     f": it is {current.status}."))
        _audit(uow, actor.user_id, str(action), task_id, version=version, reason=decision.reason,
               start=decision.start, send_at=start["send_at"].isoformat() if start else None)
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))


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
        raise TaskFieldError(TaskField.SEND_AT, "Pick the date and time it should send.")
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
            kind = "signature" if isinstance(content, Signature) else "template"
            raise DomainError(f"The {kind} “{content.name}” is {content.status}: it must be approved "
                              "before this task can be.")


def _may_change(task: Task, actor: Actor) -> None:
    check_owner_or_approver(actor, task.created_by, "change this task")


def edit_task(uow: UnitOfWork, task_id: int, draft: TaskDraft, actor: Actor, *, now: datetime,
              window: SendWindow, composition: Composition, new_recipients: PreparedImport | None = None) -> TaskView:
    """New content: back to moderating, and any earlier approval no longer counts."""
    with uow:
        task = existing_task(uow, task_id)
        _may_change(task, actor)
        next_status(task.status, TaskAction.edit)
        if task.status == TaskStatus.scheduled and task.send_at is not None:
            check_can_change(task.send_at, now, window.tz)
        draft = _with_new_recipients(uow, draft, new_recipients)
        checked, count, measured = _checked(uow, draft, now, window, composition)
        if not uow.tasks.replace_content(task_id, from_status=task.status, version=task.version,
                                         **_content_fields(checked, count, measured)):
            raise StaleDecision("Someone else changed this task first. Open it again.")
        _audit(uow, actor.user_id, "edited", task_id, version=task.version + 1)
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))


def cancel_task(uow: UnitOfWork, task_id: int, actor: Actor, *, now: datetime, tz: str) -> TaskView:
    with uow:
        task = existing_task(uow, task_id)
        _may_change(task, actor)
        next_status(task.status, TaskAction.cancel)
        if task.status == TaskStatus.scheduled and task.send_at is not None:
            check_can_change(task.send_at, now, tz)
        # Who canceled it decided its end; the card names them (decided_by), no reason needed.
        task = _move(uow, task, TaskAction.cancel, actor.user_id, decided_by=actor.user_id, finished_at=now)
        uow.commit()
        return view_of(uow, task)


def delete_task(uow: UnitOfWork, task_id: int, actor: Actor) -> str:
    with uow:
        task = existing_task(uow, task_id)
        _may_change(task, actor)
        next_status(task.status, TaskAction.delete)
        if not uow.tasks.delete(task_id, from_status=task.status):
            raise StaleDecision("Someone else changed this task first.")
        _audit(uow, actor.user_id, "deleted", task_id, name=task.name)
        uow.commit()
        return task.name


def copy_source(uow: UnitOfWork, task_id: int) -> tuple[TaskDraft, dict]:
    """What a copy starts from: the same content and no send time; the recipients are chosen anew
    (the original list is offered as an option)."""
    with uow:
        task = existing_task(uow, task_id)
        draft = TaskDraft(name=f"Copy of {task.name}"[:30], purpose=Purpose(task.purpose), kind=TemplateKind(task.kind),
                          recipient_list_id=None, signature_id=task.signature_id, template_id=task.template_id,
                          fallback=Fallback(task.fallback), fallback_template_id=task.fallback_template_id,
                          default_link=task.default_link)
        return draft, {"previous_list_id": task.recipient_list_id}


def cancel_stale_tasks(uow: UnitOfWork, now: datetime) -> list[TaskView]:
    """Scheduled tasks not started within 24 hours of their send time. Safe in two processes
    at once: each task moves once, and only the process that moved it reports it."""
    canceled = []
    with uow:
        for task in uow.tasks.scheduled_before(now):
            if task.send_at is None or not is_stale(task.send_at, now):
                continue
            if uow.tasks.move(task.id, from_status=TaskStatus.scheduled, to_status=TaskStatus.canceled,
                              reason="not started within 24 hours of its send time", finished_at=now):
                _audit(uow, "smsbot", str(TaskAction.auto_cancel), task.id)
                canceled.append(task.id)
        uow.commit()
        return [view_of(uow, uow.tasks.get(task_id)) for task_id in canceled]



def recipient_choices(uow: UnitOfWork, user_id: str, channel_id: str, limit: int = 10) -> list[tuple[int, str]]:
    """The recipient lists a send can pick: the person's recent imports here, then the audiences."""
    with uow:
        imports = [(r.id, f"Import: {r.source_name or r.source} ({r.imported_count:,}, {r.created_at:%m-%d %H:%M})")
                   for r in uow.recipient_lists.recent_for(user_id, channel_id, limit)]
        audiences = [(r.id, f"Audience: {a.name} ({r.imported_count:,})") for a, r in uow.audiences.all_with_lists()]
        return imports + audiences


def preview_for(uow: UnitOfWork, *, list_id: int | None, signature_id: int | None, template_id: int | None,
                fallback_template_id: int | None, composition: Composition, price_per_segment: Decimal,
                currency: str) -> Preview | None:
    """The send modal's preview: every recipient's message measured, the first and the longest
    shown, the exact cost; None until recipients, a signature and a template are chosen."""
    if not (list_id and signature_id and template_id):
        return None
    with uow:
        recipient_list = uow.recipient_lists.get(list_id)
        signature, template = uow.signatures.get(signature_id), uow.templates.get(template_id)
        if recipient_list is None or signature is None or template is None:
            return None
        fallback = uow.templates.get(fallback_template_id) if fallback_template_id else None
        plan = _plan(template, signature, fallback, Purpose(template.purpose), composition, recipient_list.variables)
        return preview_of(measured_send(uow, recipient_list, plan), price_per_segment, currency)


def task_preview(uow: UnitOfWork, task: TaskView, *, composition: Composition, price_per_segment: Decimal,
                 currency: str) -> Preview | None:
    """A task card's preview: the first recipient's message, and the cost counted when the task
    was submitted (cheap to redraw on every change of the card)."""
    recipients = recipients_preview(uow, task.recipient_list_id)
    with uow:
        signature, template = uow.signatures.get(task.signature_id), uow.templates.get(task.template_id)
        if recipients is None or signature is None or template is None:
            return None
        return preview_message(body=template.body, signature=signature.name,
                               purpose=sent_as(task.purpose, template.purpose), style=composition.style,
                               optout_hint=composition.optout_hint, first_recipient=recipients.first,
                               recipients=recipients.summary.count, price_per_segment=price_per_segment,
                               currency=currency, total_segments=task.segments, too_long=task.too_long)
