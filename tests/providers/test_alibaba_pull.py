"""Receipts by pull from Alibaba Cloud: `AlibabaProvider.query_receipts` asks the fake's
QuerySendDetails over HTTP, signed (the fake checks every query's signature, as for sends), and
the official SDK asks the same. The fake's clock is the test's: a receipt is in once its latency
has passed by it, and a send's date is the one it gives."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from alibabacloud_dysmsapi20170525 import models as sdk_models
from Tea.exceptions import TeaException

from bot.providers import OutgoingMessage, ReceiptStatus, SubmitResult, SubmitStatus
from bot.providers.alibaba import AlibabaProvider
from bot.providers.base import SentRef
from tests.fakes import FakeClock
from tests.providers.conftest import phone
from tests.providers.test_alibaba import (  # noqa: F401  (start_fake is a fixture)
    ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN, TOKEN, digits, start_fake, texts,
)

START = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)  # noon in Beijing
DAY = "20260301"
MIXED = {"deliver_ratio": 0.6, "fail_ratio": 0.3}  # the other tenth never gets a receipt


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def sent_refs(messages: Sequence[OutgoingMessage], results: Sequence[SubmitResult],
              submitted_at: datetime = START) -> list[SentRef]:
    """What the poller hands over for the messages Alibaba took."""
    return [SentRef(m.client_ref, r.provider_id, m.phone, m.campaign, submitted_at)
            for m, r in zip(messages, results) if r.status is SubmitStatus.accepted]


# --- the fake's QuerySendDetails, asked by the official SDK ----------------------------------
def test_the_official_sdk_queries_send_details_on_the_fake(start_fake, clock):
    fake = start_fake(clock=clock, receipt_latency=(5.0, 5.0))
    sdk = fake.sdk()
    sent = sdk.send_batch_sms(sdk_models.SendBatchSmsRequest(
        phone_number_json=f'["{digits(phone(1))}"]', sign_name_json=f'["{SIGN}"]', template_code="SMS_1",
        template_param_json='[{"code":"42"}]', out_id="task-7")).body
    request = sdk_models.QuerySendDetailsRequest(phone_number="13800000001", send_date=DAY, page_size=10,
                                                 current_page=1, biz_id=sent.biz_id)
    waiting = sdk.query_send_details(request).body
    assert (waiting.code, waiting.total_count) == ("OK", "1")
    [record] = waiting.sms_send_detail_dtos.sms_send_detail_dto
    assert (record.phone_num, record.send_status, record.out_id, record.template_code) == (
        "13800000001", 1, "task-7", "SMS_1")
    assert record.send_date == "2026-03-01 12:00:00" and not record.receive_date

    clock.advance(seconds=6)
    [delivered] = sdk.query_send_details(request).body.sms_send_detail_dtos.sms_send_detail_dto
    assert (delivered.send_status, delivered.err_code, delivered.receive_date) == (3, "DELIVERED", "2026-03-01 12:00:05")
    other_day = sdk_models.QuerySendDetailsRequest(phone_number="13800000001", send_date="20260302", page_size=10,
                                                   current_page=1)
    assert sdk.query_send_details(other_day).body.total_count == "0"
    with pytest.raises(TeaException) as refused:
        fake.sdk(secret="not-the-secret").query_send_details(request)
    assert refused.value.code == "SignatureDoesNotMatch"


# --- our adapter pulls ----------------------------------------------------------------------
async def test_receipts_are_pulled_once_final_and_none_for_the_pending(start_fake, clock):
    fake = start_fake(clock=clock, seed=5, receipt_latency=(1.0, 3.0), **MIXED)
    messages = texts(60)
    async with fake.provider() as provider:
        refs = sent_refs(messages, await provider.submit(messages))
        assert await provider.query_receipts(refs) == []  # every one awaiting its receipt
        clock.advance(seconds=10)
        receipts = await provider.query_receipts(refs)
    sent = {m.phone: m for m in fake.state.messages()}
    assert {m.outcome for m in sent.values()} == {"delivered", "failed", "silent"}
    expected = {ref.client_ref: (ReceiptStatus(sent[ref.phone].outcome),
                                 None if sent[ref.phone].outcome == "delivered" else sent[ref.phone].err_code)
                for ref in refs if sent[ref.phone].outcome != "silent"}
    assert {r.client_ref: (r.status, r.error_code) for r in receipts} == expected
    for receipt in receipts:
        message = sent[receipt.phone]
        assert receipt.provider_id == f"{message.biz_id}:{digits(receipt.phone)}" and receipt.campaign == "task-1"
        at = message.sent_at + timedelta(seconds=message.receipt_after)
        assert receipt.at == at.replace(microsecond=0) and receipt.at.tzinfo is UTC  # ReceiveDate, Beijing time
    asked = fake.state.queries_asked()
    [biz_id] = {m.biz_id for m in sent.values()}  # one call of 60 numbers
    assert len(asked) == 120 and all(q == {"PhoneNumber": q["PhoneNumber"], "SendDate": DAY, "BizId": biz_id,
                                           "PageSize": "50", "CurrentPage": "1"} for q in asked)
    assert {q["PhoneNumber"] for q in asked} == {f"138{i:08d}" for i in range(60)}  # mainland: 11 digits


async def test_a_number_with_many_records_is_read_page_by_page(start_fake, clock):
    fake = start_fake(clock=clock)
    messages = [OutgoingMessage(f"m{i}", phone(1), "", campaign=f"task-{i}", params={"code": str(i)},
                                registered=texts(1)[0].registered) for i in range(120)]
    async with fake.provider() as provider:
        results = await provider.submit(messages)
        clock.advance(seconds=5)
        # A lost send Alibaba took has no BizId: its number's records that day are read, page after page.
        [last] = await provider.query_receipts([SentRef("m119", None, phone(1), "task-119", START)])
        asked = fake.state.queries_asked()
        # With its BizId, the call's records alone.
        [first] = await provider.query_receipts(sent_refs(messages[:1], results[:1]))
    assert (last.client_ref, last.status, last.provider_id) == ("m119", ReceiptStatus.delivered, None)
    assert [(q["CurrentPage"], "BizId" in q) for q in asked] == [("1", False), ("2", False), ("3", False)]
    assert (first.client_ref, first.status) == ("m0", ReceiptStatus.delivered)
    assert fake.state.queries == 4


async def test_a_message_listed_twice_or_not_at_all_gets_no_receipt(start_fake, clock):
    fake = start_fake(clock=clock)
    twice = texts(1) + texts(1, prefix="again")  # the same number, the same task, sent twice
    async with fake.provider() as provider:
        results = [r for message in twice for r in await provider.submit([message])]
        clock.advance(seconds=5)
        without_biz_ids = [SentRef("r0", None, phone(0), "task-1", START)]
        assert await provider.query_receipts(without_biz_ids) == []  # which of the two?
        assert len(await provider.query_receipts(sent_refs(twice, results))) == 2  # each by its BizId
        never_sent = SentRef("r5", None, phone(5), "task-1", START)
        other_task = SentRef("x0", None, phone(0), "task-2", START)
        assert await provider.query_receipts([never_sent, other_task]) == []


async def test_a_send_just_before_midnight_in_beijing_is_found_on_its_day(start_fake, clock):
    clock.now = datetime(2026, 3, 1, 15, 59, 55, tzinfo=UTC)  # 23:59:55 in Beijing
    fake = start_fake(clock=clock)
    messages = texts(1)
    async with fake.provider() as provider:
        results = await provider.submit(messages)
        clock.advance(seconds=10)  # our record of the send is past midnight
        [receipt] = await provider.query_receipts(sent_refs(messages, results, submitted_at=clock.now))
    assert receipt.status is ReceiptStatus.delivered
    assert [q["SendDate"] for q in fake.state.queries_asked()] == ["20260302", "20260301"]


# --- a query that fails gives no receipt, never a wrong one -----------------------------------
async def submitted(fake, clock, count: int = 10) -> list[SentRef]:
    async with fake.provider() as provider:
        refs = sent_refs(messages := texts(count), await provider.submit(messages))
    clock.advance(seconds=5)
    return refs


@pytest.mark.parametrize(("fault", "stops"), [
    ({"query_error": ("Throttling.User", "Request was denied due to user flow control.")}, True),
    ({"query_error": ("isp.SYSTEM_ERROR", "系统错误")}, True),
    ({"fail_with_5xx": True}, True),
    ({"query_error": ("isv.INVALID_PARAMETERS", "参数异常")}, False),  # about this query: the next is asked
])
async def test_refused_queries_give_no_receipt(start_fake, clock, fault, stops):
    fake = start_fake(clock=clock)
    refs = await submitted(fake, clock)
    for name, value in fault.items():
        setattr(fake.config, name, value)
    async with fake.provider(concurrency=2) as provider:
        assert await provider.query_receipts(refs) == []
    refused = len(fake.state.calls("QuerySendDetails")) or fake.state.failed_requests
    assert (refused <= 2) if stops else (refused == 10)  # at most the queries already under way


async def test_a_wrong_secret_or_no_answer_gives_no_receipt(start_fake, clock):
    fake = start_fake(clock=clock)
    refs = await submitted(fake, clock)
    refusals = fake.state.signature_refusals
    async with fake.provider(access_key_secret="guess", concurrency=2) as wrong:
        assert await wrong.query_receipts(refs) == []
    assert 1 <= fake.state.signature_refusals - refusals <= 2 and fake.state.queries == 0

    fake.config.hang_seconds = 0.5
    async with fake.provider(timeout=0.2, concurrency=2) as impatient:
        assert await impatient.query_receipts(refs) == []
    fake.config.hang_seconds = 0.0
    async with fake.provider() as provider:  # the same, answered: all in
        assert len(await provider.query_receipts(refs)) == 10


async def test_a_date_past_the_30_days_is_refused_and_the_rest_still_asked(start_fake, clock):
    fake = start_fake(clock=clock)
    [ref] = await submitted(fake, clock, count=1)
    stale = SentRef("old", None, phone(7), "task-0", START - timedelta(days=40))
    async with fake.provider() as provider:
        receipts = await provider.query_receipts([stale, ref])
    assert [r.client_ref for r in receipts] == [ref.client_ref]
    assert [c.code for c in fake.state.calls("QuerySendDetails")] == ["isv.INVALID_PARAMETERS"]


async def test_connection_refused_gives_no_receipt():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AlibabaProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, webhook_token=TOKEN,
                               base_url=f"http://127.0.0.1:{port}", timeout=2) as provider:
        assert await provider.query_receipts([SentRef("r1", "1^0:8613800000001", phone(1), "t", START)]) == []
