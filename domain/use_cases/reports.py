"""What a finished task's report draws: its delivery over time, counted by the database."""

from __future__ import annotations

from datetime import datetime

from domain.timeline import Timeline, bucket_width, build_timeline
from storage.uow import SqlUnitOfWork as UnitOfWork


def delivery_timeline(uow: UnitOfWork, task_id: int, as_of: datetime) -> Timeline | None:
    """None when no message went out (all skipped, or refused at submission)."""
    with uow:
        start, end = uow.task_recipients.delivery_span(task_id)
        if start is None or end is None:
            return None
        width = bucket_width(end - start)
        sent, receipts = uow.task_recipients.delivery_buckets(task_id, start, width)
        return build_timeline(start, end, width, sent, receipts, as_of)
