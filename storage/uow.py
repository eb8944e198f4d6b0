"""The unit of work: one transaction, its repositories, and rollback unless committed."""

from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from storage.content import ContentRepository
from storage.recipients import AudienceRepository, RecipientListRepository
from storage.opt_outs import OptOutRepository
from storage.repositories import AuditRepository
from storage.task_recipients import TaskRecipientRepository
from storage.tasks import TaskRepository
from storage.tables import Signature, Template


class SqlUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._session = self._session_factory()
        self.audit = AuditRepository(self._session)
        self.recipient_lists = RecipientListRepository(self._session)
        self.audiences = AudienceRepository(self._session)
        self.signatures = ContentRepository(self._session, Signature)
        self.templates = ContentRepository(self._session, Template)
        self.tasks = TaskRepository(self._session)
        self.task_recipients = TaskRecipientRepository(self._session)
        self.opt_outs = OptOutRepository(self._session)
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Only committed work survives: close() rolls back whatever is left, and unlike
        # rollback() it leaves loaded objects readable for the caller.
        assert self._session is not None
        self._session.close()
        self._session = None

    def commit(self) -> None:
        assert self._session is not None, "commit outside 'with uow:'"
        self._session.commit()

    def rollback(self) -> None:
        assert self._session is not None, "rollback outside 'with uow:'"
        self._session.rollback()


UnitOfWorkFactory = Callable[[], SqlUnitOfWork]
