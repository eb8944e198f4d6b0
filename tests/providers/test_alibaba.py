"""Alibaba Cloud SMS: our V2 signer against the official one, the fake against the official SDK,
and `AlibabaProvider` end to end against the fake, all over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from alibabacloud_dysmsapi20170525 import models as sdk_models
from alibabacloud_dysmsapi20170525.client import Client as SdkClient
from alibabacloud_openapi_util.client import Client as OpenApiUtil
from alibabacloud_tea_openapi.utils_models import Config as SdkConfig
from Tea.exceptions import TeaException

from bot.providers import (
    OutgoingMessage,
    ProviderError,
    ReceiptStatus,
    RegisteredContent,
    SmsProvider,
    SubmitStatus,
)
from bot.providers.alibaba import AlibabaProvider
from tests.provider_fakes.alibaba import FAILURE_REASONS, FakeAlibabaConfig, FakeAlibabaState, create_fake_alibaba
from tests.provider_fakes.alibaba.fake import refuses_cards
from bot.providers.alibaba.signing import SignatureVerifier, percent_encode, rpc_signature, sign
from bot.threaded_server import ThreadedServer
from tests.providers.conftest import Receiver, eventually, phone

ACCESS_KEY_ID = "LTAI-test-key"
ACCESS_KEY_SECRET = "test-secret-0123456789"
TOKEN = "receipt-token-" + "x" * 24
SIGN = "阿里云短信测试"
TEXT = RegisteredContent(sign_name=SIGN, template_name="welcome", template_code="SMS_154950909")
CARD = RegisteredContent(sign_name=SIGN, template_name="sale card", template_code="CARD_SMS_1",
                         fallback_kind="text", fallback_template_name="sale text",
                         fallback_template_code="SMS_200000001")


def digits(e164: str) -> str:
    return e164.removeprefix("+")


def texts(count: int, *, start: int = 0, prefix: str = "r", campaign: str = "task-1",
          registered: RegisteredContent = TEXT, kind: str = "text") -> list[OutgoingMessage]:
    return [
        OutgoingMessage(f"{prefix}{i}", phone(i), "", kind=kind, campaign=campaign,
                        params={"name": f"客户 {i}", "code": str(i)}, registered=registered)
        for i in range(start, start + count)
    ]


@dataclass
class RunningFake:
    url: str
    state: FakeAlibabaState
    config: FakeAlibabaConfig

    def provider(self, **options: Any) -> AlibabaProvider:
        options.setdefault("timeout", 5.0)
        options.setdefault("base_url", self.url)
        secret = options.pop("access_key_secret", ACCESS_KEY_SECRET)
        return AlibabaProvider(ACCESS_KEY_ID, secret, webhook_token=TOKEN, **options)

    def sdk(self, secret: str = ACCESS_KEY_SECRET) -> SdkClient:
        # The SDK signs with V3 unless told otherwise; signature_algorithm="v2" selects the RPC V2 path.
        config = SdkConfig(access_key_id=ACCESS_KEY_ID, access_key_secret=secret,
                           endpoint=self.url.removeprefix("http://"), protocol="http",
                           signature_algorithm="v2", read_timeout=5000, connect_timeout=5000)
        return SdkClient(config)


def hook_with_token(receiver: Receiver) -> str:
    """Where the console would send pushes: our endpoint, its secret in the query."""
    return f"{receiver.hook()}?token={TOKEN}"


@pytest.fixture
def start_fake() -> Iterator[Callable[..., RunningFake]]:
    servers: list[ThreadedServer] = []

    def start(**overrides: Any) -> RunningFake:
        # No report_url unless a test wants the pushes: a receiver server per test costs time.
        settings: dict[str, Any] = dict(
            access_keys={ACCESS_KEY_ID: ACCESS_KEY_SECRET}, deliver_ratio=1.0, fail_ratio=0.0, seed=7,
            receipt_latency=(0.0, 0.0), report_flush_interval=0.05, push_retry_delays=(0.05, 0.05),
        )
        config = FakeAlibabaConfig(**(settings | overrides))
        app, state = create_fake_alibaba(config)
        server = ThreadedServer(app).start()
        servers.append(server)
        return RunningFake(server.url, state, config)

    yield start
    for server in servers:
        server.stop()


# --- signing -------------------------------------------------------------------------------
PARAM_SETS = [
    {"Action": "SendSms", "PhoneNumbers": "13800138000", "SignName": "阿里云短信测试", "TemplateCode": "SMS_1"},
    {"Action": "SendBatchSms", "PhoneNumberJson": '["8613800138000","8613900139000"]',
     "SignNameJson": '["签 名","签 名"]', "TemplateParamJson": '[{"code":"1 2*3~4/5"},{"name":"张三 & 李四"}]'},
    {"Note": "a b*c~d/e+f=g&h%i", "Empty": "", "Émoji": "🙂 ok", "TemplateParam": '{"url":"https://x.cn/a?b=c"}'},
]


@pytest.mark.parametrize("params", PARAM_SETS)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_our_signature_is_the_official_one(params, method):
    official = OpenApiUtil.get_rpcsignature(dict(params), method, ACCESS_KEY_SECRET)
    assert rpc_signature(params, method, ACCESS_KEY_SECRET) == official
    signed = sign(params, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET, method=method)
    unsigned = {name: value for name, value in signed.items() if name != "Signature"}
    assert signed["Signature"] == OpenApiUtil.get_rpcsignature(unsigned, method, ACCESS_KEY_SECRET)
    assert signed["Format"] == "JSON" and signed["Version"] == "2017-05-25"
    assert signed["SignatureMethod"] == "HMAC-SHA1" and signed["SignatureVersion"] == "1.0"
    assert datetime.strptime(signed["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")


def test_percent_encoding_follows_rfc_3986():
    assert percent_encode("a b*c~d/e+é_.-") == "a%20b%2Ac~d%2Fe%2B%C3%A9_.-"


def test_the_verifier_checks_secret_freshness_and_nonces():
    now = [time.time()]
    verifier = SignatureVerifier({ACCESS_KEY_ID: ACCESS_KEY_SECRET}, clock=lambda: now[0])
    params = {"Action": "SendSms", "PhoneNumbers": "13800138000"}

    def signed(**options: Any) -> dict[str, str]:
        options.setdefault("access_key_secret", ACCESS_KEY_SECRET)
        return sign(params, access_key_id=options.pop("access_key_id", ACCESS_KEY_ID), **options)

    good = signed(now=now[0])
    forged = signed(access_key_secret="guess", nonce=good["SignatureNonce"])
    assert verifier.check("POST", forged).code == "SignatureDoesNotMatch"
    assert verifier.check("POST", good) is None  # the forged request did not burn its nonce
    assert verifier.check("POST", good).code == "SignatureNonceUsed"
    assert verifier.check("GET", signed()).code == "SignatureDoesNotMatch"  # signed for POST
    tampered = dict(signed(), PhoneNumbers="13900139000")
    assert verifier.check("POST", tampered).code == "SignatureDoesNotMatch"
    unknown = verifier.check("POST", signed(access_key_id="LTAI-other"))
    assert (unknown.status, unknown.code) == (404, "InvalidAccessKeyId.NotFound")
    assert verifier.check("POST", signed(now=now[0] - 30 * 60)) is None  # valid for 31 minutes
    assert verifier.check("POST", signed(now=now[0] - 32 * 60)).code == "InvalidTimeStamp.Expired"
    missing = {k: v for k, v in signed().items() if k != "SignatureNonce"}
    assert verifier.check("POST", missing).code == "MissingSignatureNonce"


# --- the fake, checked with the official SDK ----------------------------------------------
def test_the_official_sdk_sends_a_batch_to_the_fake(start_fake):
    fake = start_fake(sign_names={SIGN}, template_codes={"SMS_1"})
    request = sdk_models.SendBatchSmsRequest(
        phone_number_json=json.dumps([digits(phone(1)), "13800000002"]),
        sign_name_json=json.dumps([SIGN, SIGN], ensure_ascii=False),
        template_code="SMS_1",
        template_param_json=json.dumps([{"code": "1 2*3~/"}, {"code": "中文"}], ensure_ascii=False),
        out_id="campaign 7",
    )
    response = fake.sdk().send_batch_sms(request)
    assert response.status_code == 200
    assert response.body.code == "OK" and response.body.biz_id and response.body.request_id
    assert [(m.phone, m.params, m.out_id) for m in fake.state.messages()] == [
        (phone(1), {"code": "1 2*3~/"}, "campaign 7"),
        (phone(2), {"code": "中文"}, "campaign 7"),
    ]


def test_the_fake_refuses_a_wrong_secret_from_the_sdk(start_fake):
    fake = start_fake()
    request = sdk_models.SendBatchSmsRequest(phone_number_json=json.dumps([digits(phone(1))]),
                                             sign_name_json=json.dumps([SIGN]), template_code="SMS_1")
    refusals_before = fake.state.signature_refusals  # the server's readiness probe was one
    with pytest.raises(TeaException) as refused:
        fake.sdk(secret="not-the-secret").send_batch_sms(request)
    assert refused.value.code == "SignatureDoesNotMatch"
    assert fake.state.signature_refusals == refusals_before + 1
    assert fake.state.total_sends == 0 and fake.state.calls() == []


def test_the_official_sdk_sends_cards_to_the_fake(start_fake):
    fake = start_fake(card_refuse_ratio=0.5)
    numbers = [digits(phone(i)) for i in range(20)]
    refused = {n for n in numbers if refuses_cards("+" + n, 0.5)}
    request = sdk_models.SendBatchCardSmsRequest(
        card_template_code="CARD_SMS_1", phone_number_json=json.dumps(numbers),
        sign_name_json=json.dumps([SIGN] * 20), fallback_type="SMS", sms_template_code="SMS_2",
        sms_template_param_json=json.dumps([{"n": str(i)} for i in range(20)]), out_id="cards",
    )
    body = fake.sdk().send_batch_card_sms(request).body
    assert body.code == "OK" and body.success
    data = body.data
    assert data.biz_card_id and data.biz_sms_id and data.card_tmp_state == 1
    assert set(filter(None, data.not_media_mobiles.split(","))) == refused and 0 < len(refused) < 20
    assert set(filter(None, data.media_mobiles.split(","))) == set(numbers) - refused


def test_the_official_sdk_sends_a_single_sms_to_the_fake(start_fake):
    fake = start_fake(template_variables={"SMS_1": ("code",)})
    request = sdk_models.SendSmsRequest(phone_numbers=f"{digits(phone(1))},13800000002", sign_name=SIGN,
                                        template_code="SMS_1", template_param='{"code":"1234"}')
    body = fake.sdk().send_sms(request).body
    assert body.code == "OK" and body.biz_id
    assert [(m.action, m.phone, m.params) for m in fake.state.messages()] == [
        ("SendSms", phone(1), {"code": "1234"}), ("SendSms", phone(2), {"code": "1234"})]


def test_the_fake_checks_requests_as_alibaba_does(start_fake):
    fake = start_fake()

    def call(method: str = "POST", **params: str) -> tuple[int, str]:
        signed = sign({"Action": "SendBatchSms", "TemplateCode": "SMS_1", **params}, method=method,
                      access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET)
        with httpx.Client(base_url=fake.url) as client:
            answer = client.post("/", data=signed) if method == "POST" else client.get("/", params=signed)
        return answer.status_code, answer.json()["Code"]

    def numbers(count: int) -> str:
        return json.dumps([digits(phone(i)) for i in range(count)])

    signs = json.dumps([SIGN, SIGN])
    assert call(PhoneNumberJson=numbers(2), SignNameJson=signs) == (200, "OK")
    assert call("GET", PhoneNumberJson=numbers(2), SignNameJson=signs) == (200, "OK")
    too_many = call(PhoneNumberJson=numbers(101), SignNameJson=json.dumps([SIGN] * 101))
    assert too_many == (200, "isv.MOBILE_COUNT_OVER_LIMIT")
    assert call(PhoneNumberJson=numbers(2), SignNameJson=json.dumps([SIGN])) == (200, "isv.INVALID_PARAMETERS")
    not_strings = json.dumps([{"code": 1234}, {"code": "1"}])
    assert call(PhoneNumberJson=numbers(2), SignNameJson=signs, TemplateParamJson=not_strings) == (
        200, "isv.INVALID_JSON_PARAM")
    assert call(SignNameJson=signs) == (400, "MissingPhoneNumberJson")
    assert call("POST", Action="SendNothing") == (404, "InvalidAction.NotFound")
    assert fake.state.total_sends == 4


# --- the adapter against the fake ------------------------------------------------------------
async def test_250_texts_go_in_3_calls_and_each_number_once(start_fake):
    fake = start_fake()
    messages = texts(250)
    async with fake.provider() as provider:
        results = await provider.submit(messages)
    assert [r.client_ref for r in results] == [m.client_ref for m in messages]
    assert all(r.status is SubmitStatus.accepted and not r.fell_back for r in results)
    assert sorted(call.numbers for call in fake.state.calls("SendBatchSms")) == [50, 100, 100]
    assert fake.state.total_sends == 250 and fake.state.max_sends_per_number() == 1
    ids = [r.provider_id for r in results]
    assert len(set(ids)) == 250 and all(i.endswith(":" + digits(m.phone)) for i, m in zip(ids, messages))
    sent = {m.phone: m for m in fake.state.messages()}
    assert sent[phone(7)].params == {"name": "客户 7", "code": "7"}
    assert {(m.sign_name, m.template_code, m.out_id) for m in sent.values()} == {(SIGN, "SMS_154950909", "task-1")}


async def test_calls_run_concurrently_up_to_the_limit(start_fake):
    fake = start_fake(hang_seconds=0.1)
    async with fake.provider(concurrency=2) as provider:
        results = await provider.submit(texts(500))
    assert all(r.status is SubmitStatus.accepted for r in results)
    assert len(fake.state.calls()) == 5 and fake.state.max_in_flight == 2


async def test_messages_are_grouped_by_template_and_campaign(start_fake):
    fake = start_fake()
    other = RegisteredContent(sign_name=SIGN, template_name="reminder", template_code="SMS_2")
    messages = [*texts(2, campaign="a"), *texts(2, start=2, registered=other, campaign="a"),
                *texts(2, start=4, campaign="b")]
    async with fake.provider() as provider:
        results = await provider.submit(messages[::-1])
    assert [r.client_ref for r in results] == [m.client_ref for m in messages[::-1]]
    assert all(r.status is SubmitStatus.accepted for r in results)
    assert sorted(call.numbers for call in fake.state.calls()) == [2, 2, 2]
    assert {(m.template_code, m.out_id) for m in fake.state.messages()} == {
        ("SMS_154950909", "a"), ("SMS_2", "a"), ("SMS_154950909", "b")}


async def test_receipts_are_pushed_with_the_token_and_parse(start_fake, receiver):
    fake = start_fake(deliver_ratio=0.5, fail_ratio=0.5, seed=3, report_url=hook_with_token(receiver))
    async with fake.provider() as provider:
        before = datetime.now(UTC) - timedelta(seconds=1)
        results = await provider.submit(texts(40))
        await eventually(lambda: fake.state.reports_posted == 40)
        posts = receiver.posts()
        for post in posts:
            assert provider.verify_webhook(post.url, post.headers, post.body)
            assert not provider.verify_webhook(post.url.split("?")[0], post.headers, post.body)
            assert not provider.verify_webhook(post.url.replace(TOKEN, TOKEN[:-1] + "y"), post.headers, post.body)
            assert not provider.verify_webhook(f"{post.url}&token={TOKEN}", post.headers, post.body)
        receipts = [r for post in posts for r in provider.parse_receipts(post.body, post.headers, post.url)]
        assert all(provider.parse_inbound(post.body, post.headers) == [] for post in posts)
    assert all(isinstance(json.loads(post.body), list) for post in posts)
    assert {r.provider_id for r in receipts} == {r.provider_id for r in results}
    assert {(r.campaign, r.phone) for r in receipts} == {("task-1", phone(i)) for i in range(40)}
    assert all(r.client_ref is None and before <= r.at <= datetime.now(UTC) + timedelta(seconds=1) for r in receipts)
    failed = [r for r in receipts if r.status is ReceiptStatus.failed]
    assert 5 <= len(failed) <= 35
    assert all(r.error_code in dict(FAILURE_REASONS) and r.error_message for r in failed)
    assert all(r.error_code is None for r in receipts if r.status is ReceiptStatus.delivered)
    outcomes = {m.phone: m.outcome for m in fake.state.messages()}
    assert all(outcomes[r.phone] == r.status.value for r in receipts)


async def test_a_refused_push_is_retried(start_fake, receiver):
    receiver.fail_next = 1
    fake = start_fake(report_url=hook_with_token(receiver))
    async with fake.provider() as provider:
        await provider.submit(texts(3))
        await eventually(lambda: fake.state.reports_posted == 3)
    assert receiver.failed == 1 and fake.state.push_failures == 1 and len(receiver.posts()) == 1


async def test_cards_fall_back_for_the_numbers_that_cannot_show_them(start_fake):
    fake = start_fake(card_refuse_ratio=0.4)
    refused = {phone(i) for i in range(60) if refuses_cards(phone(i), 0.4)}
    assert 10 <= len(refused) <= 40
    async with fake.provider() as provider:
        results = await provider.submit(texts(60, kind="card", registered=CARD))
    assert all(r.status is SubmitStatus.accepted for r in results)
    assert {phone(int(r.client_ref[1:])) for r in results if r.fell_back} == refused
    sent = {m.phone: m for m in fake.state.messages()}
    assert {p for p, m in sent.items() if m.channel == "sms"} == refused
    assert {m.template_code for p, m in sent.items() if p in refused} == {"SMS_200000001"}
    assert {m.template_code for p, m in sent.items() if p not in refused} == {"CARD_SMS_1"}
    assert fake.state.max_sends_per_number() == 1 and fake.state.total_sends == 60
    card_ids = {r.provider_id.split(":")[0] for r in results if not r.fell_back}
    fallback_ids = {r.provider_id.split(":")[0] for r in results if r.fell_back}
    assert len(card_ids) == len(fallback_ids) == 1 and card_ids != fallback_ids


async def test_cards_without_fallback_and_with_a_digital_one(start_fake):
    fake = start_fake(card_refuse_ratio=0.4)
    refused = {phone(i) for i in range(30) if refuses_cards(phone(i), 0.4)}
    no_fallback = RegisteredContent(sign_name=SIGN, template_name="sale card", template_code="CARD_SMS_1")
    digital = RegisteredContent(sign_name=SIGN, template_name="sale card", template_code="CARD_SMS_1",
                                fallback_kind="digital", fallback_template_code="DIGITAL_1")
    async with fake.provider() as provider:
        bare = await provider.submit(texts(30, kind="card", registered=no_fallback, campaign="bare"))
        rich = await provider.submit(texts(30, kind="card", registered=digital, campaign="rich"))
    rejected = {phone(int(r.client_ref[1:])) for r in bare if r.status is SubmitStatus.rejected}
    assert rejected == refused and {r.error_code for r in bare if r.status == "rejected"} == {"card_unsupported"}
    assert {m.phone for m in fake.state.messages() if m.out_id == "bare"} == {phone(i) for i in range(30)} - refused
    assert {phone(int(r.client_ref[1:])) for r in rich if r.fell_back} == refused
    assert {m.channel for m in fake.state.messages() if m.out_id == "rich" and m.phone in refused} == {"digital"}


async def test_unregistered_templates_and_lone_digital_messages_make_no_call(start_fake):
    fake = start_fake()
    unregistered = RegisteredContent(sign_name=SIGN, template_name="promo", template_code=None)
    no_fallback_code = RegisteredContent(sign_name=SIGN, template_name="card", template_code="CARD_1",
                                         fallback_kind="text", fallback_template_name="card text")
    messages = [*texts(1, registered=unregistered),
                *texts(1, start=1, prefix="c", kind="card", registered=no_fallback_code),
                *texts(1, start=2, prefix="d", kind="digital"), OutgoingMessage("x", phone(3), "free text")]
    async with fake.provider() as provider:
        results = await provider.submit(messages)
    assert [(r.status, r.error_code) for r in results] == [
        (SubmitStatus.rejected, "template_not_registered"), (SubmitStatus.rejected, "template_not_registered"),
        (SubmitStatus.rejected, "digital_not_supported"), (SubmitStatus.rejected, "not_registered_content")]
    assert "'promo'" in results[0].error_message and "/sms template code promo <code>" in results[0].error_message
    assert "'card text'" in results[1].error_message
    assert fake.state.calls() == []


async def test_flow_control_minute_is_throttled_and_day_is_rejected(start_fake):
    if 60 - time.time() % 60 < 2:  # both sends must fall in the same clock minute
        await asyncio.sleep(2.1)
    minute = start_fake(flow_control=("minute", 1))
    day = start_fake(flow_control=("day", 1))
    async with minute.provider() as by_minute, day.provider() as by_day:
        assert (await by_minute.submit(texts(1)))[0].status is SubmitStatus.accepted
        [throttled] = await by_minute.submit(texts(1, prefix="again"))
        assert (await by_day.submit(texts(1)))[0].status is SubmitStatus.accepted
        # In a batch, only the number over its daily quota is refused: the call is split to find it.
        batch = await by_day.submit(texts(5, prefix="again"))
    assert throttled.status is SubmitStatus.throttled and throttled.error_code == "isv.BUSINESS_LIMIT_CONTROL"
    assert throttled.error_message == "触发分钟级流控Permits:1" and 0 < throttled.retry_after <= 61
    assert [r.status for r in batch] == [SubmitStatus.rejected] + [SubmitStatus.accepted] * 4
    assert batch[0].error_message == "触发天级流控Permits:1" and batch[0].retry_after is None
    assert day.state.max_sends_per_number() == 1 and day.state.total_sends == 5


async def test_an_illegal_number_in_a_batch_rejects_only_that_number(start_fake):
    fake = start_fake()
    messages = texts(9)
    messages[4] = OutgoingMessage("bad", "+8612345678901", "", campaign="task-1", params={}, registered=TEXT)
    async with fake.provider() as provider:
        results = await provider.submit(messages)
    assert [(r.client_ref, r.status) for r in results if r.status is not SubmitStatus.accepted] == [
        ("bad", SubmitStatus.rejected)]
    assert results[4].error_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert fake.state.total_sends == 8 and fake.state.max_sends_per_number() == 1


BUSINESS_ERRORS = [
    ("isv.AMOUNT_NOT_ENOUGH", "账户余额不足", 200, SubmitStatus.transient),
    ("isv.OUT_OF_SERVICE", "业务停机", 400, SubmitStatus.transient),
    ("isv.DAY_LIMIT_CONTROL", "触发日发送限额", 200, SubmitStatus.transient),
    ("isv.MONTH_LIMIT_CONTROL", "触发月发送限额", 200, SubmitStatus.transient),
    ("isp.SYSTEM_ERROR", "系统错误", 500, SubmitStatus.transient),
    ("isv.BLACK_KEY_CONTROL_LIMIT", "黑名单管控", 400, SubmitStatus.rejected),
    ("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量", 200, SubmitStatus.rejected),
    ("isv.PARAM_LENGTH_LIMIT", "参数超出长度限制", 200, SubmitStatus.rejected),
    ("isv.SOMETHING_NEW", "新错误", 200, SubmitStatus.rejected),
    ("isp.RAM_PERMISSION_DENY", "RAM权限DENY", 403, SubmitStatus.rejected),
    ("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5", 200, SubmitStatus.throttled),
]


async def test_business_errors_whatever_the_http_status(start_fake):
    fake = start_fake()
    async with fake.provider() as provider:
        for code, message, http_status, expected in BUSINESS_ERRORS:
            # The fake reads its switches on every call.
            fake.config.forced_error, fake.config.business_error_status = (code, message), http_status
            results = await provider.submit(texts(3))
            outcome = {(r.status, r.error_code, r.error_message) for r in results}
            assert outcome == {(expected, code, message)}, code
    assert fake.state.total_sends == 0 and len(fake.state.calls()) == len(BUSINESS_ERRORS)
    assert 0 < results[0].retry_after <= 3601  # the hour window


async def test_the_fakes_own_checks_reach_the_results(start_fake):
    fake = start_fake(sign_names={"其他签名"}, template_variables={"SMS_154950909": ("name", "amount")})
    async with fake.provider() as provider:
        [unsigned] = await provider.submit(texts(1))
        fake.config.sign_names = frozenset({SIGN})
        [missing] = await provider.submit(texts(1))
    assert (unsigned.status, unsigned.error_code) == (SubmitStatus.rejected, "isv.SMS_SIGNATURE_ILLEGAL")
    assert (missing.status, missing.error_code) == (SubmitStatus.rejected, "isv.TEMPLATE_MISSING_PARAMETERS")


async def test_a_wrong_secret_is_transient_and_leaks_no_number(start_fake):
    fake = start_fake()
    async with fake.provider(access_key_secret="wrong-secret") as provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.transient, "SignatureDoesNotMatch")}
    assert all(digits(phone(0)) not in r.error_message and "AccessKey" in r.error_message for r in results)
    assert fake.state.total_sends == 0


async def test_5xx_is_transient_and_sends_nothing(start_fake):
    fake = start_fake(fail_with_5xx=True)
    async with fake.provider() as provider:
        results = await provider.submit(texts(3))
    assert {r.status for r in results} == {SubmitStatus.transient}
    assert fake.state.total_sends == 0 and fake.state.failed_requests == 1


async def test_a_hang_is_unknown_and_was_sent_once(start_fake):
    fake = start_fake(hang_seconds=0.6)
    async with fake.provider(timeout=0.2) as provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.unknown, "no_answer")}
    assert fake.state.hung_requests == 1  # never sent again: only the receipts can tell
    assert fake.state.sends_for(phone(0)) == 1 and fake.state.sends_for(phone(1)) == 1


async def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AlibabaProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, webhook_token=TOKEN,
                               base_url=f"http://127.0.0.1:{port}", timeout=2) as provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.transient, "connection_failed")}


async def test_inbound_replies_are_pushed_and_parse(start_fake, receiver):
    fake = start_fake(report_url=hook_with_token(receiver))
    async with httpx.AsyncClient(base_url=fake.url) as client:
        answer = await client.post("/fake/inbound", json={"phone": phone(5), "content": "退订 TD"})
    assert answer.json() == {"posted": True}
    [post] = receiver.posts()
    [item] = json.loads(post.body)
    assert set(item) == {"phone_number", "content", "send_time", "dest_code", "sequence_id"}
    async with fake.provider() as provider:
        assert provider.verify_webhook(post.url, post.headers, post.body)
        [message] = provider.parse_inbound(post.body, post.headers, post.url)
        assert provider.parse_receipts(post.body, post.headers, post.url) == []
    assert (message.phone, message.text) == (phone(5), "退订 TD")
    assert message.at.tzinfo is not None and abs(message.at - datetime.now(UTC)) < timedelta(seconds=3)


# --- the adapter's pure parts ------------------------------------------------------------------
def offline(**options: Any) -> AlibabaProvider:
    return AlibabaProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, webhook_token=TOKEN,
                           base_url="http://127.0.0.1:9", **options)


async def test_the_provider_satisfies_the_protocol():
    async with offline() as provider:
        assert isinstance(provider, SmsProvider)
        assert (provider.name, provider.max_batch, provider.uses_registered_templates) == ("alibaba", 1000, True)
        assert await provider.submit([]) == []
        status, body, content_type = provider.webhook_answer()
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body.decode("utf-8")) == {"code": 0, "msg": "接收成功"}


@pytest.mark.parametrize(
    "arguments",
    [("", ACCESS_KEY_SECRET, TOKEN), (ACCESS_KEY_ID, "", TOKEN), (ACCESS_KEY_ID, ACCESS_KEY_SECRET, ""),
     (ACCESS_KEY_ID, ACCESS_KEY_SECRET, "short")],
)
def test_credentials_and_a_long_token_are_required(arguments):
    key_id, secret, token = arguments
    with pytest.raises(ProviderError, match="alibaba"):
        AlibabaProvider(key_id, secret, webhook_token=token)


def test_receipts_read_beijing_time_and_normalise_numbers():
    body = json.dumps([
        {"phone_number": "13800000001", "send_time": "2025-03-01 17:59:58", "report_time": "2025-03-01 18:00:00",
         "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "1", "biz_id": "123^0",
         "out_id": "task-9"},
        {"phone_number": "85291234567", "send_time": "2025-03-01 08:00:00", "report_time": "2025-03-01 08:00:05",
         "success": False, "err_code": "MK:0001", "err_msg": "gateway", "sms_size": "2", "biz_id": "456^0",
         "out_id": ""},
        {"phone_number": "13800000002", "content": "hi", "send_time": "2025-03-01 18:00:00", "dest_code": "1",
         "sequence_id": "7"},
    ], ensure_ascii=False).encode("utf-8")
    provider = offline()
    delivered, failed = provider.parse_receipts(body, {})
    assert (delivered.provider_id, delivered.phone, delivered.campaign, delivered.status) == (
        "123^0:8613800000001", "+8613800000001", "task-9", ReceiptStatus.delivered)
    assert delivered.at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC) and delivered.error_code is None
    assert (failed.phone, failed.campaign, failed.status, failed.error_code, failed.error_message) == (
        "+85291234567", None, ReceiptStatus.failed, "MK:0001", "gateway")
    [reply] = provider.parse_inbound(body, {})
    assert (reply.phone, reply.text, reply.at) == ("+8613800000002", "hi", datetime(2025, 3, 1, 10, tzinfo=UTC))


@pytest.mark.parametrize("body", [b"", b"not json", b'{"phone_number": "13800000001"}', b"[1, 2]", b"\xff\xfe"])
def test_bodies_that_are_not_arrays_of_objects_give_nothing(body):
    provider = offline()
    assert provider.parse_receipts(body, {}) == [] and provider.parse_inbound(body, {}) == []
