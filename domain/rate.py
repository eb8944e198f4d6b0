"""A token bucket: how long to wait before sending n messages at a given rate. Pure: the
caller passes the time."""

from __future__ import annotations


class TokenBucket:
    def __init__(self, rate_per_second: float, burst: float | None = None, now: float = 0.0) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate_per_second
        self.capacity = burst if burst is not None else max(1.0, rate_per_second)
        self._tokens = self.capacity
        self._at = now

    def wait_for(self, count: float, now: float) -> float:
        """Seconds to wait before `count` messages may go; takes them (so the next caller
        queues behind). A batch larger than the bucket waits for its share of time."""
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        self._tokens -= count
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
