"""Use cases of status and reporting: task lists with their counts, a task's recipients page
by page, one number across a channel's tasks, and the App Home dashboard.

Whole phone numbers never leave this module: every recipient is returned by its last four
digits (domain.privacy.last_four), and a number inside a message's text likewise."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from domain.policy import check_may_see_task, may_decide, may_read_messages, sees_channel
from domain.approvers import Actor
from domain.content import ContentStatus
from domain.dispatch import Progress
from domain.errors import DomainError
from domain.i18n import N_, _
from domain.phones import PhoneNormalizer
from domain.privacy import last_four
from domain.recipient_messages import RecipientMessage, as_slack_shows, message_for
from domain.status import (
    DETAILS_MESSAGES_PAGE_SIZE,
    DETAILS_PAGE_SIZE,
    LIST_PAGE_SIZE,
    LOOKUP_LIMIT,
    LOOKUP_USAGE,
    Page,
    RecipientFilter,
    TaskFilter,
    clamp_page,
    has_started,
    recipient_statuses,
)
from domain.task_state import TaskStatus
from domain.tasks import Composition, Preview
from domain.use_cases.applications import applications
from domain.use_cases.dispatch import message_plan
from domain.use_cases.retention import saved_counts
from domain.use_cases.send_previews import preview_of_task
from domain.use_cases.tasks import TaskNotFound, task_channels
from storage.tables import Task
from storage.uow import SqlUnitOfWork as UnitOfWork

HOME_RECENT = 10
HOME_PENDING = 12


@dataclass(frozen=True)
class TaskSummary:
    """A task as lists show it: where it stands and what became of its messages."""

    id: int
    version: int
    name: str
    status: TaskStatus
    created_by: str
    send_at: datetime | None
    origin_channel: str
    thread_channel: str | None
    thread_ts: str | None
    progress: Progress
    started: bool  # it has per-recipient results (the Details button makes sense)
    details_purged_at: datetime | None = None
    recipient_count: int = 0
    cause: str | None = None  # why a failed send failed


@dataclass(frozen=True)
class TaskPage:
    tasks: list[TaskSummary]
    page: Page


@dataclass(frozen=True)
class RecipientLine:
    shown: str  # the last four digits only
    row_number: int
    status: str
    submitted_at: datetime | None
    receipt_at: datetime | None
    reason: str | None
    # For the task's requester and the approvers only (domain.policy.may_read_messages):
    provider_id: str | None = None  # the SMS ID the provider gave it
    message: RecipientMessage | None = None  # what it was sent (or will be), numbers in it masked
    application: str | None = None  # the SMS application it goes through, where a deployment has several


@dataclass(frozen=True)
class TaskDetails:
    task: TaskSummary
    filter: RecipientFilter
    search: str | None
    lines: list[RecipientLine]
    page: Page  # over the recipients that match the filter and search
    with_messages: bool = False  # each line carries its SMS ID and message


@dataclass(frozen=True)
class LookupLine:
    task_id: int
    task_name: str
    task_status: TaskStatus
    status: str
    submitted_at: datetime | None
    receipt_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class PendingTask:
    task: TaskSummary
    can_decide: bool  # not the approver's own request (four-eyes), or self-approval is on
    preview: Preview | None = None  # the message it would send, as its card shows it (None: content gone)


@dataclass(frozen=True)
class Pricing:
    """What a preview needs to show a message and its cost as this workspace composes it."""

    composition: Composition
    price_per_segment: Decimal
    currency: str


@dataclass(frozen=True)
class PendingContent:
    kind: str  # signature or template
    id: int
    name: str
    created_by: str
    summary: str
    can_decide: bool


@dataclass(frozen=True)
class Dashboard:
    recent: list[TaskSummary]
    pending_tasks: list[PendingTask]
    pending_tasks_total: int
    pending_content: list[PendingContent]
    pending_content_total: int = 0


def _summary(task: Task, counts: dict[str, int]) -> TaskSummary:
    return TaskSummary(
        id=task.id, version=task.version, name=task.name, status=TaskStatus(task.status), created_by=task.created_by,
        send_at=task.send_at, origin_channel=task.origin_channel, thread_channel=task.thread_channel,
        thread_ts=task.thread_ts, progress=Progress.from_counts(counts),
        started=has_started(task.status, task.progress_ts), details_purged_at=task.details_purged_at,
        recipient_count=task.recipient_count, cause=task.reason if task.status == TaskStatus.failed else None,
    )


def _summaries(uow: UnitOfWork, tasks: list[Task]) -> list[TaskSummary]:
    """Their counts in one grouped query for the whole page, not one per task. A task whose
    details were purged has no recipient rows left: its totals were saved when they went."""
    counts = uow.task_recipients.counts_by_task([task.id for task in tasks if task.details_purged_at is None])
    return [_summary(task, saved_counts(task.final_counts) if task.details_purged_at is not None
                     else counts.get(task.id, {}))
            for task in tasks]


def list_tasks(uow: UnitOfWork, which: TaskFilter, page: int = 0, page_size: int = LIST_PAGE_SIZE) -> TaskPage:
    with uow:
        fields = dict(channel_id=which.channel_id, created_by=which.created_by, status=which.status,
                      name_contains=which.name)
        tasks, total = uow.tasks.page(**fields, offset=max(page, 0) * page_size, limit=page_size)
        shown = clamp_page(page, page_size, total)
        if shown.number != page:  # past the end: the list shrank since the page was shown
            tasks, total = uow.tasks.page(**fields, offset=shown.offset, limit=page_size)
        return TaskPage(_summaries(uow, tasks), Page(shown.number, page_size, total))


def find_task(uow: UnitOfWork, ref: int | str, channel_id: str) -> int:
    """The id of the task meant by an id or a name (this channel's first, then the newest)."""
    with uow:
        task = uow.tasks.get(ref) if isinstance(ref, int) else None
        if task is None:
            task = uow.tasks.by_name(str(ref), prefer_channel=channel_id)
        if task is None:
            raise TaskNotFound(_("No task is numbered or named “{ref}”. `/sms list` shows this channel's tasks.",
                                 ref=str(ref)[:40]))
        return task.id


def find_task_details(uow: UnitOfWork, ref: int | str, channel_id: str, actor: Actor, *,
                      composition: Composition) -> TaskDetails:
    """`/sms status <id or name>`: the task's details, first page, every recipient."""
    return task_details(uow, find_task(uow, ref, channel_id), actor, composition=composition)


def _page_of_recipients(uow: UnitOfWork, task_id: int, statuses, search: str | None, page: int,
                        page_size: int) -> tuple[list, Page]:
    rows, total = uow.task_recipients.details(task_id, statuses=statuses, ending=search,
                                              offset=max(page, 0) * page_size, limit=page_size)
    shown = clamp_page(page, page_size, total)
    if shown.number != page:  # past the end: the recipients shrank since the page was shown
        rows, total = uow.task_recipients.details(task_id, statuses=statuses, ending=search,
                                                  offset=shown.offset, limit=page_size)
    return rows, Page(shown.number, page_size, total)


def _line(row, plan, labels: dict[int, str]) -> RecipientLine:
    """A recipient by its last four digits and, where there are several, its application's
    label (`labels`, by id); with `plan`, its SMS ID and its message too."""
    line = RecipientLine(last_four(row.phone), row.row_number, row.status, row.submitted_at, row.receipt_at,
                         row.reason or row.error_code, application=labels.get(row.application_id))
    if plan is None:
        return line
    message = as_slack_shows(message_for(plan, row.variables or [], fell_back=bool(row.fell_back)))
    return replace(line, provider_id=row.provider_id, message=message)


def task_details(uow: UnitOfWork, task_id: int, actor: Actor, *, composition: Composition,
                 choice: RecipientFilter = RecipientFilter.ALL, search: str | None = None, page: int = 0,
                 page_size: int | None = None) -> TaskDetails:
    """A task's totals and one page of its recipients, to whoever may see the task (asked again on
    every page); totals only once its details were purged. Its requester and the approvers also
    get each recipient's SMS ID and message, composed for this page as the dispatcher composes
    it (`composition`: this workspace's), 10 a page instead of 25."""
    with uow:
        task = uow.tasks.get(task_id)
        if task is None:
            raise TaskNotFound(_("That task no longer exists."))
        check_may_see_task(actor, requester=task.created_by, channels=task_channels(task))
        summary = _summaries(uow, [task])[0]
        full = may_read_messages(actor, requester=task.created_by)
        page_size = page_size or (DETAILS_MESSAGES_PAGE_SIZE if full else DETAILS_PAGE_SIZE)
        if task.details_purged_at is not None:
            return TaskDetails(summary, choice, search, [], Page(0, page_size, 0), full)
        rows, shown = _page_of_recipients(uow, task_id, recipient_statuses(choice), search, page, page_size)
        plan = message_plan(uow, task, composition) if full and rows else None
        apps = applications(uow, composition.provider)
        labels = {app.id: app.label for app in apps} if len(apps) > 1 else {}
        return TaskDetails(summary, choice, search, [_line(row, plan, labels) for row in rows], shown, full)


def lookup_number(uow: UnitOfWork, raw: str, channel_id: str, actor: Actor, *, normalizer: PhoneNormalizer,
                  limit: int = LOOKUP_LIMIT) -> tuple[str, list[LookupLine]]:
    """What became of one number in the tasks of a channel (to one not in it, in their own tasks
    there): the number as Slack may show it (last four digits), and a line per task, newest first."""
    if not raw.strip():
        raise DomainError(_(LOOKUP_USAGE))
    result = normalizer.normalize(raw.strip())
    if result.e164 is None:
        raise DomainError(_("That is not a phone number I can use: {reason}. {usage}", reason=_(result.message),
                            usage=_(LOOKUP_USAGE)))
    with uow:
        rows = uow.task_recipients.for_phone(result.e164, channel_id=channel_id, limit=limit,
                                             created_by=None if sees_channel(actor, channel_id) else actor.user_id)
        return last_four(result.e164), [
            LookupLine(task.id, task.name, TaskStatus(task.status), recipient.status, recipient.submitted_at,
                       recipient.receipt_at, recipient.reason or recipient.error_code)
            for task, recipient in rows]


def _waiting_tasks(uow: UnitOfWork, actor: Actor, allow_self_approval: bool,
                   pricing: Pricing) -> tuple[list[PendingTask], int]:
    """The oldest requests first, each with the message it would send: an approver approves
    from the tab only what they can read."""
    waiting, total = uow.tasks.page(status=TaskStatus.moderating, limit=HOME_PENDING, oldest_first=True)
    previews = [preview_of_task(uow, task, composition=pricing.composition,
                                price_per_segment=pricing.price_per_segment, currency=pricing.currency)
                for task in waiting]
    return [PendingTask(summary, may_decide(actor, summary.created_by, allow_self_approval=allow_self_approval),
                        preview) for summary, preview in zip(_summaries(uow, waiting), previews)], total


#: A template waiting for approval, as the Home tab sums it up: its kind, purpose and body (in
#: English the codes themselves).
_TEMPLATE_SUMMARIES = {"text": N_("text, {purpose}: {body}"), "card": N_("card, {purpose}: {body}"),
                       "digital": N_("digital, {purpose}: {body}")}
_PURPOSES = {"notification": N_("notification"), "promotional": N_("promotional")}


def _template_summary(row) -> str:
    """The body is the customer's own text: it fills a placeholder, untranslated."""
    kind, purpose = str(row.kind), str(row.purpose)
    purpose_word = _(_PURPOSES[purpose]) if purpose in _PURPOSES else purpose
    if kind not in _TEMPLATE_SUMMARIES:
        return f"{kind}, {purpose_word}: {row.body}"
    return _(_TEMPLATE_SUMMARIES[kind], purpose=purpose_word, body=row.body)


def _waiting_content(uow: UnitOfWork, actor: Actor, allow_self_approval: bool) -> tuple[list[PendingContent], int]:
    pending: list[PendingContent] = []
    total = 0
    for kind, repository in (("signature", uow.signatures), ("template", uow.templates)):
        rows = repository.all(ContentStatus.PENDING)
        total += len(rows)
        for row in rows[:HOME_PENDING - len(pending)]:
            summary = row.purpose_note if kind == "signature" else _template_summary(row)
            pending.append(PendingContent(kind, row.id, row.name, row.created_by, summary,
                                          may_decide(actor, row.created_by, allow_self_approval=allow_self_approval)))
    return pending, total


def home_dashboard(uow: UnitOfWork, actor: Actor, *, allow_self_approval: bool, pricing: Pricing) -> Dashboard:
    """The person's recent tasks; for an approver, what waits for a decision, each task with
    the message it would send."""
    with uow:
        recent, _count = uow.tasks.page(created_by=actor.user_id, limit=HOME_RECENT)
        pending_tasks, waiting_total, pending_content, content_total = [], 0, [], 0
        if actor.is_approver:
            pending_tasks, waiting_total = _waiting_tasks(uow, actor, allow_self_approval, pricing)
            pending_content, content_total = _waiting_content(uow, actor, allow_self_approval)
        return Dashboard(_summaries(uow, recent), pending_tasks, waiting_total, pending_content, content_total)

