"""The Alibaba fake's knobs (`FakeAlibabaConfig`) and what it has seen and done (`FakeAlibabaState`).

The state is read from any thread (tests run the fake in a server thread) and counts every
number sent, so that a test can prove that nothing went out twice.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.providers.alibaba.signing import TIMESTAMP_VALIDITY_SECONDS
from bot.providers.base import ProviderError

DEFAULT_ACCESS_KEYS = {"fake-access-key-id": "fake-access-key-secret"}
FLOW_WINDOWS = ("minute", "hour", "day")

# (err_code, err_msg) of failed SmsReport items, in the style of carriers' gateway codes.
FAILURE_REASONS: tuple[tuple[str, str], ...] = (
    ("UNDELIV", "消息无法投递 (undeliverable)"),
    ("MK:0001", "运营商网关错误 (carrier gateway error)"),
    ("IC:0001", "运营商拦截 (blocked by the carrier)"),
    ("MN:0001", "空号 (number not in use)"),
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeAlibabaConfig:
    access_keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ACCESS_KEYS))  # id -> secret
    sign_names: frozenset[str] | None = None  # registered signatures; None = any
    template_codes: frozenset[str] | None = None  # registered text, card and digital codes; None = any
    template_variables: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> variables it needs
    card_refuse_ratio: float = 0.0  # share of numbers (stable per number) that cannot show cards
    # (window, permits): sends allowed per signature and number in a minute or hour (clock
    # windows, UTC+8) or a rolling day; beyond -> isv.BUSINESS_LIMIT_CONTROL.
    flow_control: tuple[str, int] | None = None
    forced_error: tuple[str, str] | None = None  # (Code, Message) every send call is refused with
    business_error_status: int = 200  # HTTP status of isv.* refusals (unconfirmed for the real API)
    fail_with_5xx: bool = False  # answer 503 without sending anything
    hang_seconds: float = 0.0  # > 0: send, then answer only after this long
    deliver_ratio: float = 0.9  # outcomes of sent messages; the rest never gets a receipt
    fail_ratio: float = 0.07
    receipt_latency: tuple[float, float] = (0.5, 3.0)  # seconds, uniform
    seed: int | str | None = None  # None = not reproducible
    report_url: str | None = None  # SmsReport pushes (the URL carries the token); None = not pushed
    up_url: str | None = None  # SmsUp pushes; None = report_url
    report_batch_size: int = 100
    report_flush_interval: float = 0.2  # seconds between looks at the due receipts
    push_retry_delays: tuple[float, ...] = (1.0, 5.0, 10.0)  # Alibaba's 1, 5 and 10 minutes, as seconds
    push_timeout: float = 5.0
    signature_validity: float = TIMESTAMP_VALIDITY_SECONDS
    # What sends are stamped with and QuerySendDetails reads statuses at (a receipt is in once its
    # latency has passed by this clock): tests whose bot has a clock of its own share it.
    # Signatures are checked against the real time, as Alibaba does.
    clock: Callable[[], datetime] = utc_now
    query_error: tuple[str, str] | None = None  # (Code, Message) every QuerySendDetails is refused with

    def __post_init__(self) -> None:
        for name in ("sign_names", "template_codes"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, frozenset(value))
        self.receipt_latency = tuple(self.receipt_latency)  # type: ignore[assignment]
        self.push_retry_delays = tuple(self.push_retry_delays)
        self.validate()

    def validate(self) -> None:
        for name in ("deliver_ratio", "fail_ratio", "card_refuse_ratio"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ProviderError(f"alibaba fake: {name} must be between 0 and 1, not {value}")
        if self.deliver_ratio + self.fail_ratio > 1.0 + 1e-9:
            raise ProviderError("alibaba fake: deliver_ratio + fail_ratio must not exceed 1")
        low, high = self.receipt_latency
        if not 0.0 <= low <= high:
            raise ProviderError("alibaba fake: receipt_latency must be (low, high) with 0 <= low <= high")
        if self.flow_control is not None:
            window, permits = self.flow_control
            if window not in FLOW_WINDOWS or permits < 1:
                raise ProviderError(f"alibaba fake: flow_control must be (one of {FLOW_WINDOWS}, permits >= 1)")
        if not self.access_keys or not all(self.access_keys.values()):
            raise ProviderError("alibaba fake: at least one AccessKey pair with a secret is needed")
        if self.report_batch_size < 1 or self.report_flush_interval <= 0 or self.hang_seconds < 0:
            raise ProviderError(
                "alibaba fake: needs report_batch_size >= 1, report_flush_interval > 0 and hang_seconds >= 0"
            )


@dataclass(frozen=True)
class SentSms:
    """One message the fake sent: as a text, as a card, or as a card's fallback."""

    biz_id: str
    action: str
    phone: str  # E.164
    channel: str  # "sms" | "card" | "digital"
    sign_name: str
    template_code: str
    params: dict[str, str]
    out_id: str | None
    outcome: str  # delivered | failed | silent (no receipt)
    sent_at: datetime  # by the config's clock
    receipt_after: float  # seconds from the send to its receipt (none for a silent one)
    err_code: str  # DELIVERED, or the carrier's code of a failure
    err_msg: str

    def send_status(self, now: datetime) -> int:
        """QuerySendDetails' SendStatus at `now`: 1 awaiting the receipt, 2 failed, 3 delivered."""
        if self.outcome == "silent" or now < self.sent_at + timedelta(seconds=self.receipt_after):
            return 1
        return 3 if self.outcome == "delivered" else 2


