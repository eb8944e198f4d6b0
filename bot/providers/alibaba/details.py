"""Receipts by pull from Alibaba: what to ask `QuerySendDetails`, and what its answer says.

One number and one send date per query (PROVIDERS.md section 2; help.aliyun.com 419277):
`PhoneNumber` (a mainland mobile as its 11 digits, any other number as country code + number),
`SendDate` yyyyMMdd (Beijing time, the last 30 days), the call's `BizId` when we know it, 50
records a page. A record carries no BizId, so it is ours when its number and its `OutId` (our
campaign: the task) are ours, and only if exactly one record is: never a guess. `SendStatus` 3 is
delivered, 2 failed (with the carrier's `ErrCode`), 1 still awaiting its receipt.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.providers.numbers import to_alibaba, to_e164
from bot.providers.alibaba.webhooks import BEIJING, parse_push_time
from bot.providers.base import Receipt, ReceiptStatus, SentRef

ACTION = "QuerySendDetails"
PAGE_SIZE = 50  # the most Alibaba gives a page
MAX_PAGES = 20  # a thousand records of one number in a day: past that we stop reading
# Our `submitted_at` comes after Alibaba stamped the send (after its answer, or after a lost
# send's lease ran out): a send just before midnight in Beijing is looked for on both days.
SEND_DATE_MARGIN = timedelta(minutes=15)
MAINLAND_PREFIX = "+861"

DELIVERED, FAILED = 3, 2


def query_number(e164: str) -> str:
    """`PhoneNumber` as QuerySendDetails documents it: 11 digits for a mainland mobile."""
    if e164.startswith(MAINLAND_PREFIX) and len(e164) == 14:
        return e164[3:]
    return to_alibaba(e164)


def send_dates(submitted_at: datetime) -> list[str]:
    """The Beijing dates (yyyyMMdd) the send may carry, the likeliest first."""
    dates = [moment.astimezone(BEIJING).strftime("%Y%m%d") for moment in (submitted_at,
                                                                          submitted_at - SEND_DATE_MARGIN)]
    return list(dict.fromkeys(dates))


def biz_id_of(provider_id: str | None) -> str | None:
    """The call's BizId in our provider id `f"{BizId}:{number}"`."""
    biz_id = (provider_id or "").rpartition(":")[0]
    return biz_id or None


def query_params(sent: SentRef, send_date: str, page: int) -> dict[str, str]:
    params = {"Action": ACTION, "PhoneNumber": query_number(sent.phone), "SendDate": send_date,
              "PageSize": str(PAGE_SIZE), "CurrentPage": str(page)}
    biz_id = biz_id_of(sent.provider_id)
    if biz_id:
        params["BizId"] = biz_id
    return params


def page_records(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of one answer page (`SmsSendDetailDTOs.SmsSendDetailDTO`)."""
    holder = body.get("SmsSendDetailDTOs")
    records = holder.get("SmsSendDetailDTO") if isinstance(holder, dict) else None
    return [record for record in records if isinstance(record, dict)] if isinstance(records, list) else []


def total_count(body: dict[str, Any]) -> int:
    """`TotalCount` comes as a string; 0 when it is missing or unreadable."""
    try:
        return max(0, int(body.get("TotalCount") or 0))
    except (TypeError, ValueError):
        return 0


def is_last_page(body: dict[str, Any], records_so_far: int, page: int) -> bool:
    records = page_records(body)
    return len(records) < PAGE_SIZE or records_so_far >= total_count(body) or page >= MAX_PAGES


def receipt_for(sent: SentRef, records: list[dict[str, Any]]) -> Receipt | None:
    """The receipt of `sent` among the records of its number, if exactly one is its own and final."""
    ours = [record for record in records if _is_ours(record, sent)]
    if len(ours) != 1:
        return None  # not listed (yet), or listed twice: no receipt rather than a guess
    record = ours[0]
    status = _send_status(record.get("SendStatus"))
    if status not in (DELIVERED, FAILED):
        return None  # 1: still awaiting its receipt
    delivered = status == DELIVERED
    return Receipt(client_ref=sent.client_ref, provider_id=sent.provider_id,
                   status=ReceiptStatus.delivered if delivered else ReceiptStatus.failed,
                   error_code=None if delivered else (str(record.get("ErrCode") or "") or "UNKNOWN"),
                   error_message=None,
                   at=parse_push_time(record.get("ReceiveDate")) or datetime.now(UTC),
                   campaign=sent.campaign, phone=sent.phone)


def _is_ours(record: dict[str, Any], sent: SentRef) -> bool:
    return to_e164(record.get("PhoneNum")) == sent.phone and (record.get("OutId") or None) == sent.campaign


def _send_status(value: object) -> int | None:
    """A number, which may come as a string."""
    try:
        return int(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    except ValueError:
        return None
