"""Receipts by pull from Twilio: `TwilioProvider.query_receipts` fetches each message by its sid
from the fake Twilio over HTTP, and the official SDK fetches the same resources from the fake.

The fake's clock is the test's, so that a message's status at any moment is known exactly.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.providers import ReceiptStatus, SubmitResult, SubmitStatus
from bot.providers.base import OutgoingMessage, SentRef
from bot.providers.twilio import TwilioProvider
from bot.providers.twilio.codes import DELIVERY_FAILURE_REASONS
from tests.fakes import FakeClock
from tests.provider_fakes.twilio.fake_state import CreatedMessage
from tests.providers.conftest import eventually, phone, texts
from tests.providers.test_twilio import (  # noqa: F401  (start_fake is a fixture)
    ACCOUNT_SID, AUTH_TOKEN, FROM, FakeTwilioHttpClient, receipts_of, start_fake,
)

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
# Every outcome the fake can draw: delivered, undelivered, failed, and `sent` for ever (no receipt).
MIXED = {"deliver_ratio": 0.5, "undeliver_ratio": 0.25, "fail_ratio": 0.1}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def sent_refs(messages: Sequence[OutgoingMessage], results: Sequence[SubmitResult]) -> list[SentRef]:
    """What the poller hands over for the messages Twilio took."""
    return [SentRef(m.client_ref, r.provider_id, m.phone, None, START)
            for m, r in zip(messages, results) if r.status is SubmitStatus.accepted]


def expected_receipts(messages: list[CreatedMessage], refs: list[SentRef]) -> dict[str, tuple]:
    """client_ref -> (status, error_code, error_message) for the messages the fake made final."""
    ref_of = {ref.provider_id: ref.client_ref for ref in refs}
    expected = {}
    for message in messages:
        if message.outcome == "delivered":
            expected[ref_of[message.sid]] = (ReceiptStatus.delivered, None, None)
        elif message.outcome in ("undelivered", "failed"):
            code = message.error_code
            expected[ref_of[message.sid]] = (ReceiptStatus.failed, str(code), DELIVERY_FAILURE_REASONS[code])
    return expected


# --- the fake's Message resource, read by the official SDK -----------------------------------
def test_the_official_sdk_fetches_a_message_as_it_stands(start_fake, clock):
    fake = start_fake(clock=clock, sent_latency=1.0, receipt_latency=(2.0, 2.0), deliver_ratio=0.0,
                      undeliver_ratio=1.0, post_status_callbacks=False)
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=FakeTwilioHttpClient(fake.url))
    created = client.messages.create(to=phone(1), from_=FROM, body="Hello", status_callback="https://bot.example/h")

    queued = client.messages(created.sid).fetch()
    assert (queued.sid, queued.status, queued.error_code, queued.date_sent) == (created.sid, "queued", None, None)
    clock.advance(seconds=1.5)
    assert client.messages(created.sid).fetch().status == "sent"
    clock.advance(seconds=2)
    final = client.messages(created.sid).fetch()
    assert (final.status, final.to, final.body) == ("undelivered", phone(1), "Hello")
    assert final.error_code in DELIVERY_FAILURE_REASONS
    assert final.date_updated == START.replace(second=3) and final.date_sent == START.replace(second=1)

    with pytest.raises(TwilioRestException) as unknown:
        client.messages("SM" + "0" * 32).fetch()
    assert (unknown.value.status, unknown.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as unauthorized:
        Client(ACCOUNT_SID, "guess", http_client=FakeTwilioHttpClient(fake.url)).messages(created.sid).fetch()
    assert (unauthorized.value.status, unauthorized.value.code) == (401, 20003)
    assert fake.state.callbacks_posted == 0


# --- our adapter pulls ----------------------------------------------------------------------
async def test_receipts_are_pulled_once_final_and_none_for_the_pending(start_fake, clock, receiver):
    fake = start_fake(clock=clock, seed=11, sent_latency=0.5, receipt_latency=(1.0, 3.0),
                      post_status_callbacks=False, **MIXED)
    messages = texts(60)
    async with fake.provider(concurrency=8) as provider:
        refs = sent_refs(messages, await provider.submit(messages))
        assert await provider.query_receipts(refs) == []  # all queued
        clock.advance(seconds=0.7)
        assert await provider.query_receipts(refs) == []  # sent, none final yet
        clock.advance(seconds=10)
        receipts = await provider.query_receipts(refs)
    created = fake.state.messages()
    expected = expected_receipts(created, refs)
    assert {r.client_ref: (r.status, r.error_code, r.error_message) for r in receipts} == expected
    outcomes = {m.outcome for m in created}
    assert outcomes == {"delivered", "undelivered", "failed", "sent"}  # `sent` for ever: no receipt
    assert len(receipts) == len(expected) < len(refs) == 60
    by_sid = {m.sid: m for m in created}
    for receipt in receipts:
        message = by_sid[receipt.provider_id]
        assert receipt.phone == message.to
        # stamped with the moment Twilio says the status changed (RFC 2822: whole seconds)
        final = message.created_at + timedelta(seconds=message.timeline()[-1][0])
        assert receipt.at == final.replace(microsecond=0) and receipt.at.tzinfo is UTC
    assert fake.state.fetches == 180 and receiver.posts() == []


async def test_pulled_and_pushed_receipts_read_twilio_alike(start_fake, receiver):
    fake = start_fake(seed=5, receipt_latency=(0.0, 0.05), **MIXED)
    messages = texts(30)
    async with fake.provider() as provider:
        refs = sent_refs(messages, await provider.submit(messages))
        finals = sum(1 for m in fake.state.messages() if m.outcome != "sent")
        await eventually(lambda: len(receipts_of(provider, receiver.posts("status"))) == finals)
        pushed = receipts_of(provider, receiver.posts("status"))
        pulled = await provider.query_receipts(refs)

    def read(receipts):
        return {(r.client_ref, r.provider_id, r.status, r.error_code, r.error_message, r.phone) for r in receipts}

    assert read(pulled) == read(pushed) and len(pulled) == finals > 0


async def test_messages_without_a_sid_are_not_asked_about(start_fake):
    fake = start_fake()
    async with fake.provider() as provider:
        assert await provider.query_receipts([SentRef("r1", None, phone(1), None, START)]) == []
    assert fake.state.fetches == 0


async def test_at_most_concurrency_fetches_are_in_flight(start_fake, clock):
    fake = start_fake(clock=clock, processing_seconds=0.05, post_status_callbacks=False)
    async with fake.provider(concurrency=4) as provider:
        refs = sent_refs(messages := texts(24), await provider.submit(messages))
        clock.advance(seconds=5)
        receipts = await provider.query_receipts(refs)
    assert len(receipts) == 24 and fake.state.fetches == 24 and fake.state.max_in_flight == 4


# --- a query that fails gives no receipt, never a wrong one -----------------------------------
async def test_errors_of_the_query_give_no_receipt(start_fake, clock):
    fake = start_fake(clock=clock, post_status_callbacks=False)
    async with fake.provider() as provider:
        refs = sent_refs(messages := texts(3), await provider.submit(messages))
    clock.advance(seconds=5)
    async with fake.provider(auth_token="guess") as wrong_token:
        assert await wrong_token.query_receipts(refs) == []
    async with fake.provider() as provider:
        unknown = SentRef("r9", "SM" + "0" * 32, phone(9), None, START)  # 404: no such message
        receipts = await provider.query_receipts([unknown, *refs])
    assert sorted(r.client_ref for r in receipts) == ["r0", "r1", "r2"]
    assert fake.state.unauthorized_requests == 3

    broken = start_fake(clock=clock, fetch_error_5xx_ratio=1.0, post_status_callbacks=False)
    async with broken.provider() as provider:
        refs = sent_refs(messages, await provider.submit(messages))
        clock.advance(seconds=5)
        assert await provider.query_receipts(refs) == []
    assert broken.state.failed_fetches == 3

    slow = start_fake(clock=clock, processing_seconds=0.5, post_status_callbacks=False)
    async with slow.provider() as provider:
        refs = sent_refs(messages, await provider.submit(messages))
    clock.advance(seconds=5)
    async with slow.provider(timeout=0.2) as impatient:
        assert await impatient.query_receipts(refs) == []  # read timeouts
    assert len(refs) == 3


async def test_a_429_ends_the_round_for_the_rest(start_fake, clock):
    fake = start_fake(clock=clock, post_status_callbacks=False)
    async with fake.provider() as provider:
        refs = sent_refs(messages := texts(10), await provider.submit(messages))
    clock.advance(seconds=5)
    fake.config.max_concurrent_requests, fake.config.processing_seconds = 1, 0.2
    async with fake.provider(concurrency=5) as provider:
        receipts = await provider.query_receipts(refs)
    assert 1 <= len(receipts) < 10 and fake.state.throttled_requests >= 1
    assert fake.state.fetches + fake.state.throttled_requests < 10  # the rest were not asked
    sid_of = {ref.client_ref: ref.provider_id for ref in refs}
    assert all(r.status is ReceiptStatus.delivered and r.provider_id == sid_of[r.client_ref] for r in receipts)


async def test_connection_refused_gives_no_receipt():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, status_callback_url="https://bot.example/hook",
                              from_number=FROM, base_url=f"http://127.0.0.1:{port}", timeout=2)
    async with provider:
        assert await provider.query_receipts([SentRef("r1", "SM" + "1" * 32, phone(1), None, START)]) == []
