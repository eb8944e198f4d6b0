"""What the UCloud fake is told (config) and what it saw (state)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FakeUCloudConfig:
    public_key: str
    private_key: str
    project_id: str | None = None
    templates: dict[str, int] = field(default_factory=dict)  # approved template id -> its number of parameters
    signatures: set[str] = field(default_factory=set)  # approved SigContent
    blacklist: set[str] = field(default_factory=set)  # E.164 numbers refused with "phone in the black list"
    forced_ret_code: int | None = None  # every send answered with this RetCode (nothing sent)
    http_status: int | None = None  # every send answered with this HTTP status and no body
    deliver_ratio: float = 0.9
    fail_ratio: float = 0.05  # the rest: no receipt ever (UCloud says Unknow)
    receipt_latency: float = 0.1  # seconds after the send before a receipt is known
    push_url: str | None = None  # where status reports and replies are pushed (None: pull only)
    seed: int = 0


@dataclass
class SentSms:
    session_no: str
    phone: str  # E.164
    user_id: str
    template_id: str
    sig_content: str
    params: list[str]
    outcome: str  # delivered, failed, silent
    sent_at: float


@dataclass
class FakeUCloudState:
    messages: list[SentSms] = field(default_factory=list)
    requests: Counter = field(default_factory=Counter)  # by Action
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sends_per_number(self) -> dict[str, int]:
        with self.lock:
            return dict(Counter(m.phone for m in self.messages))

    def outcomes(self) -> Counter:
        with self.lock:
            return Counter(m.outcome for m in self.messages)
