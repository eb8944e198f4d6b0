"""Ack latency of `/sms help`: 50 concurrent signed slash commands, 20 rounds.

The bot runs as `smsbot serve` (its own process, on SQLite), the Slack emulator in a
second process, and this script only fires requests and times the HTTP answers.

    python bench/ack_latency.py [--concurrency 50] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlencode

import aiohttp
import httpx
import uvloop
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.emulator.defaults import DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, SENDER_ID, TEAM_ID

SIGNING_SECRET = "bench-signing-secret"


def run_emulator(port_queue) -> None:
    from bot.sandbox.emulator import Workspace, start_emulator

    server = start_emulator(Workspace())
    port_queue.put(server.port)
    while True:
        time.sleep(3600)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"smsbot serve exited with {process.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("smsbot serve did not become healthy")


def signed_command(emulator_url: str, index: int) -> tuple[str, dict[str, str]]:
    body = urlencode({
        "command": "/sms", "text": "help", "team_id": TEAM_ID, "user_id": SENDER_ID,
        "channel_id": GENERAL_CHANNEL_ID, "trigger_id": f"bench.{index}",
        "response_url": f"{emulator_url}/response/bench-{index}",
    })
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {"content-type": "application/x-www-form-urlencoded",
               "x-slack-request-timestamp": timestamp, "x-slack-signature": signature}
    return body, headers


async def fire(events_url: str, emulator_url: str, concurrency: int, rounds: int) -> list[float]:
    latencies: list[float] = []
    # aiohttp rather than httpx: httpx's own per-request cost was larger than the bot's
    # in a profile, and the figure is meant to be the bot's.
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as client:

        async def one(index: int) -> None:
            body, headers = signed_command(emulator_url, index)
            started = time.perf_counter()
            async with client.post(events_url, data=body, headers=headers) as response:
                await response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise SystemExit(f"request {index} answered {response.status}")

        await asyncio.gather(*(one(i) for i in range(concurrency)))  # warm-up, not counted
        latencies.clear()
        for round_number in range(rounds):
            await asyncio.gather(*(one(round_number * concurrency + i) for i in range(concurrency)))
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--profile", metavar="FILE", help="run the bot under py-spy and write a flame graph")
    options = parser.parse_args()

    ports: multiprocessing.Queue = multiprocessing.Queue()
    emulator = multiprocessing.Process(target=run_emulator, args=(ports,), daemon=True)
    emulator.start()
    emulator_url = f"http://127.0.0.1:{ports.get(timeout=30)}"

    workdir = tempfile.mkdtemp(prefix="smsbot-bench-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}
    env.update(
        SMSBOT_SLACK_BOT_TOKEN=DEFAULT_BOT_TOKEN, SMSBOT_SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SMSBOT_SLACK_API_URL=f"{emulator_url}/api/", SMSBOT_DATABASE_URL=f"sqlite:///{workdir}/bench.db",
        SMSBOT_LOG_LEVEL="WARNING",
    )
    command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
    if options.profile:
        command = ["py-spy", "record", "-r", "500", "-f", "raw", "-o", os.path.abspath(options.profile), "--", *command]
    bot = subprocess.Popen(command, env=env, cwd=workdir)
    try:
        bot_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(bot_url, bot)
        # uvloop keeps the load generator's own overhead out of the figure.
        latencies = uvloop.run(fire(bot_url + "/slack/events", emulator_url, options.concurrency, options.rounds))
    finally:
        bot.send_signal(signal.SIGINT)  # lets py-spy write its profile
        bot.wait(30)
        emulator.terminate()

    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"requests: {len(latencies)} in {options.rounds} rounds of {options.concurrency} concurrent")
    print(f"ack latency: mean {statistics.mean(latencies):.1f} ms, max {max(latencies):.1f} ms")
    print(f"bench ack_latency: p50_ms={p50:.1f} p99_ms={p99:.1f} requests={len(latencies)}")


if __name__ == "__main__":
    main()
