"""PostgreSQL's LISTEN/NOTIFY: a process hears at once that a task may start (another process
approved it), instead of at its next tick. SQLite has one process: nothing to listen to."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import Engine

from storage.tasks import DUE_CHANNEL

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 5.0


class DueListener:
    """Calls `on_due` (from its own thread) for every notification that a task may start."""

    def __init__(self, engine: Engine, on_due: Callable[[], None]) -> None:
        self._url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_due = on_due
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def wanted(engine: Engine) -> bool:
        return engine.dialect.name == "postgresql"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="due-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {DUE_CHANNEL}")
                    # Whatever was approved before it listened (starting, or reconnecting) starts now.
                    self._on_due()
                    while not self._stop.is_set():
                        for _notice in connection.notifies(timeout=1.0):
                            self._on_due()
            except psycopg.Error as error:  # the database restarted, say: listen again shortly
                log.warning("listening for tasks to start failed (%s); the tick starts them meanwhile",
                            type(error).__name__)
                self._stop.wait(RECONNECT_SECONDS)
