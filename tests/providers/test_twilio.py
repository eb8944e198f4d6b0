"""`TwilioProvider` against the fake Twilio, and the fake against the official twilio SDK.

Everything goes over real HTTP on loopback: the fake and the webhook receiver each run in a
uvicorn thread. The official SDK (`twilio.rest.Client`, `RequestValidator`) is the referee
that the fake speaks Twilio's API and signs like Twilio.
"""

from __future__ import annotations

import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.datastructures import Headers, ImmutableMultiDict
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.providers import OutgoingMessage, ProviderError, ReceiptStatus, SmsProvider, SubmitStatus
from bot.providers.twilio import EMPTY_TWIML, TwilioProvider
from bot.providers.twilio.codes import DELIVERY_FAILURE_REASONS
from tests.provider_fakes.twilio.fake import FakeTwilioConfig, FakeTwilioState, create_fake_twilio
from bot.threaded_server import ThreadedServer
from tests.providers.conftest import Post, Receiver, eventually, phone, texts

ACCOUNT_SID = "AC" + "1234abcd" * 4
AUTH_TOKEN = "test-twilio-auth-token"
FROM = "+15005550006"
SERVICE_SID = "MG" + "9" * 32
TWILIO_API = "https://api.twilio.com"


@dataclass
class RunningFake:
    url: str
    state: FakeTwilioState
    config: FakeTwilioConfig
    receiver: Receiver

    def provider(self, hook: str = "status", **options: Any) -> TwilioProvider:
        options.setdefault("timeout", 5.0)
        options.setdefault("status_callback_url", self.receiver.hook(hook))
        if "messaging_service_sid" not in options:
            options.setdefault("from_number", FROM)
        sid = options.pop("account_sid", ACCOUNT_SID)
        token = options.pop("auth_token", AUTH_TOKEN)
        return TwilioProvider(sid, token, base_url=self.url, **options)

    def inbound(self, sender: str, body: str) -> httpx.Response:
        return httpx.post(f"{self.url}/fake/inbound", json={"from": sender, "body": body},
                          auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)


BASE_CONFIG = FakeTwilioConfig(
    account_sid=ACCOUNT_SID,
    auth_token=AUTH_TOKEN,
    twilio_number=FROM,
    deliver_ratio=1.0,
    undeliver_ratio=0.0,
    receipt_latency=(0.0, 0.0),
    seed=7,
    callback_retry_delays=(0.05, 0.05),
)


@pytest.fixture
def start_fake(receiver: Receiver) -> Iterator[Callable[..., RunningFake]]:
    servers: list[ThreadedServer] = []

    def start(**overrides: Any) -> RunningFake:
        overrides.setdefault("inbound_url", receiver.hook("inbound"))
        config = replace(BASE_CONFIG, **overrides)
        app, state = create_fake_twilio(config)
        server = ThreadedServer(app).start()
        servers.append(server)
        return RunningFake(server.url, state, config, receiver)

    yield start
    for server in servers:
        server.stop()


class FakeTwilioHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, with api.twilio.com swapped for the fake's address."""

    def __init__(self, fake_url: str) -> None:
        super().__init__(timeout=5)
        self.fake_url = fake_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):
        if url.startswith(TWILIO_API):
            url = self.fake_url + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


def form_of(post: Post) -> dict[str, str]:
    return dict(parse_qsl(post.body.decode(), keep_blank_values=True))


