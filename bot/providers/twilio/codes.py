"""Twilio's error codes and keywords that both the adapter and the fake need (PROVIDERS.md section 1).

Pure data. Codes are ints here, as in Twilio's JSON; the adapter hands them on as strings.
"""

from __future__ import annotations

API_VERSION = "2010-04-01"
MORE_INFO = "https://www.twilio.com/docs/errors/{code}"

# --- answers to a create (HTTP 400 unless noted) ---------------------------------------
BAD_REQUEST = 20001
AUTHENTICATE = 20003  # HTTP 401
NOT_FOUND = 20404  # HTTP 404
TOO_MANY_REQUESTS = 20429  # HTTP 429: REST concurrency exceeded, nothing processed
INTERNAL_ERROR = 20500  # HTTP 500
INVALID_TO = 21211
BODY_REQUIRED = 21602  # neither Body nor MediaUrl
FROM_REQUIRED = 21603  # neither From nor MessagingServiceSid
OPTED_OUT = 21610
QUEUE_FULL = 21611  # the From sender's queue is full: nothing was sent, retry later
NOT_MOBILE = 21614
TOO_MANY_MEDIA = 21623
BODY_TOO_LONG = 14103

MAX_BODY_CHARACTERS = 1600
MAX_MEDIA_URLS = 10

# Create answers that say "not now" rather than "never": the recipient is not at fault.
THROTTLING_CODES = frozenset({TOO_MANY_REQUESTS, QUEUE_FULL})

# --- ErrorCode of failed/undelivered status callbacks -----------------------------------
QUEUE_OVERFLOW = 30001
UNREACHABLE_HANDSET = 30003
UNKNOWN_DESTINATION = 30005
LANDLINE_OR_UNREACHABLE_CARRIER = 30006
FILTERED = 30007
UNKNOWN_ERROR = 30008

DELIVERY_FAILURE_REASONS: dict[int, str] = {
    QUEUE_OVERFLOW: "queue overflow: sent faster than the sender can go",
    UNREACHABLE_HANDSET: "unreachable handset (switched off, no signal or roaming)",
    UNKNOWN_DESTINATION: "unknown or inactive number",
    LANDLINE_OR_UNREACHABLE_CARRIER: "landline or unreachable carrier",
    FILTERED: "filtered as spam or fraud",
    UNKNOWN_ERROR: "unknown error",
}
# What the fake draws from for undelivered messages: the carrier-side failures.
UNDELIVERED_CODES: tuple[int, ...] = (
    UNREACHABLE_HANDSET,
    UNKNOWN_DESTINATION,
    LANDLINE_OR_UNREACHABLE_CARRIER,
    FILTERED,
    UNKNOWN_ERROR,
)


def delivery_failure_reason(code: int | str | None, status: str = "undelivered") -> str:
    """A short human reason for a failed/undelivered callback's ErrorCode."""
    try:
        number = int(code) if code not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        return f"{status} (Twilio gave no error code)"
    return DELIVERY_FAILURE_REASONS.get(number, f"{status} (Twilio error {number})")


# --- opt-out keywords (advanced-opt-out defaults): single-word messages only -----------
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
