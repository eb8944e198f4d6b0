"""The httpx client a provider adapter talks through, its requests in flight at once, and
closing it with the adapter."""

from __future__ import annotations

import asyncio
from typing import Any, Self

import httpx


def describe_error(error: Exception) -> str:
    """An HTTP failure in a line: its kind, and its words when it has any."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class HttpClientOwner:
    """Its own client unless one is given (tests share one, and close it themselves)."""

    _client: httpx.AsyncClient
    _owns_client: bool

    def _use_client(self, http_client: httpx.AsyncClient | None, **options: Any) -> None:
        self._owns_client = http_client is None
        self._client = http_client if http_client is not None else httpx.AsyncClient(**options)
        self._semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        """`self.concurrency` requests at a time. asyncio primitives belong to one event loop:
        one semaphore per loop that uses the adapter."""
        loop = asyncio.get_running_loop()
        if loop not in self._semaphores:
            self._semaphores = {known: s for known, s in self._semaphores.items() if not known.is_closed()}
            self._semaphores[loop] = asyncio.Semaphore(self.concurrency)
        return self._semaphores[loop]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
