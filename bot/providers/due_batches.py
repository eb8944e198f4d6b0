"""Items due later, handed out in batches: how the local gateways (the simulator, the Alibaba
fake) post their delivery receipts, as real providers do, a batch at a time."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any


class DueBatches:
    """Every `interval` seconds the items whose time has come go to `send`, `batch_size` at a
    time, each batch in its own task so that a receiver being retried holds up no other.
    Lives in one event loop: `start()` and `stop()` come from the app's lifespan."""

    def __init__(self, *, interval: float, batch_size: int, send: Callable[[list[Any]], Awaitable[None]],
                 name: str) -> None:
        self._interval, self._batch_size, self._send, self._name = interval, batch_size, send, name
        self._due: list[tuple[float, int, Any]] = []  # (loop time, seq, item)
        self._seq = itertools.count()
        self._loop_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        tasks = [task for task in (self._loop_task, *self._tasks) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop_task = None

    def schedule(self, item: Any, delay: float) -> None:
        """`item` goes out `delay` seconds from now (call from the event loop)."""
        heapq.heappush(self._due, (asyncio.get_running_loop().time() + delay, next(self._seq), item))

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run a post of its own (an inbound message, say) beside the batches; stopped with them."""
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def flush_due(self) -> None:
        now = asyncio.get_running_loop().time()
        due = []
        while self._due and self._due[0][0] <= now:
            due.append(heapq.heappop(self._due)[2])
        for start in range(0, len(due), self._batch_size):
            self.spawn(self._send(due[start : start + self._batch_size]))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            self.flush_due()
