"""Every request authentic, bounded and well formed before any work: over HTTP into the running
bot, with forged, oversized and malformed bodies for /slack/events and the providers' webhooks."""

from __future__ import annotations

import json
import logging
import resource
from urllib.parse import urlencode

import httpx
import pytest

from bot.sandbox.emulator.defaults import GENERAL_CHANNEL_ID, SENDER_ID
from bot.web import SLACK_EVENTS_PATH

MB = 1024 * 1024


async def chunks(total: int, size: int = 256 * 1024):
    """A streamed body of `total` bytes with no Content-Length: the server must stop reading it."""
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b"x" * part


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture
def bot_provider():
    from bot.providers.simulator import SimulatorProvider

    return SimulatorProvider("http://127.0.0.1:9", "key", "secret-for-receipts")  # never called here


def one_line_rejections(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.request_guard"]


async def test_a_huge_forged_body_is_refused_unread_and_logged_in_one_line(bot, caplog):
    caplog.set_level(logging.WARNING, logger="bot.request_guard")
    before = peak_rss_mb()
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(4):  # 4 × 60 MB, streamed: read no further than the limit
            try:
                response = await client.post(bot.url + SLACK_EVENTS_PATH, content=chunks(60 * MB),
                                             headers={"content-type": "application/x-www-form-urlencoded"})
                assert response.status_code == 413
            except httpx.WriteError:
                pass  # the server answered 413 and closed while the client was still sending
        declared = await client.post(bot.url + SLACK_EVENTS_PATH, content=b"x" * (2 * MB),
                                     headers={"content-type": "application/json"})
        assert declared.status_code == 413
    assert peak_rss_mb() - before < 40  # never 60 MB held at once
    lines = one_line_rejections(caplog)
    assert lines and all(line.startswith("rejected POST /slack/events (") and "body over the limit" in line
                         for line in lines)
    assert not any("xxxx" in r.getMessage() for r in caplog.records)  # never the body


@pytest.mark.parametrize("body", [b"not json at all", b"[1, 2, 3]", bytes(range(256)), b'{"type": "event_callback"}'])
async def test_forged_junk_gets_401_never_500(bot, driver, caplog, body):
    caplog.set_level(logging.WARNING, logger="bot.request_guard")
    headers = driver.signed_headers(body.decode("latin-1"), secret="not-the-secret")
    response = await driver.post_raw(body, headers)
    assert response.status_code == 401
    bad_timestamp = {**driver.signed_headers(body.decode("latin-1")), "x-slack-request-timestamp": "soon"}
    assert (await driver.post_raw(body, bad_timestamp)).status_code == 401
    assert all("invalid or stale Slack signature" in line for line in one_line_rejections(caplog))


@pytest.mark.parametrize(("body", "content_type"), [
    ("payload=" + "%7Bnot json", "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps([1, 2])}), "application/x-www-form-urlencoded"),
    ("[1, 2, 3]", "application/json"),
    ('{"no": "type"}', "application/json"),
    ("text=hello", "application/x-www-form-urlencoded"),  # a command with no command
    ("hello", "text/plain"),
])
async def test_a_signed_malformed_payload_gets_400(bot, driver, workspace, body, content_type):
    response = await driver.post_raw(body, driver.signed_headers(body, content_type=content_type))
    assert response.status_code == 400
    assert not workspace.calls()  # nothing was done with it


async def test_a_well_formed_signed_command_still_goes_through(bot, driver, workspace):
    answered = await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "help")
    assert answered.status_code == 200 and "/sms send" in answered.text
    response = await driver.post_raw("ssl_check=1&token=x", driver.signed_headers("ssl_check=1&token=x"))
    assert response.status_code == 200


async def test_a_forged_or_oversized_webhook_is_refused_in_one_line(bot, caplog):
    caplog.set_level(logging.WARNING, logger="bot.request_guard")
    url = bot.url + "/webhooks/sms/simulator"
    async with httpx.AsyncClient(timeout=30) as client:
        forged = await client.post(url, content=b"\x00\xff junk", headers={"x-simulator-signature": "nope"})
        assert forged.status_code == 401
        big = await client.post(url, content=b"x" * (2 * MB))
        assert big.status_code == 413
    assert [line.split(": ", 1)[1] for line in one_line_rejections(caplog)] == [
        "invalid webhook signature", "body over the limit"]
