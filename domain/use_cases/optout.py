"""The opt-out list: from people in Slack and from inbound replies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import _
from domain.optout import is_opt_out
from domain.phones import PhoneNormalizer, invalid_reason_for_reader
from domain.privacy import last_four
from storage.tables import AuditEntry
from storage.uow import SqlUnitOfWork as UnitOfWork


@dataclass(frozen=True)
class OptOutStatus:
    shown: str  # the number as Slack may show it: last four digits
    opted_out: bool
    changed: bool = False


def _normalized(normalizer: PhoneNormalizer, raw: str) -> str:
    result = normalizer.normalize(raw.strip())
    if result.e164 is None:
        raise DomainError(_("That is not a phone number I can use: {reason}.",
                            reason=invalid_reason_for_reader(result.message)))
    return result.e164


def change_opt_out(uow: UnitOfWork, raw: str, actor: Actor, *, add: bool, normalizer: PhoneNormalizer,
                   now: datetime) -> OptOutStatus:
    phone = _normalized(normalizer, raw)
    with uow:
        changed = uow.opt_outs.add(phone, "slack", actor.user_id, now) if add else uow.opt_outs.remove(phone)
        if changed:
            uow.audit.add(AuditEntry(actor=actor.user_id, action="optout.added" if add else "optout.removed",
                                     target_type="phone", target_id=last_four(phone), detail={}))
        uow.commit()
        return OptOutStatus(last_four(phone), add, changed)


def check_opt_out(uow: UnitOfWork, raw: str, *, normalizer: PhoneNormalizer) -> OptOutStatus:
    phone = _normalized(normalizer, raw)
    with uow:
        return OptOutStatus(last_four(phone), uow.opt_outs.get(phone) is not None)


def record_inbound(uow: UnitOfWork, messages: Iterable[tuple[str, str]], *, keywords: Iterable[str], source: str,
                   now: datetime) -> int:
    """(phone, text) replies; those that are an opt-out word put the number on the list."""
    keywords = list(keywords)
    added = 0
    with uow:
        for phone, text in messages:
            if is_opt_out(text, keywords) and uow.opt_outs.add(phone, source, None, now):
                uow.audit.add(AuditEntry(actor=source, action="optout.added", target_type="phone",
                                         target_id=last_four(phone), detail={"keyword": text.strip()[:20]}))
                added += 1
        uow.commit()
    return added
