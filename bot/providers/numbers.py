"""Phone numbers as the mainland providers (Alibaba Cloud, Huawei Cloud, UCloud) write them:
country code + number without "+", mainland ones often bare.

We send E.164 digits ("8613800138000"); receipts and replies may come back as "13800138000".
Its own module, outside any adapter's package: importing one adapter must not import another.
"""

from __future__ import annotations

import re

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAINLAND_MOBILE = re.compile(r"^1\d{10}$")


def is_e164(phone: str) -> bool:
    return bool(E164.match(phone))


def to_alibaba(e164: str) -> str:
    return e164.removeprefix("+")


def to_e164(number: object) -> str | None:
    """E.164 for a number in any of Alibaba's spellings: +86…, 0086…, 86…, or a bare mainland mobile."""
    if not isinstance(number, str | int):
        return None
    text = str(number).strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        digits = digits[2:]
    if MAINLAND_MOBILE.match(digits):
        digits = "86" + digits
    return "+" + digits if 7 <= len(digits) <= 15 and digits[0] != "0" else None

