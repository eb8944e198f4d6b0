"""Huawei's pushes (facts: PROVIDERS-HUAWEI-UCLOUD.md 1.6) and how we trust them.

- Status report to the `statusCallback` of the send: a form, one message per push: smsMsgId,
  status (DELIVRD = delivered), statusDesc, updateTime (UTC, absent when the platform wrote the
  report itself), total/sequence (parts of a long SMS), source, and `extend` with `to` when the
  send carried `extend`.
- The app-level status URL of the console gets the same items as JSON `{"statusReportList": [...]}`.
- Uplink (replies; mainland only) to the app's uplink URL: a form of smsMsgId, from, to, body, createTime.

Huawei signs none of these by default, so every URL we give it (the `statusCallback` of each
send, and those set in the console) carries a long random `token` that we compare in constant
time. Any answer is accepted and not read.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from bot.providers.numbers import to_e164
from bot.providers.alibaba.webhooks import token_matches
from bot.providers.base import InboundMessage, Receipt, ReceiptStatus

__all__ = ["PUSH_ANSWER", "inbound_from", "receipts_from", "token_matches"]

PUSH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DELIVERED = "DELIVRD"
NOT_FINAL = frozenset({"ACCEPTD"})  # a passing state: the final report follows
PUSH_ANSWER = (200, b"", "text/plain")
MEANINGS = {
    "EXPIRED": "expired: the handset stayed off or out of coverage",
    "UNDELIV": "undeliverable (a dead or suspended number, or the carrier refused it)",
    "REJECTD": "rejected by the carrier",
    "DELETED": "deleted by the carrier",
    "UNKNOWN": "the carrier reported an unknown status",
    "MILIMIT": "the number's per-minute limit was reached",
    "LIMIT": "the number's sending limit was reached",
}


def format_push_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(PUSH_TIME_FORMAT)


def parse_push_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), PUSH_TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def pushed_items(body: bytes) -> list[dict[str, Any]]:
    """The items of a push, form or JSON; [] for anything else (the token held, the body may not)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return []
    if text.lstrip().startswith("{"):
        try:
            payload = json.loads(text)
        except ValueError:
            return []
        items = payload.get("statusReportList") if isinstance(payload, dict) else None
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    form = dict(parse_qsl(text, keep_blank_values=True))
    return [form] if form else []


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return (str(value).strip() or None) if value is not None else None


def receipts_from(body: bytes) -> list[Receipt]:
    receipts = []
    for item in pushed_items(body):
        status, msg_id = _text(item, "status"), _text(item, "smsMsgId")
        if status is None or msg_id is None or status in NOT_FINAL:
            continue  # an uplink pushed to the same URL, or not final yet
        delivered = status == DELIVERED
        campaign = _text(item, "extend")
        receipts.append(Receipt(
            client_ref=None, provider_id=msg_id,
            status=ReceiptStatus.delivered if delivered else ReceiptStatus.failed,
            error_code=None if delivered else status,
            error_message=None if delivered else (_text(item, "statusDesc") or MEANINGS.get(status, status)),
            at=parse_push_time(item.get("updateTime")) or datetime.now(UTC),
            campaign=campaign, phone=to_e164(item.get("to")) if campaign else None,
        ))
    return receipts


def inbound_from(body: bytes) -> list[InboundMessage]:
    messages = []
    for item in pushed_items(body):
        if "status" in item:
            continue
        phone, text = to_e164(item.get("from")), item.get("body")
        if phone is None or not isinstance(text, str):
            continue
        at = parse_push_time(item.get("createTime")) or datetime.now(UTC)
        messages.append(InboundMessage(phone=phone, text=text, at=at))
    return messages
