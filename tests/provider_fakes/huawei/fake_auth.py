"""The fake's side of Huawei's request authentication: it recomputes what the caller signed.

AK/SK: the Authorization `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` is checked
over the request as it arrived (method, path, query, the signed headers' values, the body's
SHA-256 or the `X-Sdk-Content-Sha256` it declares), the way the official SDK signs it; host and
x-sdk-date must be signed, the date within 15 minutes. X-WSSE: the `WSSE realm="SDP",
profile="UsernameToken",type="Appkey"` Authorization and an X-WSSE UsernameToken whose
PasswordDigest is Base64(hex(SHA-256(Nonce + Created + app_secret))), Created within 24 hours.

Codes (facts 1.4): E000001 no Authorization; E000002-E000005 realm/profile missing or wrong;
E000020 no X-WSSE; E000045 AK/SK signature wrong; E000101 authentication failed; E000102
unknown app_key. Where the docs give a range but not the exact code (the type, a missing
X-WSSE field, a bad or stale Created), the fake picks one in that range: E000006, E000021-E000023.
HTTP 400 for a malformed header, 401 for a failed check (the real statuses are unverified).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.providers.huawei import signing

ATTRIBUTE = re.compile(r'(\w+)\s*=\s*"?([^",]*)"?')


@dataclass(frozen=True)
class AuthProblem:
    status: int
    code: str
    description: str


@dataclass(frozen=True)
class Caller:
    app_key: str
    scheme: str  # "aksk" | "wsse"


def _attributes(text: str) -> dict[str, str]:
    return {name: value.strip() for name, value in ATTRIBUTE.findall(text)}


def _parse_time(value: str, pattern: str) -> datetime | None:
    try:
        return datetime.strptime(value, pattern).replace(tzinfo=UTC)
    except ValueError:
        return None


def check(method: str, path: str, query: Sequence[tuple[str, str]], headers: Mapping[str, str], body: bytes,
          apps: Mapping[str, str], *, now: datetime, aksk_skew: float, wsse_skew: float) -> Caller | AuthProblem:
    """`headers`: names in lowercase. The caller, or why Huawei would refuse the request."""
    authorization = headers.get("authorization", "").strip()
    if not authorization:
        return AuthProblem(400, "E000001", "Authorization is not contained in the HTTP header.")
    if authorization.startswith(signing.ALGORITHM + " "):
        return _check_aksk(method, path, query, headers, body, apps, now, aksk_skew)
    return _check_wsse(authorization, headers, apps, now, wsse_skew)


def _check_aksk(method: str, path: str, query: Sequence[tuple[str, str]], headers: Mapping[str, str],
                body: bytes, apps: Mapping[str, str], now: datetime, skew: float) -> Caller | AuthProblem:
    parts = _attributes(headers["authorization"].removeprefix(signing.ALGORITHM))
    access, names, given = parts.get("Access"), parts.get("SignedHeaders", ""), parts.get("Signature", "")
    signed = [name for name in names.split(";") if name]
    if not access or not given or not {"host", "x-sdk-date"} <= set(signed):
        return AuthProblem(400, "E000045", "The AK/SK signature is incomplete: Access, SignedHeaders with host "
                           "and x-sdk-date, and Signature are required.")
    secret = apps.get(access)
    if secret is None:
        return AuthProblem(401, "E000102", "app_key is invalid.")
    sdk_date = headers.get("x-sdk-date", "")
    sent_at = _parse_time(sdk_date, signing.SDK_DATE_FORMAT)
    if sent_at is None or abs((now - sent_at).total_seconds()) > skew:
        return AuthProblem(401, "E000101", "Authentication failed: X-Sdk-Date is missing, malformed or too far "
                           "from the server's clock.")
    request = signing.canonical_request(method, path, query, headers, signed, signing.payload_hash(headers, body))
    expected = signing.signature(secret, signing.string_to_sign(sdk_date, request))
    if not hmac.compare_digest(expected, given):
        return AuthProblem(401, "E000045", "The AK/SK signature does not match.")
    return Caller(access, "aksk")


def _check_wsse(authorization: str, headers: Mapping[str, str], apps: Mapping[str, str], now: datetime,
                skew: float) -> Caller | AuthProblem:
    if problem := _wsse_authorization_problem(authorization):
        return problem
    token = headers.get("x-wsse", "").strip()
    if not token.startswith("UsernameToken "):
        return AuthProblem(400, "E000020", "X-WSSE is not contained in the HTTP header.")
    fields = _attributes(token.removeprefix("UsernameToken "))
    missing = [name for name in ("Username", "PasswordDigest", "Nonce", "Created") if not fields.get(name)]
    if missing:
        return AuthProblem(400, "E000021", f"{missing[0]} is not contained in X-WSSE.")
    created = _parse_time(fields["Created"], signing.WSSE_CREATED_FORMAT)
    if created is None:
        return AuthProblem(400, "E000022", "Created in X-WSSE must be yyyy-MM-ddTHH:mm:ssZ.")
    if abs((now - created).total_seconds()) > skew:
        return AuthProblem(401, "E000023", "Created in X-WSSE is too far from the server's clock.")
    secret = apps.get(fields["Username"])
    if secret is None:
        return AuthProblem(401, "E000102", "app_key is invalid.")
    expected = signing.password_digest(fields["Nonce"], fields["Created"], secret)
    if not hmac.compare_digest(expected, fields["PasswordDigest"]):
        return AuthProblem(401, "E000101", "Authentication failed.")
    return Caller(fields["Username"], "wsse")


def _wsse_authorization_problem(authorization: str) -> AuthProblem | None:
    if not authorization.startswith("WSSE "):
        return AuthProblem(400, "E000001", "Authorization must be WSSE or SDK-HMAC-SHA256.")
    attributes = _attributes(authorization.removeprefix("WSSE "))
    for name, code_missing, code_wrong, value in (("realm", "E000002", "E000004", "SDP"),
                                                   ("profile", "E000003", "E000005", "UsernameToken")):
        if name not in attributes:
            return AuthProblem(400, code_missing, f"{name} is not contained in Authorization.")
        if attributes[name] != value:
            return AuthProblem(400, code_wrong, f"The value of {name} in Authorization must be {value}.")
    if attributes.get("type") != "Appkey":
        return AuthProblem(400, "E000006", "The value of type in Authorization must be Appkey.")
    return None

