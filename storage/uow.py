"""The unit of work: one transaction, its repositories, and rollback unless committed."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from storage.applications import ApplicationRepository
from storage.content import ContentRepository
from storage.opt_outs import OptOutRepository
from storage.preferences import PreferenceRepository
from storage.rates import RateRepository
from storage.seen import SeenRequestRepository
from storage.recipients import AudienceRepository, RecipientListRepository
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
        self.applications = ApplicationRepository(self._session)
        self.recipient_lists = RecipientListRepository(self._session)
        self.audiences = AudienceRepository(self._session)
        self.signatures = ContentRepository(self._session, Signature)
        self.templates = ContentRepository(self._session, Template)
        self.tasks = TaskRepository(self._session)
        self.task_recipients = TaskRecipientRepository(self._session)
        self.opt_outs = OptOutRepository(self._session)
        self.rates = RateRepository(self._session)
        self.preferences = PreferenceRepository(self._session)
        self.seen_requests = SeenRequestRepository(self._session)
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


T = TypeVar("T")
# PostgreSQL's deadlock and serialization failures; SQLite's busy writer past its timeout.
_RETRYABLE_SQLSTATES = {"40P01", "40001"}


def _is_conflict(error: DBAPIError) -> bool:
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return state in _RETRYABLE_SQLSTATES or "database is locked" in str(error.orig)


def retry_on_conflict(work: Callable[[], T], attempts: int = 5) -> T:
    """Runs a whole unit of work again when two writers collided (it was rolled back, so
    nothing is half done): a submit result and a receipt for the same rows, for instance."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as error:
            if attempt == attempts or not _is_conflict(error):
                raise
            time.sleep(0.01 * 2 ** attempt)
    raise AssertionError("unreachable")
