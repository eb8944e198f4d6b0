"""`AlibabaProvider`: the `SmsProvider` for Alibaba Cloud SMS (Dysmsapi 2017-05-25) over httpx.

Alibaba sends templates registered in its console, never free text, so each message brings its
`registered` content (signature, template code, fallback) and `params` (its variables):
- text -> `SendBatchSms`; card -> `SendBatchCardSms`, falling back to the registered text
  (FallbackType SMS) or digital (DIGITALSMS) template for handsets that cannot show cards.
  A digital message on its own is refused: this adapter sends those only as a card's fallback.
- Messages sharing signature, template, fallback and campaign go in calls of at most 100
  numbers, `concurrency` calls at a time; each call is POSTed with an RPC V2 signature.
- A BizId names a call, so a recipient's provider id is `f"{BizId}:{number}"`, number being its
  E.164 digits; receipts are matched the same way (and by OutId = campaign + phone).
- SendSms is not idempotent: a call without an answer is `unknown`, never sent again here.
- Receipts come pushed (SmsReport) or pulled: `query_receipts` asks QuerySendDetails
  (bot/providers/alibaba/details.py), signed and paced like the sends.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bot.providers.alibaba import signing
from bot.providers.alibaba.answers import Verdict, mobiles, read_body, splits_by_number, verdict
from bot.providers.alibaba.details import is_last_page, page_records, query_params, receipt_for, send_dates
from bot.providers.numbers import is_e164, to_alibaba
from bot.providers.alibaba.webhooks import PUSH_ANSWER, inbound_from, receipts_from, token_matches
from bot.providers.base import (
    FALLBACK_KINDS,
    InboundMessage,
    OutgoingMessage,
    ProviderError,
    Receipt,
    RegisteredContent,
    SentRef,
    SubmitResult,
    SubmitStatus,
)
from bot.providers.http_client import HttpClientOwner, describe_error
from bot.providers.registered import every_result, rejected

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://dysmsapi.aliyuncs.com"
NUMBERS_PER_CALL = 100  # SendBatchSms / SendBatchCardSms refuse more
MIN_TOKEN_LENGTH = 16  # the webhook token is the only thing that authenticates Alibaba's pushes
FALLBACK_TYPES = {"text": "SMS", "digital": "DIGITALSMS", None: "NONE"}

Entry = tuple[int, OutgoingMessage]  # a message and its place in the submitted sequence


class AlibabaProvider(HttpClientOwner):
    name = "alibaba"
    max_batch = 1000
    uses_registered_templates = True
    receipts = frozenset({"push", "pull"})

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        *,
        webhook_token: str,
        base_url: str = DEFAULT_BASE_URL,
        concurrency: int = 5,
        timeout: float = 10.0,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        missing = [
            name
            for name, value in (("access_key_id", access_key_id), ("access_key_secret", access_key_secret),
                                ("webhook_token", webhook_token), ("base_url", base_url))
            if not value
        ]
        if missing:
            raise ProviderError(f"alibaba provider: {', '.join(missing)} must be set")
        if len(webhook_token) < MIN_TOKEN_LENGTH:
            raise ProviderError(
                f"alibaba provider: webhook_token must be a long random secret (at least {MIN_TOKEN_LENGTH} "
                "characters): it is all that tells Alibaba's receipt pushes from anyone else's"
            )
        if concurrency < 1:
            raise ProviderError(f"alibaba provider: concurrency must be at least 1, not {concurrency}")
        self.base_url = base_url.rstrip("/")
        self._access_key_id = access_key_id
        self._secret = access_key_secret
        self._token = webhook_token
        self._timeout = timeout
        self._slots = asyncio.Semaphore(concurrency)
        self._use_client(http_client)


    # --- sending ------------------------------------------------------------------------
    async def submit(self, messages: Sequence[OutgoingMessage]) -> list[SubmitResult]:
        results: list[SubmitResult | None] = [None] * len(messages)
        groups: dict[tuple[Any, ...], list[Entry]] = {}
        for index, message in enumerate(messages):
            refusal = _refusal(message)
            if refusal is not None:
                results[index] = refusal
            else:
                groups.setdefault(_call_key(message), []).append((index, message))
        calls = [
            entries[start : start + NUMBERS_PER_CALL]
            for entries in groups.values()
            for start in range(0, len(entries), NUMBERS_PER_CALL)
        ]
        for answered in await asyncio.gather(*(self._send(call) for call in calls)):
            for index, result in answered:
                results[index] = result
        assert all(result is not None for result in results)
        return results  # type: ignore[return-value]

    async def _send(self, call: list[Entry]) -> list[tuple[int, SubmitResult]]:
        action, params = _call_params(call)
        async with self._slots:
            # Signed inside the slot, so that a call waiting for one does not go out with a stale Timestamp.
            form = signing.sign(
                {"Action": action, **params}, access_key_id=self._access_key_id, access_key_secret=self._secret
            )
            try:
                response = await self._client.post(self.base_url + "/", data=form, timeout=self._timeout)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                # The request never left: nothing was sent.
                return every_result(call, Verdict(SubmitStatus.transient, "connection_failed", describe_error(error)))
            except httpx.HTTPError as error:
                # Read timeout, cut connection...: Alibaba may have sent them; only receipts can tell.
                return every_result(call, Verdict(SubmitStatus.unknown, "no_answer", describe_error(error)))
        body = read_body(response.content) or {}
        code = body.get("Code") if isinstance(body.get("Code"), str) else None
        if code == "OK":
            return _accepted(call, action, body)
        message = str(body.get("Message") or "")
        log.warning("alibaba: %s of %d numbers refused: HTTP %d %s", action, len(call), response.status_code, code)
        if len(call) > 1 and splits_by_number(code, message):
            # Nothing of a refused call was sent, so its halves may go again: only the numbers at
            # fault end up rejected instead of the whole call.
            middle = len(call) // 2
            halves = await asyncio.gather(self._send(call[:middle]), self._send(call[middle:]))
            return halves[0] + halves[1]
        return every_result(call, verdict(response.status_code, code, message))

    # --- asking Alibaba (receipts by pull) -------------------------------------------------
    # Lost sends are not asked about (no `check_submissions`): docs/providers.md says why.
    async def query_receipts(self, sent: Sequence[SentRef]) -> list[Receipt]:
        """QuerySendDetails for each message, in the same `concurrency` slots as the sends (far
        below its 5,000 QPS). A message still awaiting its receipt, or one a query failed for,
        gives none; throttling, refused credentials or no answer end the round for the rest."""
        round_ = _Round()
        receipts = await asyncio.gather(*(self._pull(item, round_) for item in sent))
        if round_.stopped_by:
            log.warning("alibaba: asking for receipts stopped (%s); the rest are asked next time", round_.stopped_by)
        return [receipt for receipt in receipts if receipt is not None]

    async def _pull(self, sent: SentRef, round_: _Round) -> Receipt | None:
        records: list[dict[str, Any]] = []
        for send_date in send_dates(sent.submitted_at):
            page, found = 1, 0
            while True:
                body = await self._query(query_params(sent, send_date, page), round_)
                if body is None:
                    return None  # a page unread might have held it, or held it twice
                page_of = page_records(body)
                records.extend(page_of)
                found += len(page_of)
                if is_last_page(body, found, page):
                    break
                page += 1
        return receipt_for(sent, records)

    async def _query(self, params: dict[str, str], round_: _Round) -> dict[str, Any] | None:
        """One signed query: its answer when its Code is OK, else None."""
        async with self._slots:
            if round_.stopped_by:
                return None
            form = signing.sign(params, access_key_id=self._access_key_id, access_key_secret=self._secret)
            try:
                response = await self._client.post(self.base_url + "/", data=form, timeout=self._timeout)
            except httpx.HTTPError as error:
                round_.stopped_by = type(error).__name__
                return None
            body = read_body(response.content) or {}
            code = body.get("Code") if isinstance(body.get("Code"), str) else None
            if code == "OK":
                return body
            outcome = verdict(response.status_code, code, str(body.get("Message") or ""))
            if outcome.status in (SubmitStatus.throttled, SubmitStatus.transient):
                round_.stopped_by = outcome.error_code  # the code only: some messages echo our numbers
            return None

    # --- webhooks -----------------------------------------------------------------------
    def verify_webhook(self, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        return token_matches(url, self._token)

    def parse_receipts(self, body: bytes, headers: Mapping[str, str], url: str = "") -> list[Receipt]:
        return receipts_from(body)

    def parse_inbound(self, body: bytes, headers: Mapping[str, str], url: str = "") -> list[InboundMessage]:
        return inbound_from(body)

    def webhook_answer(self) -> tuple[int, bytes, str]:
        return 200, PUSH_ANSWER, "application/json"


@dataclass
class _Round:
    """One `query_receipts`: the first sign that Alibaba cannot answer now ends it."""

    stopped_by: str | None = None


def _not_registered(message: OutgoingMessage, template_name: str) -> SubmitResult:
    return rejected(
        message,
        "template_not_registered",
        f"Template {template_name!r} has no Alibaba Cloud template code: register it in the Alibaba Cloud "
        f"console, then give its code with `/sms template code {template_name} <code>`",
    )


def _refusal(message: OutgoingMessage) -> SubmitResult | None:
    """Why a message cannot go to Alibaba at all, before any call."""
    registered = message.registered
    if registered is None:
        return rejected(message, "not_registered_content",
                         "Alibaba Cloud sends only registered templates, and this message names none")
    if message.kind == "digital":
        return rejected(message, "digital_not_supported",
                         "Alibaba Cloud: digital messages are sent only as a card's fallback; send a card "
                         "with a digital fallback template, or a text template")
    if registered.template_code is None:
        return _not_registered(message, registered.template_name)
    if message.kind == "card":
        if registered.fallback_kind is not None and registered.fallback_kind not in FALLBACK_KINDS:
            return rejected(message, "invalid_fallback", f"Unknown card fallback {registered.fallback_kind!r}")
        if registered.fallback_kind is not None and registered.fallback_template_code is None:
            return _not_registered(message, registered.fallback_template_name or registered.template_name)
    if not is_e164(message.phone):
        return rejected(message, "invalid_number", "The recipient is not an E.164 number")
    return None


def _call_key(message: OutgoingMessage) -> tuple[Any, ...]:
    """Messages that can share a call: everything but the numbers and params is per call."""
    registered = message.registered
    assert registered is not None
    fallback = (registered.fallback_kind, registered.fallback_template_code) if message.kind == "card" else None
    return message.kind, registered.sign_name, registered.template_code, fallback, message.campaign


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _variables(message: OutgoingMessage) -> dict[str, str]:
    # Alibaba refuses anything but string values (isv.INVALID_JSON_PARAM).
    return {str(name): str(value) for name, value in (message.params or {}).items()}


def _call_params(call: list[Entry]) -> tuple[str, dict[str, str]]:
    messages = [message for _, message in call]
    first = messages[0]
    registered: RegisteredContent = first.registered  # type: ignore[assignment]
    params = {
        "PhoneNumberJson": _json([to_alibaba(m.phone) for m in messages]),
        "SignNameJson": _json([registered.sign_name] * len(messages)),
    }
    variables = _json([_variables(m) for m in messages]) if any(m.params for m in messages) else None
    if first.campaign:
        params["OutId"] = first.campaign
    if first.kind != "card":
        params["TemplateCode"] = registered.template_code or ""
        if variables:
            params["TemplateParamJson"] = variables
        return "SendBatchSms", params
    fallback_type = FALLBACK_TYPES[registered.fallback_kind]
    params["CardTemplateCode"] = registered.template_code or ""
    params["FallbackType"] = fallback_type
    prefix = {"SMS": "Sms", "DIGITALSMS": "Digital"}.get(fallback_type)
    if prefix is not None:
        params[f"{prefix}TemplateCode"] = registered.fallback_template_code or ""
    if variables:
        # One set of variables per recipient fills the card and its fallback alike.
        params["CardTemplateParamJson"] = variables
        if prefix is not None:
            params[f"{prefix}TemplateParamJson"] = variables
    return "SendBatchCardSms", params


def _provider_id(biz_id: object, message: OutgoingMessage) -> str | None:
    return f"{biz_id}:{to_alibaba(message.phone)}" if biz_id else None


def _accepted(call: list[Entry], action: str, body: dict[str, Any]) -> list[tuple[int, SubmitResult]]:
    if action == "SendBatchSms":
        biz_id = body.get("BizId")
        return [
            (index, SubmitResult(message.client_ref, SubmitStatus.accepted, _provider_id(biz_id, message)))
            for index, message in call
        ]
    data = body.get("Data") if isinstance(body.get("Data"), dict) else {}
    fell_back = mobiles(data.get("NotMediaMobiles"))  # numbers that cannot show cards
    card_id, fallback_id = data.get("BizCardId"), data.get("BizSmsId") or data.get("BizDigitalId")
    results = []
    for index, message in call:
        registered = message.registered
        if message.phone not in fell_back:
            result = SubmitResult(message.client_ref, SubmitStatus.accepted, _provider_id(card_id, message))
        elif registered is not None and registered.fallback_kind is None:
            result = rejected(message, "card_unsupported",
                               "The handset cannot show card messages and the template has no fallback")
        else:
            result = SubmitResult(message.client_ref, SubmitStatus.accepted, _provider_id(fallback_id, message),
                                  fell_back=True)
        results.append((index, result))
    return results

