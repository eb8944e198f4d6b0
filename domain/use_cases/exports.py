"""Use cases of exports and follow-ups: a task's recipients as an XLSX file streamed from the
database, and its delivered, failed or no-receipt numbers, in any mix (failed and no-receipt
unless told), made into a new recipient list (to resend to) or an audience. Only the requester
and the approvers may take a task's full numbers out, only while its details are kept, and
every export is audited before the file leaves the bot."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from domain.approvers import Actor
from domain.dispatch import MessagePlan
from domain.errors import DomainError
from domain.i18n import _
from domain.exports import (
    DEFAULT_FOLLOW_UP,
    EXPIRED,
    GROUP_SELECTIONS,
    KIND_LABELS,
    NOT_SENT_STATUSES,
    SELECTIONS,
    ExportKind,
    ExportLayout,
    FollowUpGroup,
    Selection,
    check_may_take_details,
    follow_up_audience_name,
    follow_up_selection,
    follow_up_words,
    in_order,
    purged_message,
    sheet_title,
)
from domain.tasks import Composition
from domain.use_cases.audiences import AudienceView, audience_key, check_name_free, save_audience
from domain.use_cases.applications import applications
from domain.use_cases.dispatch import message_plan
from domain.use_cases.tasks import existing_task
from domain.xlsx_stream import StreamingXlsxWriter
from storage.tables import AuditEntry, RecipientList, Task
from storage.task_recipients import RowFilter
from storage.uow import SqlUnitOfWork as UnitOfWork

FOLLOW_UP_SOURCE = "follow-up"  # RecipientList.source of a list made from a task's failures


@dataclass(frozen=True)
class ExportPlan:
    task_id: int
    task_name: str
    kind: ExportKind
    rows: int
    variables: list[str]
    card: bool
    message_plan: MessagePlan  # how each row's text is composed, as the dispatcher composes it
    applications: dict[int, tuple[str, str]] | None = None  # (name, provider) by id, where there are several


@dataclass(frozen=True)
class FollowUpList:
    task_id: int
    task_name: str
    list_id: int
    count: int
    groups: frozenset[FollowUpGroup] = DEFAULT_FOLLOW_UP


def _rows(selection: Selection) -> RowFilter:
    return RowFilter(selection.statuses, selection.failed_reason)


def _task_with_details(uow: UnitOfWork, task_id: int, actor: Actor) -> Task:
    task = existing_task(uow, task_id)
    check_may_take_details(actor, task.created_by)
    if task.details_purged_at is not None:
        raise DomainError(purged_message(task.name, task.details_purged_at))
    if task.status in NOT_SENT_STATUSES:
        raise DomainError(_("*{name}* has not been sent yet: there are no results to export or follow up.",
                            name=task.name))
    return task


def check_follow_up(uow: UnitOfWork, task_id: int, actor: Actor) -> str:
    """Whether this person may follow up on this task now; its name."""
    with uow:
        return _task_with_details(uow, task_id, actor).name


def plan_export(uow: UnitOfWork, task_id: int, actor: Actor, kind: ExportKind, *,
                composition: Composition) -> ExportPlan:
    """Whether this person may have this export, how many rows it holds, and how its texts are
    composed (`composition`: this workspace's)."""
    with uow:
        task = _task_with_details(uow, task_id, actor)
        rows = uow.task_recipients.count_selected(task.id, _rows(SELECTIONS[kind]))
        if rows == 0:
            raise DomainError(_("*{name}* has no recipients: there is nothing to export.", name=task.name)
                              if kind is ExportKind.ALL else
                              _("*{name}* has no {kind} recipients: there is nothing to export.", name=task.name,
                                kind=_(KIND_LABELS[kind])))
        variables = list(uow.recipient_lists.get(task.recipient_list_id).variables)
        apps = applications(uow, composition.provider)
        return ExportPlan(task.id, task.name, kind, rows, variables, task.kind == "card",
                          message_plan(uow, task, composition),
                          {app.id: (app.name, app.provider) for app in apps} if len(apps) > 1 else None)


def write_export(uow: UnitOfWork, plan: ExportPlan, target: BinaryIO, *, tz: str) -> int:
    """Streams the rows into `target` (a temporary file) in constant memory; returns how many."""
    layout = ExportLayout(plan.variables, tz, plan.card, plan.message_plan, plan.applications)
    make = layout.row_maker()
    writer = StreamingXlsxWriter(target, sheet_title=sheet_title(plan.kind), header=layout.header(),
                                 text_columns=[layout.phone_column], widths=layout.widths())
    append = writer.append
    with uow:
        for stored in uow.task_recipients.iter_selected(plan.task_id, _rows(SELECTIONS[plan.kind])):
            append(make(stored))
    writer.close()
    return writer.rows_written


def record_export(uow: UnitOfWork, plan: ExportPlan, actor: Actor, *, rows: int, filename: str,
                  delivered_to: str) -> None:
    """Who took which rows of which task, how many, and where the file went: written before
    the file leaves."""
    with uow:
        uow.audit.add(AuditEntry(actor=actor.user_id, action="task.exported", target_type="task",
                                 target_id=str(plan.task_id),
                                 detail={"kind": str(plan.kind), "rows": rows, "file": filename,
                                         "delivered_to": delivered_to}))
        uow.commit()


def record_export_failure(uow: UnitOfWork, plan: ExportPlan, actor: Actor, reason: str) -> None:
    with uow:
        uow.audit.add(AuditEntry(actor=actor.user_id, action="task.export_failed", target_type="task",
                                 target_id=str(plan.task_id), detail={"kind": str(plan.kind), "reason": reason[:200]}))
        uow.commit()


@dataclass(frozen=True)
class FollowUpCounts:
    """How many numbers each follow-up group holds now (receipts may still move them)."""

    task_name: str
    delivered: int
    failed: int  # every failed one, `failed_no_receipt` of them for the lack of a receipt
    no_receipt: int  # awaiting a receipt, or none within 72 hours
    failed_no_receipt: int


def follow_up_counts(uow: UnitOfWork, task_id: int, actor: Actor) -> FollowUpCounts:
    """For the requester and the approvers, while the task's details are kept."""
    with uow:
        task = _task_with_details(uow, task_id, actor)
        count = uow.task_recipients.count_selected
        groups = {group: count(task.id, _rows(selection)) for group, selection in GROUP_SELECTIONS.items()}
        expired = count(task.id, _rows(EXPIRED))
        return FollowUpCounts(task.name, groups[FollowUpGroup.DELIVERED], groups[FollowUpGroup.FAILED],
                              groups[FollowUpGroup.NO_RECEIPT], expired)


def follow_up_list(uow: UnitOfWork, task_id: int, actor: Actor, *, channel_id: str, purpose: str,
                   groups: Iterable[FollowUpGroup] = DEFAULT_FOLLOW_UP) -> FollowUpList:
    """A new recipient list of the task's recipients in `groups` (failed and no-receipt unless
    told), with their variables, in the task's order: copied inside the database in one statement."""
    chosen, stored_words = frozenset(groups), follow_up_words(groups, english=True)
    selection = follow_up_selection(chosen)
    with uow:
        task = _task_with_details(uow, task_id, actor)
        source = uow.recipient_lists.get(task.recipient_list_id)
        recipient_list = RecipientList(created_by=actor.user_id, channel_id=channel_id, source=FOLLOW_UP_SOURCE,
                                       source_name=f"{task.name}: {stored_words.replace('-', ' ')}",
                                       variables=list(source.variables))
        uow.recipient_lists.add(recipient_list, [])
        copied = uow.task_recipients.copy_to_list(task.id, recipient_list.id, _rows(selection))
        if copied == 0:
            raise DomainError(_("*{name}* has no failed or no-receipt recipients to follow up: every message was "
                                "delivered or skipped.", name=task.name) if chosen == DEFAULT_FOLLOW_UP else
                              _("*{name}* has no {words} recipients to follow up.", name=task.name,
                                words=follow_up_words(chosen)))
        recipient_list.data_rows = recipient_list.imported_count = copied
        uow.audit.add(AuditEntry(actor=actor.user_id, action="recipients.follow_up", target_type="recipient_list",
                                 target_id=str(recipient_list.id),
                                 detail={"task": task.id, "recipients": copied, "for": purpose,
                                         "numbers": [str(group) for group in in_order(chosen)]}))
        uow.commit()
        return FollowUpList(task.id, task.name, recipient_list.id, copied, chosen)


def save_follow_up_audience(uow: UnitOfWork, task_id: int, actor: Actor, *, channel_id: str, today: date,
                            groups: Iterable[FollowUpGroup] = DEFAULT_FOLLOW_UP,
                            name: str | None = None) -> AudienceView:
    """The numbers in `groups` (failed and no-receipt unless told) as an audience named `name`,
    or else “<task> failed <date>” (another mix: “<task> delivered+failed <date>”…, with “(2)”…
    while the name is taken), saved by the audiences use case. A name given is checked first."""
    chosen = frozenset(groups)
    if name is not None:
        name = check_name_free(uow, name)
    follow = follow_up_list(uow, task_id, actor, channel_id=channel_id, purpose="audience", groups=chosen)
    if name is None:
        with uow:
            attempt = 1
            while uow.audiences.by_name(audience_key(
                    follow_up_audience_name(follow.task_name, today, attempt, chosen))):
                attempt += 1
        name = follow_up_audience_name(follow.task_name, today, attempt, chosen)
    return save_audience(uow, name, actor, channel_id=channel_id, list_id=follow.list_id)
