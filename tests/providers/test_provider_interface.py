"""The interface's data and the simulator provider's pure parts (no server)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from bot.providers import OutgoingMessage, ProviderError, ReceiptStatus, SmsProvider
from bot.providers.simulator import SimulatorConfig, SimulatorProvider, signed_headers
from tests.providers.conftest import SECRET


def provider(**options) -> SimulatorProvider:
    return SimulatorProvider("http://127.0.0.1:9", "key", SECRET, **options)


async def test_simulator_provider_satisfies_the_protocol():
    async with provider() as p:
        assert isinstance(p, SmsProvider)
        assert (p.name, p.max_batch) == ("simulator", 1000)
        assert await p.submit([]) == []


def test_message_kind_is_checked():
    with pytest.raises(ValueError):
        OutgoingMessage("r1", "+8613800000000", "hi", kind="fax")
    assert OutgoingMessage("r1", "+8613800000000", "hi").kind == "text"


@pytest.mark.parametrize(
    "overrides",
    [{"deliver_ratio": 0.8, "fail_ratio": 0.3}, {"hang_ratio": 1.5}, {"receipt_latency": (2.0, 1.0)}, {"api_key": ""}],
)
def test_impossible_simulator_settings_are_refused(overrides):
    with pytest.raises(ProviderError):
        SimulatorConfig(**overrides)


def test_provider_needs_credentials():
    with pytest.raises(ProviderError):
        SimulatorProvider("http://127.0.0.1:9", "", SECRET)


def test_receipts_parse_to_aware_utc_and_skip_unknown_statuses():
    body = json.dumps({"receipts": [
        {"id": "sim_1", "ref": "r1", "status": "delivered", "error_code": None, "error_message": None,
         "at": "2025-03-01T10:00:00.500Z"},
        {"id": "sim_2", "ref": "r2", "status": "failed", "error_code": "UNDELIVERABLE", "error_message": "no",
         "at": "2025-03-01T18:00:00+08:00"},
        {"id": "sim_3", "ref": "r3", "status": "sent", "at": "2025-03-01T10:00:00Z"},
    ]}).encode()
    receipts = provider().parse_receipts(body, {})
    assert [(r.client_ref, r.provider_id, r.status, r.error_code) for r in receipts] == [
        ("r1", "sim_1", ReceiptStatus.delivered, None),
        ("r2", "sim_2", ReceiptStatus.failed, "UNDELIVERABLE"),
    ]
    assert receipts[0].at == datetime(2025, 3, 1, 10, 0, 0, 500000, tzinfo=UTC)
    assert receipts[1].at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC) and receipts[1].at.tzinfo is UTC


def test_receipt_and_inbound_bodies_are_told_apart():
    p = provider()
    inbound = json.dumps({"inbound": [{"from": "+8613800000001", "text": "TD", "at": "2025-03-01T10:00:00Z"}]}).encode()
    assert p.parse_receipts(inbound, {}) == []
    [message] = p.parse_inbound(inbound, {})
    assert (message.phone, message.text, message.at) == ("+8613800000001", "TD", datetime(2025, 3, 1, 10, tzinfo=UTC))
    with pytest.raises(ValueError):
        p.parse_receipts(b"not json", {})


def test_verify_webhook_ignores_header_case_and_checks_the_clock():
    body = b'{"receipts":[]}'
    now = time.time()
    headers = {name.lower(): value for name, value in signed_headers(SECRET, body, now=now).items()}
    assert provider(clock=lambda: now).verify_webhook("https://bot/webhooks/sms/simulator", headers, body)
    assert provider(clock=lambda: now + 299).verify_webhook("", headers, body)
    assert not provider(clock=lambda: now + 301).verify_webhook("", headers, body)
    assert not provider(clock=lambda: now - 301).verify_webhook("", headers, body)  # from the future
    assert not SimulatorProvider("http://x", "key", "other-secret", clock=lambda: now).verify_webhook("", headers, body)
    assert not provider(clock=lambda: now).verify_webhook("", {**headers, "x-simulator-timestamp": "soon"}, body)


async def test_a_given_http_client_is_left_open():
    async with httpx.AsyncClient() as client:
        await provider(http_client=client).aclose()
        assert not client.is_closed
    p = provider()
    await p.aclose()
    assert p._client.is_closed
