"""`HuaweiProvider`: the `SmsProvider` for Huawei Cloud Message & SMS (MSGSMS) over httpx.

Huawei sends only templates registered in its console, filled by position, so each message
brings its `registered` content (signature name, template id, the template's variables in order)
and `params`. Text only: Message & SMS has no card or digital messages.
- Calls (calls.py): `batchSendDiffSms`, or `batchSendSms` when every number gets the same
  parameters; at most 500 numbers a call, `concurrency` calls at a time; `from` is our sender
  (channel number), `statusCallback` our webhook with its token, `extend` the campaign.
- Each call is signed with AK/SK (`SDK-HMAC-SHA256`, the scheme of Huawei's official SDK) or,
  for accounts that use it, X-WSSE (signing.py).
- A recipient's provider id is its `smsMsgId`; status reports name it, and the campaign and number.
- A send has no idempotency key: a call without an answer is `unknown`, never sent again here.
Facts: /work/shared/PROVIDERS-HUAWEI-UCLOUD.md section 1.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx


from bot.providers.base import InboundMessage, OutgoingMessage, ProviderError, Receipt, SubmitResult, SubmitStatus
from bot.providers.http_client import HttpClientOwner, describe_error
from bot.providers.registered import every_result, rejected, text_template_refusal
from bot.providers.huawei import signing
from bot.providers.huawei.answers import ACCEPTED, Verdict, call_verdict, read_body, verdicts_by_phone
from bot.providers.huawei.calls import Call, Entry, build, call_key, pack, template_paras
from bot.providers.huawei.webhooks import PUSH_ANSWER, inbound_from, receipts_from, token_matches

log = logging.getLogger(__name__)

# The "APP access address" of the Chinese mainland site; the international one is
# https://smsapi.ap-southeast-1.myhuaweicloud.com:443. Use the one the console shows.
DEFAULT_BASE_URL = "https://smsapi.cn-north-4.myhuaweicloud.com:443"
AUTH_SCHEMES = ("aksk", "wsse")
MAX_SENDER_LENGTH = 21
MIN_TOKEN_LENGTH = 16  # the webhook token is all that tells Huawei's unsigned pushes from anyone else's
TOKEN_PARAMETER = "token"


class HuaweiProvider(HttpClientOwner):
    name = "huawei"
    max_batch = 1000
    uses_registered_templates = True
    # Status reports are pushed; the API we rely on documents no status query to pull them with.
    receipts = frozenset({"push"})

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        *,
        sender: str,
        status_callback_url: str,
        webhook_token: str,
        base_url: str = DEFAULT_BASE_URL,
        auth_scheme: str = "aksk",
        concurrency: int = 5,
        timeout: float = 10.0,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        _check_settings(app_key, app_secret, sender, status_callback_url, webhook_token, base_url, auth_scheme,
                        concurrency)
        self.base_url = base_url.rstrip("/")
        # Signed as the SDK signs it: the address's host with its port when the address names one.
        self._host = urlsplit(self.base_url).netloc
        self.sender = sender
        self.auth_scheme = auth_scheme
        self.concurrency = concurrency
        separator = "&" if urlsplit(status_callback_url).query else "?"
        self._callback = f"{status_callback_url}{separator}{urlencode({TOKEN_PARAMETER: webhook_token})}"
        self._app_key, self._secret, self._token = app_key, app_secret, webhook_token
        self._timeout = timeout
        self._use_client(http_client, limits=httpx.Limits(max_connections=max(concurrency, 10),
                                                          max_keepalive_connections=concurrency))

    def __repr__(self) -> str:  # never the app secret nor the token
        return f"HuaweiProvider(base_url={self.base_url!r}, auth_scheme={self.auth_scheme!r})"

    # --- sending ------------------------------------------------------------------------
    async def submit(self, messages: Sequence[OutgoingMessage]) -> list[SubmitResult]:
        results: list[SubmitResult | None] = [None] * len(messages)
        groups: dict[tuple[Any, ...], list[Entry]] = {}
        for index, message in enumerate(messages):
            refusal = _refusal(message)
            if refusal is not None:
                results[index] = refusal
            else:
                groups.setdefault(call_key(message), []).append((index, message))
        calls = [build(items, sender=self.sender, callback=self._callback)
                 for entries in groups.values() for items in pack(entries)]
        semaphore = self._semaphore()
        for answered in await asyncio.gather(*(self._send(call, semaphore) for call in calls)):
            for index, result in answered:
                results[index] = result
        assert all(result is not None for result in results)
        return results  # type: ignore[return-value]


    async def _send(self, call: Call, semaphore: asyncio.Semaphore) -> list[tuple[int, SubmitResult]]:
        async with semaphore:
            # Signed inside the slot, so that a call waiting for one does not go out with a stale date.
            headers = self._signed_headers(call)
            try:
                response = await self._client.post(self.base_url + call.path, content=call.body, headers=headers,
                                                   timeout=self._timeout)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                # The request never left: nothing was sent.
                return every_result(call.entries, Verdict(SubmitStatus.transient, "connection_failed", describe_error(error)))
            except httpx.HTTPError as error:
                # Read timeout, cut connection...: Huawei may have sent them; only receipts can tell.
                return every_result(call.entries, Verdict(SubmitStatus.unknown, "no_answer", describe_error(error)))
        return _answered(call, response)

    def _signed_headers(self, call: Call) -> dict[str, str]:
        headers = {"Content-Type": call.content_type}
        if self.auth_scheme == "wsse":
            return signing.wsse_headers(headers, app_key=self._app_key, app_secret=self._secret)
        path = urlsplit(self.base_url + call.path).path
        return signing.aksk_headers("POST", self._host, path, headers, call.body, app_key=self._app_key,
                                    app_secret=self._secret)

    # --- webhooks -----------------------------------------------------------------------
    def verify_webhook(self, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        return token_matches(url, self._token)

    def parse_receipts(self, body: bytes, headers: Mapping[str, str], url: str = "") -> list[Receipt]:
        return receipts_from(body)

    def parse_inbound(self, body: bytes, headers: Mapping[str, str], url: str = "") -> list[InboundMessage]:
        return inbound_from(body)

    def webhook_answer(self) -> tuple[int, bytes, str]:
        return PUSH_ANSWER


def _check_settings(app_key: str, app_secret: str, sender: str, status_callback_url: str, webhook_token: str,
                    base_url: str, auth_scheme: str, concurrency: int) -> None:
    named = (("app_key", app_key), ("app_secret", app_secret), ("sender", sender),
             ("status_callback_url", status_callback_url), ("webhook_token", webhook_token), ("base_url", base_url))
    if missing := [name for name, value in named if not value]:
        raise ProviderError(f"huawei provider: {', '.join(missing)} must be set")
    if len(webhook_token) < MIN_TOKEN_LENGTH:
        raise ProviderError(f"huawei provider: webhook_token must be a long random secret (at least "
                            f"{MIN_TOKEN_LENGTH} characters): Huawei's status reports and replies carry no signature")
    if len(sender) > MAX_SENDER_LENGTH:
        raise ProviderError(f"huawei provider: sender (the channel number) has at most {MAX_SENDER_LENGTH} characters")
    if auth_scheme not in AUTH_SCHEMES:
        raise ProviderError(f"huawei provider: auth_scheme must be one of {', '.join(AUTH_SCHEMES)}, "
                            f"not {auth_scheme!r}")
    if not base_url.startswith(("http://", "https://")):
        raise ProviderError("huawei provider: base_url must be an http(s) URL")
    if concurrency < 1:
        raise ProviderError(f"huawei provider: concurrency must be at least 1, not {concurrency}")


def _refusal(message: OutgoingMessage) -> SubmitResult | None:
    """Why a message cannot go to Huawei at all, before any call."""
    if (refusal := text_template_refusal(message, "Huawei Cloud")) is not None:
        return refusal
    empty = [name for name, value in zip(message.registered.variables, template_paras(message)) if not value]
    if empty:
        return rejected(message, "empty_variable",
                        f"Huawei Cloud needs a value for every template variable; empty here: {', '.join(empty)}")
    return None


def _answered(call: Call, response: httpx.Response) -> list[tuple[int, SubmitResult]]:
    body = read_body(response.content) or {}
    code = body.get("code") if isinstance(body.get("code"), str) else None
    if code != ACCEPTED:
        # Counts and codes only: neither numbers nor secrets go to the log.
        log.warning("huawei: %s of %d numbers refused: HTTP %d %s", call.path, len(call.entries),
                    response.status_code, code)
        description = str(body.get("description") or "")
        return every_result(call.entries, call_verdict(response.status_code, code, description, response.headers.get("Retry-After")))
    by_phone = verdicts_by_phone(body)
    answered = []
    for index, message in call.entries:
        verdicts = by_phone.get(message.phone)
        outcome = verdicts.pop(0) if verdicts else Verdict(
            SubmitStatus.unknown, "not_in_answer", "Huawei Cloud accepted the call but did not list this number")
        answered.append((index, SubmitResult(message.client_ref, outcome.status, outcome.provider_id,
                                             outcome.error_code, outcome.error_message,
                                             retry_after=outcome.retry_after)))
    return answered

