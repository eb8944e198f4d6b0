"""Use cases of the sending rate: which tasks send, in which lanes, and the share of a rate
every process on the database takes from one row before it claims."""

from __future__ import annotations

from domain.rate import Bucket, Lane, TokenBucket, lanes_of
from domain.task_state import TaskStatus
from domain.use_cases.applications import applications
from storage.uow import SqlUnitOfWork as UnitOfWork
from storage.uow import retry_on_conflict


def sending_lanes(uow: UnitOfWork, deployment_rate: float) -> list[Lane]:
    """Each sending task's lanes, the oldest task first: one, or one per application of its
    split when one of them has a rate of its own. The rates are read now: a change applies to
    sends already under way from their next claim."""
    with uow:
        by_id = {app.id: app for app in applications(uow)}
        return [lane for task_id, split in uow.tasks.splits_in(TaskStatus.sending)
                for lane in lanes_of(task_id, [part["application_id"] for part in split or ()], by_id,
                                     deployment_rate)]


def reserve_sending(uow: UnitOfWork, bucket: Bucket, count: int, now: float) -> float | None:
    """Takes `count` messages' worth of `bucket`'s rate, kept in the row every process shares;
    returns how long to wait before they may go, or None (taking nothing) while another taker
    waits for this rate: then there is nothing to send at it before that one has gone, and a
    dispatcher's other lanes, at other rates, should not wait behind it. `now`: epoch seconds."""
    def reserve() -> float | None:
        with uow:
            state = uow.rates.locked(bucket.key)
            limiter = (TokenBucket(bucket.rate, now=now) if state is None else
                       TokenBucket(bucket.rate, now=state[1], tokens=state[0]))
            wait = limiter.wait_unless_owed(count, now)
            uow.rates.save(bucket.key, *limiter.state)
            uow.commit()
            return wait

    return retry_on_conflict(reserve)
