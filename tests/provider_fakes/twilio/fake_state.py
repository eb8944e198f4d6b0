"""The fake Twilio's knobs (`FakeTwilioConfig`) and what it has seen (`FakeTwilioState`).

The state is read from any thread (tests run the fake's server in a thread of its own).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.providers.base import ProviderError
from bot.providers.twilio.codes import UNDELIVERED_CODES


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeTwilioConfig:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-twilio-auth-token"
    # The account's own number: the To of incoming messages, the From of Messaging Service sends.
    twilio_number: str = "+15005550006"
    # Outcomes of created messages; the rest (1 - all three) stays `sent`, with no final callback.
    deliver_ratio: float = 0.95
    undeliver_ratio: float = 0.05  # `undelivered` with an ErrorCode drawn from `undelivered_codes`
    fail_ratio: float = 0.0  # `failed` (never sent) with ErrorCode 30008
    undelivered_codes: tuple[int, ...] = UNDELIVERED_CODES
    sent_latency: float = 0.0  # seconds from the create to the `sent` callback
    receipt_latency: tuple[float, float] = (0.2, 1.0)  # seconds from `sent` to the final callback, uniform
    # REST concurrency: a create or fetch arriving while this many are in flight gets 429 / 20429. 0 = no limit.
    max_concurrent_requests: int = 0
    retry_after_seconds: int | None = None  # sent as Retry-After with a 429 (Twilio does not promise one)
    processing_seconds: float = 0.0  # how long each create or fetch takes, so that requests overlap
    error_5xx_ratio: float = 0.0  # creates answered 500 / 20500 without being processed
    fetch_error_5xx_ratio: float = 0.0  # fetches of a message answered 500 / 20500
    queue_full_ratio: float = 0.0  # creates answered 400 / 21611 (the From queue is full), not processed
    hang_ratio: float = 0.0  # creates processed, then answered only after `hang_seconds`
    hang_seconds: float = 30.0
    landlines: frozenset[str] = frozenset()  # To numbers answered 400 / 21614 (not a mobile number)
    opted_out: frozenset[str] = frozenset()  # numbers that opted out before the fake started
    inbound_url: str | None = None  # the account number's incoming-message webhook
    post_status_callbacks: bool = True  # False: no callback is posted; statuses are only fetched
    # What a fetch reads a message's status at: the latencies above count from its creation by
    # this clock (tests whose bot has a clock of its own share it).
    clock: Callable[[], datetime] = utc_now
    seed: int | str | None = None  # None = not reproducible
    callback_retry_delays: tuple[float, ...] = (0.2, 0.5)  # back-off between attempts of one post
    callback_timeout: float = 5.0

    def __post_init__(self) -> None:
        self.landlines = frozenset(self.landlines)
        self.opted_out = frozenset(self.opted_out)
        self.receipt_latency = tuple(self.receipt_latency)  # type: ignore[assignment]
        self.validate()

    def validate(self) -> None:
        ratios = ("deliver_ratio", "undeliver_ratio", "fail_ratio", "error_5xx_ratio", "queue_full_ratio", "hang_ratio",
                  "fetch_error_5xx_ratio")
        for name in ratios:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ProviderError(f"fake twilio: {name} must be between 0 and 1, not {value}")
        if self.deliver_ratio + self.undeliver_ratio + self.fail_ratio > 1.0 + 1e-9:
            raise ProviderError("fake twilio: deliver_ratio + undeliver_ratio + fail_ratio must not exceed 1")
        if self.error_5xx_ratio + self.queue_full_ratio + self.hang_ratio > 1.0 + 1e-9:
            raise ProviderError("fake twilio: error_5xx_ratio + queue_full_ratio + hang_ratio must not exceed 1")
        low, high = self.receipt_latency
        if not 0.0 <= low <= high or self.sent_latency < 0:
            raise ProviderError("fake twilio: latencies must not be negative, and receipt_latency is (low, high)")
        if self.max_concurrent_requests < 0 or self.processing_seconds < 0 or self.hang_seconds < 0:
            raise ProviderError("fake twilio: limits and delays must not be negative")
        if not self.undelivered_codes:
            raise ProviderError("fake twilio: undelivered_codes must not be empty")
        if not self.account_sid or not self.auth_token:
            raise ProviderError("fake twilio: account_sid and auth_token must not be empty")


@dataclass(frozen=True)
class CreatedMessage:
    sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    media_urls: tuple[str, ...]
    status_callback: str | None
    outcome: str  # delivered | undelivered | failed | sent (no final callback)
    error_code: int | None
    created_at: datetime  # by the config's clock
    sent_after: float  # seconds from the creation to `sent`
    final_after: float  # seconds from `sent` (from the creation, for `failed`) to the final status

    def timeline(self) -> list[tuple[float, str]]:
        """(seconds after creation, status) of each status the message takes, in order."""
        first = "accepted" if self.messaging_service_sid else "queued"
        if self.outcome == "failed":  # failed = never left Twilio: no `sent` before it
            return [(0.0, first), (self.sent_after + self.final_after, "failed")]
        steps = [(0.0, first), (self.sent_after, "sent")]
        if self.outcome in ("delivered", "undelivered"):
            steps.append((self.sent_after + self.final_after, self.outcome))
        return steps

    def status_at(self, now: datetime) -> tuple[str, datetime]:
        """The status at `now`, and when the message took it."""
        elapsed = (now - self.created_at).total_seconds()
        reached = [step for step in self.timeline() if step[0] <= elapsed] or self.timeline()[:1]
        after, status = reached[-1]
        return status, self.created_at + timedelta(seconds=after)


@dataclass
class FakeTwilioState:
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _creates_per_to: Counter[str] = field(default_factory=Counter)
    _messages: list[CreatedMessage] = field(default_factory=list)
    _by_sid: dict[str, CreatedMessage] = field(default_factory=dict)
    _opted_out: set[str] = field(default_factory=set)
    _last_form: list[tuple[str, str]] = field(default_factory=list)
    _in_flight: int = 0
    max_in_flight: int = 0  # the most creates and fetches ever in flight at once (throttled ones included)
    requests: int = 0  # create requests that passed authentication
    fetches: int = 0  # fetches of one message that passed authentication and the limits
    failed_fetches: int = 0  # answered 5xx on purpose
    unauthorized_requests: int = 0
    throttled_requests: int = 0  # 429 / 20429
    failed_requests: int = 0  # answered 5xx on purpose
    queue_full_requests: int = 0  # answered 21611 on purpose
    hung_requests: int = 0
    rejected_creates: int = 0  # answered 400 after validation
    callbacks_posted: int = 0
    callback_failures: int = 0  # failed attempts
    callbacks_dropped: int = 0  # given up after the retries
    inbound_posted: int = 0

    # --- written by the fake ----------------------------------------------------------
    def enter(self) -> int:
        """One more request (create or fetch) in flight; returns how many are now in flight."""
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return self._in_flight

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def record_create(self, to: str, form: list[tuple[str, str]]) -> None:
        """A create that got past authentication and the limits, whatever its answer."""
        with self._lock:
            self._creates_per_to[to] += 1
            self._last_form = list(form)

    def record_message(self, message: CreatedMessage) -> None:
        with self._lock:
            self._messages.append(message)
            self._by_sid[message.sid] = message

    def add(self, counter: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + amount)

    def opt_out(self, phone: str) -> None:
        with self._lock:
            self._opted_out.add(phone)

    def opt_in(self, phone: str) -> None:
        with self._lock:
            self._opted_out.discard(phone)

    # --- read by anyone ---------------------------------------------------------------
    def is_opted_out(self, phone: str) -> bool:
        with self._lock:
            return phone in self._opted_out

    def creates_for(self, to: str) -> int:
        """How many create requests named this To (answered 201 or 400)."""
        with self._lock:
            return self._creates_per_to[to]

    def creates_per_to(self) -> dict[str, int]:
        with self._lock:
            return dict(self._creates_per_to)

    @property
    def total_creates(self) -> int:
        with self._lock:
            return sum(self._creates_per_to.values())

    def messages(self) -> list[CreatedMessage]:
        with self._lock:
            return list(self._messages)

    def message(self, sid: str) -> CreatedMessage | None:
        with self._lock:
            return self._by_sid.get(sid)

    def last_form(self) -> list[tuple[str, str]]:
        """The last processed create request's form fields, repeated names kept, in order."""
        with self._lock:
            return list(self._last_form)

    def last_form_values(self, name: str) -> list[str]:
        return [value for key, value in self.last_form() if key == name]
