"""Once, whatever Slack retries: a request is taken the first time its key is seen, by any
process on the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.uow import SqlUnitOfWork as UnitOfWork

# Slack retries an event three times within about an hour; a day covers it with room to spare.
REMEMBERED_FOR = timedelta(days=1)


def take_once(uow: UnitOfWork, key: str, now: datetime) -> bool:
    """True the first time `key` is seen; False for a retry of a request already taken."""
    with uow:
        first = uow.seen_requests.first_time(key, now)
        uow.commit()
        return first


def forget_old_requests(uow: UnitOfWork, now: datetime) -> int:
    with uow:
        forgotten = uow.seen_requests.forget_before(now - REMEMBERED_FOR)
        uow.commit()
        return forgotten
