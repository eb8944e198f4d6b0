"""A local fake of Alibaba Cloud SMS (Dysmsapi 2017-05-25) that behaves as Alibaba documents it.

RPC at `/` (GET or POST; parameters in the query and/or a form body, as the API and the official
SDK send them), signed with V2 (HMAC-SHA1) by one of `config.access_keys`; otherwise Alibaba's
refusals as JSON `{Code, Message, RequestId, HostId, Recommend}`: 404 InvalidAccessKeyId.NotFound,
400 SignatureDoesNotMatch / SignatureNonceUsed / InvalidTimeStamp.Expired / Missing<Param>.
V3 (ACS3-HMAC-SHA256, the SDK's default) is refused: configure the SDK with
`signature_algorithm="v2"`. Answers are JSON whatever `Format` asks for.

Actions: SendSms (≤1,000 numbers), SendBatchSms and SendBatchCardSms (≤100), with Alibaba's
checks, each refusing the whole call with `{Code: "isv.…", Message, RequestId}`:
MOBILE_COUNT_OVER_LIMIT, INVALID_PARAMETERS (counts that differ), INVALID_JSON_PARAM (non-string
variables), SMS_SIGNATURE_ILLEGAL / SMS_TEMPLATE_ILLEGAL (not registered), TEMPLATE_MISSING_PARAMETERS,
MOBILE_NUMBER_ILLEGAL, BUSINESS_LIMIT_CONTROL ("触发分钟级流控Permits:N"). Cards: numbers that
cannot show them (stable per number) are listed in NotMediaMobiles and get the fallback.
Faults: `fail_with_5xx` (503, nothing sent), `hang_seconds` (sent, answered late).

QuerySendDetails lists a number's messages of a day, each as its receipt stands by
`config.clock` (tests/provider_fakes/alibaba/fake_query.py); `query_error` refuses every query.

Sent messages get SmsReport items pushed to `config.report_url` (none without one); `POST /fake/inbound`
`{"phone", "content"}` pushes an SmsUp item at once (a test and sandbox helper, unsigned).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import random
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import phonenumbers
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.provider_fakes.alibaba.fake_params import (
    Refusal,
    json_list,
    json_object,
    numbers_in,
    required,
    string_list,
    variables_list,
    variables_object,
)
from tests.provider_fakes.alibaba.fake_push import Pusher
from tests.provider_fakes.alibaba.fake_query import national, query_send_details
from tests.provider_fakes.alibaba.fake_state import FAILURE_REASONS, FakeAlibabaConfig, FakeAlibabaState, SentSms
from bot.providers.numbers import to_e164
from bot.providers.alibaba.signing import API_VERSION, SignatureVerifier
from bot.providers.alibaba.webhooks import format_push_time

__all__ = ["FakeAlibabaConfig", "FakeAlibabaState", "create_fake_alibaba", "refuses_cards"]

HOST_ID = "dysmsapi.aliyuncs.com"
MAX_BATCH_NUMBERS = 100
MAX_SEND_SMS_NUMBERS = 1000
FLOW_LABELS = {"minute": "分钟", "hour": "小时", "day": "天"}
# FallbackType -> (channel, template code parameter, its variables parameter, the answer's id key)
FALLBACKS: dict[str, tuple[str, str, str, str] | None] = {
    "SMS": ("sms", "SmsTemplateCode", "SmsTemplateParamJson", "BizSmsId"),
    "DIGITALSMS": ("digital", "DigitalTemplateCode", "DigitalTemplateParamJson", "BizDigitalId"),
    "NONE": None,
}


@dataclass(frozen=True)
class Recipient:
    number: str  # as the caller wrote it, which is how answers list it
    phone: str  # E.164
    sign_name: str
    params: dict[str, str]


def refuses_cards(phone: str, ratio: float) -> bool:
    """Stable per number: the same number always can, or always cannot, show cards."""
    digest = hashlib.sha256(phone.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < ratio


def _error(status: int, code: str, message: str, request_id: str) -> JSONResponse:
    body = {"Code": code, "Message": message, "RequestId": request_id, "HostId": HOST_ID,
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=Dysmsapi"}
    return JSONResponse(body, status_code=status)


def _valid_phone(number: str) -> str | None:
    phone = to_e164(number)
    try:
        return phone if phone and phonenumbers.is_valid_number(phonenumbers.parse(phone, None)) else None
    except phonenumbers.NumberParseException:
        return None


class FakeAlibaba:
    def __init__(self, config: FakeAlibabaConfig, state: FakeAlibabaState) -> None:
        self.config = config
        self.state = state
        self.verifier = SignatureVerifier(config.access_keys, validity=config.signature_validity)
        self.outcomes = random.Random(None if config.seed is None else f"{config.seed}:outcomes")
        self.pusher = Pusher(config, state)
        self.sent_at: defaultdict[tuple[str, str], list[float]] = defaultdict(list)  # (sign, phone) -> times
        self.sequence = itertools.count(1)
        self.actions: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
            "SendSms": self.send_sms,
            "SendBatchSms": self.send_batch_sms,
            "SendBatchCardSms": self.send_batch_card_sms,
            "QuerySendDetails": self.query_send_details,
        }

    # --- the RPC endpoint ---------------------------------------------------------------
    async def rpc(self, request: Request) -> JSONResponse:
        request_id = str(uuid.uuid4()).upper()
        params = dict(request.query_params)
        if request.method == "POST" and "x-www-form-urlencoded" in request.headers.get("content-type", ""):
            try:
                body = await request.body()
            except ClientDisconnect:  # nothing complete arrived: nothing to do, nobody to answer
                return _error(400, "InvalidParameter", "The request body was cut off.", request_id)
            params.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        if "Signature" not in params and request.headers.get("authorization", "").startswith("ACS3-"):
            return _error(400, "IncompleteSignature", "This fake checks signature V2 (HMAC-SHA1) only: "
                          "configure the SDK with signature_algorithm='v2'.", request_id)
        problem = self.verifier.check(request.method, params)
        if problem is not None:
            self.state.add("signature_refusals")
            return _error(problem.status, problem.code, problem.message, request_id)
        if params.get("Version") != API_VERSION:
            return _error(400, "InvalidVersion", "Specified parameter Version is not valid.", request_id)
        action = params.get("Action", "")
        handler = self.actions.get(action)
        if handler is None:
            return _error(404, "InvalidAction.NotFound",
                          "Specified api is not found, please check your url and method.", request_id)
        if self.config.fail_with_5xx:
            self.state.add("failed_requests")
            return _error(503, "ServiceUnavailable",
                          "The request has failed due to a temporary failure of the server.", request_id)
        self.state.enter_call()
        try:
            answer = handler(params)
            if self.config.hang_seconds > 0:
                self.state.add("hung_requests")
                await asyncio.sleep(self.config.hang_seconds)
        except Refusal as refusal:
            self.state.record_call(action, numbers_in(params), refusal.code, [])
            status = refusal.status or self.config.business_error_status
            body = {"Code": refusal.code, "Message": refusal.message, "RequestId": request_id}
            return JSONResponse(body, status_code=status)
        finally:
            self.state.leave_call()
        return JSONResponse({**answer, "RequestId": request_id})

    # --- actions ------------------------------------------------------------------------
    def send_sms(self, params: dict[str, str]) -> dict[str, Any]:
        numbers = [n.strip() for n in required(params, "PhoneNumbers").split(",") if n.strip()]
        if len(numbers) > MAX_SEND_SMS_NUMBERS:
            raise Refusal("isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        sign_name, template_code = required(params, "SignName"), required(params, "TemplateCode")
        raw = params.get("TemplateParam")
        variables = variables_object(json_object(raw)) if raw else {}
        recipients = self._recipients(numbers, [sign_name] * len(numbers), [variables] * len(numbers))
        return self._send_texts("SendSms", template_code, recipients, params.get("OutId"))

    def send_batch_sms(self, params: dict[str, str]) -> dict[str, Any]:
        numbers = self._batch_numbers(params)
        signs = string_list(params, "SignNameJson", len(numbers))
        template_code = required(params, "TemplateCode")
        variables = variables_list(params.get("TemplateParamJson"), "TemplateParamJson", len(numbers))
        recipients = self._recipients(numbers, signs, variables)
        return self._send_texts("SendBatchSms", template_code, recipients, params.get("OutId"))

    def _send_texts(
        self, action: str, template_code: str, recipients: list[Recipient], out_id: str | None
    ) -> dict[str, Any]:
        self._check_template(template_code, [r.params for r in recipients])
        self._check_numbers_and_flow(recipients)
        biz_id = self._biz_id()
        sent = [self._send(biz_id, action, r, "sms", template_code, r.params, out_id) for r in recipients]
        self.state.record_call(action, len(recipients), "OK", sent)
        return {"Code": "OK", "Message": "OK", "BizId": biz_id}

    def send_batch_card_sms(self, params: dict[str, str]) -> dict[str, Any]:
        numbers = self._batch_numbers(params)
        signs = string_list(params, "SignNameJson", len(numbers))
        card_code = required(params, "CardTemplateCode")
        fallback_type = required(params, "FallbackType")
        if fallback_type not in FALLBACKS:
            raise Refusal("isv.INVALID_PARAMETERS", "参数异常: FallbackType must be SMS, DIGITALSMS or NONE")
        card_variables = variables_list(params.get("CardTemplateParamJson"), "CardTemplateParamJson", len(signs))
        recipients = self._recipients(numbers, signs, card_variables)
        self._check_template(card_code, card_variables)
        fallback = FALLBACKS[fallback_type]
        fallback_code, fallback_variables = "", [{} for _ in numbers]
        if fallback is not None:
            _channel, code_name, variables_name, _id_name = fallback
            fallback_code = params.get(code_name) or ""
            if not fallback_code:
                raise Refusal("isv.INVALID_PARAMETERS", f"参数异常: FallbackType {fallback_type} needs {code_name}")
            fallback_variables = variables_list(params.get(variables_name), variables_name, len(numbers))
            self._check_template(fallback_code, fallback_variables)
        self._check_numbers_and_flow(recipients)
        return self._send_cards(params, recipients, card_code, fallback, fallback_code, fallback_variables)

    def _send_cards(self, params: dict[str, str], recipients: list[Recipient], card_code: str,
                    fallback: tuple[str, str, str, str] | None, fallback_code: str,
                    fallback_variables: list[dict[str, str]]) -> dict[str, Any]:
        action, out_id = "SendBatchCardSms", params.get("OutId")
        card_id, fallback_id = self._biz_id(), self._biz_id()
        media, not_media, sent = [], [], []
        for recipient, variables in zip(recipients, fallback_variables):
            if not refuses_cards(recipient.phone, self.config.card_refuse_ratio):
                media.append(recipient.number)
                sent.append(self._send(card_id, action, recipient, "card", card_code, recipient.params, out_id))
                continue
            not_media.append(recipient.number)
            if fallback is not None:
                channel = fallback[0]
                sent.append(self._send(fallback_id, action, recipient, channel, fallback_code, variables, out_id))
        self.state.record_call(action, len(recipients), "OK", sent)
        data: dict[str, Any] = {"BizCardId": card_id, "CardTmpState": 1,
                                "MediaMobiles": ",".join(media), "NotMediaMobiles": ",".join(not_media)}
        if fallback is not None:
            data[fallback[3]] = fallback_id
        return {"Code": "OK", "Success": True, "Data": data}

    def query_send_details(self, params: dict[str, str]) -> dict[str, Any]:
        if self.config.query_error is not None:
            raise Refusal(*self.config.query_error)
        return query_send_details(params, self.state, self.config.clock())

    # --- checks -------------------------------------------------------------------------
    def _batch_numbers(self, params: dict[str, str]) -> list[str]:
        numbers = json_list(required(params, "PhoneNumberJson"), "PhoneNumberJson")
        if len(numbers) > MAX_BATCH_NUMBERS:
            raise Refusal("isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        if not numbers or not all(isinstance(n, str | int) for n in numbers):
            raise Refusal("isv.INVALID_PARAMETERS", "参数异常: PhoneNumberJson must list the numbers as strings")
        return [str(n) for n in numbers]

    def _recipients(
        self, numbers: list[str], signs: list[str], variables: list[dict[str, str]]
    ) -> list[Recipient]:
        registered = self.config.sign_names
        if registered is not None and not set(signs) <= registered:
            raise Refusal("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
        return [Recipient(n, to_e164(n) or n, s, v) for n, s, v in zip(numbers, signs, variables)]

    def _check_template(self, code: str, variables: list[dict[str, str]]) -> None:
        if self.config.template_codes is not None and code not in self.config.template_codes:
            raise Refusal("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
        needed = set(self.config.template_variables.get(code, ()))
        if any(not needed <= given.keys() for given in variables):
            raise Refusal("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")

    def _check_numbers_and_flow(self, recipients: list[Recipient]) -> None:
        if not all(_valid_phone(r.number) for r in recipients):
            raise Refusal("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if self.config.forced_error is not None:
            raise Refusal(*self.config.forced_error)
        if self.config.flow_control is None:
            return
        window, permits = self.config.flow_control
        now = time.time()
        # Minute and hour are clock windows in UTC+8, whose boundaries are UTC's; the day is rolling.
        start = now - 86400 if window == "day" else now - now % (60 if window == "minute" else 3600)
        for recipient in recipients:
            if sum(1 for t in self.sent_at[(recipient.sign_name, recipient.phone)] if t >= start) >= permits:
                raise Refusal("isv.BUSINESS_LIMIT_CONTROL", f"触发{FLOW_LABELS[window]}级流控Permits:{permits}")

    # --- sending and receipts -----------------------------------------------------------
    def _biz_id(self) -> str:
        return f"{uuid.uuid4().int % 10**18:018d}^0"

    def _send(self, biz_id: str, action: str, recipient: Recipient, channel: str, template_code: str,
              params: dict[str, str], out_id: str | None) -> SentSms:
        self.sent_at[(recipient.sign_name, recipient.phone)].append(time.time())
        outcome, delay, code, message = self._draw_receipt()
        sent = SentSms(biz_id, action, recipient.phone, channel, recipient.sign_name, template_code, dict(params),
                       out_id, outcome, self.config.clock(), delay, code, message)
        if outcome != "silent":
            self._schedule_report(sent)
        return sent

    def _draw_receipt(self) -> tuple[str, float, str, str]:
        """(outcome, seconds until the receipt, err_code, err_msg) of a message sent."""
        draw = self.outcomes.random()
        delay = self.outcomes.uniform(*self.config.receipt_latency)
        failure_code, failure_message = self.outcomes.choice(FAILURE_REASONS)
        if draw < self.config.deliver_ratio:
            return "delivered", delay, "DELIVERED", "用户接收成功"
        if draw < self.config.deliver_ratio + self.config.fail_ratio:
            return "failed", delay, failure_code, failure_message
        return "silent", delay, "", ""

    def _schedule_report(self, sent: SentSms) -> None:
        self.pusher.schedule(
            {"phone_number": national(sent.phone), "send_time": format_push_time(sent.sent_at),
             "report_time": format_push_time(sent.sent_at + timedelta(seconds=sent.receipt_after)),
             "success": sent.outcome == "delivered", "err_code": sent.err_code, "err_msg": sent.err_msg,
             "sms_size": "1", "biz_id": sent.biz_id, "out_id": sent.out_id or ""},
            sent.receipt_after,
        )

    async def inbound(self, request: Request) -> JSONResponse:
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse({"error": "bad_json"}, status_code=400)
        phone = to_e164(payload.get("phone")) if isinstance(payload, dict) else None
        content = payload.get("content") if isinstance(payload, dict) else None
        if phone is None or not isinstance(content, str):
            return JSONResponse({"error": "bad_request"}, status_code=400)
        url = self.config.up_url or self.config.report_url
        if url is None:
            return JSONResponse({"posted": False, "error": "no_webhook"}, status_code=502)
        item = {"phone_number": national(phone), "content": content,
                "send_time": format_push_time(datetime.now(UTC)),
                "dest_code": str(payload.get("dest_code") or "1"), "sequence_id": str(next(self.sequence))}
        posted = await self.pusher.push(url, [item])
        if posted:
            self.state.add("inbound_posted")
        return JSONResponse({"posted": posted}, status_code=200 if posted else 502)


def create_fake_alibaba(
    config: FakeAlibabaConfig, state: FakeAlibabaState | None = None
) -> tuple[Starlette, FakeAlibabaState]:
    state = state if state is not None else FakeAlibabaState()
    fake = FakeAlibaba(config, state)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await fake.pusher.start()
        try:
            yield
        finally:
            await fake.pusher.stop()

    routes = [
        Route("/", fake.rpc, methods=["GET", "POST"]),
        Route("/fake/inbound", fake.inbound, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.fake = fake
    return app, state
