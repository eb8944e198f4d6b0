"""A task's audit trail, for approvers: what the audit log holds about the task, page by page.
Refusals (`request.refused`) are the asker's record, not the task's: they are not in it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.approvers import Actor
from domain.audit_trail import TRAIL_PAGE_SIZE, Recorded, TrailLine, TrailOrder, name_in, trail_lines, trail_page
from domain.i18n import _
from domain.policy import check_approver
from domain.status import Page
from domain.task_state import TaskStatus
from domain.use_cases.tasks import TaskNotFound, recorded
from storage.uow import SqlUnitOfWork as UnitOfWork

TARGET = "task"


@dataclass(frozen=True)
class AuditTrail:
    task_id: int
    name: str | None  # None: a deleted task whose entries kept no name
    status: TaskStatus | None  # None: the task was deleted
    lines: list[TrailLine]
    page: Page
    order: TrailOrder


def task_entries(uow: UnitOfWork, task_id: int, actions: tuple[str, ...] | None = None) -> list[Recorded]:
    """The log's entries about a task (exports included: they are kept on the task too), oldest first."""
    return [recorded(entry) for entry in uow.audit.for_target(TARGET, str(task_id), actions=actions)]


def task_audit_trail(uow: UnitOfWork, ref: int | str, actor: Actor, *, channel_id: str | None = None, page: int = 0,
                     order: TrailOrder = TrailOrder.NEWEST, page_size: int = TRAIL_PAGE_SIZE) -> AuditTrail:
    """Approvers only, asked before the task is looked up. `ref`: an id (a deleted task's too)
    or a name (this channel's first, then the newest)."""
    check_approver(actor, _("see a task's audit trail"))
    with uow:
        task = uow.tasks.get(ref) if isinstance(ref, int) else uow.tasks.by_name(ref, prefer_channel=channel_id)
        task_id = task.id if task is not None else ref if isinstance(ref, int) else None
        entries = task_entries(uow, task_id) if task_id is not None else []
        if task is None and not entries:
            raise TaskNotFound(_("No task is numbered or named “{ref}”, and the audit log holds nothing about one. "
                                 "`/sms list all` shows every task.", ref=str(ref)[:40]))
        lines, shown = trail_page(trail_lines(entries), order, page, page_size)
        return AuditTrail(task_id, task.name if task is not None else name_in(entries),
                          TaskStatus(task.status) if task is not None else None, lines, shown, order)
