"""The account's sending rate, kept in one row per key that every process shares."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.tables import SendRate


class RateRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def locked(self, key: str) -> tuple[float, float] | None:
        """(tokens, as of when) of the bucket, locked until the transaction ends (None: no bucket
        yet). The UPDATE takes the row's lock on PostgreSQL and the write lock on SQLite first,
        so that two processes never read the same tokens."""
        table = SendRate.__table__
        self._session.execute(update(table).where(table.c.key == key).values(key=key))
        row = self._session.execute(select(table.c.tokens, table.c.updated_at).where(table.c.key == key)).first()
        return (row.tokens, row.updated_at) if row else None

    def save(self, key: str, tokens: float, at: float) -> None:
        table = SendRate.__table__
        if not self._session.execute(update(table).where(table.c.key == key)
                                     .values(tokens=tokens, updated_at=at)).rowcount:
            try:
                with self._session.begin_nested():
                    self._session.execute(insert(table).values(key=key, tokens=tokens, updated_at=at))
            except IntegrityError:  # another process made it first: take its place
                self._session.execute(update(table).where(table.c.key == key).values(tokens=tokens, updated_at=at))
