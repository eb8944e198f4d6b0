"""What UCloud's answers mean (facts: PROVIDERS-HUAWEI-UCLOUD.md 2.4, 2.6): for each number of a
send, and for each message asked about.

Every answer is `{"RetCode", "Message", …}`; 0 is success. A batch answers `SessionNo` (older
docs: `TaskId`) when it took at least one number, and lists the numbers it refused in
`FailContent` (with `RetCode` 18046, or 0 as the docs' own example shows). A group refused as
a whole (its template or signature failed the check) has `FailureDetails` on the group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.providers.alibaba.answers import read_body  # noqa: F401  (the one reader of a JSON answer)
from bot.providers.numbers import to_e164
from bot.providers.huawei.answers import Verdict  # the one shape of what an answer means for a number
from bot.providers.base import Receipt, ReceiptStatus, SubmitStatus

ACCEPTED, PARTIAL, SOME_INVALID = 0, 18046, 18014
THROTTLED = 153
GATEWAY_TIMEOUT = 110  # the gateway gave up after 60 s: the send may have gone through
TRANSIENT = frozenset({18004, 18007, 130, 150, 151, 200})
GROUP_REFUSED = "group_refused"  # our code for a template and signature group UCloud refused whole
NUMBER_REFUSED = "number_refused"
HINTS = {
    **{code: "check SMSBOT_UCLOUD_PUBLIC_KEY and SMSBOT_UCLOUD_PRIVATE_KEY"
       for code in (160, 161, 170, 171, 172, 173, 174, 180)},
    **{code: "check SMSBOT_UCLOUD_PROJECT_ID and the API key's permissions and IP whitelist"
       for code in (290, 291, 292, 293, 294, 295, 299)},
    18013: "top up the SMS balance of the UCloud account or project",
}
DELIVERED = frozenset({"Success", "发送成功"})
FAILED = frozenset({"Fail", "发送失败"})  # "Unknow"/"状态未知": no carrier report yet, so no receipt


@dataclass(frozen=True)
class SendAnswer:
    """`whole`: the one verdict for every number, when the call was refused as a whole; else
    `session_no` (None: UCloud took none) and the numbers it refused, by our reference."""

    whole: Verdict | None = None
    session_no: str | None = None
    refused: dict[str, Verdict] = field(default_factory=dict)


def send_answer(http_status: int, content: bytes, retry_after: str | None = None) -> SendAnswer:
    body = read_body(content)
    if http_status == 429:
        return SendAnswer(Verdict(SubmitStatus.throttled, "http_429", "HTTP 429 from UCloud",
                                  float(retry_after) if (retry_after or "").isdigit() else None))
    if body is None or not isinstance(body.get("RetCode"), int):
        if http_status == 504 or 200 <= http_status < 300:
            # Maybe sent: only receipts can tell.
            return SendAnswer(Verdict(SubmitStatus.unknown, "bad_answer", f"HTTP {http_status} without a RetCode"))
        return SendAnswer(Verdict(SubmitStatus.transient, f"http_{http_status}", f"HTTP {http_status} from UCloud"))
    code = body["RetCode"]
    if code in (ACCEPTED, PARTIAL, SOME_INVALID):
        session = body.get("SessionNo") or body.get("TaskId")
        return SendAnswer(None, str(session) if session else None, _refused(body.get("FailContent")))
    return SendAnswer(call_verdict(code, str(body.get("Message") or "")))


def call_verdict(code: int, message: str) -> Verdict:
    detail = f"UCloud: {message or 'error'} ({code})" + (f"; {HINTS[code]}" if code in HINTS else "")
    if code == THROTTLED:
        return Verdict(SubmitStatus.throttled, str(code), detail)
    if code == GATEWAY_TIMEOUT:
        return Verdict(SubmitStatus.unknown, str(code), detail)
    # Transient or not, a refused call sent nothing; domain/provider_errors.py says which codes
    # (credentials, balance, content) fail the whole send, and the rest are tried again a few times.
    return Verdict(SubmitStatus.transient, str(code), detail)


def _refused(fail_content: Any) -> dict[str, Verdict]:
    refused: dict[str, Verdict] = {}
    for group in fail_content if isinstance(fail_content, list) else []:
        if not isinstance(group, dict):
            continue
        whole = group.get("FailureDetails")
        for target in group.get("Target") or []:
            if not isinstance(target, dict) or not (key := target.get("UserId") or target.get("Phone")):
                continue
            reason = target.get("FailureDetails") or whole or "refused"
            refused[str(key)] = Verdict(SubmitStatus.rejected, GROUP_REFUSED if whole else NUMBER_REFUSED,
                                        f"UCloud refused it: {reason}")
    return refused


def receipt_from(item: dict[str, Any], session_no: str | None) -> Receipt | None:
    """A receipt, pulled (`GetUSMSSendReceipt`) or pushed (MsgType 2); None while UCloud knows no outcome."""
    result = str(item.get("ReceiptResult") or "")
    if result not in DELIVERED | FAILED:
        return None
    phone = to_e164(item.get("Phone"))
    delivered = result in DELIVERED
    code = None if delivered else str(item.get("ReceiptCode") or "fail")
    at = item.get("ReceiptTime")
    return Receipt(client_ref=str(item["UserId"]) if item.get("UserId") else None,
                   provider_id=provider_id(session_no, phone) if session_no and phone else None,
                   status=ReceiptStatus.delivered if delivered else ReceiptStatus.failed, error_code=code,
                   error_message=None if delivered else str(item.get("ReceiptDesc") or code),
                   at=datetime.fromtimestamp(at, UTC) if isinstance(at, int | float) else datetime.now(UTC),
                   phone=phone)


def provider_id(session_no: str, phone: str) -> str:
    """A batch has one `SessionNo`: with the number, it names one message."""
    return f"{session_no}/{phone}"