def receipts_of(provider: TwilioProvider, posts: list[Post]):
    return [receipt for post in posts for receipt in provider.parse_receipts(post.body, post.headers, post.url)]


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """`eventually` for sync tests (the SDK is synchronous)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# --- the fake speaks Twilio: the official SDK is the referee ---------------------------
def test_the_official_sdk_creates_messages_on_the_fake(start_fake, receiver):
    fake = start_fake()
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=FakeTwilioHttpClient(fake.url))
    callback = receiver.hook("sdk") + "?ref=sdk-1"
    message = client.messages.create(to=phone(1), from_=FROM, body="Hello from the SDK", status_callback=callback)
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.status, message.to, message.from_, message.body) == ("queued", phone(1), FROM, "Hello from the SDK")
    assert (message.num_segments, message.error_code, message.direction) == ("1", None, "outbound-api")
    assert message.date_created is not None and message.date_created.tzinfo is not None
    assert [m.sid for m in fake.state.messages()] == [message.sid]

    via_service = client.messages.create(to=phone(2), messaging_service_sid=SERVICE_SID, body="Hi",
                                         media_url=["https://cdn.example/a.png", "https://cdn.example/b.png"])
    assert (via_service.status, via_service.messaging_service_sid) == ("accepted", SERVICE_SID)
    assert via_service.num_media == "2"
    assert fake.state.last_form_values("MediaUrl") == ["https://cdn.example/a.png", "https://cdn.example/b.png"]

    with pytest.raises(TwilioRestException) as invalid:
        client.messages.create(to="+8612345", from_=FROM, body="Hi")
    assert (invalid.value.status, invalid.value.code) == (400, 21211)
    assert "is not a valid phone number" in invalid.value.msg
    with pytest.raises(TwilioRestException) as no_sender:
        client.messages.create(to=phone(3), body="Hi")
    assert (no_sender.value.status, no_sender.value.code) == (400, 21603)
    with pytest.raises(TwilioRestException) as no_body:
        client.messages.create(to=phone(3), from_=FROM)
    assert (no_body.value.status, no_body.value.code) == (400, 21602)
    wrong_token = Client(ACCOUNT_SID, "guess", http_client=FakeTwilioHttpClient(fake.url))
    with pytest.raises(TwilioRestException) as unauthorized:
        wrong_token.messages.create(to=phone(4), from_=FROM, body="Hi")
    assert (unauthorized.value.status, unauthorized.value.code) == (401, 20003)

    # The callbacks of the first message: `sent`, then `delivered`, signed over the full URL.
    wait_for(lambda: len(receiver.posts("sdk")) == 2)
    validator = RequestValidator(AUTH_TOKEN)
    posts = receiver.posts("sdk")
    assert all(post.url == callback for post in posts)
    assert all(validator.validate(post.url, form_of(post), post.headers["x-twilio-signature"]) for post in posts)
    assert [form_of(p)["MessageStatus"] for p in posts] == ["sent", "delivered"]
    final = form_of(posts[1])
    assert {k: final[k] for k in ("MessageSid", "SmsSid", "SmsStatus", "AccountSid", "From", "To", "ApiVersion")} == {
        "MessageSid": message.sid, "SmsSid": message.sid, "SmsStatus": "delivered", "AccountSid": ACCOUNT_SID,
        "From": FROM, "To": phone(1), "ApiVersion": "2010-04-01",
    }
    assert len(final["RawDlrDoneDate"]) == 10 and "ErrorCode" not in final


def test_the_fake_answers_with_twilio_error_bodies(start_fake):
    fake = start_fake()
    url = f"{fake.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    nobody = httpx.post(url, data={"To": phone(1), "From": FROM, "Body": "Hi"})
    too_long = httpx.post(url, data={"To": phone(1), "From": FROM, "Body": "x" * 1601}, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert nobody.status_code == 401 and nobody.json() == {
        "code": 20003, "message": "Authenticate", "status": 401,
        "more_info": "https://www.twilio.com/docs/errors/20003",
    }
    assert (too_long.status_code, too_long.json()["code"], too_long.json()["status"]) == (400, 14103, 400)
    assert fake.state.unauthorized_requests == 1 and fake.state.creates_for(phone(1)) == 1


# --- webhook signatures -----------------------------------------------------------------
async def test_callbacks_verify_and_anything_changed_is_refused(start_fake, receiver):
    fake = start_fake()
    async with fake.provider() as provider:
        await provider.submit(texts(1))
        await eventually(lambda: len(receiver.posts("status")) == 2)
        posts = receiver.posts("status")
        assert all(provider.verify_webhook(post.url, post.headers, post.body) for post in posts)
        post = posts[-1]
        signature = post.headers["x-twilio-signature"]
        assert provider.verify_webhook(post.url, {"X-Twilio-Signature": signature}, post.body)  # plain dict
        assert provider.verify_webhook(post.url, Headers({"X-TWILIO-SIGNATURE": signature}), post.body)

        assert not provider.verify_webhook(post.url, post.headers, post.body.replace(b"delivered", b"undelivered"))
        assert not provider.verify_webhook(post.url.replace("ref=r0", "ref=r1"), post.headers, post.body)
        assert not provider.verify_webhook("https://bot.example/webhooks/sms/twilio?ref=r0", post.headers, post.body)
        assert not provider.verify_webhook(post.url, {}, post.body)
        assert not provider.verify_webhook(post.url, {"X-Twilio-Signature": "bm9wZQ=="}, post.body)
        assert not provider.verify_webhook(post.url, post.headers, b"\xff\xfe")
    async with fake.provider(auth_token="another-token") as wrong_token:
        assert not wrong_token.verify_webhook(post.url, post.headers, post.body)


async def test_repeated_form_fields_and_urls_with_a_port_verify_like_the_validator(start_fake):
    async with start_fake().provider() as provider:
        fields = ImmutableMultiDict(
            [("MediaUrl", "https://b.example"), ("Body", ""), ("MediaUrl", "https://a.example")]
        )
        url = "https://bot.example/webhooks/sms/twilio?ref=r1"
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, fields)
        body = b"MediaUrl=https%3A%2F%2Fa.example&Body=&MediaUrl=https%3A%2F%2Fb.example"
        signed = {"x-twilio-signature": signature}
        assert provider.verify_webhook(url, signed, body)
        # Twilio signs without the default port, proxies may add it: the validator tries both.
        assert provider.verify_webhook(url.replace("bot.example", "bot.example:443"), signed, body)
        assert not provider.verify_webhook(url, signed, body.replace(b"a.example", b"c.example"))


# --- our adapter, end to end --------------------------------------------------------------
async def test_a_batch_is_accepted_once_each_and_receipts_name_their_recipients(start_fake, receiver):
    fake = start_fake(deliver_ratio=0.7, undeliver_ratio=0.3, receipt_latency=(0.0, 0.05), seed=3)
    messages = texts(50)
    hook = receiver.hook("status") + "?tenant=acme%20shop"  # a query of our own is kept, and signed
    async with fake.provider(status_callback_url=hook, concurrency=10) as provider:
        before = datetime.now(UTC)
        results = await provider.submit(messages)
        assert [r.client_ref for r in results] == [m.client_ref for m in messages]
        assert all(r.status is SubmitStatus.accepted for r in results)
        assert all(r.provider_id and r.provider_id.startswith("SM") for r in results)
        assert {r.provider_id for r in results} == {m.sid for m in fake.state.messages()}
        assert fake.state.creates_per_to() == {m.phone: 1 for m in messages}

        await eventually(lambda: len(receiver.posts("status")) == 100)  # `sent` + a final status each
        posts = receiver.posts("status")
        assert all(provider.verify_webhook(post.url, post.headers, post.body) for post in posts)
        assert all("tenant=acme%20shop&ref=" in post.url for post in posts)
        receipts = receipts_of(provider, posts)
    assert len(receipts) == 50  # `sent` callbacks are not final
    sid_of = {r.client_ref: r.provider_id for r in results}
    assert {r.client_ref: r.provider_id for r in receipts} == sid_of
    assert all(r.phone == m.phone for r, m in zip(sorted(receipts, key=lambda r: int(r.client_ref[1:])), messages))
    counts = Counter(r.status for r in receipts)
    assert counts[ReceiptStatus.delivered] >= 20 and counts[ReceiptStatus.failed] >= 5
    failed = [r for r in receipts if r.status is ReceiptStatus.failed]
    assert all(r.error_message == DELIVERY_FAILURE_REASONS[int(r.error_code)] for r in failed)
    assert {r.error_code for r in failed} <= {"30003", "30005", "30006", "30007", "30008"}
    delivered = [r for r in receipts if r.status is ReceiptStatus.delivered]
    assert all(r.error_code is None and r.error_message is None for r in delivered)
    assert all(r.at.tzinfo is UTC and before - timedelta(seconds=1) <= r.at <= datetime.now(UTC) for r in receipts)


async def test_failed_messages_get_one_failed_callback_and_unknown_codes_a_generic_reason(start_fake, receiver):
    fake = start_fake(deliver_ratio=0.0, fail_ratio=1.0)
    async with fake.provider() as provider:
        [result] = await provider.submit(texts(1))
        await eventually(lambda: len(receiver.posts("status")) == 1)
        [post] = receiver.posts("status")
        [receipt] = provider.parse_receipts(post.body, post.headers, post.url)
        assert (form_of(post)["MessageStatus"], receipt.status, receipt.error_code) == ("failed", "failed", "30008")
        assert (receipt.client_ref, receipt.provider_id) == ("r0", result.provider_id)
        odd = post.body.replace(b"ErrorCode=30008", b"ErrorCode=30999")
        assert provider.parse_receipts(odd, {}, post.url)[0].error_message == "failed (Twilio error 30999)"


async def test_at_most_concurrency_creates_are_in_flight(start_fake):
    fake = start_fake(processing_seconds=0.05)
    async with fake.provider(concurrency=4) as provider:
        results = await provider.submit(texts(24))
    assert all(r.status is SubmitStatus.accepted for r in results)
    assert fake.state.max_in_flight == 4 and fake.state.total_creates == 24


async def test_twilio_refusals_are_rejections_with_its_codes(start_fake):
    fake = start_fake(landlines={phone(3)})
    messages = [
        OutgoingMessage("ok", phone(1), "hi"),
        OutgoingMessage("no-plus", "13800000000", "hi"),
        OutgoingMessage("impossible", "+8612345", "hi"),
        OutgoingMessage("landline", phone(3), "hi"),
        OutgoingMessage("empty", phone(4), ""),
        OutgoingMessage("long", phone(5), "x" * 1601),
    ]
    async with fake.provider() as provider:
        results = await provider.submit(messages)
    assert [(r.client_ref, r.status, r.error_code) for r in results] == [
        ("ok", SubmitStatus.accepted, None),
        ("no-plus", SubmitStatus.rejected, "21211"),
        ("impossible", SubmitStatus.rejected, "21211"),
        ("landline", SubmitStatus.rejected, "21614"),
        ("empty", SubmitStatus.rejected, "21602"),
        ("long", SubmitStatus.rejected, "14103"),
    ]
    assert results[1].error_message == "The 'To' number 13800000000 is not a valid phone number."
    assert all(r.provider_id is None and r.error_message for r in results[1:])
    assert fake.state.total_creates == 6 and fake.state.rejected_creates == 5


async def test_an_inbound_stop_opts_out_until_start(start_fake, receiver):
    fake = start_fake()
    assert fake.inbound(phone(6), "STOP please").json()["posted"] is True  # not a single word
    stop = fake.inbound(phone(5), " stop ")
    assert (stop.status_code, stop.json()["posted"]) == (200, True)
    async with fake.provider() as provider:
        posts = receiver.posts("inbound")
        assert len(posts) == 2 and all(provider.verify_webhook(p.url, p.headers, p.body) for p in posts)
        inbound = [m for p in posts for m in provider.parse_inbound(p.body, p.headers, p.url)]
        assert [(m.phone, m.text) for m in inbound] == [(phone(6), "STOP please"), (phone(5), " stop ")]
        assert all(m.at.tzinfo is UTC for m in inbound)
        assert receipts_of(provider, posts) == []
        assert form_of(posts[1])["SmsStatus"] == "received" and form_of(posts[1])["To"] == FROM

        opted_out, still_in = await provider.submit(
            [OutgoingMessage("a", phone(5), "hi"), OutgoingMessage("b", phone(6), "hi")]
        )
        assert (opted_out.status, opted_out.error_code) == (SubmitStatus.rejected, "21610")
        assert opted_out.error_message == "Attempt to send to unsubscribed recipient"
        assert still_in.status is SubmitStatus.accepted

        fake.inbound(phone(5), "START")
        [back] = await provider.submit([OutgoingMessage("c", phone(5), "hi")])
    assert back.status is SubmitStatus.accepted
    assert fake.state.creates_for(phone(5)) == 2 and fake.state.inbound_posted == 3


async def test_too_many_concurrent_requests_are_throttled(start_fake):
    fake = start_fake(max_concurrent_requests=1, processing_seconds=0.2, retry_after_seconds=2)
    async with fake.provider(concurrency=5) as provider:
        results = await provider.submit(texts(5))
    statuses = Counter(r.status for r in results)
    assert statuses == {SubmitStatus.accepted: 1, SubmitStatus.throttled: 4}
    throttled = [r for r in results if r.status is SubmitStatus.throttled]
    assert {(r.error_code, r.retry_after, r.error_message) for r in throttled} == {("20429", 2.0, "Too Many Requests")}
    assert fake.state.throttled_requests == 4 and fake.state.total_creates == 1

    queue_full = start_fake(queue_full_ratio=1.0)
    async with queue_full.provider() as provider:
        [result] = await provider.submit(texts(1))
    assert (result.status, result.error_code, result.retry_after) == (SubmitStatus.throttled, "21611", None)
    assert queue_full.state.total_creates == 0


async def test_5xx_and_wrong_credentials_are_transient(start_fake):
    broken = start_fake(error_5xx_ratio=1.0)
    async with broken.provider() as provider:
        results = await provider.submit(texts(3))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.transient, "20500")}
    assert broken.state.failed_requests == 3 and broken.state.total_creates == 0

    fake = start_fake()
    async with fake.provider(auth_token="guess") as provider:
        [result] = await provider.submit(texts(1))
    assert (result.status, result.error_code) == (SubmitStatus.transient, "20003")
    assert "check the Twilio account SID and auth token" in result.error_message
    assert "guess" not in result.error_message and fake.state.total_creates == 0


async def test_a_hang_is_unknown_and_was_processed(start_fake):
    fake = start_fake(hang_ratio=1.0, hang_seconds=0.6)
    async with fake.provider(timeout=0.2) as provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.unknown, "no_answer")}
    # Twilio did create them: retrying an `unknown` blindly would send twice.
    assert fake.state.hung_requests == 2 and fake.state.creates_for(phone(0)) == fake.state.creates_for(phone(1)) == 1


async def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, status_callback_url="https://bot.example/hook",
                              from_number=FROM, base_url=f"http://127.0.0.1:{port}", timeout=2)
    async with provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.transient, "connection_failed")}


# --- kinds ----------------------------------------------------------------------------------
CARD = {"title": "Sale", "image_url": "https://cdn.example/a.png", "buttons": [],
        "default_link": "https://shop.example"}


async def test_cards_go_as_their_fallback_text_or_not_at_all(start_fake):
    fake = start_fake()
    async with fake.provider() as provider:
        [fell_back] = await provider.submit(
            [OutgoingMessage("c1", phone(1), "【Shop】Sale", kind="card", card=CARD,
                             fallback_text="Sale: https://shop.example")]
        )
        assert (fell_back.status, fell_back.fell_back) == (SubmitStatus.accepted, True)
        assert fake.state.last_form_values("Body") == ["Sale: https://shop.example"]
        [refused] = await provider.submit([OutgoingMessage("c2", phone(2), "【Shop】Sale", kind="card", card=CARD)])
    assert (refused.status, refused.error_code, refused.fell_back) == (SubmitStatus.rejected, "card_unsupported", False)
    assert "Twilio cannot show card messages" in refused.error_message
    assert fake.state.creates_for(phone(2)) == 0


async def test_digital_messages_carry_their_media_urls(start_fake):
    fake = start_fake()
    media = ("https://cdn.example/a.png", "https://cdn.example/b.mp4")
    async with fake.provider() as provider:
        [result] = await provider.submit([OutgoingMessage("d1", phone(1), "Look", kind="digital", media_urls=media)])
        [text_only] = await provider.submit([OutgoingMessage("t1", phone(2), "Plain", media_urls=media)])
    assert result.status is SubmitStatus.accepted and not result.fell_back
    first, second = fake.state.messages()
    assert (first.body, first.media_urls) == ("Look", media)
    assert (text_only.status, second.media_urls) == (SubmitStatus.accepted, ())  # a text sends no media


async def test_a_messaging_service_sends_without_from(start_fake, receiver):
    fake = start_fake()
    async with fake.provider(messaging_service_sid=SERVICE_SID) as provider:
        await provider.submit(texts(1))
        await eventually(lambda: len(receiver.posts("status")) == 2)
    assert fake.state.last_form_values("MessagingServiceSid") == [SERVICE_SID]
    assert fake.state.last_form_values("From") == []
    assert {form_of(p)["MessagingServiceSid"] for p in receiver.posts("status")} == {SERVICE_SID}


# --- the rest of the interface --------------------------------------------------------------
def test_the_provider_fits_the_interface_and_answers_with_empty_twiml():
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, status_callback_url="https://bot.example/hook", from_number=FROM)
    assert isinstance(provider, SmsProvider)
    assert (provider.name, provider.max_batch, provider.uses_registered_templates) == ("twilio", 1000, False)
    assert provider.webhook_answer() == (200, EMPTY_TWIML, "text/xml")
    assert EMPTY_TWIML == b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    assert AUTH_TOKEN not in repr(provider)


@pytest.mark.parametrize(
    ("sid", "token", "senders", "complaint"),
    [
        ("", AUTH_TOKEN, {"from_number": FROM}, "account_sid and auth_token"),
        (ACCOUNT_SID, "", {"from_number": FROM}, "account_sid and auth_token"),
        (ACCOUNT_SID, AUTH_TOKEN, {}, "from_number or messaging_service_sid"),
    ],
)
def test_missing_settings_are_refused(sid, token, senders, complaint):
    with pytest.raises(ProviderError, match=complaint):
        TwilioProvider(sid, token, status_callback_url="https://bot.example/hook", **senders)


def test_a_callback_host_with_an_underscore_is_refused():
    # Twilio refuses such a StatusCallback on every create: better to fail at start-up.
    with pytest.raises(ProviderError, match="underscore in the host"):
        TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, status_callback_url="https://my_bot.example/hook", from_number=FROM)
