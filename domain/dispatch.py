"""Pure rules of sending: each recipient's text, what a provider's answer means for it, and
when to try again."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.content import Purpose, render
from domain.segments import SignatureStyle, compose

MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0
OUTCOME_UNKNOWN = "outcome unknown after interruption"


@dataclass(frozen=True)
class MessagePlan:
    """How every recipient's message of a task is put together."""

    body: str
    signature: str
    purpose: Purpose
    style: SignatureStyle
    optout_hint: str
    columns: Sequence[str]
    kind: str = "text"
    card: dict | None = None  # title, image_url, buttons, default_link: the same for every recipient
    fallback_body: str | None = None  # a card's fallback template, when it has one
    media_urls: tuple[str, ...] = ()  # digital
    # For providers that send templates registered with them rather than our text:
    template_name: str = ""
    template_code: str | None = None
    fallback_kind: str | None = None  # card: text, digital, or None for no fallback
    fallback_template_name: str | None = None
    fallback_template_code: str | None = None

    def _compose(self, body: str, values: Sequence[str]) -> str:
        hint = self.optout_hint if self.purpose is Purpose.PROMOTIONAL else None
        return compose(render(body, dict(zip(self.columns, values))), signature=self.signature,
                       signature_style=self.style, optout_hint=hint)

    def text_for(self, values: Sequence[str]) -> str:
        return self._compose(self.body, values)

    def fallback_for(self, values: Sequence[str]) -> str | None:
        return self._compose(self.fallback_body, values) if self.fallback_body else None

    def params_for(self, values: Sequence[str]) -> dict[str, str]:
        """The template's variables by name, for a provider that renders the template itself."""
        return dict(zip(self.columns, values))


@dataclass(frozen=True)
class Verdict:
    """What to record for one recipient after the provider answered."""

    status: str  # submitted, failed, pending (try again at retry_at)
    reason: str | None = None
    retry_at: datetime | None = None


def backoff(attempt: int, rng: random.Random) -> float:
    """Exponential back-off with full jitter, capped."""
    return rng.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)))


SUBMITTED = Verdict("submitted")


def judge(status: str, *, attempts: int, now: datetime, error: str | None, retry_after: float | None,
          rng: random.Random) -> Verdict:
    """`status` is the provider's: accepted, rejected, throttled, transient or unknown."""
    if status == "accepted":
        return SUBMITTED
    if status == "rejected":
        return Verdict("failed", error or "rejected by the provider")
    if status == "unknown":
        # The request may have been processed: never resent on its own; a receipt may settle it.
        return Verdict("failed", OUTCOME_UNKNOWN)
    if status == "throttled":
        # Not processed, and no fault of the number's: waits as long as the provider asks, never
        # gives up on it (a send throttled for too long is paused as a whole instead).
        return Verdict("pending", error or status, now + timedelta(seconds=retry_after or backoff(1, rng)))
    if attempts >= MAX_ATTEMPTS:
        return Verdict("failed", f"gave up after {attempts} attempts: {error or status}")
    return Verdict("pending", error or status, now + timedelta(seconds=backoff(attempts, rng)))


@dataclass(frozen=True)
class Progress:
    total: int
    pending: int
    in_flight: int
    submitted: int  # accepted by the carrier, no receipt yet
    delivered: int
    failed: int
    skipped: int

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> Progress:
        return cls(total=sum(counts.values()), pending=counts.get("pending", 0), in_flight=counts.get("in_flight", 0),
                   submitted=counts.get("submitted", 0), delivered=counts.get("delivered", 0),
                   failed=counts.get("failed", 0), skipped=counts.get("skipped", 0))

    @property
    def sent_to_carrier(self) -> int:
        """Sent = delivered + failed + awaiting receipt: every recipient whose send was attempted."""
        return self.submitted + self.delivered + self.failed

    @property
    def done(self) -> bool:
        return self.pending == 0 and self.in_flight == 0
