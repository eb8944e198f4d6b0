"""Receipts and inbound messages posted by the simulator gateway to a real receiver."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from bot.providers import ReceiptStatus, SubmitStatus
from bot.providers.simulator import FAILURE_REASONS, signed_headers
from tests.providers.conftest import API_KEY, SECRET, eventually, phone, texts

HOOK_URL = "https://bot.example/webhooks/sms/simulator"


def receipts_of(provider, posts):
    return [receipt for post in posts for receipt in provider.parse_receipts(post.body, post.headers)]


async def test_receipts_arrive_signed_and_match_the_submissions(start_gateway, receiver):
    gateway = start_gateway()
    async with gateway.provider() as provider:
        before = datetime.now(UTC)
        results = await provider.submit(texts(20))
        await eventually(lambda: sum(len(json.loads(p.body)["receipts"]) for p in receiver.posts()) == 20)
        posts = receiver.posts()
        assert all(provider.verify_webhook(HOOK_URL, post.headers, post.body) for post in posts)
        receipts = receipts_of(provider, posts)
    assert {(r.client_ref, r.provider_id) for r in receipts} == {(r.client_ref, r.provider_id) for r in results}
    assert {r.status for r in receipts} == {ReceiptStatus.delivered}
    assert all(r.at.tzinfo is UTC and before - timedelta(seconds=1) <= r.at <= datetime.now(UTC) for r in receipts)
    # The gateway counts a post once its answer is back, a moment after the receiver has it.
    await eventually(lambda: gateway.state.receipts_posted == 20 and gateway.state.receipts_pending == 0)


async def test_forged_missing_and_stale_signatures_are_refused(start_gateway, receiver):
    gateway = start_gateway()
    async with gateway.provider() as provider:
        await provider.submit(texts(1))
        await eventually(lambda: len(receiver.posts()) == 1)
        [post] = receiver.posts()
        headers, body = post.headers, post.body
        assert provider.verify_webhook(HOOK_URL, headers, body)

        forged = dict(headers, **{"x-simulator-signature": "sha256=" + "0" * 64})
        assert not provider.verify_webhook(HOOK_URL, forged, body)
        assert not provider.verify_webhook(HOOK_URL, headers, body.replace(b"delivered", b"failed"))
        for missing in ("x-simulator-signature", "x-simulator-timestamp"):
            assert not provider.verify_webhook(HOOK_URL, {k: v for k, v in headers.items() if k != missing}, body)
        stale = signed_headers(SECRET, body, now=time.time() - 301)  # correctly signed, but old
        assert not provider.verify_webhook(HOOK_URL, stale, body)
        assert provider.verify_webhook(HOOK_URL, signed_headers(SECRET, body, now=time.time() - 200), body)
        wrong_secret = signed_headers("guess", body)
        assert not provider.verify_webhook(HOOK_URL, wrong_secret, body)


async def test_ratios_are_honoured_and_posted_in_batches(start_gateway, receiver):
    gateway = start_gateway(deliver_ratio=0.8, fail_ratio=0.1, receipt_latency=(0.0, 0.3), seed=11,
                            receipt_batch_size=100)
    async with gateway.provider() as provider:
        await provider.submit(texts(1000))
        await eventually(lambda: gateway.state.receipts_scheduled > 0 and gateway.state.receipts_pending == 0)
        receipts = receipts_of(provider, receiver.posts())
    counts = Counter(r.status for r in receipts)
    assert 750 <= counts[ReceiptStatus.delivered] <= 850
    assert 70 <= counts[ReceiptStatus.failed] <= 130
    assert 70 <= 1000 - len(receipts) <= 130  # silent: no receipt at all
    assert len({r.client_ref for r in receipts}) == len(receipts)  # one receipt per message
    failures = {r.error_code for r in receipts if r.status is ReceiptStatus.failed}
    assert failures <= {code for code, _ in FAILURE_REASONS} and len(failures) >= 3
    assert all(r.error_message for r in receipts if r.status is ReceiptStatus.failed)
    sizes = [len(json.loads(p.body)["receipts"]) for p in receiver.posts()]
    assert len(sizes) >= 9 and max(sizes) == 100


async def test_the_same_seed_gives_the_same_outcomes(start_gateway, receiver):
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        gateway = start_gateway(hook=name, deliver_ratio=0.5, fail_ratio=0.3, seed=seed)
        async with gateway.provider() as provider:
            await provider.submit(texts(200))
            await eventually(lambda: gateway.state.receipts_scheduled > 0 and gateway.state.receipts_pending == 0)
            receipts = receipts_of(provider, receiver.posts(name))
        runs[name] = {r.client_ref: (r.status, r.error_code) for r in receipts}
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


async def test_failed_receipt_posts_are_retried_then_given_up(start_gateway, receiver):
    receiver.fail_next = 2
    gateway = start_gateway()
    async with gateway.provider() as provider:
        await provider.submit(texts(3))
        await eventually(lambda: gateway.state.receipts_posted == 3)
    assert receiver.failed == 2 and gateway.state.receipt_post_failures == 2
    assert len(receiver.posts()) == 1

    receiver.fail_next = 100
    async with gateway.provider() as provider:
        await provider.submit(texts(2, prefix="late"))
        await eventually(lambda: gateway.state.receipts_dropped == 2)
    assert gateway.state.receipts_posted == 3 and gateway.state.receipt_post_failures == 2 + 3


async def test_inbound_stop_is_posted_signed_and_opts_the_number_out(start_gateway, receiver):
    gateway = start_gateway()
    auth = {"Authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        refused = await client.post("/v1/inbound", json={"from": phone(5), "text": "STOP"})
        hello = await client.post("/v1/inbound", json={"from": phone(6), "text": "Hello"}, headers=auth)
        stop = await client.post("/v1/inbound", json={"from": phone(5), "text": " stop "}, headers=auth)
    assert refused.status_code == 401
    assert (hello.status_code, stop.status_code, stop.json()) == (200, 200, {"posted": True})
    async with gateway.provider() as provider:
        posts = receiver.posts()
        assert len(posts) == 2 and all(provider.verify_webhook(HOOK_URL, p.headers, p.body) for p in posts)
        inbound = [m for p in posts for m in provider.parse_inbound(p.body, p.headers)]
        assert [(m.phone, m.text) for m in inbound] == [(phone(6), "Hello"), (phone(5), " stop ")]
        assert all(m.at.tzinfo is UTC for m in inbound)
        assert receipts_of(provider, posts) == []
        results = await provider.submit(texts(2, start=5))
    assert [(r.status, r.error_code) for r in results] == [
        (SubmitStatus.rejected, "opted_out"),
        (SubmitStatus.accepted, None),
    ]
