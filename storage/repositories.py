"""Repositories: every select() of the project lives here."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage.tables import AuditEntry


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, entry: AuditEntry) -> AuditEntry:
        self._session.add(entry)
        return entry

    def for_target(self, target_type: str, target_id: str, *,
                   actions: tuple[str, ...] | None = None) -> list[AuditEntry]:
        """Oldest first; `actions`: only those."""
        query = (
            select(AuditEntry)
            .where(AuditEntry.target_type == target_type, AuditEntry.target_id == target_id)
            .order_by(col(AuditEntry.id))
        )
        if actions is not None:
            query = query.where(col(AuditEntry.action).in_(actions))
        return list(self._session.exec(query))

    def by_actor(self, actor: str, action: str, *, since: datetime) -> list[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.actor == actor, AuditEntry.action == action,
                                         col(AuditEntry.at) >= since)
        return list(self._session.exec(query))

    def latest(self, limit: int = 50) -> list[AuditEntry]:
        return list(self._session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)))
