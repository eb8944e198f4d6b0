"""The httpx client a provider adapter talks through, and closing it with the adapter."""

from __future__ import annotations

from typing import Any, Self

import httpx


class HttpClientOwner:
    """Its own client unless one is given (tests share one, and close it themselves)."""

    _client: httpx.AsyncClient
    _owns_client: bool

    def _use_client(self, http_client: httpx.AsyncClient | None, **options: Any) -> None:
        self._owns_client = http_client is None
        self._client = http_client if http_client is not None else httpx.AsyncClient(**options)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
