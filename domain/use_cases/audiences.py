"""Audiences: named recipient lists to send to again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import _
from domain.text_rules import has_control_characters
from domain.policy import check_may_use_list, check_owner_or_approver, may_use_list
from storage.errors import AlreadyExists
from storage.tables import Audience, AuditEntry
from storage.uow import SqlUnitOfWork as UnitOfWork

MAX_NAME_LENGTH = 60


class AudienceError(DomainError):
    pass


@dataclass(frozen=True)
class AudienceView:
    name: str
    list_id: int
    recipient_count: int
    variables: list[str]
    created_by: str
    created_at: datetime


def audience_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _checked_name(raw: str) -> str:
    name = " ".join(raw.split())
    if has_control_characters(raw):
        raise AudienceError(_("An audience name is one line of text, without control characters."))
    if not name:
        raise AudienceError(_("Give the audience a name, e.g. `/sms audience save spring-customers`."))
    if len(name) > MAX_NAME_LENGTH:
        raise AudienceError(_("An audience name has at most {count} characters.", count=MAX_NAME_LENGTH))
    return name


def _name_taken(name: str) -> AudienceError:
    return AudienceError(_("An audience named “{name}” already exists. Pick another name.", name=name))


def check_name_free(uow: UnitOfWork, raw: str) -> str:
    """The name as an audience would be saved under it, refused if it is not a name or is taken:
    asked before the work of filling the audience starts."""
    name = _checked_name(raw)
    with uow:
        if uow.audiences.by_name(audience_key(name)) is not None:
            raise _name_taken(name)
    return name


def save_audience(uow: UnitOfWork, name: str, actor: Actor, *, channel_id: str, list_id: int | None = None) -> AudienceView:
    """From a given import, or else the actor's latest import in this channel."""
    name = _checked_name(name)
    with uow:
        recipient_list = (
            uow.recipient_lists.get(list_id) if list_id is not None
            else uow.recipient_lists.latest_for(actor.user_id, channel_id)
        )
        if recipient_list is None:
            raise AudienceError(_("There is no import of yours in this channel to save. Drop an XLSX or CSV here "
                                  "first."))
        check_may_use_list(actor, uploader=recipient_list.created_by, channel_id=recipient_list.channel_id)
        audience = Audience(name=name, name_key=audience_key(name), list_id=recipient_list.id, created_by=actor.user_id)
        try:
            uow.audiences.add(audience)
        except AlreadyExists:
            raise _name_taken(name) from None
        uow.audit.add(AuditEntry(actor=actor.user_id, action="audience.saved", target_type="audience",
                                 target_id=str(audience.id), detail={"name": name, "list_id": recipient_list.id}))
        uow.commit()
        return AudienceView(name, recipient_list.id, recipient_list.imported_count, list(recipient_list.variables),
                            audience.created_by, audience.created_at)


def list_audiences(uow: UnitOfWork, actor: Actor) -> list[AudienceView]:
    """The audiences the person may send to (actor: with their channels)."""
    with uow:
        return [
            AudienceView(a.name, r.id, r.imported_count, list(r.variables), a.created_by, a.created_at)
            for a, r in uow.audiences.all_with_lists()
            if may_use_list(actor, uploader=r.created_by, channel_id=r.channel_id)
        ]


def _audience_named(uow: UnitOfWork, name: str) -> Audience:
    audience = uow.audiences.by_name(audience_key(name))
    if audience is None:
        raise AudienceError(_("No audience is named “{name}”. `/sms audience list` shows them all.",
                              name=" ".join(name.split())))
    return audience


def delete_audience(uow: UnitOfWork, name: str, actor: Actor) -> str:
    """Only whoever saved it, or an approver, may delete an audience. Its recipients stay
    with the import (and with any task that used them)."""
    with uow:
        audience = _audience_named(uow, name)
        check_owner_or_approver(actor, audience.created_by, _("delete “{name}”", name=audience.name))
        uow.audiences.delete(audience)
        uow.audit.add(AuditEntry(actor=actor.user_id, action="audience.deleted", target_type="audience",
                                 target_id=str(audience.id), detail={"name": audience.name}))
        uow.commit()
        return audience.name
