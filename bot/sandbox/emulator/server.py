"""Serve any ASGI app with uvicorn on a free loopback port in a background thread.

Used for the emulator and for the bot's own app, by the tests and the sandbox.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import httpx
import uvicorn

from bot.sandbox.emulator.state import Workspace
from bot.sandbox.emulator.web_api import create_emulator_app

HOST = "127.0.0.1"


class EmulatorServer:
    def __init__(self, app: Any, *, host: str = HOST, port: int = 0, log_level: str = "warning"):
        self.app = app
        self.host = host
        self.port = port
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        # Binding here (port 0 = any free port) means the port is known before
        # uvicorn starts and no other process can take it in between.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level=self._log_level, lifespan="auto", access_log=False)
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
        self._server, self._thread = None, None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_emulator(workspace: Workspace, **server_options: Any) -> EmulatorServer:
    """Serve a workspace's emulator and tell the workspace its address (for URLs it hands out)."""
    server = EmulatorServer(create_emulator_app(workspace), **server_options).start()
    workspace.base_url = server.url
    return server
