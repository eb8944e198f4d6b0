"""The fault harness: a simulator gateway and a receipts receiver in the test process, and
`python -m bot worker` dispatchers as separate OS processes the test can SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.providers.simulator import SimulatorConfig, SimulatorProvider, SimulatorState, create_gateway_app
from bot.threaded_server import ThreadedServer
from bot.sandbox.emulator.defaults import DEFAULT_BOT_TOKEN
from domain.use_cases.dispatch import apply_receipts
from domain.dispatch import ReceiptUpdate

API_KEY, SECRET = "faults-gateway-key", "faults-gateway-secret"
SIGNING_SECRET = "faults-signing-secret"
REPO = Path(__file__).resolve().parents[2]


class ReceiptReceiver:
    """What `/webhooks/sms/simulator` does in the bot: verify, parse, apply. Counts what it saw."""

    def __init__(self, uow: Callable) -> None:
        self._uow = uow
        self._provider = SimulatorProvider("http://unused.invalid", API_KEY, SECRET)
        self._lock = threading.Lock()
        self.received = self.settled = self.refused = self.errors = 0
        self.last_error: Exception | None = None
        self._busy = 0
        routes = [Route("/", self._index), Route("/webhooks/sms/simulator", self._receive, methods=["POST"])]
        self.app = Starlette(routes=routes)

    async def _index(self, request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    @property
    def busy(self) -> int:
        with self._lock:
            return self._busy

    async def _receive(self, request: Request) -> JSONResponse:
        with self._lock:
            self._busy += 1
        try:
            return await self._apply(request)
        finally:
            with self._lock:
                self._busy -= 1

    async def _apply(self, request: Request) -> JSONResponse:
        body = await request.body()
        if not self._provider.verify_webhook(str(request.url), request.headers, body):
            with self._lock:
                self.refused += 1
            return JSONResponse({"error": "invalid signature"}, status_code=401)
        receipts = [ReceiptUpdate(r.client_ref, r.provider_id, str(r.status), r.error_code,
                                  r.error_message if r.status == "failed" else None, r.at)
                    for r in self._provider.parse_receipts(body, request.headers)]
        try:
            settled = await anyio.to_thread.run_sync(apply_receipts, self._uow(), receipts) if receipts else 0
        except Exception as error:
            with self._lock:
                self.errors += 1
                self.last_error = error
            raise
        with self._lock:
            self.received += len(receipts)
            self.settled += settled
        return JSONResponse({"ok": True, "receipts": len(receipts)})


class Gateway:
    """The simulator gateway (served in this process) posting signed receipts to a receiver."""

    def __init__(self, uow: Callable, *, seed: int) -> None:
        self.receiver = ReceiptReceiver(uow)
        self.receiver_server = ThreadedServer(self.receiver.app).start()
        self.config = SimulatorConfig(
            api_key=API_KEY, receipt_secret=SECRET, seed=seed, deliver_ratio=0.9, fail_ratio=0.07,
            card_refuse_ratio=0.0, receipt_latency=(0.05, 0.5), receipt_batch_size=250,
            # a round trip long enough for kills to land while a chunk is on the wire
            submit_latency=(0.05, 0.25),
            # patient with a receiver that shares a loaded 2-core machine with the workers: a receipt
            # given up on would leave its recipient "submitted" and blur the final comparison
            post_timeout=30.0, post_retry_delays=(0.5, 1.0, 2.0, 4.0, 8.0),
            receipt_url=f"{self.receiver_server.url}/webhooks/sms/simulator")
        # Every message kept, not just the latest: the checks look at each recipient's.
        app, self.state = create_gateway_app(self.config, SimulatorState(recent_messages=1_000_000))
        self.server = ThreadedServer(app).start()

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()
        # a post the gateway timed out on may still be applying: let it end before the database goes
        deadline = time.monotonic() + 30
        while self.receiver.busy and time.monotonic() < deadline:
            time.sleep(0.05)
        self.receiver_server.stop()


class Worker:
    """One `python -m bot worker` OS process, its output in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115  (closed in `_reap`)
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env, cwd=log_path.parent,
                                        stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_running(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(r"dispatcher \S+ running", self.log()):
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.02)
        raise AssertionError(f"worker did not start in {timeout} s:\n{self.log()}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        self.process.wait(timeout=10)
        self._log.close()

    def alive(self) -> bool:
        return self.process.poll() is None


def worker_env(database_url: str, gateway_url: str, slack_api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}
    env.update({
        "SMSBOT_DATABASE_URL": database_url,
        "SMSBOT_SIMULATOR_URL": gateway_url,
        "SMSBOT_SIMULATOR_API_KEY": API_KEY,
        "SMSBOT_SIMULATOR_SECRET": SECRET,
        "SMSBOT_SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
        "SMSBOT_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SMSBOT_SLACK_API_URL": slack_api_url,
        "SMSBOT_LOG_LEVEL": "INFO",
        # The worker runs on the real clock: a window open at any hour keeps it from waiting for one.
        "SMSBOT_SEND_WINDOW": "00:00-24:00",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    })
    return env


def wait_for(check: Callable[[], object], timeout: float, what: str, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
