"""Huawei Cloud Message & SMS request authentication: AK/SK and X-WSSE (facts: PROVIDERS-HUAWEI-UCLOUD.md 1.5).

AK/SK ("special AK/SK", `SDK-HMAC-SHA256`, AK = app_key and SK = app_secret), what the official
SDK's `huaweicloudsdkcore.signer.Signer` does:
1. Headers `X-Sdk-Date: yyyyMMddTHHmmssZ` (15 minutes of clock skew allowed) and `Host` (with
   its `:port` when the address names one); bodies that are not JSON (the form of
   batchSendSms) get `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, which replaces the payload hash.
2. CanonicalRequest = METHOD, the URI with a trailing `/`, the sorted query, `name:value` lines of
   the signed headers (lowercase, sorted, none with `_`), their `;`-joined names, and the hex
   SHA-256 of the body, joined by newlines.
3. StringToSign = `SDK-HMAC-SHA256`, the X-Sdk-Date and hex(SHA-256(CanonicalRequest)), by newlines.
4. `Authorization: SDK-HMAC-SHA256 Access=<app_key>, SignedHeaders=<names>, Signature=<hex HMAC>`.

X-WSSE: `PasswordDigest` = Base64 of the *lowercase hex string* of SHA-256(Nonce + Created +
app_secret). The docs write Base64(SHA256(...)), but their own example decodes to 64 hex
characters, and every working client sends the hex form; Huawei's official SDK has no X-WSSE.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
AKSK_SKEW_SECONDS = 15 * 60
WSSE_CREATED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
WSSE_SKEW_SECONDS = 24 * 3600
WSSE_AUTHORIZATION = 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"'


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_uri(path: str) -> str:
    encoded = "/".join(quote(segment, safe="~") for segment in unquote(path).split("/"))
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_query(query: Sequence[tuple[str, str]]) -> str:
    return "&".join(f"{quote(name, safe='~')}={quote(value, safe='~')}" for name, value in sorted(query))


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    # The SDK leaves out names with "_": proxies may drop such headers.
    return sorted(name.lower() for name in headers if "_" not in name)


def canonical_request(method: str, path: str, query: Sequence[tuple[str, str]], headers: Mapping[str, str],
                      signed: Sequence[str], payload_hash: str) -> str:
    by_name = {name.lower(): str(value).strip() for name, value in headers.items()}
    header_lines = "".join(f"{name}:{by_name.get(name, '')}\n" for name in signed)
    return "\n".join((method.upper(), canonical_uri(path), canonical_query(query), header_lines,
                      ";".join(signed), payload_hash))


def payload_hash(headers: Mapping[str, str], body: bytes) -> str:
    declared = next((value for name, value in headers.items() if name.lower() == "x-sdk-content-sha256"), None)
    if not body:
        return _sha256_hex(b"")
    return declared or _sha256_hex(body)


def string_to_sign(sdk_date: str, request: str) -> str:
    return f"{ALGORITHM}\n{sdk_date}\n{_sha256_hex(request.encode('utf-8'))}"


def signature(app_secret: str, text: str) -> str:
    return hmac.new(app_secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def format_sdk_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(SDK_DATE_FORMAT)


def aksk_headers(method: str, host: str, path: str, headers: Mapping[str, str], body: bytes, *, app_key: str,
                 app_secret: str, now: datetime | None = None,
                 query: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """`headers` (Content-Type at least) plus X-Sdk-Date, Host, X-Sdk-Content-Sha256 for a form
    body, and the Authorization over them all: the request's headers, ready to send."""
    signed_headers = dict(headers)
    signed_headers["X-Sdk-Date"] = format_sdk_date(now or datetime.now(UTC))
    signed_headers["Host"] = host
    if not signed_headers.get("Content-Type", "").startswith("application/json"):
        signed_headers["X-Sdk-Content-Sha256"] = UNSIGNED_PAYLOAD
    names = signed_header_names(signed_headers)
    request = canonical_request(method, path, query, signed_headers, names, payload_hash(signed_headers, body))
    value = signature(app_secret, string_to_sign(signed_headers["X-Sdk-Date"], request))
    signed_headers["Authorization"] = (f"{ALGORITHM} Access={app_key}, SignedHeaders={';'.join(names)}, "
                                       f"Signature={value}")
    return signed_headers


def password_digest(nonce: str, created: str, app_secret: str) -> str:
    hex_digest = _sha256_hex((nonce + created + app_secret).encode("utf-8"))
    return base64.b64encode(hex_digest.encode("ascii")).decode("ascii")


def x_wsse(app_key: str, app_secret: str, nonce: str, created: str) -> str:
    # No spaces after the commas, as in Huawei's samples.
    return (f'UsernameToken Username="{app_key}",PasswordDigest="{password_digest(nonce, created, app_secret)}",'
            f'Nonce="{nonce}",Created="{created}"')


def wsse_headers(headers: Mapping[str, str], *, app_key: str, app_secret: str, now: datetime | None = None,
                 nonce: str | None = None) -> dict[str, str]:
    created = (now or datetime.now(UTC)).astimezone(UTC).strftime(WSSE_CREATED_FORMAT)
    nonce = nonce or uuid.uuid4().hex.upper()  # 1-128 letters and digits
    return {**headers, "Authorization": WSSE_AUTHORIZATION,
            "X-WSSE": x_wsse(app_key, app_secret, nonce, created)}
