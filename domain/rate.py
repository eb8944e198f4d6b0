"""A token bucket: how long to wait before sending n messages at a given rate, and which
bucket each application's messages take from. Pure: the caller passes the time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.applications import Application


class TokenBucket:
    """`tokens` and `now`: where a bucket kept elsewhere (a database row shared by every
    process) stands; a new bucket starts full."""

    def __init__(self, rate_per_second: float, burst: float | None = None, now: float = 0.0,
                 tokens: float | None = None) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate_per_second
        self.capacity = burst if burst is not None else max(1.0, rate_per_second)
        self._tokens = self.capacity if tokens is None else tokens
        self._at = now

    @property
    def state(self) -> tuple[float, float]:
        """(tokens, as of when): to keep the bucket between calls."""
        return self._tokens, self._at

    def wait_for(self, count: float, now: float) -> float:
        """Seconds to wait before `count` messages may go; takes them (so the next caller
        queues behind). A batch larger than the bucket waits for its share of time."""
        self._tokens = min(self.capacity, self._tokens + max(now - self._at, 0.0) * self.rate)
        self._at = max(now, self._at)  # another process's clock may run a little behind
        self._tokens -= count
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def wait_unless_owed(self, count: float, now: float) -> float | None:
        """As `wait_for`, but None, taking nothing, while the bucket is owed: another taker is
        already waiting for its turn, and this one had better do other work meanwhile."""
        self._tokens = min(self.capacity, self._tokens + max(now - self._at, 0.0) * self.rate)
        self._at = max(now, self._at)
        if self._tokens < 0:
            return None
        return self.wait_for(count, now)


def claim_size(chunk: int, rate_per_second: float) -> int:
    """Recipients a dispatcher claims at once: about a second's worth at the account's rate (at
    least 10), so that no claim holds recipients in flight for long while it waits its turn."""
    if rate_per_second <= 0:
        return chunk
    return max(1, min(chunk, max(10, int(rate_per_second))))


ACCOUNT_BUCKET = "account"  # the deployment's provider account: SMSBOT_SEND_RATE


@dataclass(frozen=True)
class Bucket:
    """A rate every process on the database takes from: `key` names its row."""

    key: str
    rate: float  # messages a second; 0: as fast as the provider takes them


def bucket_of(application: Application | None, deployment_rate: float) -> Bucket:
    """An application with a rate of its own has its own account and bucket; the others send
    through the deployment's account and share its rate."""
    if application is not None and application.send_rate:
        return Bucket(f"application:{application.id}", application.send_rate)
    return Bucket(ACCOUNT_BUCKET, deployment_rate)


@dataclass(frozen=True)
class Lane:
    """Recipients of a sending task claimed together under one rate: all of them
    (`application_id` None), or those of one application."""

    task_id: int
    application_id: int | None
    bucket: Bucket


def lanes_of(task_id: int, application_ids: Sequence[int], applications: Mapping[int, Application],
             deployment_rate: float) -> list[Lane]:
    """`application_ids`: those the task's numbers were split to (none for a task split before
    applications existed). One lane while every one of them shares the deployment's rate; one
    for each when any has its own, so that each is claimed only as fast as its rate allows."""
    ids = list(dict.fromkeys(application_ids))
    if not any(applications.get(i) and applications[i].send_rate for i in ids):
        return [Lane(task_id, None, Bucket(ACCOUNT_BUCKET, deployment_rate))]
    return [Lane(task_id, i, bucket_of(applications.get(i), deployment_rate)) for i in ids]
