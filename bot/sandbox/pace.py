"""How fast the sandbox sends and its receipts come back: slow enough by default to watch a send
move, pause it and see receipts arrive after it; quick for trying many sends in a row."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.seed import SAMPLE_ROWS


@dataclass(frozen=True)
class Pace:
    """How fast the sandbox's sends go and its receipts come back."""

    send_rate: float  # messages per second, for every send
    dispatch_chunk: int  # recipients claimed at a time
    receipt_latency: tuple[float, float]  # seconds from acceptance to receipt, uniform


PACES = {
    # The sample send (58 numbers) takes about 40 s: its progress message moves a dozen times,
    # there is time to pause and resume it, and receipts keep coming for ~20 s after it finishes.
    "watch": Pace(send_rate=1.5, dispatch_chunk=2, receipt_latency=(3.0, 20.0)),
    # Over in a few seconds, receipts in within two: for trying many sends in a row.
    "quick": Pace(send_rate=20.0, dispatch_chunk=10, receipt_latency=(0.3, 2.0)),
}


def sample_send_seconds(pace: Pace) -> int:
    """About how long the sample file's send takes (its valid numbers at the pace's rate), to ten seconds."""
    return max(10, round((SAMPLE_ROWS - 2) / pace.send_rate / 10) * 10)
