"""Huawei Cloud Message & SMS against code that is not ours: our AK/SK signer gives the official
SDK's Authorization (`huaweicloudsdkcore`'s Signer) for the same request, the official client
(`huaweicloudsdksmsapi`) sends through our fake, and our X-WSSE digest is the documented one."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdksmsapi.v1 import (
    BatchSendDiffSmsRequest,
    BatchSendDiffSmsRequestBody,
    BatchSendSmsRequest,
    BatchSendSmsRequestBody,
    SmsContent,
)
from huaweicloudsdksmsapi.v1.smsapi_credentials import SMSApiCredentials

from bot.providers.huawei import signing
from tests.provider_fakes.huawei import fake_auth
from tests.providers.conftest import phone
from tests.providers.huawei_fixtures import APP_KEY, APP_SECRET, SENDER, start_fake_fixture  # noqa: F401

HOST = "smsapi.cn-north-4.myhuaweicloud.com"
DIFF_BODY = (b'{"from": "csms12345678", "smsContent": [{"to": ["+8615100000000"], '
             b'"templateId": "t1", "templateParas": ["123"]}]}')
FORM_BODY = b"from=csms12345678&to=%2B8615100000000%2C%2B8615100000001&templateId=t1&templateParas=%5B%22123%22%5D"
REQUESTS = [  # (host, path, content type, body, query)
    (HOST, "/sms/batchSendDiffSms/v1", "application/json", DIFF_BODY, []),
    (HOST + ":443", "/sms/batchSendDiffSms/v1", "application/json;charset=UTF-8",
     json.dumps({"from": SENDER, "smsContent": [{"to": ["+8613800000001"], "templateParas": ["张三 & 李四"]}]},
                ensure_ascii=False).encode(), []),
    (HOST, "/sms/batchSendSms/v1", "application/x-www-form-urlencoded", FORM_BODY, []),
    ("127.0.0.1:8999", "/a path/with~odd*chars/", "application/json", b"", [("b", "2 3"), ("a", "é/*~")]),
]


def official_authorization(host: str, path: str, content_type: str, body: bytes,
                           query: list[tuple[str, str]], date: str, secret: str = APP_SECRET) -> dict[str, str]:
    request = SdkRequest(method="POST", schema="https", host=host, resource_path=path, query_params=list(query),
                         header_params={"Content-Type": content_type, "X-Sdk-Date": date}, body=body)
    return Signer(SMSApiCredentials(APP_KEY, secret)).sign(request).header_params


@pytest.mark.parametrize(("host", "path", "content_type", "body", "query"), REQUESTS)
def test_our_aksk_authorization_is_the_official_sdks(host, path, content_type, body, query):
    moment = datetime(2025, 3, 1, 8, 30, 5, tzinfo=UTC)
    ours = signing.aksk_headers("POST", host, path, {"Content-Type": content_type}, body, app_key=APP_KEY,
                                app_secret=APP_SECRET, now=moment, query=query)
    official = official_authorization(host, path, content_type, body, query, "20250301T083005Z")
    assert ours["Authorization"] == official["Authorization"]
    assert ours["X-Sdk-Date"] == "20250301T083005Z" and ours["Host"] == host
    assert ours.get("X-Sdk-Content-Sha256") == official.get("X-Sdk-Content-Sha256")
    assert ("X-Sdk-Content-Sha256" in ours) is (not content_type.startswith("application/json"))


def test_the_documented_aksk_example():
    """PROVIDERS-HUAWEI-UCLOUD.md 1.7: the official signer's answer for this request, as it was run."""
    ours = signing.aksk_headers("POST", HOST, "/sms/batchSendDiffSms/v1", {"Content-Type": "application/json"},
                                DIFF_BODY, app_key="testAppKey", app_secret="testAppSecret",
                                now=datetime(2024, 1, 1, tzinfo=UTC))
    assert ours["Authorization"] == (
        "SDK-HMAC-SHA256 Access=testAppKey, SignedHeaders=content-type;host;x-sdk-date, "
        "Signature=831b73086ea63160be51f5bf33d0aed50c3d4431c1e5fe34d831db369c22589b")


def test_our_x_wsse_digest_is_the_documented_one():
    """No official package implements X-WSSE: the facts file's example is the reference, with the
    hex-then-Base64 digest that the docs' own example header decodes to."""
    nonce, created = "66C92B11FF8A425FB8D4CCFE0ED9ED1F", "2018-02-12T15:30:20Z"
    digest = signing.password_digest(nonce, created, "testAppSecret")
    assert digest == "ZGVkZDliMTJhZDEyODA0NWU4ZjE1MmM0ZDhmZDVhMjAyZWQ2NDdmNmIwOGU1Y2FiZTY5NDVhY2QwMjdmY2ZkNA=="
    decoded = base64.b64decode(digest).decode("ascii")
    assert len(decoded) == 64 and decoded == decoded.lower() and int(decoded, 16) >= 0
    assert digest != "3t2bEq0SgEXo8VLE2P1aIC7WR/awjlyr5pRazQJ/z9Q="  # Base64 of the raw digest: not what we send
    assert signing.x_wsse("testAppKey", "testAppSecret", nonce, created) == (
        f'UsernameToken Username="testAppKey",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}"')
    headers = signing.wsse_headers({"Content-Type": "application/json"}, app_key="k", app_secret="s",
                                   now=datetime(2025, 3, 1, tzinfo=UTC), nonce="ABC123")
    assert headers["Authorization"] == 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"'
    assert 'Created="2025-03-01T00:00:00Z"' in headers["X-WSSE"] and 'Nonce="ABC123"' in headers["X-WSSE"]


