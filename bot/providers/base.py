"""The one SMS provider interface: the data that crosses it and the Protocol itself.

Pure data, no I/O. The dispatcher hands `OutgoingMessage`s to `SmsProvider.submit` and
records one `SubmitResult` per message; the webhook endpoint (`/webhooks/sms/<provider>`)
checks `verify_webhook` first, then turns the body into `Receipt`s and `InboundMessage`s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

MESSAGE_KINDS = ("text", "digital", "card")


class ProviderError(Exception):
    """A provider is configured wrongly (missing credentials, impossible ratios...)."""


@dataclass(frozen=True)
class OutgoingMessage:
    client_ref: str  # our unique id for this send to this recipient; echoed in results and receipts
    phone: str  # E.164
    text: str  # the full message as sent, signature included
    kind: str = "text"  # "text" | "digital" | "card"
    card: dict[str, Any] | None = None  # title, image_url, buttons, default_link (card sends)
    fallback_text: str | None = None  # plain SMS if the card cannot be shown; None = no fallback

    def __post_init__(self) -> None:
        if self.kind not in MESSAGE_KINDS:
            raise ValueError(f"message kind must be one of {', '.join(MESSAGE_KINDS)}, not {self.kind!r}")


class SubmitStatus(StrEnum):
    accepted = "accepted"  # the provider took it; a receipt may follow
    rejected = "rejected"  # permanent: invalid number, blocked, opted out, card unsupported...
    throttled = "throttled"  # 429 / flow control: not processed, retry after `retry_after`
    transient = "transient"  # not processed (5xx, connection refused): safe to retry
    unknown = "unknown"  # may or may not have been processed (read timeout, cut connection)


@dataclass(frozen=True)
class SubmitResult:
    client_ref: str
    status: SubmitStatus
    provider_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    fell_back: bool = False  # the card was refused and the fallback text was sent instead
    retry_after: float | None = None  # seconds, for throttled results when the provider says


class ReceiptStatus(StrEnum):
    delivered = "delivered"
    failed = "failed"


@dataclass(frozen=True)
class Receipt:
    client_ref: str | None
    provider_id: str | None
    status: ReceiptStatus
    error_code: str | None
    error_message: str | None
    at: datetime  # aware, UTC


@dataclass(frozen=True)
class InboundMessage:
    phone: str  # E.164
    text: str
    at: datetime  # aware, UTC


@runtime_checkable
class SmsProvider(Protocol):
    name: str
    max_batch: int

    async def submit(self, messages: Sequence[OutgoingMessage]) -> list[SubmitResult]:
        """One result per message, in the same order. Never raises for HTTP or transport problems."""
        ...

    def verify_webhook(self, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        """True when the request really comes from the provider (signature, freshness)."""
        ...

    def parse_receipts(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """The delivery receipts in a verified webhook body ([] if it carries none)."""
        ...

    def parse_inbound(self, body: bytes, headers: Mapping[str, str]) -> list[InboundMessage]:
        """The inbound messages (replies, STOP) in a verified webhook body ([] if none)."""
        ...

    async def aclose(self) -> None: ...
