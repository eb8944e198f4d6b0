"""What a Twilio message status means for its recipient, read the same way whether it came in a
status callback (push) or in the Message resource fetched by its sid (pull).

Final: `delivered`, and `failed`/`undelivered` with Twilio's ErrorCode and its meaning. Any other
status (queued, sending, sent, read, canceled...) settles nothing (PROVIDERS.md section 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from bot.providers.base import Receipt, ReceiptStatus, SentRef
from bot.providers.twilio import codes

FAILED_STATUSES = frozenset({"failed", "undelivered"})


@dataclass(frozen=True)
class Outcome:
    status: ReceiptStatus
    error_code: str | None
    error_message: str | None


def final_outcome(status: str | None, error_code: object) -> Outcome | None:
    """The outcome a status settles, or None for a status that is not final."""
    if status == "delivered":
        return Outcome(ReceiptStatus.delivered, None, None)
    if status in FAILED_STATUSES:
        code = str(error_code) if error_code not in (None, "") else None
        return Outcome(ReceiptStatus.failed, code, codes.delivery_failure_reason(code, status))
    return None


def receipt_from_fetch(sent: SentRef, response: httpx.Response) -> Receipt | None:
    """The receipt a fetched Message resource gives, if its status is final. Anything else (an
    error answer, a body we cannot read, another message's sid) gives none: no receipt rather
    than a wrong one."""
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("sid") != sent.provider_id:
        return None
    outcome = final_outcome(body.get("status"), body.get("error_code"))
    if outcome is None:
        return None
    return Receipt(client_ref=sent.client_ref, provider_id=sent.provider_id, status=outcome.status,
                   error_code=outcome.error_code, error_message=outcome.error_message,
                   at=_updated_at(body.get("date_updated")), phone=sent.phone)


def _updated_at(value: object) -> datetime:
    """`date_updated` (RFC 2822, with its zone) is when the status became final; a message asked
    about late would otherwise be stamped with the moment we asked."""
    if isinstance(value, str):
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(UTC)
    return datetime.now(UTC)
