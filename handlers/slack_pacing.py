"""Slack's method tiers, kept by the code that writes most (the threads' notifier): calls of a
method are spaced to stay inside its tier, and a method Slack answered `ratelimited` waits out
its Retry-After here — never in the sending loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

# Seconds between two calls of a method from this process (docs.slack.dev/apis/web-api/rate-limits):
# chat.update is Tier 3 (about 50 a minute); chat.postMessage about one a second per channel;
# files uploads Tier 2 (about 20 a minute).
SPACING_SECONDS: dict[str, float] = {
    "chat_update": 1.2,
    "chat_postMessage": 1.0,
    "files_getUploadURLExternal": 3.0,
    "files_completeUploadExternal": 3.0,
}
DEFAULT_RETRY_AFTER_SECONDS = 30.0


def retry_after(error: SlackApiError) -> float | None:
    """Seconds Slack asked to wait, for a `ratelimited` answer; None for any other."""
    response = error.response
    if getattr(response, "status_code", None) != 429 and response.get("error") != "ratelimited":
        return None
    value = (getattr(response, "headers", None) or {}).get("retry-after") or \
        (getattr(response, "headers", None) or {}).get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else DEFAULT_RETRY_AFTER_SECONDS
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


class SlackHeld(Exception):
    """Slack asked this process to wait before calling the method again: try on a later pass."""


class SlackPacer:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic,
                 spacing: dict[str, float] | None = None) -> None:
        self._monotonic = monotonic
        self._spacing = SPACING_SECONDS if spacing is None else spacing
        self._next: dict[str, float] = {}  # method -> earliest time of its next call
        self._lock = asyncio.Lock()

    def ready(self, method: str) -> bool:
        """Whether a call of `method` may go now (the notifier skips a turn rather than queue)."""
        return self._monotonic() >= self._next.get(method, 0.0)

    async def turn(self, method: str) -> None:
        """Waits for `method`'s next slot and takes it; `SlackHeld` while Slack's Retry-After
        runs (the caller comes back later instead of waiting it out)."""
        async with self._lock:
            wait = self._next.get(method, 0.0) - self._monotonic()
            if wait > self._spacing.get(method, 0.0):
                raise SlackHeld(method)
            if wait > 0:
                await asyncio.sleep(wait)
            self._next[method] = self._monotonic() + self._spacing.get(method, 0.0)

    def hold(self, method: str, seconds: float) -> None:
        """Slack said to wait: no call of `method` before then."""
        self._next[method] = max(self._next.get(method, 0.0), self._monotonic() + seconds)
