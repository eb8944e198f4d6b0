"""Clocks the workspace reads: real ones by default, a hand-moved one for tests."""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]


class ManualClock:
    """A clock tests move by hand, e.g. to expire a trigger id without sleeping."""

    def __init__(self, start: float = 1_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
