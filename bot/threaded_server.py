"""Serve any ASGI app with uvicorn on a free loopback port in a background thread.

Used for the embedded simulator gateway, and by the sandbox and the tests for the emulator
and the bot's own app.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import httpx
import uvicorn


HOST = "127.0.0.1"


class ThreadedServer:
    def __init__(self, app: Any, *, host: str = HOST, port: int = 0, log_level: str = "warning"):
        self.app = app
        self.host = host
        self.port = port
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bind(self) -> ThreadedServer:
        """Take the port now (port 0 = any free port), so that its URL is known before the
        server starts and no other process can take it in between."""
        if self._sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            self.port = sock.getsockname()[1]
            self._sock = sock
        return self

    def start(self, timeout: float = 10.0) -> ThreadedServer:
        sock = self.bind()._sock
        # A stop waits at most 2 s for open connections (a page's event stream), as `smsbot serve`
        # does: a server that outlived its stop kept its bot running beside the next one.
        config = uvicorn.Config(self.app, log_level=self._log_level, lifespan="auto", access_log=False,
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[sock])),
            name=f"asgi-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._wait_until_answering(timeout)
        return self

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._server is not None and self._server.started:
                try:
                    httpx.get(self.url + "/", timeout=1.0)
                    return
                except httpx.TransportError:
                    pass
            if self._thread is not None and not self._thread.is_alive():
                raise RuntimeError(f"the server on {self.url} stopped while starting")
            time.sleep(0.02)
        self.stop()
        raise TimeoutError(f"the server on {self.url} did not answer within {timeout} s")

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
        self._server, self._thread, self._sock = None, None, None

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
