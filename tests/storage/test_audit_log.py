import pytest

from storage.tables import AuditEntry


def _entry(action: str, target_id: str = "42") -> AuditEntry:
    return AuditEntry(actor="U0SENDER01", action=action, target_type="task", target_id=target_id,
                      detail={"reason": "ok", "count": 3})


def test_committed_entries_are_kept_in_order_with_their_detail(uow_factory):
    with uow_factory() as uow:
        uow.audit.add(_entry("task.created"))
        uow.audit.add(_entry("task.approved"))
        uow.audit.add(_entry("task.created", target_id="7"))
        uow.commit()
    with uow_factory() as uow:
        entries = uow.audit.for_target("task", "42")
    assert [e.action for e in entries] == ["task.created", "task.approved"]
    assert entries[0].detail == {"reason": "ok", "count": 3}
    assert entries[0].at is not None and entries[0].actor == "U0SENDER01"


def test_work_not_committed_is_rolled_back(uow_factory):
    with uow_factory() as uow:
        uow.audit.add(_entry("task.created"))
    with uow_factory() as uow:
        assert uow.audit.latest() == []


def test_an_exception_inside_the_unit_of_work_keeps_nothing(uow_factory):
    with pytest.raises(RuntimeError):
        with uow_factory() as uow:
            uow.audit.add(_entry("task.created"))
            uow.audit.add(_entry("task.approved"))
            raise RuntimeError("crash before commit")
    with uow_factory() as uow:
        assert uow.audit.latest() == []


def test_one_persons_entries_of_an_action_since_a_moment(uow_factory):
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    with uow_factory() as uow:
        for at, actor, action in [(now - timedelta(hours=25), "U0SENDER01", "task.test_sent"),
                                  (now - timedelta(hours=1), "U0SENDER01", "task.test_sent"),
                                  (now - timedelta(hours=1), "U0OTHER001", "task.test_sent"),
                                  (now, "U0SENDER01", "task.created")]:
            uow.audit.add(AuditEntry(at=at, actor=actor, action=action, target_type="task", target_id="1"))
        uow.commit()
    with uow_factory() as uow:
        found = uow.audit.by_actor("U0SENDER01", "task.test_sent", since=now - timedelta(hours=24))
    assert [(e.actor, e.at) for e in found] == [("U0SENDER01", now - timedelta(hours=1))]


def test_a_targets_entries_of_some_actions_oldest_first(uow_factory):
    with uow_factory() as uow:
        for action in ("task.created", "task.approve", "task.cancel", "task.approve"):
            uow.audit.add(_entry(action))
        uow.audit.add(_entry("task.approve", target_id="7"))
        uow.audit.add(AuditEntry(actor="U0SENDER01", action="request.refused", target_type="request",
                                 target_id="42", detail={}))
        uow.commit()
    with uow_factory() as uow:
        some = uow.audit.for_target("task", "42", actions=("task.created", "task.approve"))
        every = uow.audit.for_target("task", "42")
    assert [e.action for e in some] == ["task.created", "task.approve", "task.approve"]
    assert [e.id for e in some] == sorted(e.id for e in some)
    assert [e.action for e in every] == ["task.created", "task.approve", "task.cancel", "task.approve"]
