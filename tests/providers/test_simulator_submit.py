"""Submitting through `SimulatorProvider` to a real simulator gateway on loopback."""

from __future__ import annotations

import asyncio
import socket

import httpx

from bot.providers import OutgoingMessage, SubmitStatus
from bot.providers.simulator import SimulatorProvider
from bot.providers.simulator.gateway import refuses_cards
from tests.providers.conftest import API_KEY, phone, texts


async def test_a_batch_is_accepted_in_order_with_ids(start_gateway):
    gateway = start_gateway()
    messages = texts(3)
    async with gateway.provider() as provider:
        results = await provider.submit(messages)
    assert [r.client_ref for r in results] == ["r0", "r1", "r2"]
    assert all(r.status is SubmitStatus.accepted and r.error_code is None and not r.fell_back for r in results)
    ids = [r.provider_id for r in results]
    assert all(i and i.startswith("sim_") for i in ids) and len(set(ids)) == 3
    assert [m.id for m in gateway.state.messages()] == ids


async def test_invalid_blocked_and_empty_messages_are_rejected(start_gateway):
    gateway = start_gateway(blocklist={phone(2)})
    messages = [
        OutgoingMessage("ok", phone(1), "hi"),
        OutgoingMessage("bad-format", "13800000000", "hi"),
        OutgoingMessage("impossible", "+8612345", "hi"),
        OutgoingMessage("blocked", phone(2), "hi"),
        OutgoingMessage("empty", phone(3), ""),
    ]
    async with gateway.provider() as provider:
        results = await provider.submit(messages)
    assert [(r.client_ref, r.status, r.error_code) for r in results] == [
        ("ok", SubmitStatus.accepted, None),
        ("bad-format", SubmitStatus.rejected, "invalid_number"),
        ("impossible", SubmitStatus.rejected, "invalid_number"),
        ("blocked", SubmitStatus.rejected, "blocked"),
        ("empty", SubmitStatus.rejected, "empty_text"),
    ]
    assert all(r.provider_id is None and r.error_message for r in results[1:])


async def test_1001_messages_go_in_two_requests(start_gateway):
    gateway = start_gateway(deliver_ratio=0.0)
    messages = texts(1001)
    async with gateway.provider() as provider:
        results = await provider.submit(messages)
    assert gateway.state.batch_sizes == [1000, 1]
    assert [r.client_ref for r in results] == [m.client_ref for m in messages]
    assert all(r.status is SubmitStatus.accepted for r in results)


async def test_the_gateway_refuses_more_than_1000_and_a_wrong_key(start_gateway):
    gateway = start_gateway()
    wire = [{"ref": f"r{i}", "to": phone(i), "text": "hi"} for i in range(1001)]
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        auth = {"Authorization": f"Bearer {API_KEY}"}
        too_many = await client.post("/v1/messages", json={"messages": wire}, headers=auth)
        wrong_key = await client.post("/v1/messages", json={"messages": wire[:1]}, headers={"Authorization": "Bearer nope"})
    assert (too_many.status_code, too_many.json()) == (400, {"error": "too_many"})
    assert wrong_key.status_code == 401
    assert gateway.state.total_submissions == 0
    async with gateway.provider(api_key="nope") as provider:
        [result] = await provider.submit(texts(1))
    assert (result.status, result.error_code) == (SubmitStatus.transient, "unauthorized")


async def test_over_the_rate_limit_is_throttled_with_retry_after(start_gateway):
    gateway = start_gateway(rate_limit_per_s=2)
    async with gateway.provider() as provider:
        first = [await provider.submit(texts(1, prefix=p)) for p in "abc"]
        assert [batch[0].status for batch in first] == ["accepted", "accepted", "throttled"]
        throttled = first[2][0]
        assert throttled.error_code == "rate_limited" and throttled.retry_after is not None and throttled.retry_after >= 1
        assert gateway.state.total_submissions == 2 and gateway.state.throttled_requests == 1
        await asyncio.sleep(0.6)  # 1.2 tokens back
        [later] = await provider.submit(texts(1, prefix="d"))
    assert later.status is SubmitStatus.accepted


async def test_5xx_faults_are_transient_and_not_processed(start_gateway):
    always = start_gateway(error_5xx_ratio=1.0)
    async with always.provider() as provider:
        results = await provider.submit(texts(3))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.transient, "service_unavailable")}
    assert always.state.total_submissions == 0 and always.state.failed_requests == 1

    half = start_gateway(error_5xx_ratio=0.5, seed=3)
    async with half.provider() as provider:
        statuses = [(await provider.submit(texts(1, prefix=f"h{i}-")))[0].status for i in range(40)]
    assert 10 <= statuses.count(SubmitStatus.transient) <= 30
    assert statuses.count(SubmitStatus.accepted) == half.state.total_submissions == 40 - statuses.count("transient")


