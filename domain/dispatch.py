"""Pure rules of sending: each recipient's text, what a provider's answer means for it, when
to try again, and the vocabulary of a send (a claim, an outcome, a receipt), which storage maps
to rows."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime, timedelta

from domain.applications import Application
from domain.content import PLACEHOLDER, Purpose, render, template_variables
from domain.i18n import N_, _, number
from domain.provider_errors import refusal_in_words
from domain.segments import SignatureStyle, compose
from storage.statuses import INTERRUPTED, RecipientStatus

MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0


@dataclass(frozen=True)
class Claim:
    """A recipient claimed for sending, in flight under its dispatcher's lease."""

    id: int
    client_ref: str
    phone: str
    variables: list[str]
    attempts: int
    application_id: int | None = None  # None: no SMS application sends to its number


@dataclass(frozen=True)
class Outcome:
    """What the provider said about one claimed recipient."""

    id: int
    status: RecipientStatus  # submitted, failed, skipped, or pending (to retry)
    provider_id: str | None = None
    error_code: str | None = None
    reason: str | None = None
    next_attempt_at: datetime | None = None
    fell_back: bool = False


@dataclass(frozen=True)
class LostSend:
    """A recipient in flight past its lease: its worker died between the claim and the answer."""

    id: int
    client_ref: str
    application_id: int | None = None


@dataclass(frozen=True)
class Settlement:
    """What the provider said of a lost send: never received (send it again), accepted (its
    receipt is to come) or rejected (failed, with the provider's reason)."""

    id: int
    fate: str
    provider_id: str | None = None
    error_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class AwaitingReceipt:
    """A message the provider took whose receipt has not come: to ask the provider about."""

    id: int
    client_ref: str
    provider_id: str | None
    phone: str
    campaign: str  # the task's id, as the dispatcher names its campaign
    submitted_at: datetime
    application_id: int | None = None


def ask_again_after(age: timedelta) -> timedelta:
    """A message is asked about again after a third of its age so far, between 5 s and 10 min:
    often while receipts usually come, rarely for the one that may never answer."""
    return min(max(age / 3, timedelta(seconds=5)), timedelta(minutes=10))


@dataclass(frozen=True)
class ReceiptUpdate:
    """A delivery receipt. Names its recipient by `client_ref`, else by (`task_id`, `phone`),
    else by `provider_id`."""

    client_ref: str | None
    provider_id: str | None
    status: RecipientStatus  # delivered or failed
    error_code: str | None
    reason: str | None
    at: datetime
    task_id: int | None = None
    phone: str | None = None


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


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

    def _pattern(self, body: str) -> str:
        """The composed message as a `str.format` pattern over the values by position: the
        same text as `_compose`, at a fraction of the cost for a million recipients."""
        index = {column: position for position, column in enumerate(self.columns)}
        pieces = PLACEHOLDER.split(body)  # literal, name, literal, name, ..., literal
        pattern = "".join(_escaped(piece) if i % 2 == 0 else
                          (f"{{{index[piece]}}}" if piece in index else _escaped(f"${{{piece}}}"))
                          for i, piece in enumerate(pieces))
        hint = self.optout_hint if self.purpose is Purpose.PROMOTIONAL else None
        return compose(pattern, signature=_escaped(self.signature), signature_style=self.style,
                       optout_hint=_escaped(hint) if hint else None)

    @cached_property
    def _text_pattern(self) -> str:
        return self._pattern(self.body)

    @cached_property
    def _fallback_pattern(self) -> str | None:
        return self._pattern(self.fallback_body) if self.fallback_body else None

    def text_for(self, values: Sequence[str]) -> str:
        if len(values) < len(self.columns):
            return self._compose(self.body, values)
        return self._text_pattern.format(*values)

    def fallback_for(self, values: Sequence[str]) -> str | None:
        if self._fallback_pattern is None:
            return None
        if len(values) < len(self.columns):
            return self._compose(self.fallback_body, values)
        return self._fallback_pattern.format(*values)

    @cached_property
    def template_variables(self) -> tuple[str, ...]:
        """The template's variables in the order its body names them (positional parameters)."""
        return tuple(template_variables(self.body))

    def params_for(self, values: Sequence[str]) -> dict[str, str]:
        """The template's variables by name, for a provider that renders the template itself."""
        return dict(zip(self.columns, values))


