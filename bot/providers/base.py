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
FALLBACK_KINDS = ("text", "digital")


class ProviderError(Exception):
    """A provider is configured wrongly (missing credentials, impossible ratios...)."""


@dataclass(frozen=True)
class RegisteredContent:
    """What a provider that sends templates registered with it (Alibaba Cloud) needs instead of
    our rendered text. The same object for every message of a task."""

    sign_name: str  # the signature's name, registered with the provider
    template_name: str  # ours, to name it in error messages
    template_code: str | None  # the template's code at the provider; None = not registered there
    fallback_kind: str | None = None  # card sends: "text" | "digital" | None (no fallback)
    fallback_template_name: str | None = None
    fallback_template_code: str | None = None
    # The template's ${variables} in the order its body names them, for providers whose template
    # parameters go by position (Huawei Cloud), not by name.
    variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutgoingMessage:
    client_ref: str  # our unique id for this send to this recipient; echoed in results and receipts
    phone: str  # E.164
    text: str  # the full message as sent, signature included
    kind: str = "text"  # "text" | "digital" | "card"
    card: dict[str, Any] | None = None  # title, image_url, buttons, default_link (card sends)
    fallback_text: str | None = None  # plain SMS if the card cannot be shown; None = no fallback
    # Groups the messages of one task: a phone appears at most once in a campaign, so
    # (campaign, phone) names a recipient for providers whose receipts carry nothing finer.
    campaign: str | None = None
    media_urls: tuple[str, ...] = ()  # digital sends: pictures or video (MMS)
    # Set only for providers with `uses_registered_templates`: the template's variables for
    # this recipient, and the registered content they fill.
    params: Mapping[str, str] | None = None
    registered: RegisteredContent | None = None

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
    """Names its recipient by `client_ref`, else by `provider_id`, else by (`campaign`, `phone`)."""

    client_ref: str | None
    provider_id: str | None
    status: ReceiptStatus
    error_code: str | None
    error_message: str | None
    at: datetime  # aware, UTC
    campaign: str | None = None
    phone: str | None = None  # E.164


@dataclass(frozen=True)
class SentRef:
    """A message the provider took, still awaiting its receipt: what a provider that can be
    asked (receipts by pull) needs to find it."""

    client_ref: str
    provider_id: str | None
    phone: str  # E.164
    campaign: str | None
    submitted_at: datetime  # aware, UTC


class SubmitFate(StrEnum):
    """What became of a request whose answer was lost (its worker died mid-request)."""

    never_received = "never_received"  # safe to send again
    accepted = "accepted"
    rejected = "rejected"


@dataclass(frozen=True)
class SubmitCheck:
    client_ref: str
    fate: SubmitFate
    provider_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    phone: str  # E.164
    text: str
    at: datetime  # aware, UTC


@runtime_checkable
class SmsProvider(Protocol):
    name: str
    max_batch: int  # messages per `submit` call the dispatcher may hand over at once
    # True: messages must carry `params` and `registered` (the provider renders the text itself).
    uses_registered_templates: bool
    # How receipts come: "push" (to /webhooks/sms/<name>), "pull" (`query_receipts`), or both.
    # A provider that pulls implements `query_receipts(sent: Sequence[SentRef]) -> list[Receipt]`;
    # one that can tell what became of a lost request, `check_submissions(refs) -> list[SubmitCheck]`
    # (a ref it cannot tell about is left out).
    receipts: frozenset[str]

    async def submit(self, messages: Sequence[OutgoingMessage]) -> list[SubmitResult]:
        """One result per message, in the same order. Never raises for HTTP or transport problems."""
        ...

    def verify_webhook(self, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        """True when the request really comes from the provider (signature, freshness, secret
        token). `url` is the full URL the provider called (the public one, query included)."""
        ...

    def parse_receipts(self, body: bytes, headers: Mapping[str, str], url: str = "") -> list[Receipt]:
        """The delivery receipts in a verified webhook body ([] if it carries none)."""
        ...

    def parse_inbound(self, body: bytes, headers: Mapping[str, str], url: str = "") -> list[InboundMessage]:
        """The inbound messages (replies, STOP) in a verified webhook body ([] if none)."""
        ...

    def webhook_answer(self) -> tuple[int, bytes, str]:
        """Status, body and content type a verified webhook is answered with."""
        ...

    async def aclose(self) -> None: ...
