"""Receipts by pull: which messages of the tasks a process watches are due to be asked about,
and when each is asked again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.dispatch import AwaitingReceipt, ask_again_after
from storage.uow import SqlUnitOfWork as UnitOfWork

FIRST_ASK_AFTER = timedelta(seconds=5)  # a receipt usually comes within seconds: not asked before


def awaiting_receipts(uow: UnitOfWork, owner: str, now: datetime, limit: int,
                      application_ids: Sequence[int]) -> list[AwaitingReceipt]:
    """Messages awaiting a receipt, sent through those applications (the ones whose providers
    are asked) for the tasks `owner` watches, that are due to be asked about."""
    with uow:
        rows = uow.task_recipients.due_to_ask(owner, now, now - FIRST_ASK_AFTER, limit, application_ids)
        return [AwaitingReceipt(row.id, row.client_ref, row.provider_id, row.phone, str(row.task_id),
                                row.submitted_at, row.application_id) for row in rows]


def mark_asked(uow: UnitOfWork, asked: list[AwaitingReceipt], now: datetime) -> None:
    """Each asked about again later, the older the later."""
    with uow:
        uow.task_recipients.ask_again([(a.id, now + ask_again_after(now - a.submitted_at)) for a in asked])
        uow.commit()