# --- the fake's checks, the way Huawei makes them ---------------------------------------------
def fake_check(headers: dict[str, str], body: bytes = DIFF_BODY, *, now: datetime | None = None,
               path: str = "/sms/batchSendDiffSms/v1"):
    lowered = {name.lower(): value for name, value in headers.items()}
    return fake_auth.check("POST", path, [], lowered, body, {APP_KEY: APP_SECRET}, now=now or datetime.now(UTC),
                           aksk_skew=signing.AKSK_SKEW_SECONDS, wsse_skew=signing.WSSE_SKEW_SECONDS)


def aksk(body: bytes = DIFF_BODY, secret: str = APP_SECRET, **options) -> dict[str, str]:
    return signing.aksk_headers("POST", HOST, "/sms/batchSendDiffSms/v1", {"Content-Type": "application/json"},
                                body, app_key=APP_KEY, app_secret=secret, **options)


def wsse(secret: str = APP_SECRET, **options) -> dict[str, str]:
    return signing.wsse_headers({"Content-Type": "application/json"}, app_key=APP_KEY, app_secret=secret, **options)


def test_the_fake_checks_aksk_as_huawei_does():
    assert fake_check(aksk()).scheme == "aksk"
    assert fake_check(aksk(secret="guess")).code == "E000045"
    assert fake_check(aksk(), body=DIFF_BODY.replace(b"123", b"124")).code == "E000045"  # the body is signed
    assert fake_check(aksk(), path="/sms/batchSendSms/v1").code == "E000045"
    assert fake_check(aksk(now=datetime.now(UTC) - timedelta(minutes=16))).code == "E000101"
    assert fake_check(aksk(now=datetime.now(UTC) - timedelta(minutes=14))).scheme == "aksk"
    unknown = aksk()
    unknown["Authorization"] = unknown["Authorization"].replace(APP_KEY, "someone-else")
    assert (fake_check(unknown).status, fake_check(unknown).code) == (401, "E000102")
    moved = dict(aksk(), Host="elsewhere.example")
    assert fake_check(moved).code == "E000045"  # the host is signed


def test_the_fake_checks_x_wsse_as_huawei_does():
    assert fake_check(wsse()).scheme == "wsse"
    assert fake_check(wsse(secret="guess")).code == "E000101"
    assert fake_check({}).code == "E000001"
    assert fake_check(dict(wsse(), Authorization='WSSE profile="UsernameToken",type="Appkey"')).code == "E000002"
    assert fake_check(dict(wsse(), Authorization='WSSE realm="X",profile="UsernameToken",type="Appkey"')).code == (
        "E000004")
    assert fake_check({"Authorization": signing.WSSE_AUTHORIZATION}).code == "E000020"
    stale = wsse(now=datetime.now(UTC) - timedelta(hours=25))
    assert fake_check(stale).code == "E000023" and fake_check(wsse(now=datetime.now(UTC) - timedelta(hours=23)))
    raw = wsse(nonce="N1", now=datetime(2025, 3, 1, tzinfo=UTC))
    created = "2025-03-01T00:00:00Z"
    raw_digest = base64.b64encode(hashlib.sha256(f"N1{created}{APP_SECRET}".encode()).digest()).decode()
    raw["X-WSSE"] = signing.x_wsse(APP_KEY, APP_SECRET, "N1", created).replace(
        signing.password_digest("N1", created, APP_SECRET), raw_digest)
    assert fake_check(raw, now=datetime(2025, 3, 1, 1, tzinfo=UTC)).code == "E000101"  # hex form only


