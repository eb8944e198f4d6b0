"""`GET /metrics`: what an operator watches moves with a send — messages by provider and
application, receipts, provider time, Slack calls — and the queue depth is the database's."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.web.async_client import AsyncWebClient

from bot.providers.simulator import SimulatorProvider
from bot.sandbox.emulator.defaults import DEFAULT_BOT_TOKEN
from bot.scheduler import tick
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with its dispatcher, the gateway)
    API_KEY, SECRET, approved_task, bot, bot_overrides, bot_provider, eventually, gateway, gateway_options, status_of,
)
from tests.e2e.test_send_tasks import catalog  # noqa: F401
from tests.e2e.ticking import ticking

RECIPIENTS = 40


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    """Every sample, by name and labels."""
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_the_metrics_move_with_a_send(workspace, catalog, bot_runtime, emulator, clock, gateway, bot):  # noqa: F811
    before = scrape(bot.url)
    task_id, _card = approved_task(bot_runtime, catalog, clock, workspace, recipients=RECIPIENTS)
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    ticker = ticking(bot_runtime, client, SimulatorProvider(gateway[0].url, API_KEY, SECRET))
    await tick(bot_runtime, client, ticker)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    delivered = await eventually(lambda: status_of(bot_runtime, task_id)[1].get("delivered"))
    after = scrape(bot.url)
    await ticker.providers.aclose()

    sent = {"provider": "simulator", "application": "default"}
    accepted = value(after, "smsbot_messages_total", **sent, result="accepted") - value(
        before, "smsbot_messages_total", **sent, result="accepted")
    assert accepted == RECIPIENTS  # every message once, as the gateway took them
    assert value(after, "smsbot_receipts_total", way="push", status="delivered") - value(
        before, "smsbot_receipts_total", way="push", status="delivered") >= delivered
    assert value(after, "smsbot_provider_request_seconds_count", provider="simulator") > value(
        before, "smsbot_provider_request_seconds_count", provider="simulator")
    assert value(after, "smsbot_slack_api_calls_total", method="chat.postMessage") > value(
        before, "smsbot_slack_api_calls_total", method="chat.postMessage")  # "Sending started.", the report
    assert value(after, "smsbot_queue_depth", state="pending") == 0  # the database's, after the send
    assert ("smsbot_oldest_awaiting_receipt_seconds", ()) in after


async def test_a_worker_serves_its_metrics_on_its_own_port(emulator, bot_database_url, gateway):  # noqa: F811
    import socket

    import anyio

    from bot.app import build_runtime
    from bot.composition import Parts, Process
    from tests.e2e.conftest import bot_settings

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runtime = build_runtime(bot_settings(emulator, bot_database_url, metrics_port=port),
                            provider=SimulatorProvider(gateway[0].url, API_KEY, SECRET))
    process = Process(runtime, Parts(dispatcher=True, ticks=True, tick_seconds=3600))
    async with process.running():
        answer = await anyio.to_thread.run_sync(lambda: httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10))
    assert answer.status_code == 200 and "smsbot_dispatch_passes_total" in answer.text
