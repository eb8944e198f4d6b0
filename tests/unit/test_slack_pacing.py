"""Slack's tiers kept by the notifier: calls of a method spaced, Retry-After honoured by skipping."""

import pytest

from handlers.slack_pacing import SlackHeld, SlackPacer


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


async def test_calls_are_spaced_and_a_held_method_is_skipped_not_waited_for():
    clock = FakeClock()
    pacer = SlackPacer(clock, spacing={"chat_update": 0.0})
    await pacer.turn("chat_update")
    pacer.hold("chat_update", 30)
    with pytest.raises(SlackHeld):
        await pacer.turn("chat_update")
    assert pacer.ready("chat_postMessage")  # other methods go on
    clock.now += 30
    await pacer.turn("chat_update")
