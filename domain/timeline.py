"""A task's delivery over time, for the chart in its thread: how many messages had gone out,
been delivered, failed (by receipt) or were still awaiting a receipt, step by step. Pure: the
database counts per time bucket, this adds them up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# Bucket widths a person reads easily, in seconds: 1 s … 1 day.
NICE_WIDTHS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
MAX_BUCKETS = 60


def bucket_width(span_seconds: int, max_buckets: int = MAX_BUCKETS) -> int:
    """The narrowest nice width that covers the span in at most `max_buckets` buckets."""
    span_seconds = max(span_seconds, 0)
    for width in NICE_WIDTHS:
        if span_seconds // width + 1 <= max_buckets:
            return width
    return span_seconds // max_buckets + 1


@dataclass(frozen=True)
class Timeline:
    """Cumulative counts at `start`, `start + width`, …: point i covers everything before
    `start + i * width`."""

    start: datetime
    width: int
    sent: list[int]
    delivered: list[int]
    failed: list[int]
    as_of: datetime

    @property
    def awaiting(self) -> list[int]:
        return [max(s - d - f, 0) for s, d, f in zip(self.sent, self.delivered, self.failed)]

    @property
    def times(self) -> list[datetime]:
        return [self.start + timedelta(seconds=i * self.width) for i in range(len(self.sent))]


def build_timeline(start: int, end: int, width: int, sent: dict[int, int], receipts: dict[tuple[str, int], int],
                   as_of: datetime) -> Timeline:
    """`start`, `end`: epoch seconds; `sent`: messages out per bucket; `receipts`: per
    (delivered|failed, bucket)."""
    buckets = max(end - start, 0) // width + 1
    totals = {"sent": [0] * buckets, "delivered": [0] * buckets, "failed": [0] * buckets}
    for bucket, count in sent.items():
        totals["sent"][min(max(bucket, 0), buckets - 1)] += count
    for (status, bucket), count in receipts.items():
        totals[status][min(max(bucket, 0), buckets - 1)] += count
    series = {}
    for name, per_bucket in totals.items():
        running, points = 0, [0]
        for count in per_bucket:
            running += count
            points.append(running)
        series[name] = points
    return Timeline(datetime.fromtimestamp(start, timezone.utc), width, series["sent"], series["delivered"],
                    series["failed"], as_of)
