"""Failures a test asks Slack to give, for chosen calls: what a small, quiet workspace never
shows, but real Slack does (a message someone deleted, a channel the bot was removed from or
that was archived, a rate limit with Retry-After)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.emulator.errors import SlackFailure
from bot.sandbox.emulator.model import JsonDict

# Slack answers a rate-limited call with HTTP 429, `{"ok": false, "error": "ratelimited"}` and
# a Retry-After header in seconds; every other failure with HTTP 200.
RATELIMITED = "ratelimited"


@dataclass
class Fault:
    method: str
    error: str
    times: int | None  # None: every matching call until cleared
    when: Callable[[JsonDict], bool] | None
    retry_after: int

    def failure(self) -> SlackFailure:
        if self.error == RATELIMITED:
            return SlackFailure(RATELIMITED, status_code=429, headers={"Retry-After": str(self.retry_after)})
        return SlackFailure(self.error)


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, method: str, error: str, *, times: int | None = 1, when: Callable[[JsonDict], bool] | None = None,
            retry_after: int = 1) -> Fault:
        """The next `times` calls of `method` whose arguments `when` accepts fail with `error`."""
        fault = Fault(method, error, times, when, retry_after)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def raise_if_due(self, method: str, args: JsonDict) -> None:
        with self._lock:
            for fault in self._faults:
                if fault.method == method and (fault.when is None or fault.when(args)):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    raise fault.failure()
