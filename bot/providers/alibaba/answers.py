"""What an Alibaba answer means for the recipients of the call: Code -> SubmitStatus.

Business errors come as JSON `{Code, Message, RequestId}` whatever the HTTP status, so the body
is read first and the status only matters when it carries no Code.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from bot.providers.numbers import to_e164
from bot.providers.base import SubmitStatus

FLOW_CONTROL = "isv.BUSINESS_LIMIT_CONTROL"

# Not the recipients' fault, and nothing was sent: the same call may be made again later.
TRANSIENT_CODES = frozenset(
    {
        "isv.AMOUNT_NOT_ENOUGH",  # low balance
        "isv.OUT_OF_SERVICE",  # suspended for arrears
        "isv.DAY_LIMIT_CONTROL",  # console quotas
        "isv.MONTH_LIMIT_CONTROL",
        "isp.SYSTEM_ERROR",
    }
)
# Refusals of our credentials or request signing: a deployment problem, not the recipients'.
CREDENTIAL_CODES = frozenset(
    {
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidTimeStamp.Expired",
        "InvalidTimeStamp.Format",
        "SignatureNonceUsed",
        "IncompleteSignature",
        "Forbidden.AccessKeyDisabled",
    }
)
# Refusals that name one number, which a call of many cannot tell apart: worth splitting the call.
ONE_NUMBERS_FAULT = frozenset({"isv.MOBILE_NUMBER_ILLEGAL"})


@dataclass(frozen=True)
class Verdict:
    status: SubmitStatus
    error_code: str
    error_message: str
    retry_after: float | None = None


def read_body(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def flow_control_window(message: str) -> str | None:
    """"触发分钟级流控Permits:1" -> "minute"; also "小时级" -> "hour", "天级"/"日级" -> "day"."""
    lowered = message.lower()
    if "分钟" in message or "minute" in lowered:
        return "minute"
    if "小时" in message or "hour" in lowered:
        return "hour"
    if "天" in message or "日" in message or "day" in lowered:
        return "day"
    return None


def seconds_to_next_window(window: str, now: float | None = None) -> float:
    """Minute and hour windows are clock windows in UTC+8, whose boundaries are UTC's too."""
    now = time.time() if now is None else now
    length = 3600 if window == "hour" else 60
    return float(length - int(now) % length) + 1.0  # a second's margin for clock drift


def splits_by_number(code: str | None, message: str) -> bool:
    """True when the refusal is about one number (bad number, its daily quota): split the call."""
    if code in ONE_NUMBERS_FAULT:
        return True
    return code == FLOW_CONTROL and flow_control_window(message) == "day"


def verdict(http_status: int, code: str | None, message: str) -> Verdict:
    """For an answer that is not Code OK."""
    if code is None:
        if http_status >= 500:
            return Verdict(SubmitStatus.transient, f"http_{http_status}", f"HTTP {http_status} from Alibaba Cloud")
        if 200 <= http_status < 300:
            # A 2xx we cannot read may still have sent the messages.
            return Verdict(SubmitStatus.unknown, "bad_answer", f"HTTP {http_status} without an Alibaba Code")
        return Verdict(SubmitStatus.transient, f"http_{http_status}", f"HTTP {http_status} without a Code")
    detail = message or code
    if code == FLOW_CONTROL:
        window = flow_control_window(message)
        if window == "day":
            return Verdict(SubmitStatus.rejected, code, detail)
        return Verdict(SubmitStatus.throttled, code, detail, seconds_to_next_window(window or "minute"))
    if code in TRANSIENT_CODES:
        return Verdict(SubmitStatus.transient, code, detail)
    if code in CREDENTIAL_CODES or code.startswith(("Missing", "InvalidAccessKey")):
        # SignatureDoesNotMatch echoes the string to sign, recipients' numbers included: cut it off.
        detail = detail.split("server string to sign")[0].rstrip(" .:")
        return Verdict(SubmitStatus.transient, code, f"{detail} (check the Alibaba Cloud AccessKey and the clock)")
    if code.startswith("Throttling"):
        return Verdict(SubmitStatus.throttled, code, detail, 1.0)
    if code.startswith("isv.") or code == "isp.RAM_PERMISSION_DENY":
        return Verdict(SubmitStatus.rejected, code, detail)
    # Other isp.* (the platform's side) and unknown gateway codes: nothing blames the recipients.
    return Verdict(SubmitStatus.transient, code, detail)


def mobiles(value: object) -> set[str]:
    """E.164 numbers of a card answer's MediaMobiles / NotMediaMobiles (comma list or JSON array)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = text.strip("[]").replace('"', "").split(",")
        else:
            value = text.split(",")
    if not isinstance(value, list):
        return set()
    return {phone for item in value if (phone := to_e164(item)) is not None}