async def test_a_hang_is_unknown_on_client_timeout_and_was_processed(start_gateway):
    gateway = start_gateway(hang_ratio=1.0, hang_seconds=1.0)
    async with gateway.provider(timeout=0.25) as provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.unknown, "no_answer")}
    # The gateway did process them: retrying an `unknown` blindly would send twice.
    assert gateway.state.hung_requests == 1
    assert gateway.state.submissions_for(phone(0)) == 1 and gateway.state.submissions_for(phone(1)) == 1


async def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with SimulatorProvider(f"http://127.0.0.1:{port}", API_KEY, "s", timeout=2) as provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.transient, "connection_failed")}


def cards(count: int, *, fallback: str | None) -> list[OutgoingMessage]:
    card = {"title": "Sale", "image_url": "https://cdn.example/a.png", "buttons": [],
            "default_link": "https://shop.example"}
    return [
        OutgoingMessage(f"c{i}", phone(i), "【Shop】Sale", kind="card", card=card, fallback_text=fallback)
        for i in range(count)
    ]


async def test_cards_are_refused_by_number_with_and_without_fallback(start_gateway):
    gateway = start_gateway(card_refuse_ratio=0.5)
    refused = {phone(i) for i in range(200) if refuses_cards(phone(i), 0.5)}
    assert 70 <= len(refused) <= 130
    async with gateway.provider() as provider:
        with_fallback = await provider.submit(cards(200, fallback="【Shop】Sale: https://shop.example"))
        without = await provider.submit(cards(200, fallback=None))
        again = await provider.submit(cards(200, fallback=None))
    assert all(r.status is SubmitStatus.accepted for r in with_fallback)
    assert {phone(int(r.client_ref[1:])) for r in with_fallback if r.fell_back} == refused
    rejected = {phone(int(r.client_ref[1:])) for r in without if r.status is SubmitStatus.rejected}
    assert rejected == refused
    assert {r.error_code for r in without if r.status is SubmitStatus.rejected} == {"card_unsupported"}
    assert [r.status for r in again] == [r.status for r in without]  # stable per number
    assert not any(r.fell_back for r in without)


async def test_cards_everywhere_or_nowhere(start_gateway):
    never = start_gateway(card_refuse_ratio=0.0)
    always = start_gateway(card_refuse_ratio=1.0)
    async with never.provider() as p1, always.provider() as p2:
        shown = await p1.submit(cards(20, fallback="plain"))
        fell = await p2.submit(cards(20, fallback="plain"))
    assert not any(r.fell_back for r in shown) and all(r.status == "accepted" for r in shown)
    assert all(r.fell_back and r.status == "accepted" for r in fell)


async def test_submissions_are_counted_per_number_and_ref(start_gateway):
    gateway = start_gateway()
    async with gateway.provider() as provider:
        await provider.submit([OutgoingMessage("a", phone(1), "hi"), OutgoingMessage("b", phone(2), "hi")])
        assert gateway.state.max_submissions_per_ref() == 1
        await provider.submit([OutgoingMessage("c", phone(1), "hi again")])
        assert gateway.state.max_submissions_per_ref() == 1
        await provider.submit([OutgoingMessage("a", phone(1), "hi")])  # the same send twice
    state = gateway.state
    assert (state.submissions_for(phone(1)), state.submissions_for(phone(2)), state.submissions_for(phone(3))) == (3, 1, 0)
    assert state.submissions_for_ref("a") == 2 and state.max_submissions_per_ref() == 2
    assert state.total_submissions == 4


async def test_receipts_can_be_pulled_and_lost_answers_asked_about(start_gateway):
    """No webhook: the receipts are asked for; a request whose answer was lost is asked about
    by its refs (one the gateway never received can be sent again)."""
    from datetime import UTC, datetime

    from bot.providers.base import SentRef, SubmitFate

    gateway = start_gateway(receipt_url=None, deliver_ratio=0.5, fail_ratio=0.5, receipt_latency=(0.0, 0.05))
    messages = texts(6) + [OutgoingMessage("bad", "13800000000", "hi")]
    async with gateway.provider() as provider:
        results = await provider.submit(messages)
        sent = [SentRef(r.client_ref, r.provider_id, m.phone, None, datetime.now(UTC))
                for r, m in zip(results, messages) if r.status is SubmitStatus.accepted]
        await asyncio.sleep(0.1)
        receipts = await provider.query_receipts(sent)
        checks = await provider.check_submissions(["r0", "bad", "never-sent"])
    assert sorted(r.client_ref for r in receipts) == [f"r{n}" for n in range(6)]
    assert {r.status for r in receipts} == {"delivered", "failed"}
    assert all(r.provider_id == res.provider_id for r, res in zip(sorted(receipts, key=lambda r: r.client_ref), results))
    assert [(c.client_ref, c.fate) for c in checks] == [
        ("r0", SubmitFate.accepted), ("bad", SubmitFate.rejected), ("never-sent", SubmitFate.never_received)]
    assert checks[0].provider_id == results[0].provider_id and checks[1].error_code == "invalid_number"
