"""What typed text may hold, whatever a client sent: names are one line of printable characters,
reasons and bodies have a length limit. Pure."""

from __future__ import annotations

import re

from domain.i18n import _, number

# C0 and C1 control characters and DEL: a name holding one (NUL, a newline, an escape) breaks
# spreadsheets and logs and reads differently from what a person sees.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In multi-line text only the line breaks and tabs a person can type stay.
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

TEMPLATE_BODY_MAX = 1000
REASON_MAX = 500


def has_control_characters(name: str) -> bool:
    """True for a one-line name that holds any control character (a newline included)."""
    return bool(_CONTROL.search(name))


def printable_lines(text: str) -> str:
    """Multi-line text with every control character but line breaks and tabs removed."""
    return _CONTROL_BUT_LINES.sub("", text)


def too_long(text: str, limit: int) -> str | None:
    """Why `text` is refused for its length, or None."""
    if len(text) <= limit:
        return None
    return _("At most {limit} characters; this has {count}.", limit=number(limit), count=number(len(text)))


def rejection_reason(reason: str | None) -> tuple[str, str | None]:
    """The reason as kept (printable, trimmed), and why it is refused, if it is: an approver's
    words are shown whole to the requester, so they have a limit."""
    cleaned = printable_lines(reason or "").strip()
    if not cleaned:
        return cleaned, _("Give a reason for the rejection.")
    if problem := too_long(cleaned, REASON_MAX):
        return cleaned, _("The reason is too long. {problem}", problem=problem)
    return cleaned, None
