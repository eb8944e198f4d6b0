"""A local fake of Twilio's Messages API, following PROVIDERS.md section 1 (for tests and the sandbox).

API (HTTP Basic AccountSid:AuthToken, else 401 with Twilio's JSON error 20003):
- `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `From` and/or
  `MessagingServiceSid`, `Body`, `MediaUrl` (repeatable), `StatusCallback`:
  201 with a Message JSON (`sid` "SM…", `status` `queued`, or `accepted` with a Messaging
  Service), or 400 with Twilio's error JSON (`code`, `message`, `more_info`, `status`):
  21211 missing/invalid To (or To = From), 21603 no sender, 21602 no Body and no MediaUrl,
  14103 Body over 1,600 characters, 21623 over 10 MediaUrls, 21614 a landline, 21610 opted out.
  More than `max_concurrent_requests` in flight: 429 / 20429, nothing processed. Fault
  injection: 500 / 20500 or 400 / 21611 (nothing processed), or a hang (processed, answered
  after `hang_seconds`).
- `GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}.json`: 200 with the Message JSON
  as it stands at `config.clock()` (`queued`/`accepted`, `sent`, then `delivered`, `undelivered`
  or `failed` with its `error_code`, `date_updated` when it took that status), or 404 / 20404.
  The same concurrency limit (429 / 20429); `fetch_error_5xx_ratio` answers 500 / 20500.
- `POST /fake/inbound` `{"from", "body"}` (test and sandbox helper, same auth): posts a signed
  incoming-message form to `config.inbound_url` and answers 200 `{"posted": true, "sid"}` or
  502. A single-word STOP-family body opts the number out (later creates to it: 21610);
  START, YES or UNSTOP opts it back in. The fake sends no auto-reply.
After a 201 it posts signed status callbacks to the request's StatusCallback URL: `sent`, then
`delivered` or `undelivered` (+ ErrorCode), or only `failed` (+ ErrorCode, never sent), or
only `sent` for the share that never gets a final status; nothing with `post_status_callbacks`
off, where statuses are only fetched.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import random
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.providers.simulator.gateway import is_valid_e164
from bot.providers.twilio import codes
from tests.provider_fakes.twilio.fake_callbacks import CallbackSender
from tests.provider_fakes.twilio.fake_state import CreatedMessage, FakeTwilioConfig, FakeTwilioState
from domain.segments import measure

__all__ = ["FakeTwilioConfig", "FakeTwilioState", "create_fake_twilio"]

MESSAGES_PATH = "/" + codes.API_VERSION + "/Accounts/{account_sid}/Messages.json"
MESSAGE_PATH = "/" + codes.API_VERSION + "/Accounts/{account_sid}/Messages/{message_sid}.json"


def twilio_error(status: int, code: int, message: str, **headers: str) -> JSONResponse:
    body = {"code": code, "message": message, "more_info": codes.MORE_INFO.format(code=code), "status": status}
    return JSONResponse(body, status_code=status, headers=headers or None)


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex  # 2 letters + 32 hex digits, like Twilio's


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=False)


def _raw_dlr_done_date() -> str:
    return datetime.now(UTC).strftime("%y%m%d%H%M")  # YYMMDDhhmm, no zone: as Twilio sends it


class FakeTwilio:
    def __init__(self, config: FakeTwilioConfig, state: FakeTwilioState) -> None:
        self.config = config
        self.state = state
        seed = config.seed
        # Separate streams, so that injected faults do not shift the outcomes of messages.
        self.outcomes = random.Random(None if seed is None else f"{seed}:outcomes")
        self.faults = random.Random(None if seed is None else f"{seed}:faults")
        self.fetch_faults = random.Random(None if seed is None else f"{seed}:fetch-faults")
        self.callbacks = CallbackSender(config, state)
        for phone in config.opted_out:
            state.opt_out(phone)

    def authenticated_sid(self, request: Request) -> str | None:
        """The account SID of a request with the right Basic credentials, else None."""
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        expected = f"{self.config.account_sid}:{self.config.auth_token}".encode()
        return user if hmac.compare_digest(f"{user}:{password}".encode(), expected) else None

    def unauthorized(self) -> JSONResponse:
        self.state.add("unauthorized_requests")
        response = twilio_error(401, codes.AUTHENTICATE, "Authenticate")
        response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        return response

    # --- Messages.json ----------------------------------------------------------------
    async def create_message(self, request: Request) -> JSONResponse:
        account_sid = self.authenticated_sid(request)
        if account_sid is None:
            return self.unauthorized()
        if account_sid != request.path_params["account_sid"]:
            return twilio_error(404, codes.NOT_FOUND, "The requested resource was not found")
        in_flight = self.state.enter()
        try:
            return await self._create_in_flight(request, in_flight)
        finally:
            self.state.leave()

    async def _create_in_flight(self, request: Request, in_flight: int) -> JSONResponse:
        self.state.add("requests")
        limit = self.config.max_concurrent_requests
        if limit and in_flight > limit:
            self.state.add("throttled_requests")
            headers = {"Twilio-Concurrent-Requests": str(in_flight)}
            if self.config.retry_after_seconds is not None:
                headers["Retry-After"] = str(self.config.retry_after_seconds)
            return twilio_error(429, codes.TOO_MANY_REQUESTS, "Too Many Requests", **headers)
        fault = self.faults.random()
        if fault < self.config.error_5xx_ratio:
            self.state.add("failed_requests")
            return twilio_error(500, codes.INTERNAL_ERROR, "An internal server error has occurred")
        fault -= self.config.error_5xx_ratio
        if fault < self.config.queue_full_ratio:
            self.state.add("queue_full_requests")
            return twilio_error(400, codes.QUEUE_FULL,
                                "This 'From' number has exceeded the maximum number of queued messages")
        hang = fault - self.config.queue_full_ratio < self.config.hang_ratio
        try:
            form = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ClientDisconnect):
            return twilio_error(400, codes.BAD_REQUEST, "The request body could not be read")
        if self.config.processing_seconds:
            await asyncio.sleep(self.config.processing_seconds)
        response = self.create_from_form(form)
        if hang:
            self.state.add("hung_requests")
            await asyncio.sleep(self.config.hang_seconds)
        return response

    def create_from_form(self, form: list[tuple[str, str]]) -> JSONResponse:
        fields = dict(form)  # the last of a repeated name, except MediaUrl which is read as a list
        to = fields.get("To", "")
        self.state.record_create(to, form)
        problem = self.validate(fields, [value for name, value in form if name == "MediaUrl"])
        if problem is not None:
            self.state.add("rejected_creates")
            return twilio_error(400, *problem)
        message = self.accept(fields, tuple(value for name, value in form if name == "MediaUrl"))
        return JSONResponse(self.message_json(message), status_code=201)

    def validate(self, fields: dict[str, str], media_urls: list[str]) -> tuple[int, str] | None:
        """Twilio's (code, message) for a create it refuses, in the order Twilio checks; None if fine."""
        to, sender = fields.get("To", ""), fields.get("From", "")
        body = fields.get("Body", "")
        if not to or not is_valid_e164(to) or to == sender:
            return codes.INVALID_TO, f"The 'To' number {to} is not a valid phone number."
        if not sender and not fields.get("MessagingServiceSid"):
            return codes.FROM_REQUIRED, "A 'From' phone number is required."
        if not body and not media_urls:
            return codes.BODY_REQUIRED, "Message body is required."
        if len(body) > codes.MAX_BODY_CHARACTERS:
            return codes.BODY_TOO_LONG, "The concatenated message body exceeds the 1600 character limit."
        if len(media_urls) > codes.MAX_MEDIA_URLS:
            return codes.TOO_MANY_MEDIA, "Number of media files exceeds allowed limit."
        if to in self.config.landlines:
            return codes.NOT_MOBILE, f"The 'To' phone number: {to}, is not currently reachable via SMS."
        if self.state.is_opted_out(to):
            return codes.OPTED_OUT, "Attempt to send to unsubscribed recipient"
        return None

    def accept(self, fields: dict[str, str], media_urls: tuple[str, ...]) -> CreatedMessage:
        outcome, error_code = self.draw_outcome()
        low, high = self.config.receipt_latency
        message = CreatedMessage(
            sid=new_sid("SM"),
            to=fields["To"],
            from_=fields.get("From") or None,
            messaging_service_sid=fields.get("MessagingServiceSid") or None,
            body=fields.get("Body", ""),
            media_urls=media_urls,
            status_callback=fields.get("StatusCallback") or None,
            outcome=outcome,
            error_code=error_code,
            created_at=self.config.clock(),
            sent_after=self.config.sent_latency,
            final_after=self.outcomes.uniform(low, high),
        )
        self.state.record_message(message)
        if message.status_callback and self.config.post_status_callbacks:
            self.callbacks.status_callbacks(message.status_callback, self.callback_steps(message))
        return message

    def draw_outcome(self) -> tuple[str, int | None]:
        config, draw = self.config, self.outcomes.random()
        code = self.outcomes.choice(config.undelivered_codes)  # drawn always, so outcomes stay aligned
        if draw < config.deliver_ratio:
            return "delivered", None
        if draw < config.deliver_ratio + config.undeliver_ratio:
            return "undelivered", code
        if draw < config.deliver_ratio + config.undeliver_ratio + config.fail_ratio:
            return "failed", codes.UNKNOWN_ERROR
        return "sent", None

    def callback_steps(self, message: CreatedMessage) -> list[tuple[float, dict[str, str]]]:
        """(delay, form) for each status callback of a created message, in order."""
        base = {
            "MessageSid": message.sid,
            "SmsSid": message.sid,
            "AccountSid": self.config.account_sid,
            "From": message.from_ or self.config.twilio_number,  # a Messaging Service picks its number
            "To": message.to,
            "ApiVersion": codes.API_VERSION,
        }
        if message.messaging_service_sid:
            base["MessagingServiceSid"] = message.messaging_service_sid
        steps, waited = [], 0.0
        for after, status in message.timeline()[1:]:  # no callback for the initial status
            form = {**base, "MessageStatus": status, "SmsStatus": status}
            if status in ("delivered", "undelivered"):
                form["RawDlrDoneDate"] = _raw_dlr_done_date()
            if status in ("failed", "undelivered") and message.error_code is not None:
                form["ErrorCode"] = str(message.error_code)
            steps.append((after - waited, form))
            waited = after
        return steps

    def message_json(self, message: CreatedMessage, at: datetime | None = None) -> dict[str, Any]:
        """The Message resource as it stands `at` (None: as created)."""
        status, since = message.status_at(at) if at is not None else (message.timeline()[0][1], message.created_at)
        sent_at = message.created_at + timedelta(seconds=message.sent_after)
        failed = status in ("failed", "undelivered")
        uri = f"/{codes.API_VERSION}/Accounts/{self.config.account_sid}/Messages/{message.sid}"
        return {
            "account_sid": self.config.account_sid,
            "api_version": codes.API_VERSION,
            "body": message.body,
            "date_created": _rfc2822(message.created_at),
            "date_sent": _rfc2822(sent_at) if status not in ("queued", "accepted", "failed") else None,
            "date_updated": _rfc2822(since),
            "direction": "outbound-api",
            "error_code": message.error_code if failed else None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": message.messaging_service_sid,
            "num_media": str(len(message.media_urls)),
            "num_segments": str(max(1, measure(message.body).segments)),
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            "status": status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": message.to,
            "uri": f"{uri}.json",
        }

    # --- Messages/{sid}.json --------------------------------------------------------------
    async def fetch_message(self, request: Request) -> JSONResponse:
        account_sid = self.authenticated_sid(request)
        if account_sid is None:
            return self.unauthorized()
        in_flight = self.state.enter()
        try:
            limit = self.config.max_concurrent_requests
            if limit and in_flight > limit:
                self.state.add("throttled_requests")
                return twilio_error(429, codes.TOO_MANY_REQUESTS, "Too Many Requests",
                                    **{"Twilio-Concurrent-Requests": str(in_flight)})
            if self.config.processing_seconds:
                await asyncio.sleep(self.config.processing_seconds)
            return self._fetch_answer(request, account_sid)
        finally:
            self.state.leave()

    def _fetch_answer(self, request: Request, account_sid: str) -> JSONResponse:
        self.state.add("fetches")
        if self.fetch_faults.random() < self.config.fetch_error_5xx_ratio:
            self.state.add("failed_fetches")
            return twilio_error(500, codes.INTERNAL_ERROR, "An internal server error has occurred")
        message = self.state.message(request.path_params["message_sid"])
        if account_sid != request.path_params["account_sid"] or message is None:
            return twilio_error(404, codes.NOT_FOUND, f"The requested resource {request.url.path} was not found")
        return JSONResponse(self.message_json(message, self.config.clock()))

    # --- the inbound helper -----------------------------------------------------------
    async def inbound(self, request: Request) -> JSONResponse:
        if self.authenticated_sid(request) is None:
            return self.unauthorized()
        try:
            payload = await request.json()
        except (ValueError, ClientDisconnect):
            return JSONResponse({"error": "bad_json"}, status_code=400)
        phone, text = (payload.get("from"), payload.get("body")) if isinstance(payload, dict) else (None, None)
        if not isinstance(phone, str) or not isinstance(text, str):
            return JSONResponse({"error": "give from and body as strings"}, status_code=400)
        keyword = text.strip().upper()  # a single word only: "STOP PLEASE" is not an opt-out
        if keyword in codes.OPT_OUT_KEYWORDS:
            self.state.opt_out(phone)
        elif keyword in codes.OPT_IN_KEYWORDS:
            self.state.opt_in(phone)
        sid = new_sid("SM")
        if self.config.inbound_url is None:
            return JSONResponse({"posted": False, "sid": sid, "error": "no inbound_url"}, status_code=502)
        form = {
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "AccountSid": self.config.account_sid,
            "From": phone,
            "To": self.config.twilio_number,
            "Body": text,
            "NumMedia": "0",
            "NumSegments": str(max(1, measure(text).segments)),
            "SmsStatus": "received",
            "ApiVersion": codes.API_VERSION,
        }
        posted = await self.callbacks.post(self.config.inbound_url, form)
        if posted:
            self.state.add("inbound_posted")
        return JSONResponse({"posted": posted, "sid": sid}, status_code=200 if posted else 502)


def create_fake_twilio(
    config: FakeTwilioConfig | None = None, state: FakeTwilioState | None = None
) -> tuple[Starlette, FakeTwilioState]:
    config = config if config is not None else FakeTwilioConfig()
    state = state if state is not None else FakeTwilioState()
    fake = FakeTwilio(config, state)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await fake.callbacks.start()
        try:
            yield
        finally:
            await fake.callbacks.stop()

    async def index(request: Request) -> JSONResponse:
        return JSONResponse({"service": "smsbot fake twilio", "messages": MESSAGES_PATH})

    routes = [
        Route("/", index),
        Route(MESSAGES_PATH, fake.create_message, methods=["POST"]),
        Route(MESSAGE_PATH, fake.fetch_message, methods=["GET"]),
        Route("/fake/inbound", fake.inbound, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.fake_twilio = fake
    return app, state
