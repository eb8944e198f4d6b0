"""The simulator's webhook signature: HMAC-SHA256 over `f"{timestamp}.{raw body}"`.

Headers: `X-Simulator-Timestamp: <unix seconds>` and `X-Simulator-Signature: sha256=<hex>`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Simulator-Signature"
TIMESTAMP_HEADER = "X-Simulator-Timestamp"
MAX_AGE_SECONDS = 300.0


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    max_age: float = MAX_AGE_SECONDS,
) -> bool:
    """Constant-time check of the signature; refuses timestamps more than `max_age` away from `now`."""
    lowered = {str(name).lower(): value for name, value in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower())
    given = lowered.get(SIGNATURE_HEADER.lower())
    if not timestamp or not given:
        return False
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > max_age:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body).encode(), given.encode())
