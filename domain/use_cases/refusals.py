"""Refusals are on the record like successes: who asked for what, and why it was refused."""

from __future__ import annotations

from datetime import datetime

from storage.tables import AuditEntry
from storage.uow import SqlUnitOfWork as UnitOfWork

REFUSED = "request.refused"


def record_refusal(uow: UnitOfWork, actor_id: str, asked: str, reason: str, now: datetime) -> None:
    """`asked`: what the request was (a button's action id, a modal's callback id, a command)."""
    with uow:
        uow.audit.add(AuditEntry(at=now, actor=actor_id, action=REFUSED, target_type="request",
                                 target_id=asked[:64], detail={"reason": reason[:500]}))
        uow.commit()
