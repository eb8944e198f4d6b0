"""Signed form posts from the fake Twilio: status callbacks and incoming messages.

Signed like Twilio does it, with the official `RequestValidator.compute_signature` over the
exact URL posted to (query included) and the form fields. Runs in the fake's event loop;
`start()`/`stop()` come from the app's lifespan. Each message's callbacks go out in order
from one background task, so `sent` always comes before the final status.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

import httpx
from twilio.request_validator import RequestValidator

from tests.provider_fakes.twilio.fake_state import FakeTwilioConfig, FakeTwilioState

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"


class CallbackSender:
    def __init__(self, config: FakeTwilioConfig, state: FakeTwilioState) -> None:
        self.config = config
        self.state = state
        self._signer = RequestValidator(config.auth_token)
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.config.callback_timeout)

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run in the background; the task is kept so that `stop()` can cancel it."""
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def status_callbacks(self, url: str, steps: list[tuple[float, dict[str, str]]]) -> None:
        """Post each form after waiting its delay, in order, from one background task."""

        async def run() -> None:
            for delay, form in steps:
                await asyncio.sleep(delay)
                await self.post(url, form)

        self.spawn(run())

    async def post(self, url: str, form: dict[str, str]) -> bool:
        """POST a signed form; retry with back-off on errors. True once answered 2xx."""
        assert self._client is not None, "the callback sender is not started (no lifespan?)"
        headers = {
            SIGNATURE_HEADER: self._signer.compute_signature(url, form),
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1",
        }
        where = _where(url)
        delays = (*self.config.callback_retry_delays, None)
        for attempt, delay in enumerate(delays, start=1):
            try:
                response = await self._client.post(url, data=form, headers=headers)
                if 200 <= response.status_code < 300:
                    self.state.add("callbacks_posted")
                    return True
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                problem = type(error).__name__
            self.state.add("callback_failures")
            if delay is None:
                log.warning("fake twilio: giving up posting to %s after %d attempts (%s)", where, attempt, problem)
                self.state.add("callbacks_dropped")
                return False
            await asyncio.sleep(delay)
        return False


def _where(url: str) -> str:
    """The URL without its query, which carries our refs, for logs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
