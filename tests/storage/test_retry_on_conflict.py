import pytest
from sqlalchemy.exc import DBAPIError

from storage.uow import retry_on_conflict


class DriverError(Exception):
    def __init__(self, sqlstate: str | None, message: str = "") -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def failing(times: int, sqlstate: str | None, message: str = ""):
    calls = []

    def work():
        calls.append(1)
        if len(calls) <= times:
            raise DBAPIError("UPDATE task_recipient ...", {}, DriverError(sqlstate, message))
        return "done"

    return work, calls


@pytest.mark.parametrize(("sqlstate", "message"), [("40P01", "deadlock detected"), ("40001", ""),
                                                   (None, "database is locked")])
def test_collisions_are_run_again(sqlstate, message):
    work, calls = failing(2, sqlstate, message)
    assert retry_on_conflict(work) == "done" and len(calls) == 3


def test_other_errors_and_endless_collisions_are_raised():
    work, calls = failing(1, "23505", "unique violation")
    with pytest.raises(DBAPIError):
        retry_on_conflict(work)
    assert len(calls) == 1
    work, calls = failing(10, "40P01")
    with pytest.raises(DBAPIError):
        retry_on_conflict(work, attempts=3)
    assert len(calls) == 3
