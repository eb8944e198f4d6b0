"""Alibaba Cloud RPC signature V2 (HMAC-SHA1), for signing our calls and for checking them in the fake.

1. Sort every parameter except `Signature` by name.
2. Percent-encode names and values as UTF-8, keeping only `A-Z a-z 0-9 - _ . ~` (space -> %20,
   `*` -> %2A, uppercase hex), and join them as `name=value` with `&`.
3. StringToSign = `METHOD&%2F&` + percent-encode(that string).
4. Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).

The Timestamp is valid for 31 minutes; a SignatureNonce must not be used twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

API_VERSION = "2017-05-25"
SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
TIMESTAMP_VALIDITY_SECONDS = 31 * 60

COMMON_PARAMETERS = (
    "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Signature"
)


def percent_encode(value: str) -> str:
    # `quote` keeps the RFC 3986 unreserved set (letters, digits, "-_.~") and writes uppercase
    # hex; with nothing else marked safe, "/" and "*" are encoded too, as Alibaba requires.
    return quote(value, safe="~", encoding="utf-8")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params) if name != "Signature"
    )


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return f"{method.upper()}&%2F&{percent_encode(canonical_query(params))}"


def rpc_signature(params: Mapping[str, str], method: str, access_key_secret: str) -> str:
    key = (access_key_secret + "&").encode("utf-8")
    digest = hmac.new(key, string_to_sign(method, params).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def format_timestamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime(TIMESTAMP_FORMAT)


def sign(
    params: Mapping[str, str],
    *,
    access_key_id: str,
    access_key_secret: str,
    method: str = "POST",
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """`params` (Action and the API's own parameters) plus the common ones and the Signature."""
    signed = {
        "Format": "JSON",
        "Version": API_VERSION,
        **params,
        "AccessKeyId": access_key_id,
        "SignatureMethod": SIGNATURE_METHOD,
        "SignatureVersion": SIGNATURE_VERSION,
        "SignatureNonce": nonce or str(uuid.uuid4()),
        "Timestamp": format_timestamp(time.time() if now is None else now),
    }
    signed["Signature"] = rpc_signature(signed, method, access_key_secret)
    return signed


@dataclass(frozen=True)
class SignatureProblem:
    """Why a request was refused, the way Alibaba says it: HTTP status, Code and Message."""

    status: int
    code: str
    message: str


def _parse_timestamp(value: str) -> float | None:
    for pattern in (TIMESTAMP_FORMAT, "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return None


class SignatureVerifier:
    """Checks V2-signed requests against known AccessKey pairs (the fake's side of `sign`)."""

    def __init__(
        self,
        access_keys: Mapping[str, str],
        *,
        validity: float = TIMESTAMP_VALIDITY_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._access_keys = dict(access_keys)
        self._validity = validity
        self._clock = clock
        self._lock = threading.Lock()
        self._used_nonces: dict[tuple[str, str], float] = {}  # (AccessKeyId, nonce) -> forget after

    def check(self, method: str, params: Mapping[str, str]) -> SignatureProblem | None:
        """None when the request is genuine and fresh; its nonce is then spent."""
        for name in COMMON_PARAMETERS:
            if not params.get(name):
                return SignatureProblem(400, f"Missing{name}", f"{name} is mandatory for this action.")
        if params["SignatureMethod"] != SIGNATURE_METHOD:
            return SignatureProblem(400, "InvalidSignatureMethod", "Specified signature method is not valid.")
        if params["SignatureVersion"] != SIGNATURE_VERSION:
            return SignatureProblem(400, "InvalidSignatureVersion", "Specified signature version is not valid.")
        secret = self._access_keys.get(params["AccessKeyId"])
        if secret is None:
            return SignatureProblem(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        sent_at = _parse_timestamp(params["Timestamp"])
        if sent_at is None:
            return SignatureProblem(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            )
        now = self._clock()
        if abs(now - sent_at) > self._validity:
            return SignatureProblem(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        expected = rpc_signature(params, method, secret)
        if not hmac.compare_digest(expected.encode(), params["Signature"].encode()):
            return SignatureProblem(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to sign is:"
                + string_to_sign(method, params),
            )
        # Spent only once the signature holds, so that forged requests cannot burn a caller's nonces.
        return self._spend_nonce(params["AccessKeyId"], params["SignatureNonce"], sent_at, now)

    def _spend_nonce(self, access_key_id: str, nonce: str, sent_at: float, now: float) -> SignatureProblem | None:
        with self._lock:
            self._used_nonces = {key: until for key, until in self._used_nonces.items() if until >= now}
            key = (access_key_id, nonce)
            if key in self._used_nonces:
                return SignatureProblem(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            # Past this moment the Timestamp itself is refused, so the nonce need not be kept.
            self._used_nonces[key] = sent_at + self._validity
        return None
