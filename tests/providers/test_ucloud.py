"""The UCloud USMS adapter (bot/providers/ucloud/) against its local fake over HTTP, and its
signer and the fake against UCloud's own SDK (`ucloud-sdk-python3`): code that is not ours."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ucloud.client import Client
from ucloud.core import exc
from ucloud.core.auth import Credential
from ucloud.core.typesystem import encoder

from bot.providers.base import OutgoingMessage, ReceiptStatus, RegisteredContent, SentRef, SubmitStatus
from bot.providers.ucloud import UCloudProvider
from bot.providers.ucloud.signing import flatten, signature, signed_form
from bot.threaded_server import ThreadedServer
from domain.provider_errors import ErrorKind, classify
from tests.provider_fakes.ucloud import FakeUCloudConfig, create_fake_ucloud

PUBLIC, PRIVATE = "ucloudsomeone@example.com1296235120854146120", "46f09bb9fab4f12dfc160dae12273d5332b5debe"
PROJECT = "org-test"
TEMPLATE, SIGN = "UTA2101E6B8D2C0", "Acme"
TOKEN = "ucloud-push-token-" + "z9" * 10
CONTENT = RegisteredContent(SIGN, "Receipt", TEMPLATE, variables=("name", "code"))


def message(i: int, *, content: RegisteredContent = CONTENT, ref: str | None = None, phone: str | None = None):
    return OutgoingMessage(ref or f"r{i}", phone or f"+86138{i:08d}", f"【Acme】Hi N{i}", campaign="7",
                           params={"code": f"C{i}", "name": f"N{i}"}, registered=content)


@pytest.fixture
def fake_config() -> FakeUCloudConfig:
    return FakeUCloudConfig(PUBLIC, PRIVATE, project_id=PROJECT, templates={TEMPLATE: 2, "UTA_PLAIN": 0},
                            signatures={SIGN}, deliver_ratio=0.8, fail_ratio=0.1, receipt_latency=0.05, seed=3)


@pytest.fixture
def fake(fake_config) -> Iterator:
    app, state = create_fake_ucloud(fake_config)
    server = ThreadedServer(app).start()
    yield server, state
    server.stop()


@pytest.fixture
async def provider(fake):
    ucloud = UCloudProvider(PUBLIC, PRIVATE, webhook_token=TOKEN, project_id=PROJECT, base_url=fake[0].url)
    yield ucloud
    await ucloud.aclose()


# --- the signature, proven against UCloud's own code --------------------------------------------
def sdk_signature(params: dict) -> str:
    flat = dict(encoder.encode(params))
    return Credential(PUBLIC, PRIVATE).verify_ac(flat)  # adds PublicKey to the dict it is given


def test_the_documented_vectors_sign_as_the_sdk_signs_them():
    described = {"Action": "DescribeUHostInstance", "Region": "cn-bj2", "Limit": 10}
    assert signature(flatten(described) | {"PublicKey": PUBLIC}, PRIVATE) == "cba5cf5ec4d4233d206b1b54951e3787350a642f"
    send = {"Action": "SendUSMSMessage", "ProjectId": "org-test", "PhoneNumbers": ["18500000000", "(86)18500000001"],
            "TemplateId": "UTA1", "TemplateParams": ["1234"], "SigContent": "UCloud"}
    assert signed_form(send, PUBLIC, PRIVATE)["Signature"] == "63e729cc3cb7cbdc8659a544ba10487bd222fda7"


values = st.one_of(st.text(max_size=12), st.integers(-10**6, 10**6), st.booleans(),
                   st.lists(st.text(max_size=6), max_size=12))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.from_regex(r"[A-Z][A-Za-z]{0,8}", fullmatch=True), values, max_size=6))
def test_any_request_signs_as_the_sdk_signs_it(params):
    assert signed_form(params, PUBLIC, PRIVATE)["Signature"] == sdk_signature(dict(params))


def test_the_sdks_own_client_is_served_by_the_fake(fake):
    server, state = fake
    client = Client({"public_key": PUBLIC, "private_key": PRIVATE, "project_id": PROJECT, "base_url": server.url,
                     "max_retries": 0}).usms()
    sent = client.send_usms_message({"PhoneNumbers": ["(86)13800138000"], "SigContent": SIGN, "TemplateId": TEMPLATE,
                                     "TemplateParams": ["Li", "42"], "UserId": "u1"})
    assert sent["SessionNo"] and state.sends_per_number() == {"+8613800138000": 1}
    receipts = client.get_usms_send_receipt({"SessionNoSet": [sent["SessionNo"]]})
    assert receipts["Data"][0]["SessionNo"] == sent["SessionNo"]
    with pytest.raises(exc.RetCodeException) as refused:
        client.send_usms_message({"PhoneNumbers": ["13800138001"], "SigContent": SIGN, "TemplateId": "UTA_NONE"})
    assert refused.value.code == 18017
    assert state.bad_signatures == 0


# --- sending ------------------------------------------------------------------------------------
async def test_a_batch_goes_200_numbers_a_request_each_with_its_own_parameters(provider, fake):
    _server, state = fake
    results = await provider.submit([message(i) for i in range(250)])
    assert [r.status for r in results] == [SubmitStatus.accepted] * 250
    assert state.requests["SendBatchUSMSMessage"] == 2 and state.bad_signatures == 0
    sent = {m.user_id: m for m in state.messages}
    assert (sent["r7"].phone, sent["r7"].params, sent["r7"].template_id, sent["r7"].sig_content) == (
        "+8613800000007", ["N7", "C7"], TEMPLATE, SIGN)  # by the template's order, not the dict's
    assert results[7].provider_id == f"{sent['r7'].session_no}/+8613800000007"


async def test_numbers_ucloud_refuses_are_rejected_with_its_reason_and_the_rest_taken(provider, fake, fake_config):
    fake_config.blacklist = {"+8613800000001"}
    plain = RegisteredContent(SIGN, "Plain", "UTA_UNKNOWN", variables=())
    results = await provider.submit([message(0), message(1), message(2, content=plain)])
    assert [r.status for r in results] == [SubmitStatus.accepted, SubmitStatus.rejected, SubmitStatus.rejected]
    assert results[1].error_message == "UCloud refused it: phone in the black list"
    assert classify("ucloud", results[1].status, results[1].error_code) is ErrorKind.PER_NUMBER
    # a template UCloud has not approved refuses its whole group: no number could pass, the send fails
    assert results[2].error_message == "UCloud refused it: template not approved"
    assert classify("ucloud", results[2].status, results[2].error_code) is ErrorKind.FATAL


@pytest.mark.parametrize(("ret_code", "status", "kind"), [
    (18013, SubmitStatus.transient, ErrorKind.FATAL),  # no balance: the send fails with its cause
    (171, SubmitStatus.transient, ErrorKind.FATAL),  # our signature refused: credentials
    (153, SubmitStatus.throttled, ErrorKind.TRANSIENT),
    (18004, SubmitStatus.transient, ErrorKind.TRANSIENT),
    (110, SubmitStatus.unknown, ErrorKind.TRANSIENT),  # the gateway timed out: maybe sent
])
async def test_a_refused_request_sends_nothing_and_says_what_kind_of_problem_it_is(
        provider, fake, fake_config, ret_code, status, kind):
    fake_config.forced_ret_code = ret_code
    [result] = await provider.submit([message(0)])
    assert (result.status, result.error_code) == (status, str(ret_code))
    assert classify("ucloud", result.status, result.error_code) is kind
    assert fake[1].messages == []


async def test_an_answer_without_a_body_is_transient_unless_it_may_have_been_sent(provider, fake_config):
    fake_config.http_status = 503
    assert (await provider.submit([message(0)]))[0].status is SubmitStatus.transient
    fake_config.http_status = 504
    assert (await provider.submit([message(0)]))[0].status is SubmitStatus.unknown


async def test_messages_ucloud_cannot_send_are_refused_before_any_request(provider, fake):
    unregistered = RegisteredContent(SIGN, "Receipt", None, variables=("name",))
    card = OutgoingMessage("c", "+8613800000001", "x", kind="card", registered=CONTENT, params={})
    results = await provider.submit([message(0, content=unregistered), card, message(2, ref="x" * 33)])
    assert [r.error_code for r in results] == ["template_not_registered", "kind_not_supported", "reference_too_long"]
    assert "`/sms template code Receipt <id>`" in results[0].error_message
    assert fake[1].requests["SendBatchUSMSMessage"] == 0


# --- receipts, pulled and pushed; replies -------------------------------------------------------
async def test_receipts_are_pulled_by_session_and_unknown_outcomes_wait(provider, fake, fake_config):
    _server, state = fake
    fake_config.receipt_latency = 1.0
    results = await provider.submit([message(i) for i in range(40)])
    sent = [SentRef(r.client_ref, r.provider_id, f"+86138{i:08d}", "7", datetime.now(UTC))
            for i, r in enumerate(results)]
    outcomes = {m.user_id: m.outcome for m in state.messages}
    decided = sum(outcome != "silent" for outcome in outcomes.values())
    receipts = await provider.query_receipts(sent)
    assert receipts == []  # asked at once: no outcome known yet, UCloud says Unknow
    for _ in range(200):  # until the fake knows every outcome it decided
        if len(receipts := await provider.query_receipts(sent)) == decided:
            break
        await asyncio.sleep(0.02)
    assert {r.client_ref: r.status for r in receipts} == {
        ref: ReceiptStatus.delivered if outcome == "delivered" else ReceiptStatus.failed
        for ref, outcome in outcomes.items() if outcome != "silent"}
    failed = next(r for r in receipts if r.status is ReceiptStatus.failed)
    assert (failed.error_code, failed.error_message) == ("MSBLACK", "on the carrier's blacklist")
    assert await provider.query_receipts(sent[:1]) == [r for r in receipts if r.client_ref == "r0"]


def test_pushes_carry_the_token_and_are_read_as_receipts_and_replies():
    ucloud = UCloudProvider(PUBLIC, PRIVATE, webhook_token=TOKEN)
    url = f"https://smsbot.example.com/webhooks/sms/ucloud?token={TOKEN}"
    report = json.dumps({"MsgType": 2, "Data": [
        {"SessionNo": "s1", "Phone": "13800138000", "ReceiptResult": "发送成功", "ReceiptCode": "DELIVRD",
         "ReceiptTime": 1764892800, "UserId": "7-1"},
        {"SessionNo": "s1", "Phone": "(1)4155550100", "ReceiptResult": "Unknow", "UserId": "7-2"}]}).encode()
    assert ucloud.verify_webhook(url, {}, report)
    assert not ucloud.verify_webhook(url.replace(TOKEN, "x" * len(TOKEN)), {}, report)
    assert not UCloudProvider(PUBLIC, PRIVATE).verify_webhook(url, {}, report)  # no token set: pull only
    [receipt] = ucloud.parse_receipts(report, {})
    assert (receipt.client_ref, receipt.provider_id, receipt.status) == ("7-1", "s1/+8613800138000",
                                                                        ReceiptStatus.delivered)
    assert receipt.at == datetime.fromtimestamp(1764892800, UTC)
    reply = json.dumps({"MsgType": 0, "Data": [{"Phone": "(86)13900139000", "ReplyContent": "TD",
                                                "ReplyTime": 1764892800}]}).encode()
    assert ucloud.parse_receipts(reply, {}) == [] and ucloud.parse_inbound(report, {}) == []
    [inbound] = ucloud.parse_inbound(reply, {})
    assert (inbound.phone, inbound.text) == ("+8613900139000", "TD")
    assert ucloud.webhook_answer() == (200, b'{"code":0,"message":"ok"}', "application/json")
