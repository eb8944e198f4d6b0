"""Fixtures: a fresh emulated workspace served over real HTTP, and slack_sdk clients aimed at it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import DEFAULT_BOT_TOKEN, ManualClock, Workspace, start_emulator


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def workspace(clock: ManualClock) -> Workspace:
    return Workspace(clock=clock)


@pytest.fixture
def emulator(workspace: Workspace):
    server = start_emulator(workspace)
    yield server
    server.stop()


@pytest.fixture
def api_url(emulator) -> str:
    return emulator.url + "/api/"


@pytest.fixture
def client(api_url: str) -> AsyncWebClient:
    return AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=api_url)


@pytest.fixture
def sync_client(api_url: str) -> WebClient:
    return WebClient(token=DEFAULT_BOT_TOKEN, base_url=api_url)


@pytest.fixture
def eventually() -> Callable:
    """Await until check() is truthy; a listener's work continues after its ack."""

    async def wait(check: Callable[[], object], timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            await asyncio.sleep(0.02)
        raise AssertionError(f"not true within {timeout} s: {check}")

    return wait
