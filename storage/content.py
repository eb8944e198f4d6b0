"""Signatures and templates: the content a send may use once an approver approved it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.errors import AlreadyExists
from storage.tables import Signature, Template

Content = TypeVar("Content", Signature, Template)


class ContentRepository(Generic[Content]):
    def __init__(self, session: Session, model: type[Content]) -> None:
        self._session = session
        self._model = model

    def add(self, content: Content) -> Content:
        self._session.add(content)
        try:
            self._session.flush()
        except IntegrityError:
            raise AlreadyExists(f"{self._model.__tablename__} {content.name}") from None
        return content

    def get(self, content_id: int) -> Content | None:
        return self._session.get(self._model, content_id)

    def by_name(self, name_key: str) -> Content | None:
        return self._session.exec(select(self._model).where(self._model.name_key == name_key)).first()

    def all(self, status: str | None = None) -> list[Content]:
        query = select(self._model).order_by(col(self._model.name_key))
        if status is not None:
            query = query.where(self._model.status == status)
        return list(self._session.exec(query))

    def names(self, ids: Sequence[int]) -> dict[int, str]:
        """The names of those that exist, by id."""
        if not ids:
            return {}
        rows = self._session.exec(select(self._model.id, self._model.name).where(col(self._model.id).in_(ids)))
        return dict(rows.all())

    def move(self, content_id: int, *, from_status: str, to_status: str, **fields: object) -> bool:
        """Change the status only if it is still `from_status`: of two approvers deciding at
        once, exactly one succeeds."""
        result = self._session.execute(
            update(self._model)
            .where(col(self._model.id) == content_id, col(self._model.status) == from_status)
            .values(status=to_status, **fields)
        )
        self._session.expire_all()
        return result.rowcount == 1

    def update(self, content_id: int, **fields: object) -> None:
        try:
            self._session.execute(update(self._model).where(col(self._model.id) == content_id).values(**fields))
            self._session.flush()
        except IntegrityError:
            raise AlreadyExists(f"{self._model.__tablename__} {fields.get('name')}") from None
        self._session.expire_all()

    def delete(self, content_id: int, *, from_status: str) -> bool:
        result = self._session.execute(
            delete(self._model).where(col(self._model.id) == content_id, col(self._model.status) == from_status))
        return result.rowcount == 1

    def set_approval_message(self, content_id: int, channel: str, ts: str) -> None:
        self._session.execute(
            update(self._model).where(col(self._model.id) == content_id)
            .values(approval_channel=channel, approval_ts=ts)
        )


def decided_fields(decided_by: str, decided_at: datetime, reason: str | None = None) -> dict[str, object]:
    return {"decided_by": decided_by, "decided_at": decided_at, "reject_reason": reason}
