"""Signed webhook posts from the gateway: delivery receipts in batches, inbound messages at once.

Runs inside the gateway's event loop: `start()` and `stop()` are called from the app's lifespan.
Receipts wait in a heap until their delivery time; every `receipt_flush_interval` the due ones
are posted in batches of `receipt_batch_size`, each batch in its own task so that a receiver
that fails (retried with back-off) does not hold up the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from bot.providers.due_batches import DueBatches
from bot.providers.simulator.config import SimulatorConfig
from bot.providers.simulator.signing import signed_headers
from bot.providers.simulator.state import SimulatorState

log = logging.getLogger(__name__)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class WebhookSender:
    def __init__(self, config: SimulatorConfig, state: SimulatorState) -> None:
        self.config = config
        self.state = state
        self._client: httpx.AsyncClient | None = None
        self._batches = DueBatches(interval=config.receipt_flush_interval, batch_size=config.receipt_batch_size,
                                   send=self._post_receipts, name="simulator-receipts")

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.config.post_timeout)
        self._batches.start()

    async def stop(self) -> None:
        await self._batches.stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def schedule(self, receipt: dict[str, Any], delay: float) -> None:
        """Queue one receipt to be posted `delay` seconds from now (call from the event loop)."""
        self._batches.schedule(receipt, delay)
        self.state.add("receipts_scheduled")

    async def _post_receipts(self, receipts: list[dict[str, Any]]) -> None:
        url = self.config.receipt_url
        at = iso_utc(datetime.now(UTC))
        for receipt in receipts:
            receipt["at"] = at
        if url is not None and await self.post(url, {"receipts": receipts}):
            self.state.add("receipts_posted", len(receipts))
            self.state.add("receipt_posts")
        else:
            self.state.add("receipts_dropped", len(receipts))

    async def post(self, url: str, payload: dict[str, Any]) -> bool:
        """POST a signed JSON body; retry with back-off on errors. True once answered 2xx."""
        assert self._client is not None, "the webhook sender is not started (no lifespan?)"
        body = orjson.dumps(payload)
        delays = (*self.config.post_retry_delays, None)
        for attempt, delay in enumerate(delays, start=1):
            # Signed again for each attempt so that a late retry is not refused as stale.
            headers = signed_headers(self.config.receipt_secret, body, now=time.time())
            try:
                response = await self._client.post(url, content=body, headers=headers)
                if 200 <= response.status_code < 300:
                    return True
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                problem = f"{type(error).__name__}: {error}"
            self.state.add("receipt_post_failures")
            if delay is None:
                log.warning("simulator: giving up posting to %s after %d attempts (%s)", url, attempt, problem)
                return False
            log.info("simulator: post to %s failed (%s), retrying in %.1f s", url, problem, delay)
            await asyncio.sleep(delay)
        return False