@dataclass(frozen=True)
class Verdict:
    """What to record for one recipient after the provider answered."""

    status: RecipientStatus  # submitted, failed, pending (try again at retry_at)
    reason: str | None = None
    retry_at: datetime | None = None


def backoff(attempt: int, rng: random.Random) -> float:
    """Exponential back-off with full jitter, capped."""
    return rng.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)))


SUBMITTED = Verdict(RecipientStatus.submitted)
# A recipient's reasons when the provider gave none of its own, or the tries ran out: stored in
# English, said in the reader's language by `reason_in_words`.
REJECTED_BY_PROVIDER = N_("rejected by the provider")
GAVE_UP = N_("gave up after {attempts} attempts: {error}")
_GAVE_UP = re.compile(r"gave up after (\d+) attempts: (.*)", re.S)
# Storage's own reasons (storage.statuses, which queries look for) are marked here, where they
# are translated: storage holds no words for people.
STORAGE_REASONS = (N_("outcome unknown after interruption"), N_("no receipt"))


def judge(status: str, *, attempts: int, now: datetime, error: str | None, retry_after: float | None,
          rng: random.Random) -> Verdict:
    """`status` is the provider's: accepted, rejected, throttled, transient or unknown."""
    if status == "accepted":
        return SUBMITTED
    if status == "rejected":
        return Verdict(RecipientStatus.failed, error or REJECTED_BY_PROVIDER)
    if status == "unknown":
        # The request may have been processed: never resent on its own; a receipt may settle it.
        return Verdict(RecipientStatus.failed, INTERRUPTED)
    if status == "throttled":
        # Not processed, and no fault of the number's: waits as long as the provider asks, never
        # gives up on it (a send throttled for too long is paused as a whole instead).
        return Verdict(RecipientStatus.pending, error or status,
                       now + timedelta(seconds=retry_after or backoff(1, rng)))
    if attempts >= MAX_ATTEMPTS:
        return Verdict(RecipientStatus.failed, GAVE_UP.format(attempts=attempts, error=error or status))
    return Verdict(RecipientStatus.pending, error or status, now + timedelta(seconds=backoff(attempts, rng)))


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
        def count(status: RecipientStatus) -> int:
            return counts.get(status, 0)

        S = RecipientStatus
        return cls(total=sum(counts.values()), pending=count(S.pending), in_flight=count(S.in_flight),
                   submitted=count(S.submitted), delivered=count(S.delivered), failed=count(S.failed),
                   skipped=count(S.skipped))

    @property
    def sent_to_carrier(self) -> int:
        """Sent = delivered + failed + awaiting receipt: every recipient whose send was attempted."""
        return self.submitted + self.delivered + self.failed

    @property
    def done(self) -> bool:
        return self.pending == 0 and self.in_flight == 0

    @property
    def final(self) -> bool:
        """Every recipient has its last word: nothing to send, nothing awaiting a receipt."""
        return self.done and self.submitted == 0

    @property
    def all_failed(self) -> bool:
        """Messages were sent, and every one of them failed (the skipped ones were never sent)."""
        return self.final and self.sent_to_carrier > 0 and self.failed == self.sent_to_carrier


@dataclass(frozen=True)
class Route:
    """One application a task's messages go through, and the plan of its messages there: the
    same text, under the template's codes at its provider."""

    application: Application
    plan: MessagePlan


# Why a recipient was skipped or failed: stored in English, translated where shown (`reason_in_words`).
NO_APPLICATION = N_("no SMS application sends to this number")


def reason_in_words(reason: str | None) -> str:
    """A stored reason (a recipient's, or a task's) in the reader's language: ours are stored in
    English and translated here; a provider's or a person's own words are kept as they are."""
    if not reason:
        return ""
    if (refusal := refusal_in_words(reason)) is not None:
        return refusal
    if gave_up := _GAVE_UP.fullmatch(reason):
        return _(GAVE_UP, attempts=number(int(gave_up[1])), error=reason_in_words(gave_up[2]))
    return _(reason)
