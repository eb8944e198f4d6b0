"""Privacy rules: Slack and logs never show a whole phone number or a secret."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "•••"

# A run of 7 or more digits (optionally after '+'), or a '+' number written with spaces or
# dashes. Slack message timestamps (10 digits '.' 6 digits) are ids, not numbers.
_PHONE_LIKE = re.compile(
    r"(?<![\w.])(?:\+\d[\d \-]{5,20}\d|\+?\d{7,})(?![\w])(?!\.\d{6})"
)
# In a message's text, whatever stands around it: a run of 7 or more digits (optionally after
# '+'), or a '+' number written with spaces or dashes. Shorter runs (codes, amounts, dates' parts)
# stay as they are.
_LONG_NUMBER = re.compile(r"\+\d[\d \-]{5,20}\d|\+?\d{7,}")
_SLACK_TOKEN = re.compile(r"\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]+")


def last_four(number: str) -> str:
    """How a phone number appears in Slack: its last four digits only."""
    digits = re.sub(r"\D", "", number)
    return f"{MASK}{digits[-4:]}" if digits else MASK


def mask_phone_numbers(text: str) -> str:
    return _PHONE_LIKE.sub(lambda match: last_four(match.group(0)), text)


def mask_numbers_in_text(text: str) -> str:
    """A message's text as Slack may show it: every number that could be a phone number (any run
    of 7 or more digits, even inside a word) by its last four digits."""
    return _LONG_NUMBER.sub(lambda match: last_four(match.group(0)), text)


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _SLACK_TOKEN.sub("[redacted]", text)
