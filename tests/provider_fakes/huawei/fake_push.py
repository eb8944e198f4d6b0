"""The fake's HTTP pushes, the way Huawei makes them, unsigned (the receiving URL carries a token):
- a status report per message to the send's `statusCallback`: a form POST;
- for sends without one, to the app-level status URL: JSON `{"statusReportList": [...]}`, ≤50 a push;
- uplink (replies) to the app's uplink URL: a form POST, at once.
Huawei reads no answer and its retry policy is unverified: one attempt, then the report is dropped.
Runs in the fake's event loop; `start()`/`stop()` come from its lifespan.
"""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import urlencode

import httpx

from bot.providers.due_batches import DueBatches
from tests.provider_fakes.huawei.fake_state import FakeHuaweiConfig, FakeHuaweiState

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"


class Pusher:
    def __init__(self, config: FakeHuaweiConfig, state: FakeHuaweiState) -> None:
        self.config = config
        self.state = state
        self._client: httpx.AsyncClient | None = None
        self._batches = DueBatches(interval=config.report_flush_interval, batch_size=config.report_batch_size,
                                   send=self._push_reports, name="huawei-fake-reports")

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.config.push_timeout)
        self._batches.start()

    async def stop(self) -> None:
        await self._batches.stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def schedule(self, callback: str | None, report: dict[str, str], delay: float) -> None:
        """One status report, `delay` seconds from now, to `callback` (None: the app-level URL)."""
        self._batches.schedule((callback, report), delay)
        self.state.add("reports_scheduled")

    async def _push_reports(self, due: list[tuple[str | None, dict[str, str]]]) -> None:
        per_message = [(url, report) for url, report in due if url is not None]
        app_level = [report for url, report in due if url is None]
        await asyncio.gather(*(self._deliver(url, urlencode(report).encode(), FORM, 1) for url, report in per_message))
        if app_level and self.config.report_url is None:
            self.state.add("reports_dropped", len(app_level))
        elif app_level:
            body = json.dumps({"statusReportList": app_level}, ensure_ascii=False).encode("utf-8")
            await self._deliver(self.config.report_url, body, "application/json", len(app_level))

    async def _deliver(self, url: str, body: bytes, content_type: str, reports: int) -> None:
        posted = await self.post(url, body, content_type)
        self.state.add("reports_posted" if posted else "reports_dropped", reports)

    async def post(self, url: str, body: bytes, content_type: str) -> bool:
        assert self._client is not None, "the pusher is not started (no lifespan?)"
        try:
            response = await self._client.post(url, content=body, headers={"Content-Type": content_type})
        except httpx.HTTPError as error:
            log.info("huawei fake: a push failed (%s)", type(error).__name__)  # not the URL: it has a token
            return False
        return response.is_success
