"""The fake's HTTP pushes, the way Alibaba makes them: SmsReport receipts in batches, SmsUp at once.

Each push is a POST of a JSON array (UTF-8) without any signature: the receiving URL carries
the token. Anything but HTTP 200 is retried after `push_retry_delays` (Alibaba: 1, 5 and 10
minutes), then dropped. Runs in the fake's event loop; `start()`/`stop()` come from its lifespan.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx

from tests.provider_fakes.alibaba.fake_state import FakeAlibabaConfig, FakeAlibabaState
from bot.providers.due_batches import DueBatches

log = logging.getLogger(__name__)


class Pusher:
    def __init__(self, config: FakeAlibabaConfig, state: FakeAlibabaState) -> None:
        self.config = config
        self.state = state
        self._client: httpx.AsyncClient | None = None
        self._batches = DueBatches(interval=config.report_flush_interval, batch_size=config.report_batch_size,
                                   send=self._push_reports, name="alibaba-fake-reports")

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.config.push_timeout)
        self._batches.start()

    async def stop(self) -> None:
        await self._batches.stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def schedule(self, report: dict[str, Any], delay: float) -> None:
        """Queue one SmsReport item to be pushed `delay` seconds from now (call from the event loop)."""
        self._batches.schedule(report, delay)
        self.state.add("reports_scheduled")

    async def _push_reports(self, reports: list[dict[str, Any]]) -> None:
        url = self.config.report_url
        if url is not None and await self.push(url, reports):
            self.state.add("reports_posted", len(reports))
            self.state.add("report_posts")
        else:
            self.state.add("reports_dropped", len(reports))

    async def push(self, url: str, items: list[dict[str, Any]]) -> bool:
        """POST a JSON array; retry on anything but 200. True once answered 200."""
        assert self._client is not None, "the pusher is not started (no lifespan?)"
        body = json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json;charset=utf-8"}
        for attempt, delay in enumerate((*self.config.push_retry_delays, None), start=1):
            try:
                response = await self._client.post(url, content=body, headers=headers)
                if response.status_code == 200:
                    return True
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                problem = type(error).__name__
            self.state.add("push_failures")
            # The URL is left out of the log: it carries the receiver's token.
            if delay is None:
                log.warning("alibaba fake: giving up a push after %d attempts (%s)", attempt, problem)
                return False
            log.info("alibaba fake: push failed (%s), retrying in %.1f s", problem, delay)
            await asyncio.sleep(delay)
        return False
