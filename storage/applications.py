"""SMS applications and the content registered for each."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.errors import AlreadyExists
from storage.tables import ContentRegistration, SmsApplication


class ApplicationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, application: SmsApplication) -> SmsApplication:
        self._session.add(application)
        try:
            self._session.flush()
        except IntegrityError:
            raise AlreadyExists(f"application {application.name}") from None
        return application

    def all(self) -> list[SmsApplication]:
        return list(self._session.exec(select(SmsApplication).order_by(col(SmsApplication.id))))

    def by_name(self, name_key: str) -> SmsApplication | None:
        return self._session.exec(select(SmsApplication).where(SmsApplication.name_key == name_key)).first()

    def default(self) -> SmsApplication:
        """There is always one: the first migration of applications made it."""
        return self._session.exec(select(SmsApplication).where(col(SmsApplication.is_default))).one()

    def update(self, application_id: int, **fields: object) -> None:
        self._session.execute(update(SmsApplication).where(col(SmsApplication.id) == application_id).values(**fields))
        self._session.expire_all()

    def make_default(self, application_id: int) -> None:
        """Exactly one default: the others lose it in the same statement."""
        self._session.execute(update(SmsApplication).values(is_default=col(SmsApplication.id) == application_id))
        self._session.expire_all()

    def registrations(self, kind: str, content_ids: Sequence[int] | None = None) -> dict[int, dict[int, str | None]]:
        """content id -> {application id: provider code} for content of `kind` (all, or those ids)."""
        query = select(ContentRegistration).where(ContentRegistration.kind == kind)
        if content_ids is not None:
            query = query.where(col(ContentRegistration.content_id).in_(content_ids))
        found: dict[int, dict[int, str | None]] = {}
        for row in self._session.exec(query):
            found.setdefault(row.content_id, {})[row.application_id] = row.provider_code
        return found

    def register(self, kind: str, content_id: int, application_id: int, provider_code: str | None) -> None:
        """Registers it, or changes the code of the registration there already is."""
        row = self._session.get(ContentRegistration, (kind, content_id, application_id))
        if row is None:
            self._session.add(ContentRegistration(kind=kind, content_id=content_id, application_id=application_id,
                                                  provider_code=provider_code))
        else:
            row.provider_code = provider_code
        self._session.flush()

    def unregister(self, kind: str, content_id: int, application_id: int) -> bool:
        result = self._session.execute(delete(ContentRegistration).where(
            col(ContentRegistration.kind) == kind, col(ContentRegistration.content_id) == content_id,
            col(ContentRegistration.application_id) == application_id))
        return result.rowcount == 1

    def unregister_content(self, kind: str, content_id: int) -> None:
        """A deleted signature or template leaves no registration behind."""
        self._session.execute(delete(ContentRegistration).where(
            col(ContentRegistration.kind) == kind, col(ContentRegistration.content_id) == content_id))
