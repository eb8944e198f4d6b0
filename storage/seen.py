"""Slack requests already taken, by key: what makes a retry or a double submit a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.tables import SeenRequest


class SeenRequestRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def first_time(self, key: str, at: datetime) -> bool:
        """Records the key; False if it was recorded before (a retry, another process)."""
        try:
            with self._session.begin_nested():
                self._session.add(SeenRequest(key=key[:200], at=at))
        except IntegrityError:
            return False
        return True

    def forget_before(self, moment: datetime) -> int:
        return self._session.execute(delete(SeenRequest).where(col(SeenRequest.at) < moment)).rowcount
