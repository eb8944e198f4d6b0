"""Fakes the tests inject instead of patching."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class FakeClock:
    """The bot's clock, moved by the test."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Asia/Shanghai

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
