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
_SLACK_TOKEN = re.compile(r"\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]+")


def last_four(number: str) -> str:
    """How a phone number appears in Slack: its last four digits only."""
    digits = re.sub(r"\D", "", number)
    return f"{MASK}{digits[-4:]}" if digits else MASK


def mask_phone_numbers(text: str) -> str:
    return _PHONE_LIKE.sub(lambda match: last_four(match.group(0)), text)


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _SLACK_TOKEN.sub("[redacted]", text)
