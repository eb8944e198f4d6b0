"""Use cases for signatures and templates: register, review, list, disable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.text_rules import rejection_reason
from domain.i18n import _
from domain.policy import PERSON_MARK, NotAllowed, check_approver, check_can_decide, check_owner_or_approver, naming
from domain.approvers import Actor
from domain.content import (
    ContentError,
    ContentStatus,
    TemplateDraft,
    check_provider_code,
    check_signature_name,
    check_template,
    name_key,
    not_named,
    status_word,
    template_variables,
)
from domain.errors import DomainError
from storage.content import decided_fields
from storage.errors import AlreadyExists
from storage.tables import AuditEntry, Signature, Template
from storage.uow import SqlUnitOfWork as UnitOfWork


class ContentKind(StrEnum):
    SIGNATURE = "signature"
    TEMPLATE = "template"


class AlreadyDecided(DomainError):
    pass


@dataclass(frozen=True)
class ContentView:
    kind: ContentKind
    id: int
    name: str
    status: ContentStatus
    created_by: str
    detail: dict = field(default_factory=dict)  # the kind's own fields, for display
    approval_channel: str | None = None
    approval_ts: str | None = None
    decided_by: str | None = None
    reject_reason: str | None = None


def bound_signatures(uow: UnitOfWork, template: Template) -> dict[int, str]:
    """The names of the signatures a template may be sent with, by id, in its order (empty: any).
    One that could not be found keeps its place, so that the binding never widens to any."""
    names = uow.signatures.names(template.signature_ids)
    return {signature_id: names.get(signature_id, f"#{signature_id}") for signature_id in template.signature_ids}


def _view(uow: UnitOfWork, kind: ContentKind, row: Signature | Template) -> ContentView:
    if kind is ContentKind.SIGNATURE:
        detail = {"purpose_note": row.purpose_note}
    else:
        detail = {
            "kind": row.kind, "purpose": row.purpose, "body": row.body, "subject": row.subject,
            "media_urls": list(row.media_urls), "title": row.title, "image_url": row.image_url,
            "buttons": list(row.buttons), "default_link": row.default_link,
            "variables": template_variables(row.body), "signatures": bound_signatures(uow, row),
        }
    detail["registrations"] = registrations_of(uow, kind, row.id)
    return ContentView(kind, row.id, row.name, ContentStatus(row.status), row.created_by, detail,
                       row.approval_channel, row.approval_ts, row.decided_by, row.reject_reason)


def registrations_of(uow: UnitOfWork, kind: ContentKind, content_id: int) -> dict[str, str | None]:
    """The applications it is registered for, by name, with its provider code in each; empty
    when that is the default application alone, without a code (as in a one-application
    deployment, where it goes without saying)."""
    apps = uow.applications.all()
    registered = uow.applications.registrations(str(kind), [content_id]).get(content_id, {})
    default = next(app.id for app in apps if app.is_default)
    if registered == {default: None}:
        return {}
    return {app.name: registered[app.id] for app in apps if app.id in registered}


def _register_for_default(uow: UnitOfWork, kind: ContentKind, content_id: int) -> None:
    """New content is sendable through the default application; an approver registers it for others."""
    uow.applications.register(str(kind), content_id, uow.applications.default().id, None)


def _repository(uow: UnitOfWork, kind: ContentKind):
    return uow.signatures if kind is ContentKind.SIGNATURE else uow.templates


def _audit(uow: UnitOfWork, actor_id: str, action: str, kind: ContentKind, content_id: int, **detail) -> None:
    uow.audit.add(AuditEntry(actor=actor_id, action=f"{kind}.{action}", target_type=str(kind),
                             target_id=str(content_id), detail=detail))


def add_signature(uow: UnitOfWork, name: str, purpose_note: str, actor: Actor) -> ContentView:
    name = check_signature_name(name)
    with uow:
        signature = Signature(name=name, name_key=name_key(name), purpose_note=purpose_note.strip()[:200],
                              status=ContentStatus.PENDING, created_by=actor.user_id)
        try:
            uow.signatures.add(signature)
        except AlreadyExists:
            raise ContentError(_("A signature named “{name}” already exists.", name=name), "name") from None
        _register_for_default(uow, ContentKind.SIGNATURE, signature.id)
        _audit(uow, actor.user_id, "submitted", ContentKind.SIGNATURE, signature.id, name=name)
        uow.commit()
        return _view(uow, ContentKind.SIGNATURE, signature)


def _check_binding(uow: UnitOfWork, draft: TemplateDraft) -> None:
    """A template is bound to approved signatures only: the modal offers no other."""
    approved = {signature.id for signature in uow.signatures.all(ContentStatus.APPROVED)}
    if not set(draft.signature_ids) <= approved:
        raise ContentError(_("Choose approved signatures only, or none to allow any."), "signatures")


def add_template(uow: UnitOfWork, draft: TemplateDraft, actor: Actor) -> ContentView:
    draft = check_template(draft)
    with uow:
        _check_binding(uow, draft)
        template = Template(
            name=draft.name, name_key=name_key(draft.name), kind=draft.kind, purpose=draft.purpose, body=draft.body,
            subject=draft.subject, media_urls=draft.media_urls, title=draft.title, image_url=draft.image_url,
            buttons=[{"text": b.text, "url": b.url} for b in draft.buttons], default_link=draft.default_link,
            signature_ids=draft.signature_ids, status=ContentStatus.PENDING, created_by=actor.user_id,
        )
        try:
            uow.templates.add(template)
        except AlreadyExists:
            raise _template_exists(draft.name) from None
        _register_for_default(uow, ContentKind.TEMPLATE, template.id)
        _audit(uow, actor.user_id, "submitted", ContentKind.TEMPLATE, template.id, name=draft.name,
               signatures=draft.signature_ids)
        uow.commit()
        return _view(uow, ContentKind.TEMPLATE, template)


def record_approval_request(uow: UnitOfWork, kind: ContentKind, content_id: int, channel: str, ts: str) -> None:
    with uow:
        _repository(uow, kind).set_approval_message(content_id, channel, ts)
        uow.commit()


def withdraw_content(uow: UnitOfWork, kind: ContentKind, content_id: int, reason: str) -> None:
    """New content whose approval request Slack refused (`reason`): taken back, so that nothing
    waits for an approval no approver was asked for. Content already asked about stays."""
    with uow:
        repository = _repository(uow, kind)
        row = repository.get(content_id)
        if row is None or row.approval_ts is not None:
            return
        if repository.delete(content_id, from_status=ContentStatus.PENDING):
            uow.applications.unregister_content(str(kind), content_id)
            _audit(uow, "smsbot", "withdrawn", kind, content_id, name=row.name, requested_by=row.created_by,
                   reason=reason)
        uow.commit()


def _template_exists(name: str) -> ContentError:
    return ContentError(_("A template named “{name}” already exists.", name=name), "name")


def _gone(kind: ContentKind) -> ContentError:
    if kind is ContentKind.SIGNATURE:
        return ContentError(_("That signature no longer exists."))
    return ContentError(_("That template no longer exists."))


def get_content(uow: UnitOfWork, kind: ContentKind, content_id: int) -> ContentView:
    with uow:
        row = _repository(uow, kind).get(content_id)
        if row is None:
            raise _gone(kind)
        return _view(uow, kind, row)


def content_to_decide(uow: UnitOfWork, kind: ContentKind, content_id: int, actor: Actor, *,
                      allow_self_approval: bool) -> ContentView:
    """The signature or template, for a person about to approve or reject it."""
    view = get_content(uow, kind, content_id)
    check_can_decide(actor, view.created_by, allow_self_approval=allow_self_approval)
    return view


def template_to_edit(uow: UnitOfWork, name: str, actor: Actor) -> ContentView:
    """The template, for whoever registered it or an approver, about to change it."""
    view = find_content(uow, ContentKind.TEMPLATE, name)
    check_owner_or_approver(actor, view.created_by, _("change “{name}”", name=view.name))
    return view


def decide_content(
    uow: UnitOfWork, kind: ContentKind, content_id: int, actor: Actor, *,
    approve: bool, reason: str | None, allow_self_approval: bool, now: datetime,
) -> ContentView:
    """Approve or reject a pending signature or template. Of two decisions at once, one wins;
    the other gets AlreadyDecided."""
    with uow:
        repository = _repository(uow, kind)
        row = repository.get(content_id)
        if row is None:
            raise _gone(kind)
        check_can_decide(actor, row.created_by, allow_self_approval=allow_self_approval)
        if approve:
            target, reason = ContentStatus.APPROVED, None
        else:
            reason, problem = rejection_reason(reason)
            target = ContentStatus.REJECTED
            if problem:
                raise ContentError(problem, "reason")
        moved = repository.move(content_id, from_status=ContentStatus.PENDING, to_status=target,
                                **decided_fields(actor.user_id, now, reason))
        if not moved:
            raise _already_decided(kind, repository.get(content_id))
        _audit(uow, actor.user_id, str(target), kind, content_id, reason=reason)
        uow.commit()
        return _view(uow, kind, repository.get(content_id))


def _already_decided(kind: ContentKind, current: Signature | Template) -> AlreadyDecided:
    status = status_word(current.status)
    if current.decided_by is None:
        said = (_("This signature was already {status}.", status=status) if kind is ContentKind.SIGNATURE
                else _("This template was already {status}.", status=status))
        return AlreadyDecided(said)
    said = (_("This signature was already {status} by {person}.", status=status, person=PERSON_MARK)
            if kind is ContentKind.SIGNATURE
            else _("This template was already {status} by {person}.", status=status, person=PERSON_MARK))
    return AlreadyDecided(naming(said, current.decided_by))


def list_content(uow: UnitOfWork, kind: ContentKind, status: ContentStatus | None = None) -> list[ContentView]:
    with uow:
        return [_view(uow, kind, row) for row in _repository(uow, kind).all(status)]


def _named(uow: UnitOfWork, kind: ContentKind, name: str) -> Signature | Template:
    row = _repository(uow, kind).by_name(name_key(name))
    if row is None:
        raise not_named(kind, name)
    return row


def find_content(uow: UnitOfWork, kind: ContentKind, name: str) -> ContentView:
    with uow:
        row = _named(uow, kind, name)
        return _view(uow, kind, row)


def disable_content(uow: UnitOfWork, kind: ContentKind, name: str, actor: Actor) -> ContentView:
    """Whoever registered it, or an approver, may disable it; sends can no longer choose it."""
    with uow:
        repository = _repository(uow, kind)
        row = _named(uow, kind, name)
        check_owner_or_approver(actor, row.created_by, _("disable “{name}”", name=row.name))
        if row.status == ContentStatus.DISABLED:
            raise ContentError(_("“{name}” is already disabled.", name=row.name))
        repository.move(row.id, from_status=row.status, to_status=ContentStatus.DISABLED)
        _audit(uow, actor.user_id, "disabled", kind, row.id, name=row.name)
        uow.commit()
        return _view(uow, kind, repository.get(row.id))


def set_template_code(uow: UnitOfWork, name: str, code: str, actor: Actor) -> tuple[ContentView, str | None]:
    """Ties a template to the one registered at the default application's provider (another
    application's: `/sms app register`). Approvers only: they vouch that the provider's
    template says what ours says."""
    code_or_none = check_provider_code(code)
    check_approver(actor, _("set a template's provider code"))
    with uow:
        row = _named(uow, ContentKind.TEMPLATE, name)
        uow.applications.register(str(ContentKind.TEMPLATE), row.id, uow.applications.default().id, code_or_none)
        _audit(uow, actor.user_id, "provider_code", ContentKind.TEMPLATE, row.id, name=row.name, code=code_or_none)
        uow.commit()
        return _view(uow, ContentKind.TEMPLATE, uow.templates.get(row.id)), code_or_none


def update_template(uow: UnitOfWork, template_id: int, draft: TemplateDraft, actor: Actor) -> tuple[ContentView, list[int]]:
    """Changed content is pending again until approved; so is every task not yet sending that
    uses it (its earlier approval was for other words). Returns the template and those tasks."""
    draft = check_template(draft)
    with uow:
        template = uow.templates.get(template_id)
        if template is None:
            raise _gone(ContentKind.TEMPLATE)
        try:
            check_owner_or_approver(actor, template.created_by, _("change “{name}”", name=template.name))
        except NotAllowed as refusal:
            raise ContentError(refusal.message, "name") from None
        _check_binding(uow, draft)
        try:
            uow.templates.update(
                template_id, name=draft.name, name_key=name_key(draft.name), kind=draft.kind, purpose=draft.purpose,
                body=draft.body, subject=draft.subject, media_urls=draft.media_urls, title=draft.title,
                image_url=draft.image_url, buttons=[{"text": b.text, "url": b.url} for b in draft.buttons],
                default_link=draft.default_link, signature_ids=draft.signature_ids, status=ContentStatus.PENDING,
                decided_by=None, decided_at=None, reject_reason=None, approval_channel=None, approval_ts=None,
            )
        except AlreadyExists:
            raise _template_exists(draft.name) from None
        requeued = []
        for task in uow.tasks.open_using_template(template_id):
            if uow.tasks.replace_content(task.id, from_status=task.status, version=task.version):
                requeued.append(task.id)
        _audit(uow, actor.user_id, "changed", ContentKind.TEMPLATE, template_id, name=draft.name,
               signatures=draft.signature_ids, tasks=requeued)
        uow.commit()
        return _view(uow, ContentKind.TEMPLATE, uow.templates.get(template_id)), requeued