# --- the official client against the fake ------------------------------------------------------
def test_the_official_client_sends_per_number_variables_to_the_fake(start_fake):
    fake = start_fake(templates={"t1": 1})
    request = BatchSendDiffSmsRequest(body=BatchSendDiffSmsRequestBody(
        _from=SENDER, status_callback="http://127.0.0.1:9/hw", extend="job-1",
        sms_content=[SmsContent(to=[phone(1), phone(2)], template_id="t1", template_paras=["123"], signature="Sig"),
                     SmsContent(to=[phone(3)], template_id="t1", template_paras=["客户 3"])]))
    response = fake.sdk().batch_send_diff_sms(request)
    assert response.code == "000000" and response.description == "Success"
    assert [(r.origin_to, r.status, r._from) for r in response.result] == [
        (phone(1), "000000", SENDER), (phone(2), "000000", SENDER), (phone(3), "000000", SENDER)]
    sent = fake.state.messages()
    assert [r.sms_msg_id for r in response.result] == [m.msg_id for m in sent]
    assert [(m.api, m.auth, m.phone, m.paras, m.signature, m.extend) for m in sent] == [
        ("batchSendDiffSms", "aksk", phone(1), ("123",), "Sig", "job-1"),
        ("batchSendDiffSms", "aksk", phone(2), ("123",), "Sig", "job-1"),
        ("batchSendDiffSms", "aksk", phone(3), ("客户 3",), None, "job-1")]


def test_the_official_client_sends_the_same_content_to_the_fake(start_fake):
    fake = start_fake()
    request = BatchSendSmsRequest(body=BatchSendSmsRequestBody(
        _from=SENDER, to=f"{phone(1)},{phone(2)}", template_id="t1", template_paras='["12 3","a&b=c"]',
        status_callback="http://127.0.0.1:9/hw"))
    response = fake.sdk().batch_send_sms(request)  # a form body: signed with UNSIGNED-PAYLOAD
    assert response.code == "000000" and [r.status for r in response.result] == ["000000", "000000"]
    assert {(m.api, m.phone, m.paras) for m in fake.state.messages()} == {
        ("batchSendSms", phone(1), ("12 3", "a&b=c")), ("batchSendSms", phone(2), ("12 3", "a&b=c"))}


def test_the_fake_refuses_a_wrong_secret_from_the_official_client(start_fake):
    fake = start_fake()
    request = BatchSendSmsRequest(body=BatchSendSmsRequestBody(_from=SENDER, to=phone(1), template_id="t1"))
    with pytest.raises(ClientRequestException) as refused:
        fake.sdk(secret="not-the-secret").batch_send_sms(request)
    # The SDK does not read Huawei's {"code", "description"}: its error_code is the HTTP status.
    assert refused.value.status_code == 401 and refused.value.error_code == "401"
    assert json.loads(refused.value.error_msg)["code"] == "E000045"
    assert fake.state.auth_refusals == 1 and fake.state.total_sends == 0


def test_the_fake_checks_requests_as_huawei_does(start_fake):
    fake = start_fake(templates={"t1": 1, "t2": 2}, number_statuses={phone(9): "E200015"})

    def post(path: str, content_type: str, body: bytes) -> tuple[int, dict]:
        headers = signing.aksk_headers("POST", fake.url.removeprefix("http://"), path,
                                       {"Content-Type": content_type}, body, app_key=APP_KEY, app_secret=APP_SECRET)
        answer = httpx.post(fake.url + path, content=body, headers=headers)
        return answer.status_code, answer.json()

    def diff(*items: dict, sender: str = SENDER) -> tuple[int, dict]:
        body = {"from": sender, "smsContent": list(items)}
        return post("/sms/batchSendDiffSms/v1", "application/json", json.dumps(body, ensure_ascii=False).encode())

    def statuses(answer: tuple[int, dict]) -> list[str]:
        return [item["status"] for item in answer[1]["result"]]

    item = {"to": [phone(1), phone(1), phone(9)], "templateId": "t1", "templateParas": ["x"]}
    assert statuses(diff(item)) == ["000000", "E200041", "E200015"]
    assert statuses(diff({"to": [phone(2)], "templateId": "t3"}, {"to": [phone(3)], "templateId": "t2",
                                                                     "templateParas": ["a", ""]})) == [
        "E200030", "E200028"]
    assert statuses(diff({"to": [phone(4)], "templateId": "t1", "templateParas": ["x"]}, sender="other")) == [
        "E200018"]
    too_many = {"to": [phone(i) for i in range(501)], "templateId": "t1", "templateParas": ["x"]}
    assert diff(too_many)[1]["code"] == "E000503"
    assert diff({"to": ["+86 138"], "templateId": "t1"})[1]["code"] == "E000503"
    assert diff({"to": [phone(5)], "templateId": "t1", "templateParas": '["x"]'})[1]["code"] == "E000000"
    assert post("/sms/batchSendSms/v1", "application/json", b"{}")[1]["code"] == "E000000"
    bad_paras = f"from={SENDER}&to=%2B8613800000006&templateId=t1&templateParas=x".encode()
    assert post("/sms/batchSendSms/v1", "application/x-www-form-urlencoded", bad_paras)[1]["code"] == "E000000"
    huge = {"to": [phone(6)], "templateId": "t1", "templateParas": ["x" * 70_000]}
    assert diff(huge)[0] == 400 and diff(huge)[1]["code"] == "E000503"
    assert fake.state.total_sends == 1
