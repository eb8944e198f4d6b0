"""`UCloudProvider`: the `SmsProvider` for UCloud USMS over httpx.

UCloud sends only templates registered in its console, filled by position, so each message
brings its `registered` content (signature text, template id, the template's variables in
order) and `params`. Text only.
- Sends (calls.py): `SendBatchUSMSMessage`, 200 numbers a request, `concurrency` requests at a
  time, form POST signed with the account's key pair (signing.py); each number carries our
  reference as `UserId`. A message's provider id is the batch's `SessionNo` and its number.
- Receipts: pulled with `GetUSMSSendReceipt` (by `SessionNo`, 100 a call) and pushed, if the
  account registered our URL with UCloud: `POST /webhooks/sms/ucloud?token=…`, JSON with
  `MsgType` 2 (status reports) or 0 (replies, for opt-outs). UCloud signs neither: the token in
  the URL is all that tells its pushes from anyone else's, and without one no push is taken.
- No idempotency key: a request without an answer is `unknown`, never sent again here.
Facts: /work/shared/PROVIDERS-HUAWEI-UCLOUD.md section 2.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import httpx

from bot.providers.numbers import to_e164
from bot.providers.alibaba.webhooks import token_matches
from bot.providers.base import (
    InboundMessage, OutgoingMessage, ProviderError, Receipt, SentRef, SubmitResult, SubmitStatus,
)
from bot.providers.http_client import HttpClientOwner, describe_error
from bot.providers.registered import every_result, rejected, text_template_refusal
from bot.providers.ucloud.answers import SendAnswer, Verdict, provider_id, read_body, receipt_from, send_answer
from bot.providers.ucloud.calls import MAX_SESSIONS, MAX_USER_ID, Call, pack, receipt_query, send_call
from bot.providers.ucloud.signing import signed_form

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.ucloud.cn"
MIN_TOKEN_LENGTH = 16
PUSH_ANSWER = (200, b'{"code":0,"message":"ok"}', "application/json")
STATUS_REPORT, REPLY = 2, 0  # a push's MsgType


class UCloudProvider(HttpClientOwner):
    name = "ucloud"
    max_batch = 1000
    uses_registered_templates = True

    def __init__(self, public_key: str, private_key: str, *, webhook_token: str | None = None,
                 project_id: str | None = None,
                 base_url: str = DEFAULT_BASE_URL, concurrency: int = 5, timeout: float = 10.0,
                 http_client: httpx.AsyncClient | None = None) -> None:
        _check_settings(public_key, private_key, webhook_token, base_url, concurrency)
        self.base_url = base_url.rstrip("/") + "/"
        self.project_id, self.concurrency = project_id, concurrency
        self._public, self._private, self._token, self._timeout = public_key, private_key, webhook_token, timeout
        self._use_client(http_client, limits=httpx.Limits(max_connections=max(concurrency, 10),
                                                          max_keepalive_connections=concurrency))
        # UCloud pushes only to a URL its support registered, with our token in it; without a
        # token, receipts are pulled (and SMSBOT_RECEIPTS=auto does so).
        self.receipts = frozenset({"push", "pull"}) if webhook_token else frozenset({"pull"})

    def __repr__(self) -> str:  # never the private key nor the token
        return f"UCloudProvider(base_url={self.base_url!r}, project_id={self.project_id!r})"

    # --- sending ------------------------------------------------------------------------
    async def submit(self, messages: Sequence[OutgoingMessage]) -> list[SubmitResult]:
        results: list[SubmitResult | None] = [None] * len(messages)
        sendable = []
        for index, message in enumerate(messages):
            if (refusal := _refusal(message)) is not None:
                results[index] = refusal
            else:
                sendable.append((index, message))
        calls = [send_call(entries, self.project_id) for entries in pack(sendable)]
        semaphore = self._semaphore()
        for answered in await asyncio.gather(*(self._send(call, semaphore) for call in calls)):
            for index, result in answered:
                results[index] = result
        return results  # type: ignore[return-value]


    async def _post(self, params: dict) -> httpx.Response:
        return await self._client.post(self.base_url, data=signed_form(params, self._public, self._private),
                                       timeout=self._timeout)

    async def _send(self, call: Call, semaphore: asyncio.Semaphore) -> list[tuple[int, SubmitResult]]:
        async with semaphore:
            try:
                response = await self._post(call.params)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                return every_result(call.entries, Verdict(SubmitStatus.transient, "connection_failed", describe_error(error)))
            except httpx.HTTPError as error:
                # Read timeout, cut connection...: UCloud may have sent them; only receipts can tell.
                return every_result(call.entries, Verdict(SubmitStatus.unknown, "no_answer", describe_error(error)))
        answer = send_answer(response.status_code, response.content, response.headers.get("Retry-After"))
        if answer.whole is not None or answer.refused:
            # Counts and codes only: neither numbers nor secrets go to the log.
            log.warning("ucloud: %s of %d numbers refused (HTTP %d, %s)", len(answer.refused) or len(call.entries),
                        len(call.entries), response.status_code, answer.whole.error_code if answer.whole else "some")
        return _results(call, answer)

    # --- receipts by pull ---------------------------------------------------------------
    async def query_receipts(self, sent: Sequence[SentRef]) -> list[Receipt]:
        """The receipts UCloud has for these messages (by their batches' `SessionNo`); a message
        with none yet is left out."""
        asked = {ref.client_ref for ref in sent}
        sessions = sorted({ref.provider_id.rpartition("/")[0] for ref in sent if ref.provider_id})
        receipts = []
        for start in range(0, len(sessions), MAX_SESSIONS):
            receipts += await self._receipts_of(sessions[start:start + MAX_SESSIONS])
        return [receipt for receipt in receipts if receipt.client_ref in asked]

    async def _receipts_of(self, sessions: list[str]) -> list[Receipt]:
        try:
            response = await self._post(receipt_query(sessions, self.project_id))
        except httpx.HTTPError as error:
            log.warning("ucloud: receipts could not be asked for (%s)", type(error).__name__)
            return []
        body = read_body(response.content) or {}
        if body.get("RetCode") != 0:
            log.warning("ucloud: receipts refused (HTTP %d, RetCode %s)", response.status_code, body.get("RetCode"))
            return []
        return [receipt for session in body.get("Data") or [] if isinstance(session, dict)
                for item in session.get("ReceiptSet") or [] if isinstance(item, dict)
                if (receipt := receipt_from(item, session.get("SessionNo"))) is not None]

    # --- webhooks -----------------------------------------------------------------------
    def verify_webhook(self, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        """Without a token (receipts pulled only), no push is taken."""
        return self._token is not None and token_matches(url, self._token)

    def parse_receipts(self, body: bytes, headers: Mapping[str, str], url: str = "") -> list[Receipt]:
        push = _push(body)
        if push.get("MsgType") != STATUS_REPORT:
            return []
        return [receipt for item in push.get("Data") or [] if isinstance(item, dict)
                if (receipt := receipt_from(item, item.get("SessionNo"))) is not None]

    def parse_inbound(self, body: bytes, headers: Mapping[str, str], url: str = "") -> list[InboundMessage]:
        push = _push(body)
        if push.get("MsgType") != REPLY:
            return []
        return [InboundMessage(phone, str(item.get("ReplyContent") or ""), _reply_time(item.get("ReplyTime")))
                for item in push.get("Data") or [] if isinstance(item, dict)
                if (phone := to_e164(item.get("Phone"))) is not None]

    def webhook_answer(self) -> tuple[int, bytes, str]:
        return PUSH_ANSWER


def _push(body: bytes) -> dict:
    try:
        push = json.loads(body)
    except ValueError:
        raise ValueError("not a UCloud push") from None
    if not isinstance(push, dict):
        raise ValueError("not a UCloud push")
    return push


def _reply_time(value: object) -> datetime:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) else datetime.now(UTC)


def _check_settings(public_key: str, private_key: str, webhook_token: str | None, base_url: str,
                    concurrency: int) -> None:
    named = (("public_key", public_key), ("private_key", private_key), ("base_url", base_url))
    if missing := [name for name, value in named if not value]:
        raise ProviderError(f"ucloud provider: {', '.join(missing)} must be set")
    if webhook_token is not None and len(webhook_token) < MIN_TOKEN_LENGTH:
        raise ProviderError(f"ucloud provider: webhook_token must be a long random secret (at least "
                            f"{MIN_TOKEN_LENGTH} characters): UCloud's pushes carry no signature")
    if not base_url.startswith(("http://", "https://")):
        raise ProviderError("ucloud provider: base_url must be an http(s) URL")
    if concurrency < 1:
        raise ProviderError(f"ucloud provider: concurrency must be at least 1, not {concurrency}")


def _refusal(message: OutgoingMessage) -> SubmitResult | None:
    """Why a message cannot go to UCloud at all, before any request."""
    if (refusal := text_template_refusal(message, "UCloud")) is not None:
        return refusal
    if len(message.client_ref) > MAX_USER_ID:
        return rejected(message, "reference_too_long", "Our reference does not fit UCloud's UserId")
    return None


def _results(call: Call, answer: SendAnswer) -> list[tuple[int, SubmitResult]]:
    """A number UCloud refused is rejected; the others were taken when it answered a `SessionNo`,
    and were not (nothing to wait for) when it took none."""
    if answer.whole is not None:
        return every_result(call.entries, answer.whole)
    results = []
    for index, message in call.entries:
        refused = answer.refused.get(message.client_ref)
        if refused is not None:
            results.append((index, SubmitResult(message.client_ref, refused.status, None, refused.error_code,
                                                refused.error_message)))
        elif answer.session_no:
            results.append((index, SubmitResult(message.client_ref, SubmitStatus.accepted,
                                                provider_id(answer.session_no, message.phone))))
        elif answer.refused:  # it refused some and took none: the rest were never sent
            results.append((index, SubmitResult(message.client_ref, SubmitStatus.transient, None, "not_taken",
                                                "UCloud took none of the batch's numbers")))
        else:  # success without a session: nothing says what became of them
            results.append((index, SubmitResult(message.client_ref, SubmitStatus.unknown, None, "no_session",
                                                "UCloud answered without a SessionNo")))
    return results

