"""Requests already taken (storage/seen.py), on SQLite and PostgreSQL: the first delivery is
taken, a retry is not, and old keys are forgotten."""

from datetime import UTC, datetime, timedelta

from domain.use_cases.requests import forget_old_requests, take_once

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_a_key_is_taken_once_and_forgotten_after_a_day(uow_factory):
    assert take_once(uow_factory(), "event:Ev1", NOW - timedelta(days=2))
    assert not take_once(uow_factory(), "event:Ev1", NOW)  # Slack's retry
    assert take_once(uow_factory(), "event:Ev2", NOW)
    assert forget_old_requests(uow_factory(), NOW) == 1
    assert take_once(uow_factory(), "event:Ev1", NOW)  # forgotten: a new delivery would be taken
    assert not take_once(uow_factory(), "event:Ev2", NOW)


def test_a_refused_key_leaves_the_rest_of_the_transaction_usable(uow_factory):
    """The duplicate's failed insert is rolled back to its savepoint, not the whole transaction."""
    from storage.tables import AuditEntry

    take_once(uow_factory(), "event:Ev3", NOW)
    with uow_factory() as uow:
        assert not uow.seen_requests.first_time("event:Ev3", NOW)
        uow.audit.add(AuditEntry(actor="U1", action="x", target_type="t", target_id="1"))
        uow.commit()
    with uow_factory() as uow:
        assert [e.action for e in uow.audit.latest()] == ["x"]
