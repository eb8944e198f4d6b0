"""A sandbox (`smsbot sandbox`) served in the test's process, so a test can look at what the bot
stored, what the emulated workspace holds and what the simulator gateway did."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.threaded_server import ThreadedServer
from bot.sandbox.run import PACES, Sandbox, SandboxOptions


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_sandbox(data_dir: Path, **options) -> Iterator[Sandbox]:
    """Its simulator's outcomes are reproducible (seed 7), and its sends quick, unless told otherwise."""
    port = free_port()
    defaults = {"simulator_seed": 7, "pace": PACES["quick"]}
    sandbox = Sandbox(SandboxOptions(data_dir=data_dir, port=port, **{**defaults, **options}))
    server = ThreadedServer(sandbox, port=port).start()
    try:
        yield sandbox
    finally:
        server.stop()
