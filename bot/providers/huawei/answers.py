"""What Huawei's answer to a send means for each number of the call (facts: PROVIDERS-HUAWEI-UCLOUD.md 1.4).

One `code` per answer: `000000` with one `result[]` item per number, whose `status` is `000000`
or that number's error (partial failure); anything else is `{"code": "E…", "description"}`
with no result, and nothing of the call was sent. Accepted is not delivered: the status report
says that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.providers.alibaba.answers import read_body  # noqa: F401  (the one reader of a JSON answer)
from bot.providers.numbers import to_e164
from bot.providers.base import SubmitStatus

ACCEPTED = "000000"
# Request-level refusals of our credentials or request signing (X-WSSE header fields, AK/SK
# signature, unknown app_key or app_secret): a deployment problem.
CREDENTIAL_CODES = frozenset({
    *(f"E00000{n}" for n in range(1, 9)), *(f"E00002{n}" for n in range(4)),
    "E000045", "E000101", "E000102", "E000103", "E000104", "E000111",
})
HINTS = {
    **{code: "check SMSBOT_HUAWEI_APP_KEY, SMSBOT_HUAWEI_APP_SECRET, SMSBOT_HUAWEI_AUTH_SCHEME and the clock"
       for code in CREDENTIAL_CODES},
    "E000112": "the Huawei Cloud account is frozen (arrears or a violation)",
    "E000620": "this server's IP address is not in the app's IP whitelist",
}
# Per-number statuses: nothing went to that number.
TOO_MANY_PENDING = "E200015"  # Huawei's queue for the account is full: back off, then again
DUPLICATE_NUMBER = "E200041"


@dataclass(frozen=True)
class Verdict:
    status: SubmitStatus
    error_code: str | None = None
    error_message: str | None = None
    retry_after: float | None = None
    provider_id: str | None = None


def retry_after_seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: the dispatcher's own back-off will do


def call_verdict(http_status: int, code: str | None, description: str, retry_after: str | None = None) -> Verdict:
    """For an answer without `000000`: the same for every number of the call."""
    if http_status == 429:
        return Verdict(SubmitStatus.throttled, code or "http_429", description or "HTTP 429 from Huawei Cloud",
                       retry_after_seconds(retry_after))
    if code is None:
        if 200 <= http_status < 300:
            # A 2xx we cannot read may still have sent the messages: only receipts can tell.
            return Verdict(SubmitStatus.unknown, "bad_answer", f"HTTP {http_status} without a Huawei code")
        return Verdict(SubmitStatus.transient, f"http_{http_status}", f"HTTP {http_status} from Huawei Cloud")
    # Request-level codes refuse the whole call before anything is sent: credentials, account,
    # request format. None blames the numbers; domain/provider_errors.py says which fail the send.
    detail = description or code
    if code in HINTS:
        detail = f"{detail} ({HINTS[code]})"
    return Verdict(SubmitStatus.transient, code, detail)


def number_verdict(item: dict[str, Any]) -> Verdict:
    status = str(item.get("status") or "")
    msg_id = item.get("smsMsgId") if isinstance(item.get("smsMsgId"), str) else None
    if status == ACCEPTED:
        return Verdict(SubmitStatus.accepted, provider_id=msg_id or None)
    if status == TOO_MANY_PENDING:
        return Verdict(SubmitStatus.throttled, status, "Huawei Cloud: too many messages pending")
    # The rest (template checks, duplicates, unknown codes) refuse this number and send nothing
    # to it; those that no number could pass (template not approved...) fail the whole send.
    return Verdict(SubmitStatus.rejected, status or "no_status", _meaning(status))


def _meaning(status: str) -> str:
    return {
        "E200028": "Huawei Cloud: the template variables do not match the template",
        "E200029": "Huawei Cloud: the template type check failed",
        "E200030": "Huawei Cloud: the template is not approved (activated)",
        "E200031": "Huawei Cloud: the protocol check failed",
        "E200033": "Huawei Cloud: wrong template type",
        DUPLICATE_NUMBER: "Huawei Cloud: the number appears twice in one send",
    }.get(status, f"Huawei Cloud refused the number ({status or 'no status'})")


def verdicts_by_phone(body: dict[str, Any]) -> dict[str, list[Verdict]]:
    """The `result[]` of an accepted call, by E.164 number: a number sent twice gets two."""
    found: dict[str, list[Verdict]] = {}
    for item in body.get("result") or []:
        if isinstance(item, dict) and (phone := to_e164(item.get("originTo"))) is not None:
            found.setdefault(phone, []).append(number_verdict(item))
    return found
