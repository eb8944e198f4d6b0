"""The simulator: the product's embedded HTTP SMS gateway.

API (Bearer `config.api_key` on both routes, else 401):
- `POST /v1/messages` `{"messages": [{"ref", "to", "text", "kind", "card", "fallback_text"}, ...]}`
  (at most 1,000, else 400 `{"error": "too_many"}`) -> 200 `{"results": [{"ref", "id", "status",
  "error_code", "error_message", "fell_back"}, ...]}` in the same order. Over the rate limit:
  429 + Retry-After, nothing processed. Fault injection: 503 (nothing processed) or a hang
  (processed, answered after `hang_seconds`).
- `POST /v1/inbound` `{"from", "text"}` (sandbox and test helper): the gateway posts
  `{"inbound": [{"from", "text", "at"}]}` to the webhook at once, signed like receipts, and
  answers 200 `{"posted": true}` or 502 `{"posted": false}`. An opt-out keyword (STOP...)
  also makes later sends to that number rejected as `opted_out`.
- `POST /v1/messages/query` `{"refs": [...]}` (at most 1,000) -> 200 `{"messages": [{"ref", "id",
  "status": "accepted" | "rejected" | "unknown", "error_code", "receipt": {"status", "error_code",
  "error_message", "at"} | null}, ...]}`: what became of each ref ("unknown": never received), and
  its receipt once due — for a client that lost an answer, or that pulls receipts.
Accepted messages get a receipt later (delivered / failed / none, by the configured ratios),
pushed to the webhook and answered by the query.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import hmac
import math
import random
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.providers.simulator.config import FAILURE_REASONS, MAX_BATCH, OPT_OUT_KEYWORDS, SimulatorConfig
from bot.providers.simulator.receipts import WebhookSender, iso_utc
from bot.providers.simulator.state import Fate, SentMessage, SimulatorState
from domain.phones import PhoneNormalizer

__all__ = ["SimulatorConfig", "SimulatorState", "create_gateway_app", "run_gateway"]

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
KINDS = ("text", "digital", "card")


# The same judgement as phonenumbers' is_valid_number, with the import pipeline's fast path
# for mainland mobiles: the full parse was a third of the gateway's time in the dispatch benchmark.
_normalize = PhoneNormalizer("CN").normalize


def is_valid_e164(phone: object) -> bool:
    return isinstance(phone, str) and E164.match(phone) is not None and _normalize(phone).e164 == phone


def refuses_cards(phone: str, ratio: float) -> bool:
    """Stable per number: the same number always can, or always cannot, show cards."""
    digest = hashlib.sha256(phone.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < ratio


def _error(status: int, code: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status, headers=headers or None)


class TokenBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.updated = time.monotonic()

    def take(self) -> float | None:
        """None when a request may go ahead, else the seconds until it could."""
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return (1.0 - self.tokens) / self.rate


class Gateway:
    def __init__(self, config: SimulatorConfig, state: SimulatorState) -> None:
        self.config = config
        self.state = state
        seed = config.seed
        # Separate streams, so that injected faults do not shift the outcomes of messages.
        self.outcomes = random.Random(None if seed is None else f"{seed}:outcomes")
        self.faults = random.Random(None if seed is None else f"{seed}:faults")
        self.latency = random.Random(None if seed is None else f"{seed}:latency")
        self.bucket = TokenBucket(config.rate_limit_per_s) if config.rate_limit_per_s > 0 else None
        self.webhooks = WebhookSender(config, state)
        # Unique across gateways and restarts, and cheaper than a uuid per message.
        self.id_prefix = uuid.uuid4().hex[:12]
        self.ids = itertools.count(1)

    def authorized(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {self.config.api_key}"
        return hmac.compare_digest(given.encode(), expected.encode())

    async def messages(self, request: Request) -> JSONResponse:
        if not self.authorized(request):
            return _error(401, "unauthorized")
        if self.bucket is not None and (wait := self.bucket.take()) is not None:
            self.state.add("throttled_requests")
            return _error(429, "rate_limited", **{"Retry-After": str(max(1, math.ceil(wait)))})
        fault = self.faults.random()
        if fault < self.config.error_5xx_ratio:
            self.state.add("failed_requests")
            return _error(503, "service_unavailable")
        hang = fault < self.config.error_5xx_ratio + self.config.hang_ratio
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _error(400, "bad_json")
        except ClientDisconnect:  # the sender died mid-upload: nothing was received, nothing to answer
            return _error(400, "client_disconnected")
        items = payload.get("messages") if isinstance(payload, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("ref"), str) for i in items):
            return _error(400, "bad_request")
        if len(items) > MAX_BATCH:
            return _error(400, "too_many")
        results, records = zip(*(self.handle(item) for item in items)) if items else ((), ())
        self.state.record_batch(list(records))
        if hang:
            self.state.add("hung_requests")
            await asyncio.sleep(self.config.hang_seconds)
        elif self.config.submit_latency[1] > 0:
            await asyncio.sleep(self.latency.uniform(*self.config.submit_latency))
        return Response(orjson.dumps({"results": results}), media_type="application/json")

    def handle(self, item: dict[str, Any]) -> tuple[dict[str, Any], SentMessage]:
        ref, phone, kind = item["ref"], item.get("to"), item.get("kind") or "text"
        text, fallback = item.get("text") or "", item.get("fallback_text")
        code, fell_back = None, False
        if not is_valid_e164(phone):
            code = "invalid_number"
        elif phone in self.config.blocklist:
            code = "blocked"
        elif self.config.honour_opt_outs and self.state.is_opted_out(phone):
            code = "opted_out"
        elif kind not in KINDS:
            code = "invalid_kind"
        elif kind == "card" and not isinstance(item.get("card"), dict):
            code = "card_missing"
        elif kind == "card" and refuses_cards(phone, self.config.card_refuse_ratio):
            if fallback:
                fell_back = True
            else:
                code = "card_unsupported"
        elif kind != "card" and not text:
            code = "empty_text"
        phone_str = phone if isinstance(phone, str) else str(phone)
        if code is not None:
            result = {"ref": ref, "id": None, "status": "rejected", "error_code": code,
                      "error_message": REJECTIONS[code], "fell_back": False}
            self.state.remember(ref, Fate(None, "rejected", code, None))
            return result, SentMessage(None, ref, phone_str, kind, "rejected", code, False, None, text)
        message_id = f"sim_{self.id_prefix}{next(self.ids):012x}"
        outcome = self.schedule_receipt(message_id, ref)
        result = {"ref": ref, "id": message_id, "status": "accepted", "error_code": None,
                  "error_message": None, "fell_back": fell_back}
        shown = fallback if fell_back else text
        return result, SentMessage(message_id, ref, phone_str, kind, "accepted", None, fell_back, outcome, shown)

    def schedule_receipt(self, message_id: str, ref: str) -> str:
        draw = self.outcomes.random()
        low, high = self.config.receipt_latency
        delay = self.outcomes.uniform(low, high)
        reason = self.outcomes.choice(FAILURE_REASONS)
        if draw < self.config.deliver_ratio:
            status, code, message = "delivered", None, None
        elif draw < self.config.deliver_ratio + self.config.fail_ratio:
            status, (code, message) = "failed", reason
        else:
            self.state.remember(ref, Fate(message_id, "accepted", None, None))
            return "silent"
        self.state.remember(ref, Fate(message_id, "accepted", None, (status, code, message, time.time() + delay)))
        # Its time ("at") is stamped when it is posted (if there is a webhook to post it to).
        receipt = {"id": message_id, "ref": ref, "status": status, "error_code": code, "error_message": message}
        self.webhooks.schedule(receipt, delay)
        return status

    async def query(self, request: Request) -> JSONResponse:
        """`POST /v1/messages/query {"refs": [...]}`: what became of each ref, and its receipt once
        it is due ("unknown": the gateway never received it)."""
        if not self.authorized(request):
            return _error(401, "unauthorized")
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _error(400, "bad_json")
        refs = payload.get("refs") if isinstance(payload, dict) else None
        if not isinstance(refs, list) or not all(isinstance(ref, str) for ref in refs):
            return _error(400, "bad_request")
        if len(refs) > MAX_BATCH:
            return _error(400, "too_many")
        return Response(orjson.dumps({"messages": [self.described(ref) for ref in refs]}),
                        media_type="application/json")

    def described(self, ref: str) -> dict[str, Any]:
        fate = self.state.fate_of(ref)
        if fate is None:
            return {"ref": ref, "status": "unknown"}
        answer: dict[str, Any] = {"ref": ref, "id": fate.id, "status": fate.status, "error_code": fate.error_code,
                                  "receipt": None}
        if fate.receipt is not None and fate.receipt[3] <= time.time():
            status, code, message, due = fate.receipt
            answer["receipt"] = {"status": status, "error_code": code, "error_message": message,
                                 "at": iso_utc(datetime.fromtimestamp(due, UTC))}
        return answer

    async def inbound(self, request: Request) -> JSONResponse:
        if not self.authorized(request):
            return _error(401, "unauthorized")
        try:
            payload = await request.json()
        except ValueError:
            return _error(400, "bad_json")
        phone, text = (payload.get("from"), payload.get("text")) if isinstance(payload, dict) else (None, None)
        if not isinstance(phone, str) or not isinstance(text, str):
            return _error(400, "bad_request")
        if text.strip().upper() in OPT_OUT_KEYWORDS:
            self.state.opt_out(phone)
        url = self.config.inbound_url or self.config.receipt_url
        if url is None:
            return JSONResponse({"posted": False, "error": "no_webhook"}, status_code=502)
        at = iso_utc(datetime.now(UTC))
        posted = await self.webhooks.post(url, {"inbound": [{"from": phone, "text": text, "at": at}]})
        if posted:
            self.state.add("inbound_posted")
        return JSONResponse({"posted": posted}, status_code=200 if posted else 502)


REJECTIONS = {
    "invalid_number": "The recipient is not a valid E.164 number",
    "blocked": "The recipient is on the block list",
    "opted_out": "The recipient has opted out",
    "invalid_kind": "The message kind must be text, digital or card",
    "card_missing": "A card message needs a card",
    "card_unsupported": "The handset cannot show card messages and no fallback was given",
    "empty_text": "The message text is empty",
}


def create_gateway_app(
    config: SimulatorConfig, state: SimulatorState | None = None
) -> tuple[Starlette, SimulatorState]:
    state = state if state is not None else SimulatorState()
    gateway = Gateway(config, state)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await gateway.webhooks.start()
        try:
            yield
        finally:
            await gateway.webhooks.stop()

    async def index(request: Request) -> JSONResponse:
        return JSONResponse({"service": "smsbot simulator", "messages": "/v1/messages"})

    routes = [
        Route("/", index),
        Route("/healthz", index),
        Route("/v1/messages", gateway.messages, methods=["POST"]),
        Route("/v1/messages/query", gateway.query, methods=["POST"]),
        Route("/v1/inbound", gateway.inbound, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = gateway
    return app, state


def run_gateway(config: SimulatorConfig, host: str = "127.0.0.1", port: int = 8025) -> None:
    """Serve the simulator with uvicorn until interrupted (blocking); for `smsbot simulator`."""
    app, _state = create_gateway_app(config)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
