"""What the simulator gateway has seen and done, readable from any thread (tests, the sandbox)."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass


RECENT_MESSAGES = 10_000


@dataclass(frozen=True)
class SentMessage:
    id: str | None
    ref: str
    phone: str
    kind: str
    status: str  # accepted | rejected
    error_code: str | None
    fell_back: bool
    outcome: str | None  # delivered | failed | silent (accepted messages only)
    text: str = ""  # the message as the phone would show it (its fallback's text if it fell back)


@dataclass(frozen=True)
class Fate:
    """What the gateway did with one ref: kept for every message, so that a client that lost its
    answer, or pulls receipts, can ask."""

    id: str | None
    status: str  # accepted | rejected
    error_code: str | None
    receipt: tuple[str, str | None, str | None, float] | None  # (status, code, message, due at, epoch s)


class SimulatorState:
    def __init__(self, recent_messages: int = RECENT_MESSAGES) -> None:
        self._lock = threading.Lock()
        self._per_phone: Counter[str] = Counter()
        self._per_ref: Counter[str] = Counter()
        # The latest messages, for tests and the sandbox; the counts above cover all of them.
        self._messages: deque[SentMessage] = deque(maxlen=recent_messages)
        self._opted_out: set[str] = set()
        self._fates: dict[str, Fate] = {}
        self.requests = 0  # POST /v1/messages requests that were processed
        self.batch_sizes: list[int] = []
        self.throttled_requests = 0
        self.failed_requests = 0  # answered 5xx on purpose
        self.hung_requests = 0
        self.receipts_scheduled = 0
        self.receipts_posted = 0
        self.receipts_dropped = 0  # gave up after the retries
        self.receipt_posts = 0  # successful POSTs (batches)
        self.receipt_post_failures = 0  # failed attempts
        self.inbound_posted = 0

    # --- written by the gateway -------------------------------------------------------
    def record_batch(self, messages: list[SentMessage]) -> None:
        with self._lock:
            self.requests += 1
            self.batch_sizes.append(len(messages))
            self._per_phone.update(m.phone for m in messages)
            self._per_ref.update(m.ref for m in messages)
            self._messages.extend(messages)

    def remember(self, ref: str, fate: Fate) -> None:
        with self._lock:
            self._fates[ref] = fate

    def fate_of(self, ref: str) -> Fate | None:
        with self._lock:
            return self._fates.get(ref)

    def add(self, counter: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + amount)

    def opt_out(self, phone: str) -> None:
        with self._lock:
            self._opted_out.add(phone)

    # --- read by anyone ---------------------------------------------------------------
    def is_opted_out(self, phone: str) -> bool:
        with self._lock:
            return phone in self._opted_out

    def submissions_for(self, phone: str) -> int:
        """How many times a number was submitted (accepted or rejected) in processed requests."""
        with self._lock:
            return self._per_phone[phone]

    def submissions_for_ref(self, ref: str) -> int:
        with self._lock:
            return self._per_ref[ref]

    @property
    def total_submissions(self) -> int:
        with self._lock:
            return sum(self._per_phone.values())

    def max_submissions_per_ref(self) -> int:
        """1 when no ref was ever submitted twice; 0 when nothing was submitted."""
        with self._lock:
            return max(self._per_ref.values(), default=0)

    def max_submissions_per_phone(self) -> int:
        with self._lock:
            return max(self._per_phone.values(), default=0)

    def messages(self) -> list[SentMessage]:
        """The latest `RECENT_MESSAGES`, oldest first."""
        with self._lock:
            return list(self._messages)

    @property
    def receipts_pending(self) -> int:
        with self._lock:
            return self.receipts_scheduled - self.receipts_posted - self.receipts_dropped
