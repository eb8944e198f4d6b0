"""The simulator gateway's knobs: outcomes, latency, limits, faults, where receipts go."""

from __future__ import annotations

from dataclasses import dataclass

from bot.providers.base import ProviderError

MAX_BATCH = 1000

# (code, message) pairs for failed receipts, the way carriers report them.
FAILURE_REASONS: tuple[tuple[str, str], ...] = (
    ("UNDELIVERABLE", "The message could not be delivered to the handset"),
    ("ABSENT_SUBSCRIBER", "The handset is switched off or out of coverage"),
    ("CARRIER_REJECTED", "The carrier rejected the message"),
    ("UNKNOWN_SUBSCRIBER", "The number is not in use"),
    ("EXPIRED", "The validity period expired before delivery"),
)

# Single-word replies that opt the sender out (Twilio's defaults plus the Chinese TD/T).
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE", "TD", "T"})


@dataclass
class SimulatorConfig:
    api_key: str = "simulator-key"
    # Outcomes of accepted messages; the rest (1 - deliver - fail) never gets a receipt.
    deliver_ratio: float = 0.9
    fail_ratio: float = 0.07
    # Share of numbers (chosen by a hash of the number, so stable) that cannot show cards.
    card_refuse_ratio: float = 0.2
    receipt_latency: tuple[float, float] = (0.5, 3.0)  # seconds, uniform
    # How long a request takes to answer, like a real provider's round trip (the batch is
    # processed at once; the answer waits): seconds, uniform.
    submit_latency: tuple[float, float] = (0.0, 0.0)
    rate_limit_per_s: float = 0.0  # requests per second (token bucket); 0 = no limit; above -> 429
    error_5xx_ratio: float = 0.0  # share of requests answered 503 without processing them
    hang_ratio: float = 0.0  # share of requests processed, then answered only after hang_seconds
    hang_seconds: float = 30.0
    seed: int | str | None = None  # None = not reproducible
    blocklist: frozenset[str] = frozenset()  # E.164 numbers rejected as `blocked`
    honour_opt_outs: bool = True  # after an inbound STOP, sends to that number are rejected `opted_out`
    receipt_url: str | None = None  # where receipts are POSTed; None = generated, never posted
    inbound_url: str | None = None  # where inbound messages are POSTed; None = receipt_url
    receipt_secret: str = "simulator-secret"  # HMAC-SHA256 key for both
    receipt_batch_size: int = 1000
    receipt_flush_interval: float = 0.2  # seconds between looks at the due receipts
    post_retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0)  # back-off between attempts of one post
    post_timeout: float = 5.0

    def __post_init__(self) -> None:
        self.blocklist = frozenset(self.blocklist)
        self.receipt_latency = tuple(self.receipt_latency)  # type: ignore[assignment]
        self.submit_latency = tuple(self.submit_latency)  # type: ignore[assignment]
        self.validate()

    def validate(self) -> None:
        for name in ("deliver_ratio", "fail_ratio", "card_refuse_ratio", "error_5xx_ratio", "hang_ratio"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ProviderError(f"simulator: {name} must be between 0 and 1, not {value}")
        if self.deliver_ratio + self.fail_ratio > 1.0 + 1e-9:
            raise ProviderError("simulator: deliver_ratio + fail_ratio must not exceed 1")
        if self.error_5xx_ratio + self.hang_ratio > 1.0 + 1e-9:
            raise ProviderError("simulator: error_5xx_ratio + hang_ratio must not exceed 1")
        for name in ("receipt_latency", "submit_latency"):
            low, high = getattr(self, name)
            if not 0.0 <= low <= high:
                raise ProviderError(
                    f"simulator: {name} must be (low, high) with 0 <= low <= high, not {getattr(self, name)}")
        if self.rate_limit_per_s < 0 or self.hang_seconds < 0:
            raise ProviderError("simulator: rate_limit_per_s and hang_seconds must not be negative")
        if self.receipt_batch_size < 1 or self.receipt_flush_interval <= 0:
            raise ProviderError("simulator: receipt_batch_size must be >= 1 and receipt_flush_interval > 0")
        if not self.api_key:
            raise ProviderError("simulator: api_key must not be empty")
