"""`SimulatorProvider`: the `SmsProvider` that talks to the simulator gateway over httpx."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from bot.providers.base import (
    InboundMessage,
    OutgoingMessage,
    ProviderError,
    Receipt,
    ReceiptStatus,
    SentRef,
    SubmitCheck,
    SubmitFate,
    SubmitResult,
    SubmitStatus,
)
from bot.providers.http_client import HttpClientOwner, describe_error
from bot.providers.simulator import signing
from bot.providers.simulator.config import MAX_BATCH


class SimulatorProvider(HttpClientOwner):
    name = "simulator"
    max_batch = MAX_BATCH
    uses_registered_templates = False
    receipts = frozenset({"push", "pull"})

    def __init__(
        self,
        base_url: str,
        api_key: str,
        webhook_secret: str,
        *,
        timeout: float = 10.0,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        max_webhook_age: float = signing.MAX_AGE_SECONDS,
    ) -> None:
        if not base_url or not api_key or not webhook_secret:
            raise ProviderError("simulator provider: base_url, api_key and webhook_secret are required")
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._secret = webhook_secret
        self._timeout = timeout
        self._use_client(http_client)
        self._clock = clock
        self._max_age = max_webhook_age


    # --- sending ------------------------------------------------------------------------
    async def submit(self, messages: Sequence[OutgoingMessage]) -> list[SubmitResult]:
        results: list[SubmitResult] = []
        for start in range(0, len(messages), self.max_batch):
            results.extend(await self._submit_batch(messages[start : start + self.max_batch]))
        return results

    async def _submit_batch(self, batch: Sequence[OutgoingMessage]) -> list[SubmitResult]:
        payload = orjson.dumps({"messages": [_wire(message) for message in batch]})
        try:
            response = await self._client.post(
                self.base_url + "/v1/messages",
                content=payload,
                headers={"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json"},
                timeout=self._timeout,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            # The request never left: nothing was processed.
            return _all(batch, SubmitStatus.transient, "connection_failed", describe_error(error))
        except httpx.HTTPError as error:
            # Read/write timeout, cut connection...: the gateway may have processed the batch.
            return _all(batch, SubmitStatus.unknown, "no_answer", describe_error(error))
        return _from_response(batch, response)

    # --- asking the gateway (receipts by pull, lost answers) -----------------------------
    async def query_receipts(self, sent: Sequence[SentRef]) -> list[Receipt]:
        """The receipts that are in for these messages (none yet for the others)."""
        receipts = []
        for item in await self._query([s.client_ref for s in sent]):
            receipt = item.get("receipt")
            if isinstance(receipt, dict) and receipt.get("status") in set(ReceiptStatus):
                receipts.append(Receipt(client_ref=item["ref"], provider_id=item.get("id"),
                                        status=ReceiptStatus(receipt["status"]), error_code=receipt.get("error_code"),
                                        error_message=receipt.get("error_message"),
                                        at=_parse_time(receipt.get("at"))))
        return receipts

    async def check_submissions(self, refs: Sequence[str]) -> list[SubmitCheck]:
        """What the gateway did with requests whose answer was lost; a ref it was not asked about
        successfully is left out (its fate stays unknown)."""
        fates = {"unknown": SubmitFate.never_received, "accepted": SubmitFate.accepted,
                 "rejected": SubmitFate.rejected}
        return [SubmitCheck(item["ref"], fates[item["status"]], item.get("id"), item.get("error_code"))
                for item in await self._query(list(refs)) if item.get("status") in fates]

    async def _query(self, refs: list[str]) -> list[dict]:
        """Answers for every ref asked, in batches; a batch the gateway did not answer is left out."""
        answers: list[dict] = []
        for start in range(0, len(refs), self.max_batch):
            try:
                response = await self._client.post(
                    self.base_url + "/v1/messages/query", content=orjson.dumps({"refs": refs[start:start + self.max_batch]}),
                    headers={"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json"},
                    timeout=self._timeout)
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                answers.extend(item for item in orjson.loads(response.content).get("messages", [])
                               if isinstance(item, dict) and isinstance(item.get("ref"), str))
        return answers

    # --- webhooks -----------------------------------------------------------------------
    def verify_webhook(self, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        return signing.verify(self._secret, headers, body, now=self._clock(), max_age=self._max_age)

    def parse_receipts(self, body: bytes, headers: Mapping[str, str] | None = None, url: str = "") -> list[Receipt]:
        receipts = []
        for item in _items(body, "receipts"):
            try:
                status = ReceiptStatus(item.get("status"))
            except ValueError:
                continue  # a status we do not know is not a final state
            receipts.append(
                Receipt(
                    client_ref=item.get("ref"),
                    provider_id=item.get("id"),
                    status=status,
                    error_code=item.get("error_code"),
                    error_message=item.get("error_message"),
                    at=_parse_time(item.get("at")),
                )
            )
        return receipts

    def webhook_answer(self) -> tuple[int, bytes, str]:
        return 200, b'{"ok": true}', "application/json"

    def parse_inbound(self, body: bytes, headers: Mapping[str, str] | None = None, url: str = "") -> list[InboundMessage]:
        return [
            InboundMessage(phone=item["from"], text=item.get("text") or "", at=_parse_time(item.get("at")))
            for item in _items(body, "inbound")
            if isinstance(item.get("from"), str)
        ]


def _wire(message: OutgoingMessage) -> dict[str, Any]:
    return {
        "ref": message.client_ref,
        "to": message.phone,
        "text": message.text,
        "kind": message.kind,
        "card": message.card,
        "fallback_text": message.fallback_text,
    }



def _all(
    batch: Sequence[OutgoingMessage], status: SubmitStatus, code: str, message: str, retry_after: float | None = None
) -> list[SubmitResult]:
    return [
        SubmitResult(m.client_ref, status, None, code, message, retry_after=retry_after) for m in batch
    ]


def _from_response(batch: Sequence[OutgoingMessage], response: httpx.Response) -> list[SubmitResult]:
    status = response.status_code
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if status == 429:
        return _all(batch, SubmitStatus.throttled, "rate_limited", "HTTP 429", _retry_after(response))
    if status >= 500:
        return _all(batch, SubmitStatus.transient, error or f"http_{status}", f"HTTP {status}")
    if status in (401, 403):
        # Our credentials are wrong: nothing was sent, and the recipients are not at fault.
        return _all(batch, SubmitStatus.transient, "unauthorized", f"HTTP {status}: check the simulator API key")
    if status != 200:
        return _all(batch, SubmitStatus.rejected, error or f"http_{status}", f"HTTP {status}")
    items = body.get("results") if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) != len(batch):
        return _all(batch, SubmitStatus.unknown, "bad_answer", "the gateway's answer does not match the request")
    results = []
    for message, item in zip(batch, items):
        if not isinstance(item, dict) or item.get("ref") != message.client_ref:
            results.append(SubmitResult(message.client_ref, SubmitStatus.unknown, None, "bad_answer", "ref mismatch"))
            continue
        accepted = item.get("status") == "accepted"
        results.append(
            SubmitResult(
                client_ref=message.client_ref,
                status=SubmitStatus.accepted if accepted else SubmitStatus.rejected,
                provider_id=item.get("id"),
                error_code=item.get("error_code"),
                error_message=item.get("error_message"),
                fell_back=bool(item.get("fell_back")),
            )
        )
    return results


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _items(body: bytes, key: str) -> list[dict[str, Any]]:
    """The list under `key` in a JSON webhook body; ValueError if the body is not JSON."""
    payload = orjson.loads(body)
    items = payload.get(key) if isinstance(payload, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _parse_time(value: object) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None:
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return datetime.now(UTC)
