"""A token bucket: how long to wait before sending n messages at a given rate. Pure: the
caller passes the time."""

from __future__ import annotations


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


def claim_size(chunk: int, rate_per_second: float) -> int:
    """Recipients a dispatcher claims at once: about a second's worth at the account's rate (at
    least 10), so that no claim holds recipients in flight for long while it waits its turn."""
    if rate_per_second <= 0:
        return chunk
    return max(1, min(chunk, max(10, int(rate_per_second))))
