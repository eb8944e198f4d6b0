"""What the send modal and a task's card show before a send: the choices, the recipients, and
every recipient's message measured (remembered a while: a million recipients are measured once
for the modal's re-renders and the submission after them)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.approvers import Actor
from domain.content import ContentStatus, Purpose
from domain.policy import check_may_use_list, may_use_list
from domain.dispatch import MessagePlan
from domain.i18n import _, number
from domain.send_measure import SendMeasure, measure_send, preview_of
from domain.tasks import (
    Composition,
    ContentChoice,
    Preview,
    RecipientsSummary,
    preview_message,
    route_parts,
    sent_as,
    signatures_allowed,
)
from domain.applications import MAINLAND_PREFIX, shares_of_split
from domain.use_cases.applications import applications, current_routing
from domain.use_cases.content import bound_signatures
from storage.tables import RecipientList, Signature, Task, Template
from storage.uow import SqlUnitOfWork as UnitOfWork

if TYPE_CHECKING:
    from domain.use_cases.tasks import TaskView


def content_choice(uow: UnitOfWork, row: Signature | Template) -> ContentChoice:
    """A signature or template as a send sees it, with the applications it is registered for."""
    kind = "template" if isinstance(row, Template) else "signature"
    return ContentChoice(row.id, row.name, row.status, getattr(row, "kind", None), getattr(row, "purpose", None),
                         getattr(row, "body", ""), uow.applications.registrations(kind, [row.id]).get(row.id, {}))


def template_choice(uow: UnitOfWork, row: Template) -> ContentChoice:
    """A template as a send sees it, with the signatures it may be sent with."""
    return replace(content_choice(uow, row), only_with=bound_signatures(uow, row))


@dataclass(frozen=True)
class SendChoices:
    signatures: list[ContentChoice]
    templates: list[ContentChoice]  # approved, of every kind: the modal filters by message type

    def signatures_for(self, template_id: int | None, kind: str) -> list[ContentChoice]:
        """The signatures offered once that template (of the modal's message type) is chosen."""
        template = next((t for t in self.templates if t.id == template_id and t.kind == kind), None)
        return signatures_allowed(template, self.signatures)


@dataclass(frozen=True)
class RecipientsPreview:
    summary: RecipientsSummary
    first: dict[str, str]


def send_choices(uow: UnitOfWork, actor: Actor, list_id: int | None = None) -> SendChoices:
    """The approved signatures and templates a send may choose: registered for every SMS
    application the list's numbers go through (before a list is chosen, for any application)."""
    with uow:
        routes = current_routing(uow)
        recipient_list = usable_list(uow, list_id, actor)
        if recipient_list is None:
            wanted, enough = {app.id for app in routes.applications}, 1
        else:
            mainland = uow.recipient_lists.count_with_prefix(recipient_list.id, MAINLAND_PREFIX)
            wanted = {app.id for app, count in ((routes.mainland, mainland),
                                                (routes.international, recipient_list.imported_count - mainland))
                      if app is not None and count}
            enough = len(wanted)

        def offered(choice: ContentChoice) -> bool:
            return len(wanted & set(choice.registered)) >= enough

        return SendChoices(
            signatures=[c for s in uow.signatures.all(ContentStatus.APPROVED) if offered(c := content_choice(uow, s))],
            templates=[c for t in uow.templates.all(ContentStatus.APPROVED) if offered(c := template_choice(uow, t))],
        )


def usable_list(uow: UnitOfWork, list_id: int | None, actor: Actor) -> RecipientList | None:
    """The list, if the person may send to it; None otherwise (or if there is none)."""
    recipient_list = uow.recipient_lists.get(list_id) if list_id else None
    if recipient_list is None or not may_use_list(actor, uploader=recipient_list.created_by,
                                                  channel_id=recipient_list.channel_id):
        return None
    return recipient_list


def list_size(uow: UnitOfWork, list_id: int, actor: Actor) -> int:
    """How many recipients a list holds (0 if there is no such list, or not one the person may use)."""
    with uow:
        recipient_list = usable_list(uow, list_id, actor)
        return recipient_list.imported_count if recipient_list else 0


def check_list_usable(uow: UnitOfWork, list_id: int, actor: Actor) -> None:
    """Refused (NotAllowed) before a form opens on a list the person may not send to."""
    with uow:
        recipient_list = uow.recipient_lists.get(list_id)
        if recipient_list is not None:
            check_may_use_list(actor, uploader=recipient_list.created_by, channel_id=recipient_list.channel_id)


def first_recipient(uow: UnitOfWork, list_id: int) -> RecipientsPreview | None:
    """Inside an open unit of work: the list's size and its first recipient's values."""
    recipient_list = uow.recipient_lists.get(list_id)
    if recipient_list is None:
        return None
    first = uow.recipient_lists.recipients(list_id, limit=1)
    values = dict(zip(recipient_list.variables, first[0].variables)) if first else {}
    return RecipientsPreview(RecipientsSummary(recipient_list.imported_count, list(recipient_list.variables)), values)


def recipients_preview(uow: UnitOfWork, list_id: int) -> RecipientsPreview | None:
    with uow:
        return first_recipient(uow, list_id)


def message_plan_for(template: Template, signature: Signature, fallback: Template | None, purpose: Purpose,
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


def recipient_choices(uow: UnitOfWork, actor: Actor, channel_id: str, *, imports_of: str | None = None,
                      limit: int = 10) -> list[tuple[int, str]]:
    """The recipient lists a send can pick: recent imports here (the person's, or `imports_of`'s:
    the requester of a task being edited), then the audiences the person may use."""
    with uow:
        imports = [(r.id, _("Import: {name} ({count}, {time})", name=import_name(r), count=number(r.imported_count),
                              time=f"{r.created_at:%m-%d %H:%M}"))
                   for r in uow.recipient_lists.recent_for(imports_of or actor.user_id, channel_id, limit)]
        audiences = [(r.id, _("Audience: {name} ({count})", name=a.name, count=number(r.imported_count)))
                     for a, r in uow.audiences.all_with_lists()
                     if may_use_list(actor, uploader=r.created_by, channel_id=r.channel_id)]
        return imports + audiences


def import_name(recipient_list: RecipientList) -> str:
    """A file's own name; pasted numbers are stored under our English words, shown translated."""
    if recipient_list.source == "paste" and recipient_list.source_name:
        return _(recipient_list.source_name)
    return recipient_list.source_name or recipient_list.source


def preview_for(uow: UnitOfWork, actor: Actor, *, list_id: int | None, signature_id: int | None,
                template_id: int | None, fallback_template_id: int | None, composition: Composition,
                price_per_segment: Decimal, currency: str) -> Preview | None:
    """The send modal's preview: every recipient's message measured, the first and the longest
    shown, the exact cost; None until recipients the person may use, a signature and a template
    are chosen."""
    if not (list_id and signature_id and template_id):
        return None
    with uow:
        recipient_list = usable_list(uow, list_id, actor)
        signature, template = uow.signatures.get(signature_id), uow.templates.get(template_id)
        if recipient_list is None or signature is None or template is None:
            return None
        fallback = uow.templates.get(fallback_template_id) if fallback_template_id else None
        plan = message_plan_for(template, signature, fallback, Purpose(template.purpose), composition, recipient_list.variables)
        return preview_of(measured_send(uow, recipient_list, plan), price_per_segment, currency,
                          current_routing(uow, composition.provider))


def preview_of_task(uow: UnitOfWork, task: TaskView | Task, *, composition: Composition,
                    price_per_segment: Decimal, currency: str) -> Preview | None:
    """Inside an open unit of work: the first recipient's message, and the cost counted when
    the task was submitted, per application as it was split then (cheap to redraw on every
    change of its card)."""
    recipients = first_recipient(uow, task.recipient_list_id)
    signature, template = uow.signatures.get(task.signature_id), uow.templates.get(task.template_id)
    if recipients is None or signature is None or template is None:
        return None
    preview = preview_message(body=template.body, signature=signature.name,
                              purpose=sent_as(task.purpose, template.purpose), style=composition.style,
                              optout_hint=composition.optout_hint, first_recipient=recipients.first,
                              recipients=recipients.summary.count, price_per_segment=price_per_segment,
                              currency=currency, total_segments=task.segments, too_long=task.too_long)
    split = shares_of_split(task.split or [], applications(uow, composition.provider))
    parts, total = route_parts(split, price_per_segment, currency)
    return replace(preview, routes=parts, cost=total or preview.cost)


def task_preview(uow: UnitOfWork, task: TaskView, *, composition: Composition, price_per_segment: Decimal,
                 currency: str) -> Preview | None:
    """A task card's preview (see `preview_of_task`)."""
    with uow:
        return preview_of_task(uow, task, composition=composition, price_per_segment=price_per_segment,
                               currency=currency)