@dataclass(frozen=True)
class Call:
    action: str
    numbers: int
    code: str  # "OK" or the refusal's Code


class FakeAlibabaState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_phone: Counter[str] = Counter()
        self._messages: list[SentSms] = []
        self._calls: list[Call] = []
        self._queries: list[dict[str, str]] = []
        self.signature_refusals = 0
        self.failed_requests = 0  # answered 5xx on purpose
        self.hung_requests = 0
        self.reports_scheduled = 0
        self.reports_posted = 0
        self.reports_dropped = 0  # gave up after the retries
        self.report_posts = 0  # successful pushes
        self.push_failures = 0  # failed attempts
        self.inbound_posted = 0
        self.queries = 0  # QuerySendDetails answered OK
        self.in_flight = 0  # calls (sends and queries) being processed or held by a hang
        self.max_in_flight = 0

    # --- written by the fake ----------------------------------------------------------
    def record_call(self, action: str, numbers: int, code: str, sent: list[SentSms]) -> None:
        with self._lock:
            self._calls.append(Call(action, numbers, code))
            for message in sent:
                self._per_phone[message.phone] += 1
                self._messages.append(message)

    def record_query(self, params: dict[str, str]) -> None:
        """A QuerySendDetails answered OK: what it asked for."""
        with self._lock:
            self.queries += 1
            self._queries.append(dict(params))

    def enter_call(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave_call(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def add(self, counter: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + amount)

    # --- read by anyone ---------------------------------------------------------------
    def sends_for(self, phone: str) -> int:
        """How many messages went to this E.164 number (a card and its fallback count once)."""
        with self._lock:
            return self._per_phone[phone]

    @property
    def total_sends(self) -> int:
        with self._lock:
            return sum(self._per_phone.values())

    def max_sends_per_number(self) -> int:
        with self._lock:
            return max(self._per_phone.values(), default=0)

    def messages(self) -> list[SentSms]:
        with self._lock:
            return list(self._messages)

    def messages_to(self, phone: str) -> list[SentSms]:
        with self._lock:
            return [message for message in self._messages if message.phone == phone]

    def queries_asked(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._queries)

    def calls(self, action: str | None = None) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if action is None or call.action == action]

    @property
    def reports_pending(self) -> int:
        with self._lock:
            return self.reports_scheduled - self.reports_posted - self.reports_dropped
