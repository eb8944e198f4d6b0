"""Fixtures: simulator gateways and a webhook receiver, each served over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.providers import OutgoingMessage
from bot.providers.simulator import SimulatorConfig, SimulatorProvider, SimulatorState, create_gateway_app
from bot.threaded_server import ThreadedServer

API_KEY = "test-api-key"
SECRET = "test-webhook-secret"


def phone(i: int) -> str:
    """A valid mainland China mobile number, distinct for each i < 10**8."""
    return f"+86138{i:08d}"


def texts(count: int, *, prefix: str = "r", start: int = 0, **fields: Any) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(client_ref=f"{prefix}{i}", phone=phone(i), text=f"【Shop】Hello {i}", **fields)
        for i in range(start, start + count)
    ]


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@dataclass(frozen=True)
class Post:
    path: str
    url: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Collects webhook posts; answers 500 to the next `fail_next` of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._posts: list[Post] = []
        self.fail_next = 0
        self.failed = 0
        self.app = Starlette(routes=[Route("/hook/{name}", self._hook, methods=["POST"])])
        self.url = ""

    async def _hook(self, request: Request) -> JSONResponse:
        body = await request.body()
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.failed += 1
                return JSONResponse({"error": "down"}, status_code=500)
            self._posts.append(Post(request.url.path, str(request.url), dict(request.headers), body))
        return JSONResponse({"ok": True})

    def posts(self, name: str | None = None) -> list[Post]:
        with self._lock:
            return [p for p in self._posts if name is None or p.path == f"/hook/{name}"]

    def hook(self, name: str = "main") -> str:
        return f"{self.url}/hook/{name}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadedServer(receiver.app).start()
    receiver.url = server.url
    yield receiver
    server.stop()


@dataclass
class RunningGateway:
    url: str
    state: SimulatorState
    config: SimulatorConfig

    def provider(self, **options: Any) -> SimulatorProvider:
        options.setdefault("timeout", 5.0)
        key = options.pop("api_key", API_KEY)
        secret = options.pop("webhook_secret", SECRET)
        return SimulatorProvider(self.url, key, secret, **options)


BASE_CONFIG = SimulatorConfig(
    api_key=API_KEY,
    receipt_secret=SECRET,
    deliver_ratio=1.0,
    fail_ratio=0.0,
    card_refuse_ratio=0.0,
    receipt_latency=(0.0, 0.0),
    seed=7,
    receipt_flush_interval=0.05,
    post_retry_delays=(0.05, 0.05),
)


@pytest.fixture
def start_gateway(receiver: Receiver) -> Iterator[Callable[..., RunningGateway]]:
    servers: list[ThreadedServer] = []

    def start(hook: str = "main", **overrides: Any) -> RunningGateway:
        overrides.setdefault("receipt_url", receiver.hook(hook))
        config = replace(BASE_CONFIG, **overrides)
        app, state = create_gateway_app(config)
        server = ThreadedServer(app).start()
        servers.append(server)
        return RunningGateway(server.url, state, config)

    yield start
    for server in servers:
        server.stop()
