"""The Huawei fake's knobs (`FakeHuaweiConfig`) and what it has seen and done (`FakeHuaweiState`).

The state is read from any thread (tests run the fake in a server thread) and counts every
number sent, so that a test can prove that nothing went out twice.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from bot.providers.base import ProviderError
from bot.providers.huawei.signing import AKSK_SKEW_SECONDS, WSSE_SKEW_SECONDS

DEFAULT_APPS = {"fake-app-key": "fake-app-secret"}

# (status, statusDesc) of failed status reports: the supplier platform's codes (sms_05_0051).
FAILURE_REASONS: tuple[tuple[str, str], ...] = (
    ("UNDELIV", "The SMS fails to be delivered."),
    ("EXPIRED", "The SMS timed out."),
    ("REJECTD", "The SMS has been rejected."),
)


@dataclass
class FakeHuaweiConfig:
    apps: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_APPS))  # app_key -> app_secret
    senders: frozenset[str] | None = None  # the apps' channel numbers; others get E200018 per number
    templates: dict[str, int] | None = None  # approved template id -> its variable count; None = any
    number_statuses: dict[str, str] = field(default_factory=dict)  # E.164 -> status forced at send time
    forced_error: tuple[int, str, str] | None = None  # (HTTP status, code, description) for every send
    fail_with_5xx: bool = False  # answer 503 without sending anything
    hang_seconds: float = 0.0  # > 0: send, then answer only after this long
    deliver_ratio: float = 0.9  # outcomes of sent messages; the rest never gets a report
    fail_ratio: float = 0.07
    receipt_latency: tuple[float, float] = (0.5, 3.0)  # seconds, uniform
    seed: int | str | None = None  # None = not reproducible
    report_url: str | None = None  # the app-level status URL (JSON batches) for sends without statusCallback
    uplink_url: str | None = None  # the app's uplink URL; None = replies are not pushed
    report_batch_size: int = 50  # items per app-level push (Huawei: at most 50)
    report_flush_interval: float = 0.2  # seconds between looks at the due reports
    push_timeout: float = 5.0
    aksk_skew: float = AKSK_SKEW_SECONDS
    wsse_skew: float = WSSE_SKEW_SECONDS

    def __post_init__(self) -> None:
        if self.senders is not None:
            self.senders = frozenset(self.senders)
        self.receipt_latency = tuple(self.receipt_latency)  # type: ignore[assignment]
        self.validate()

    def validate(self) -> None:
        for name in ("deliver_ratio", "fail_ratio"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ProviderError(f"huawei fake: {name} must be between 0 and 1")
        if self.deliver_ratio + self.fail_ratio > 1.0 + 1e-9:
            raise ProviderError("huawei fake: deliver_ratio + fail_ratio must not exceed 1")
        low, high = self.receipt_latency
        if not 0.0 <= low <= high:
            raise ProviderError("huawei fake: receipt_latency must be (low, high) with 0 <= low <= high")
        if not self.apps or not all(self.apps.values()):
            raise ProviderError("huawei fake: at least one app_key with an app_secret is needed")
        if self.report_batch_size < 1 or self.report_flush_interval <= 0 or self.hang_seconds < 0:
            raise ProviderError("huawei fake: needs report_batch_size >= 1, report_flush_interval > 0, "
                                "hang_seconds >= 0")


@dataclass(frozen=True)
class SentSms:
    msg_id: str  # smsMsgId
    api: str  # "batchSendSms" | "batchSendDiffSms"
    auth: str  # "aksk" | "wsse"
    phone: str  # E.164
    sender: str
    template_id: str
    paras: tuple[str, ...]
    signature: str | None
    extend: str | None
    status_callback: str | None
    outcome: str  # delivered | failed | silent (no report)


@dataclass(frozen=True)
class Call:
    api: str
    numbers: int
    code: str  # "000000" or the refusal's code


class FakeHuaweiState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_phone: Counter[str] = Counter()
        self._messages: list[SentSms] = []
        self._calls: list[Call] = []
        self.auth_refusals = 0
        self.failed_requests = 0  # answered 5xx on purpose
        self.hung_requests = 0
        self.reports_scheduled = 0
        self.reports_posted = 0
        self.reports_dropped = 0  # the receiver refused or was unreachable: Huawei's retries are unknown
        self.inbound_posted = 0
        self.in_flight = 0
        self.max_in_flight = 0

    # --- written by the fake ----------------------------------------------------------
    def record_call(self, api: str, numbers: int, code: str, sent: list[SentSms]) -> None:
        with self._lock:
            self._calls.append(Call(api, numbers, code))
            for message in sent:
                self._per_phone[message.phone] += 1
                self._messages.append(message)

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

    def calls(self, api: str | None = None) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if api is None or call.api == api]

    @property
    def reports_pending(self) -> int:
        with self._lock:
            return self.reports_scheduled - self.reports_posted - self.reports_dropped
