"""A local fake of Huawei Cloud Message & SMS that behaves as Huawei documents it
(/work/shared/PROVIDERS-HUAWEI-UCLOUD.md section 1).

`POST /sms/batchSendSms/v1` (form) and `POST /sms/batchSendDiffSms/v1` (JSON), authenticated with
AK/SK (`SDK-HMAC-SHA256`) or X-WSSE by one of `config.apps` (fake_auth.py). A refused request
gets `{"code": "E…", "description"}` and sends nothing; an accepted one `{"code": "000000",
"description": "Success", "result": [...]}` with one status per number: `000000`, or E200041
(duplicate in the same content), E200018 (`from` not the app's channel number), E200030
(template not approved), E200028 (parameters not matching the template) or one forced by
`config.number_statuses` (e.g. E200015, too many pending). Faults: `forced_error`,
`fail_with_5xx` (503, nothing sent), `hang_seconds` (sent, answered late).

Accepted numbers get a status report (DELIVRD, or a failure; numbers that are not real ones
always UNDELIV, as the platform does not check them at send time) pushed to the send's
`statusCallback`, else as JSON to `config.report_url`. `POST /fake/inbound {"from", "body"}`
pushes an uplink to `config.uplink_url` at once (a test and sandbox helper, unsigned).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

import phonenumbers
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.providers.numbers import to_e164
from bot.providers.huawei.webhooks import format_push_time
from tests.provider_fakes.huawei import fake_auth
from tests.provider_fakes.huawei.fake_push import FORM, Pusher
from tests.provider_fakes.huawei.fake_requests import Refusal, Submission, Wanted, read_form, read_json
from tests.provider_fakes.huawei.fake_state import FAILURE_REASONS, FakeHuaweiConfig, FakeHuaweiState, SentSms

__all__ = ["create_fake_huawei", "is_real_number"]

DEFAULT_CHANNEL = "csms12345678"


def _error(status: int, code: str, description: str) -> JSONResponse:
    return JSONResponse({"code": code, "description": description}, status_code=status)


def is_real_number(phone: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return False


class FakeHuawei:
    def __init__(self, config: FakeHuaweiConfig, state: FakeHuaweiState) -> None:
        self.config = config
        self.state = state
        self.outcomes = random.Random(None if config.seed is None else f"{config.seed}:outcomes")
        self.pusher = Pusher(config, state)
        self.sequence = itertools.count(1)

    async def batch_send_sms(self, request: Request) -> Response:
        return await self._endpoint(request, "batchSendSms", read_form)

    async def batch_send_diff_sms(self, request: Request) -> Response:
        return await self._endpoint(request, "batchSendDiffSms", read_json)

    async def _endpoint(self, request: Request, api: str, read: Callable[[str, bytes], Submission]) -> Response:
        try:
            body = await request.body()
        except ClientDisconnect:  # nothing complete arrived: nothing to do, nobody to answer
            return _error(400, "E000000", "The request body was cut off.")
        headers = {name.lower(): value for name, value in request.headers.items()}
        caller = fake_auth.check(request.method, request.url.path, parse_qsl(request.url.query), headers, body,
                                 self.config.apps, now=datetime.now(UTC), aksk_skew=self.config.aksk_skew,
                                 wsse_skew=self.config.wsse_skew)
        if isinstance(caller, fake_auth.AuthProblem):
            self.state.add("auth_refusals")
            return _error(caller.status, caller.code, caller.description)
        if self.config.fail_with_5xx:
            self.state.add("failed_requests")
            return PlainTextResponse("Service Unavailable", status_code=503)
        try:
            if self.config.forced_error is not None:
                raise Refusal(self.config.forced_error[1], self.config.forced_error[2], self.config.forced_error[0])
            submission = read(headers.get("content-type", ""), body)
        except Refusal as refusal:
            self.state.record_call(api, 0, refusal.code, [])  # refused unread: its numbers are not counted
            return _error(refusal.status, refusal.code, refusal.description)
        self.state.enter_call()
        try:
            result, sent = self._send(api, caller.scheme, submission)
            self.state.record_call(api, len(submission.wanted), "000000", sent)
            if self.config.hang_seconds > 0:
                self.state.add("hung_requests")
                await asyncio.sleep(self.config.hang_seconds)
        finally:
            self.state.leave_call()
        return JSONResponse({"code": "000000", "description": "Success", "result": result})

    # --- sending and reports ------------------------------------------------------------
    def _send(self, api: str, auth: str, submission: Submission) -> tuple[list[dict], list[SentSms]]:
        result, sent, seen = [], [], set()
        created = format_push_time(datetime.now(UTC))
        for wanted in submission.wanted:
            status = self._status(wanted, submission.sender, seen)
            msg_id = f"{uuid.uuid4()}_{next(self.sequence)}"
            result.append({"originTo": wanted.number, "createTime": created, "from": submission.sender,
                           "smsMsgId": msg_id, "status": status, "total": 1})
            if status == "000000":
                phone = to_e164(wanted.number) or wanted.number
                outcome = self._schedule_report(msg_id, phone, submission)
                sent.append(SentSms(msg_id, api, auth, phone, submission.sender, wanted.template_id, wanted.paras,
                                    wanted.signature, submission.extend, submission.status_callback, outcome))
        return result, sent

    def _status(self, wanted: Wanted, sender: str, seen: set[tuple[int, str]]) -> str:
        phone = to_e164(wanted.number) or wanted.number
        if (wanted.item, phone) in seen:
            return "E200041"
        seen.add((wanted.item, phone))
        if phone in self.config.number_statuses:
            return self.config.number_statuses[phone]
        if self.config.senders is not None and sender not in self.config.senders:
            return "E200018"
        templates = self.config.templates
        if templates is not None:
            if wanted.template_id not in templates:
                return "E200030"
            if len(wanted.paras) != templates[wanted.template_id] or not all(wanted.paras):
                return "E200028"
        return "000000"

    def _schedule_report(self, msg_id: str, phone: str, submission: Submission) -> str:
        draw = self.outcomes.random()
        delay = self.outcomes.uniform(*self.config.receipt_latency)
        status, description = self.outcomes.choice(FAILURE_REASONS)
        if not is_real_number(phone):
            outcome, status, description = "failed", "UNDELIV", "The SMS fails to be delivered."
        elif draw < self.config.deliver_ratio:
            outcome, status, description = "delivered", "DELIVRD", ""
        elif draw < self.config.deliver_ratio + self.config.fail_ratio:
            outcome = "failed"
        else:
            return "silent"
        report = {"sequence": "1", "total": "1", "orgCode": "000",
                  "updateTime": format_push_time(datetime.now(UTC)), "source": "2", "smsMsgId": msg_id,
                  "status": status}
        if description:
            report["statusDesc"] = description
        if submission.extend:
            report |= {"extend": submission.extend, "to": phone}
        self.pusher.schedule(submission.status_callback, report, delay)
        return outcome

    async def inbound(self, request: Request) -> JSONResponse:
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse({"error": "bad_json"}, status_code=400)
        phone = to_e164(payload.get("from")) if isinstance(payload, dict) else None
        text = payload.get("body") if isinstance(payload, dict) else None
        if phone is None or not isinstance(text, str):
            return JSONResponse({"error": "bad_request"}, status_code=400)
        if self.config.uplink_url is None:
            return JSONResponse({"posted": False, "error": "no_uplink_url"}, status_code=502)
        channel = min(self.config.senders) if self.config.senders else DEFAULT_CHANNEL
        form = {"smsMsgId": f"{uuid.uuid4()}_{next(self.sequence)}", "from": phone, "to": channel, "body": text,
                "createTime": format_push_time(datetime.now(UTC))}
        posted = await self.pusher.post(self.config.uplink_url, urlencode(form).encode(), FORM)
        if posted:
            self.state.add("inbound_posted")
        return JSONResponse({"posted": posted}, status_code=200 if posted else 502)


def create_fake_huawei(config: FakeHuaweiConfig,
                       state: FakeHuaweiState | None = None) -> tuple[Starlette, FakeHuaweiState]:
    state = state if state is not None else FakeHuaweiState()
    fake = FakeHuawei(config, state)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await fake.pusher.start()
        try:
            yield
        finally:
            await fake.pusher.stop()

    routes = [
        Route("/sms/batchSendSms/v1", fake.batch_send_sms, methods=["POST"]),
        Route("/sms/batchSendDiffSms/v1", fake.batch_send_diff_sms, methods=["POST"]),
        Route("/fake/inbound", fake.inbound, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.fake = fake
    return app, state
