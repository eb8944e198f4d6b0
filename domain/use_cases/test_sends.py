"""Test sends: a task's message, with values the asker types, to a few numbers of theirs.
Only the requester and approvers may test; every test is capped and audited before it leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.approvers import Actor
from domain.content import ContentStatus, template_variables
from domain.applications import Routing
from domain.dispatch import MessagePlan, Route
from domain.errors import DomainError
from domain.i18n import _, n_, number
from domain.policy import check_owner_or_approver
from domain.privacy import last_four
from domain.tasks import Composition
from domain.use_cases.applications import current_routing
from domain.use_cases.dispatch import message_plan, task_routes
from domain.use_cases.tasks import existing_task
from storage.statuses import TaskStatus
from storage.tables import AuditEntry, Task
from storage.uow import SqlUnitOfWork as UnitOfWork

TEST_SENT = "task.test_sent"
CAP_PERIOD = timedelta(hours=24)
# Statuses in which an approver has approved the task's content as it stands.
_APPROVED = {TaskStatus.scheduled, TaskStatus.sending, TaskStatus.paused, TaskStatus.completed, TaskStatus.failed}


@dataclass(frozen=True)
class TestSendForm:
    """What the test-send modal asks: a value for each of the template's variables."""

    __test__ = False  # a product class, not a pytest test class
    task_id: int
    task_name: str
    variables: list[str]
    approved: bool


@dataclass(frozen=True)
class TestSendPermit:
    """A test allowed, counted and audited: the message to send and the values to send it with."""

    __test__ = False
    task_id: int
    plan: MessagePlan
    values: list[str]  # by the plan's columns
    routing: Routing  # which application each number goes through, as for a send now
    routes: dict[int, Route]  # the plan through each of them
    approved: bool
    left_today: int


def _content_approved(uow: UnitOfWork, task: Task) -> bool:
    if task.status not in _APPROVED:
        return False
    content = [uow.signatures.get(task.signature_id), uow.templates.get(task.template_id)]
    if task.fallback_template_id:
        content.append(uow.templates.get(task.fallback_template_id))
    return all(item.status == ContentStatus.APPROVED for item in content)


def _variables(uow: UnitOfWork, task: Task) -> list[str]:
    bodies = [uow.templates.get(task.template_id).body]
    if task.fallback_template_id:
        bodies.append(uow.templates.get(task.fallback_template_id).body)
    return list(dict.fromkeys(name for body in bodies for name in template_variables(body)))


def test_send_form(uow: UnitOfWork, task_id: int, actor: Actor) -> TestSendForm:
    with uow:
        task = existing_task(uow, task_id)
        check_owner_or_approver(actor, task.created_by, _("test-send it"))
        return TestSendForm(task.id, task.name, _variables(uow, task), _content_approved(uow, task))


def _sent_lately(uow: UnitOfWork, user_id: str, now: datetime) -> int:
    entries = uow.audit.by_actor(user_id, TEST_SENT, since=now - CAP_PERIOD)
    return sum(len(entry.detail.get("numbers", [])) for entry in entries)


def permit_test_send(uow: UnitOfWork, task_id: int, actor: Actor, phones: list[str], values: dict[str, str], *,
                     now: datetime, daily_limit: int, composition: Composition) -> TestSendPermit:
    """Refused for anyone but the requester and approvers, and past the daily cap; otherwise
    audited (who, which task, the numbers' last four digits) and committed before it is sent."""
    with uow:
        task = existing_task(uow, task_id)
        check_owner_or_approver(actor, task.created_by, _("test-send it"))
        left = daily_limit - _sent_lately(uow, actor.user_id, now)
        if len(phones) > left:
            raise DomainError(n_("You can send {count} more test message in the next 24 hours (the limit is {limit}); "
                                 "this test would send {sending}.",
                                 "You can send {count} more test messages in the next 24 hours (the limit is {limit}); "
                                 "this test would send {sending}.", max(left, 0), limit=number(daily_limit),
                                 sending=number(len(phones))))
        approved = _content_approved(uow, task)
        uow.audit.add(AuditEntry(at=now, actor=actor.user_id, action=TEST_SENT, target_type="task", target_id=str(task.id),
                                 detail={"numbers": [last_four(phone) for phone in phones], "approved": approved}))
        uow.commit()
        plan = message_plan(uow, task, composition)
        filled = [values.get(column) or column for column in plan.columns]
        routing = current_routing(uow, composition.provider)
        routes = task_routes(uow, task, plan, {app.id for app in routing.applications}, composition)
        return TestSendPermit(task.id, plan, filled, routing, routes, approved, left - len(phones))
