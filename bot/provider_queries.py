"""Asking the provider, for a provider that can be asked: what became of requests whose answer
was lost (their worker died), and the receipts of messages still awaiting one (receipts by
pull, where the provider cannot push them here: no public URL, or a provider that only answers
when asked)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import anyio

from bot.providers.base import SentRef, SmsProvider
from bot.metrics import RECEIPTS
from bot.providers.roster import ProviderRoster
from bot.settings import SettingsError
from domain.dispatch import ReceiptUpdate, Settlement
from domain.use_cases.dispatch import apply_receipts, lost_sends, settle_asked
from domain.use_cases.applications import read_applications
from domain.use_cases.receipts_pull import awaiting_receipts, mark_asked
from storage.statuses import RecipientStatus

log = logging.getLogger(__name__)

BATCH = 1000
PULL_SECONDS = 5.0  # how often the poller looks for messages due to be asked about


def _providers_of(providers: ProviderRoster, provider_name: str,
                  wanted: Callable[[SmsProvider], bool]) -> dict[int, SmsProvider]:
    """The applications whose provider is `wanted` (can be asked, pulls...), by id. One whose
    provider lacks a setting is left out: it cannot have sent anything either."""
    found = {}
    for application in read_applications(providers.uow(), provider_name):
        try:
            provider = providers.provider_for(application)
        except SettingsError:
            continue
        if wanted(provider):
            found[application.id] = provider
    return found


def _grouped(items, key) -> dict:
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


async def settle_lost_by_asking(uow: Callable, providers: ProviderRoster, provider_name: str, now: datetime) -> int:
    """Before lost sends are given up as "outcome unknown", their application's provider is
    asked: one it never received goes back to pending, one it took or refused takes its real
    status. One it cannot tell about is left for the tick to give up on. Returns how many were
    settled."""
    askable = await anyio.to_thread.run_sync(lambda: _providers_of(
        providers, provider_name, lambda p: hasattr(p, "check_submissions")))
    if not askable:
        return 0
    settled, after = 0, 0
    while lost := await anyio.to_thread.run_sync(lambda: lost_sends(uow(), now, BATCH, after)):
        answers = {}
        for application_id, sends in _grouped(lost, lambda send: send.application_id).items():
            if (provider := askable.get(application_id)) is not None:
                answers |= {a.client_ref: a for a in await provider.check_submissions([s.client_ref for s in sends])}
        settlements = [Settlement(send.id, str(answer.fate), answer.provider_id, answer.error_code,
                                  answer.error_message or answer.error_code)
                       for send in lost if (answer := answers.get(send.client_ref)) is not None]
        settled += await anyio.to_thread.run_sync(lambda: settle_asked(uow(), settlements, now))
        if len(lost) < BATCH:
            break
        after = lost[-1].id
    if settled:
        log.info("%s lost sends settled by asking the provider", settled)
    return settled


class ReceiptPoller:
    """Pulls the receipts of the tasks this process watches (the threads' notifier's lease:
    one process asks about a task's recipients at a time), each message asked about again
    less and less often as it ages (domain/use_cases/receipts_pull.py), each from the provider
    of the application it went through, where that provider is to be asked (`pulls`)."""

    def __init__(self, uow: Callable, providers: ProviderRoster, pulls: Callable[[SmsProvider], bool],
                 clock: Callable[[], datetime], owner: str, *, provider_name: str,
                 on_applied: Callable[[], None] = lambda: None) -> None:
        self._uow, self._providers, self._pulls, self._clock, self._owner = uow, providers, pulls, clock, owner
        self._provider_name, self._on_applied = provider_name, on_applied
        self._pulling: set[int] = set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.pull_once()
            except Exception:
                log.exception("pulling receipts failed; trying again")
            try:
                await asyncio.wait_for(stop.wait(), PULL_SECONDS)
            except TimeoutError:
                pass

    async def pull_once(self) -> int:
        """One round over every message due to be asked about; returns the receipts applied."""
        pulling = await anyio.to_thread.run_sync(lambda: _providers_of(self._providers, self._provider_name, self._pulls))
        if set(pulling) != self._pulling:
            self._pulling = set(pulling)
            log.info("receipts are pulled for %s of the SMS applications", len(pulling))
        applied, now = 0, self._clock()
        while pulling and (due := await anyio.to_thread.run_sync(
                lambda: awaiting_receipts(self._uow(), self._owner, now, BATCH, list(pulling)))):
            receipts = []
            for application_id, awaiting in _grouped(due, lambda d: d.application_id).items():
                receipts += await pulling[application_id].query_receipts(
                    [SentRef(d.client_ref, d.provider_id, d.phone, d.campaign, d.submitted_at) for d in awaiting])
            await anyio.to_thread.run_sync(lambda: mark_asked(self._uow(), due, now))
            if receipts:
                updates = [ReceiptUpdate(r.client_ref, r.provider_id, RecipientStatus(r.status), r.error_code,
                                         r.error_message if r.status == "failed" else None, r.at) for r in receipts]
                applied += await anyio.to_thread.run_sync(apply_receipts, self._uow(), updates)
                for update in updates:
                    RECEIPTS.labels("pull", str(update.status)).inc()
            if len(due) < BATCH:
                break
        if applied:
            self._on_applied()
        return applied


def pulls_receipts(provider: SmsProvider, mode: str, *, public_url: str | None, socket_mode: bool) -> bool:
    """`SMSBOT_RECEIPTS`: push, pull, both, or auto — pull where the provider only answers when
    asked, or where nothing can reach this deployment (Socket Mode without a public URL)."""
    can_pull = "pull" in provider.receipts and hasattr(provider, "query_receipts")
    if mode == "push":
        return False
    if mode in ("pull", "both"):
        return can_pull
    return can_pull and ("push" not in provider.receipts or (socket_mode and not public_url))

