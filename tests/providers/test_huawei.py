"""`HuaweiProvider` against the local fake of Huawei Cloud Message & SMS over real HTTP on
loopback: batches, per-number variables, both auth schemes, error mapping, status reports and
uplink opt-outs. The signer and the fake are proven against Huawei's SDK in test_huawei_official.py."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from bot.providers import OutgoingMessage, ProviderError, ReceiptStatus, RegisteredContent, SmsProvider, SubmitStatus
from bot.providers.huawei import HuaweiProvider, signing
from bot.providers.huawei.calls import pack
from domain.optout import DEFAULT_KEYWORDS, is_opt_out
from domain.provider_errors import ErrorKind, classify
from tests.provider_fakes.huawei import FAILURE_REASONS
from tests.providers.conftest import eventually, phone
from tests.providers.huawei_fixtures import (  # noqa: F401  (the start_fake fixture)
    APP_KEY, APP_SECRET, SENDER, SIGN, TEMPLATE_ID, TEXT, TOKEN, start_fake_fixture, texts,
)


def same_params(i: int) -> dict[str, str]:
    return {"code": "0000", "name": "所有人"}


# --- sending ------------------------------------------------------------------------------------
async def test_1200_numbers_each_with_its_own_variables_go_in_calls_within_huaweis_limits(start_fake):
    fake = start_fake(templates={TEMPLATE_ID: 2})  # it refuses more than 500 numbers or 64 KB a call
    messages = texts(1200)
    async with fake.provider() as provider:
        results = await provider.submit(messages)
    assert [r.client_ref for r in results] == [m.client_ref for m in messages]
    assert all(r.status is SubmitStatus.accepted for r in results)
    calls = fake.state.calls("batchSendDiffSms")
    # An item per number costs ~150 bytes: 64 KB, not 500 numbers, is what limits these calls.
    assert sum(call.numbers for call in calls) == 1200 and all(300 < call.numbers < 500 for call in calls)
    assert fake.state.total_sends == 1200 and fake.state.max_sends_per_number() == 1
    sent = {m.phone: m for m in fake.state.messages()}
    # By position, in the template's order (name, code), whatever the order of the file's columns.
    assert sent[phone(7)].paras == ("客户 7", "7")
    assert {(m.sender, m.template_id, m.signature, m.extend, m.auth) for m in sent.values()} == {
        (SENDER, TEMPLATE_ID, SIGN, "task-1", "aksk")}
    assert {r.provider_id for r in results} == {m.msg_id for m in sent.values()}
    assert sent[phone(0)].status_callback == f"http://127.0.0.1:9/webhooks/sms/huawei?token={TOKEN}"


async def test_numbers_with_the_same_parameters_go_as_batch_send_sms(start_fake):
    fake = start_fake(templates={TEMPLATE_ID: 2})
    async with fake.provider() as provider:
        results = await provider.submit(texts(3, params=same_params))
        shared = await provider.submit(texts(1200, start=10, params=same_params, campaign="all"))
        # Two sets of parameters in one call: one smsContent item each, in one diff call.
        mixed = await provider.submit(texts(4, start=3, params=lambda i: {"code": str(i % 2), "name": "n"}))
    assert {(r.status, r.error_code) for r in results + mixed + shared} == {(SubmitStatus.accepted, None)}
    assert [(call.api, call.numbers) for call in fake.state.calls()][:1] == [("batchSendSms", 3)]
    assert sorted(call.numbers for call in fake.state.calls("batchSendSms")[1:]) == [200, 500, 500]
    assert [call.numbers for call in fake.state.calls("batchSendDiffSms")] == [4]
    assert {m.paras for m in fake.state.messages() if m.api == "batchSendSms"} == {("所有人", "0000")}


async def test_accounts_on_x_wsse_send_too(start_fake):
    fake = start_fake()
    async with fake.provider(auth_scheme="wsse") as provider:
        results = await provider.submit(texts(2) + texts(2, start=2, params=same_params, campaign="same"))
    assert all(r.status is SubmitStatus.accepted for r in results)
    assert {(m.api, m.auth) for m in fake.state.messages()} == {("batchSendDiffSms", "wsse"), ("batchSendSms", "wsse")}


async def test_long_variables_keep_each_call_under_64_kb(start_fake):
    fake = start_fake()  # it refuses a call over 64 KB with E000503
    long_values = texts(500, params=lambda i: {"code": f"{i:04d}" + "号" * 60, "name": "客" * 60})
    async with fake.provider() as provider:
        results = await provider.submit(long_values)
    assert all(r.status is SubmitStatus.accepted for r in results)
    assert len(fake.state.calls()) > 1 and sum(c.numbers for c in fake.state.calls()) == 500


async def test_calls_run_concurrently_up_to_the_limit(start_fake):
    fake = start_fake(hang_seconds=0.1)
    async with fake.provider(concurrency=2) as provider:
        results = await provider.submit(texts(2000, params=same_params))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.accepted, None)}
    assert len(fake.state.calls()) == 4 and fake.state.max_in_flight == 2


async def test_messages_are_grouped_by_template_signature_and_campaign(start_fake):
    fake = start_fake()
    other = RegisteredContent(sign_name=SIGN, template_name="reminder", template_code="a1b2c3", variables=("name",))
    messages = [*texts(2, campaign="a"), *texts(2, start=2, registered=other, campaign="a"),
                *texts(2, start=4, campaign="b")]
    async with fake.provider() as provider:
        results = await provider.submit(messages[::-1])
    assert [r.client_ref for r in results] == [m.client_ref for m in messages[::-1]]
    assert sorted(call.numbers for call in fake.state.calls()) == [2, 2, 2]
    assert {(m.template_id, m.extend, m.paras[1:]) for m in fake.state.messages()} == {
        (TEMPLATE_ID, "a", ("0",)), (TEMPLATE_ID, "a", ("1",)), ("a1b2c3", "a", ()),
        (TEMPLATE_ID, "b", ("4",)), (TEMPLATE_ID, "b", ("5",))}


async def test_what_huawei_cannot_send_makes_no_call(start_fake):
    fake = start_fake()
    unregistered = RegisteredContent(sign_name=SIGN, template_name="promo", template_code=None)
    messages = [*texts(1, registered=unregistered), *texts(1, start=1, prefix="c", kind="card"),
                *texts(1, start=2, prefix="d", kind="digital"), OutgoingMessage("x", phone(3), "free text"),
                OutgoingMessage("bad", "13800000000", "", params={"name": "a", "code": "1"}, registered=TEXT),
                *texts(1, start=5, prefix="e", params=lambda i: {"name": "", "code": "1"})]
    async with fake.provider() as provider:
        results = await provider.submit(messages)
    assert [(r.status, r.error_code) for r in results] == [
        (SubmitStatus.rejected, "template_not_registered"), (SubmitStatus.rejected, "kind_not_supported"),
        (SubmitStatus.rejected, "kind_not_supported"), (SubmitStatus.rejected, "not_registered_content"),
        (SubmitStatus.rejected, "invalid_number"), (SubmitStatus.rejected, "empty_variable")]
    assert "/sms template code promo <id>" in results[0].error_message
    assert results[5].error_message.endswith("empty here: name")
    assert fake.state.calls() == []
    assert classify("huawei", results[1].status, results[1].error_code) is ErrorKind.FATAL


# --- answers ------------------------------------------------------------------------------------
async def test_per_number_statuses_reach_each_recipient(start_fake):
    fake = start_fake(templates={TEMPLATE_ID: 2}, number_statuses={phone(1): "E200015", phone(2): "E200099"})
    async with fake.provider() as provider:
        results = await provider.submit(texts(4))
    assert [(r.status, r.error_code) for r in results] == [
        (SubmitStatus.accepted, None), (SubmitStatus.throttled, "E200015"),
        (SubmitStatus.rejected, "E200099"), (SubmitStatus.accepted, None)]
    assert results[0].provider_id and results[1].provider_id is None
    assert fake.state.total_sends == 2


async def test_an_unapproved_template_fails_the_send(start_fake):
    fake = start_fake(templates={"other": 1})
    async with fake.provider() as provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.rejected, "E200030")}
    assert "not approved" in results[0].error_message
    assert classify("huawei", "rejected", "E200030") is ErrorKind.FATAL


REQUEST_ERRORS = [  # (HTTP status, code, description, what the adapter reads, what the send does)
    (400, "E000104", "app_secret is invalid.", SubmitStatus.transient, ErrorKind.FATAL),
    (400, "E000112", "The account is frozen.", SubmitStatus.transient, ErrorKind.FATAL),
    (403, "E000620", "The IP address is not in the whitelist.", SubmitStatus.transient, ErrorKind.FATAL),
    (400, "E000503", "Parameter format error.", SubmitStatus.transient, ErrorKind.FATAL),
    (400, "E000999", "Something new.", SubmitStatus.transient, ErrorKind.TRANSIENT),
    (429, "E000999", "Too many requests.", SubmitStatus.throttled, ErrorKind.TRANSIENT),
]


@pytest.mark.parametrize(("http_status", "code", "description", "status", "kind"), REQUEST_ERRORS)
async def test_request_errors_refuse_the_whole_call(start_fake, http_status, code, description, status, kind):
    fake = start_fake(forced_error=(http_status, code, description))
    async with fake.provider() as provider:
        results = await provider.submit(texts(3))
    assert {(r.status, r.error_code) for r in results} == {(status, code)}
    assert results[0].error_message.startswith(description)
    assert classify("huawei", results[0].status, code) is kind
    assert fake.state.total_sends == 0


async def test_a_wrong_secret_names_the_settings_and_no_number(start_fake, caplog):
    fake = start_fake()
    async with fake.provider(app_secret="wrong-secret") as provider:
        results = await provider.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.transient, "E000045")}
    assert "SMSBOT_HUAWEI_APP_SECRET" in results[0].error_message
    logged = caplog.text
    assert "E000045" in logged and phone(0)[1:] not in logged and "wrong-secret" not in logged
    assert classify("huawei", "transient", "E000045") is ErrorKind.FATAL


async def test_5xx_is_transient_and_a_hang_is_unknown(start_fake):
    down, slow = start_fake(fail_with_5xx=True), start_fake(hang_seconds=0.6)
    async with down.provider() as to_down, slow.provider(timeout=0.2) as to_slow:
        failed = await to_down.submit(texts(2))
        hung = await to_slow.submit(texts(2))
    assert {(r.status, r.error_code) for r in failed} == {(SubmitStatus.transient, "http_503")}
    assert {(r.status, r.error_code) for r in hung} == {(SubmitStatus.unknown, "no_answer")}
    assert slow.state.sends_for(phone(0)) == 1  # never sent again: only the reports can tell


async def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with HuaweiProvider(APP_KEY, APP_SECRET, sender=SENDER, webhook_token=TOKEN, timeout=2,
                              status_callback_url="http://127.0.0.1:9/hook", base_url=f"http://127.0.0.1:{port}") as p:
        results = await p.submit(texts(2))
    assert {(r.status, r.error_code) for r in results} == {(SubmitStatus.transient, "connection_failed")}


# --- status reports and uplink ---------------------------------------------------------------
async def test_status_reports_come_to_the_callback_with_the_token_and_parse(start_fake, receiver):
    fake = start_fake(deliver_ratio=0.5, fail_ratio=0.5, seed=3)
    async with fake.provider(status_callback_url=receiver.hook()) as provider:
        results = await provider.submit(texts(30))
        await eventually(lambda: fake.state.reports_posted == 30)
        posts = receiver.posts()
        for post in posts:
            assert post.headers["content-type"] == "application/x-www-form-urlencoded"
            assert provider.verify_webhook(post.url, post.headers, post.body)
            assert not provider.verify_webhook(post.url.split("?")[0], post.headers, post.body)
            assert not provider.verify_webhook(post.url.replace(TOKEN, TOKEN[:-1] + "x"), post.headers, post.body)
        receipts = [r for post in posts for r in provider.parse_receipts(post.body, post.headers, post.url)]
        assert all(provider.parse_inbound(post.body, post.headers, post.url) == [] for post in posts)
    by_id = {r.provider_id: r for r in receipts}
    assert set(by_id) == {r.provider_id for r in results}
    outcomes = {m.msg_id: m.outcome for m in fake.state.messages()}
    assert all(outcomes[i] == r.status.value for i, r in by_id.items())
    assert {r.campaign for r in receipts} == {"task-1"} and {r.phone for r in receipts} == {phone(i) for i in range(30)}
    failed = [r for r in receipts if r.status is ReceiptStatus.failed]
    assert failed and all(r.error_code in dict(FAILURE_REASONS) and r.error_message for r in failed)
    assert all(abs(r.at - datetime.now(UTC)) < timedelta(seconds=5) for r in receipts)


async def test_app_level_reports_come_as_json_batches_and_parse(start_fake, receiver):
    fake = start_fake(report_url=f"{receiver.hook()}?token={TOKEN}", report_batch_size=50, deliver_ratio=1.0)
    body = json.dumps({"from": SENDER, "smsContent": [{"to": [phone(i) for i in range(60)], "templateId": "t"}]})
    headers = signing.aksk_headers("POST", fake.url.removeprefix("http://"), "/sms/batchSendDiffSms/v1",
                                   {"Content-Type": "application/json"}, body.encode(), app_key=APP_KEY,
                                   app_secret=APP_SECRET)
    httpx.post(fake.url + "/sms/batchSendDiffSms/v1", content=body, headers=headers).raise_for_status()
    await eventually(lambda: fake.state.reports_posted == 60)
    posts = receiver.posts()
    assert sorted(len(json.loads(post.body)["statusReportList"]) for post in posts) == [10, 50]
    async with fake.provider() as provider:
        receipts = [r for post in posts if provider.verify_webhook(post.url, post.headers, post.body)
                    for r in provider.parse_receipts(post.body, post.headers, post.url)]
    assert len(receipts) == 60 and {r.status for r in receipts} == {ReceiptStatus.delivered}
    assert {r.provider_id for r in receipts} == {m.msg_id for m in fake.state.messages()}


async def test_an_r_reply_comes_as_an_uplink_and_opts_out(start_fake, receiver):
    fake = start_fake(uplink_url=f"{receiver.hook()}?token={TOKEN}")
    async with httpx.AsyncClient(base_url=fake.url) as client:
        answer = await client.post("/fake/inbound", json={"from": phone(5), "body": "R"})
    assert answer.json() == {"posted": True}
    [post] = receiver.posts()
    assert set(dict(parse_qsl(post.body.decode()))) == {"smsMsgId", "from", "to", "body", "createTime"}
    async with fake.provider() as provider:
        assert provider.verify_webhook(post.url, post.headers, post.body)
        [message] = provider.parse_inbound(post.body, post.headers, post.url)
        assert provider.parse_receipts(post.body, post.headers, post.url) == []
    assert (message.phone, message.text) == (phone(5), "R") and is_opt_out(message.text, DEFAULT_KEYWORDS)
    assert abs(message.at - datetime.now(UTC)) < timedelta(seconds=3)


# --- the adapter's pure parts ---------------------------------------------------------------
def offline(**options: Any) -> HuaweiProvider:
    options.setdefault("status_callback_url", "https://bot.example/webhooks/sms/huawei")
    return HuaweiProvider(APP_KEY, APP_SECRET, sender=SENDER, webhook_token=TOKEN, base_url="http://127.0.0.1:9",
                          **options)


async def test_the_provider_satisfies_the_protocol():
    async with offline() as provider:
        assert isinstance(provider, SmsProvider)
        assert (provider.name, provider.max_batch, provider.uses_registered_templates) == ("huawei", 1000, True)
        assert provider.receipts == {"push"} and not hasattr(provider, "query_receipts")
        assert await provider.submit([]) == []
        assert provider.webhook_answer()[0] == 200
        assert APP_SECRET not in repr(provider) and TOKEN not in repr(provider)


@pytest.mark.parametrize("change", [{"app_key": ""}, {"app_secret": ""}, {"sender": ""}, {"sender": "x" * 22},
                                    {"webhook_token": "short"}, {"status_callback_url": ""},
                                    {"auth_scheme": "basic"}, {"concurrency": 0}, {"base_url": "smsapi.example"}])
def test_impossible_settings_are_refused(change):
    arguments = {"app_key": APP_KEY, "app_secret": APP_SECRET, "sender": SENDER, "webhook_token": TOKEN,
                 "status_callback_url": "https://bot.example/hook"} | change
    with pytest.raises(ProviderError, match="huawei"):
        HuaweiProvider(arguments.pop("app_key"), arguments.pop("app_secret"), **arguments)


def test_calls_keep_both_limits():
    entries = list(enumerate(texts(7, params=same_params)))
    assert [[len(group) for _, group in call] for call in pack(entries, numbers=3)] == [[3], [3], [1]]
    small = pack(entries, max_bytes=180)
    assert all(sum(len(group) for _, group in call) < 7 for call in small)
    assert [e for call in small for _, group in call for e in group] == entries


def test_status_reports_parse_from_forms_and_json():
    form = (b"sequence=1&total=1&orgCode=000&updateTime=2018-10-31T08%3A43%3A41Z&source=2"
            b"&smsMsgId=2ea20735-f0e1_11840135&status=DELIVRD")
    [delivered] = offline().parse_receipts(form, {})
    assert (delivered.provider_id, delivered.status, delivered.error_code, delivered.campaign, delivered.phone) == (
        "2ea20735-f0e1_11840135", ReceiptStatus.delivered, None, None, None)
    assert delivered.at == datetime(2018, 10, 31, 8, 43, 41, tzinfo=UTC)
    batch = json.dumps({"statusReportList": [
        {"smsMsgId": "m1", "status": "EXPIRED", "extend": "42", "to": "+8613800000001"},
        {"smsMsgId": "m2", "status": "ACCEPTD"},  # not final: no receipt yet
        {"smsMsgId": "m3", "status": "E200027", "statusDesc": "Failed to match the gateway."}]}).encode()
    expired, gateway = offline().parse_receipts(batch, {})
    assert (expired.status, expired.error_code, expired.campaign, expired.phone) == (
        ReceiptStatus.failed, "EXPIRED", "42", "+8613800000001")
    assert "coverage" in expired.error_message and gateway.error_message == "Failed to match the gateway."
    assert abs(expired.at - datetime.now(UTC)) < timedelta(seconds=3)  # no updateTime: now


@pytest.mark.parametrize("body", [b"", b"not a form", b"{", b'{"statusReportList": 3}', b"\xff\xfe", b"[1]"])
def test_junk_bodies_give_nothing(body):
    provider = offline()
    assert provider.parse_receipts(body, {}) == [] and provider.parse_inbound(body, {}) == []
