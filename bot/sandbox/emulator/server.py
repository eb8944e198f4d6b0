"""The emulator served on a free loopback port in a background thread."""

from __future__ import annotations

from typing import Any

from bot.sandbox.emulator.state import Workspace
from bot.sandbox.emulator.web_api import create_emulator_app
from bot.threaded_server import ThreadedServer


def start_emulator(workspace: Workspace, **server_options: Any) -> ThreadedServer:
    """Serve a workspace's emulator and tell the workspace its address (for URLs it hands out)."""
    server = ThreadedServer(create_emulator_app(workspace), **server_options).start()
    workspace.base_url = server.url
    return server
