"""Alibaba's HTTP pushes: SmsReport (delivery receipts) and SmsUp (replies), and how we trust them.

Both are POSTed as a JSON array of objects, possibly several per push, with times written
`yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8). They carry no signature, so the URL configured in
the console carries a long random `token` query parameter that we compare in constant time.

- SmsReport item: phone_number, send_time, report_time, success, err_code (DELIVERED on success),
  err_msg, sms_size, biz_id, out_id.
- SmsUp item: phone_number, content, send_time, dest_code, sequence_id.
"""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.providers.numbers import to_e164
from bot.providers.base import InboundMessage, Receipt, ReceiptStatus

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
PUSH_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TOKEN_PARAMETER = "token"
# What Alibaba expects back; only a numeric `code` of 0 counts as received.
PUSH_ANSWER = json.dumps({"code": 0, "msg": "接收成功"}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def token_matches(url: str, token: str) -> bool:
    values = parse_qs(urlsplit(url).query, keep_blank_values=True).get(TOKEN_PARAMETER, [])
    # Two tokens in one URL is not something Alibaba would send: refuse rather than pick one.
    if len(values) != 1:
        return False
    return hmac.compare_digest(values[0].encode("utf-8"), token.encode("utf-8"))


def format_push_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(PUSH_TIME_FORMAT)


def parse_push_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), PUSH_TIME_FORMAT).replace(tzinfo=BEIJING).astimezone(UTC)
    except ValueError:
        return None


def pushed_items(body: bytes) -> list[dict[str, Any]]:
    """The objects of a push; [] for anything else (the token was checked, the body may still be junk)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    return [item for item in payload if isinstance(item, dict)] if isinstance(payload, list) else []


def _succeeded(item: dict[str, Any]) -> bool:
    success = item.get("success")
    if isinstance(success, str):
        return success.strip().lower() == "true"
    if success is None:
        return item.get("err_code") == "DELIVERED"
    return success is True


def receipts_from(body: bytes) -> list[Receipt]:
    receipts = []
    for item in pushed_items(body):
        if "report_time" not in item and "success" not in item:
            continue  # an SmsUp item pushed to the same URL
        phone = to_e164(item.get("phone_number"))
        delivered = _succeeded(item)
        biz_id = item.get("biz_id")
        at = parse_push_time(item.get("report_time")) or parse_push_time(item.get("send_time"))
        receipts.append(
            Receipt(
                client_ref=None,
                # The same shape as the provider ids `submit` hands out: BizId names a call, not a recipient.
                provider_id=f"{biz_id}:{phone[1:]}" if biz_id and phone else None,
                status=ReceiptStatus.delivered if delivered else ReceiptStatus.failed,
                error_code=None if delivered else (item.get("err_code") or "UNKNOWN"),
                error_message=None if delivered else item.get("err_msg"),
                at=at or datetime.now(UTC),
                campaign=item.get("out_id") or None,
                phone=phone,
            )
        )
    return receipts


def inbound_from(body: bytes) -> list[InboundMessage]:
    messages = []
    for item in pushed_items(body):
        phone = to_e164(item.get("phone_number"))
        content = item.get("content")
        if phone is None or not isinstance(content, str):
            continue
        at = parse_push_time(item.get("send_time")) or datetime.now(UTC)
        messages.append(InboundMessage(phone=phone, text=content, at=at))
    return messages
