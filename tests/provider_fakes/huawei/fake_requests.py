"""Reading the fake's two send APIs the way Huawei documents them (facts 1.2, 1.3, 1.8); a
`Refusal` refuses the whole request with `{"code", "description"}` and sends nothing.

- batchSendSms: a form; `to` comma-separated (only digits, `+` and commas, else the whole request
  fails); `templateParas` a string holding a JSON array.
- batchSendDiffSms: JSON; `smsContent[]` items of `to` (array), `templateId`, `templateParas`
  (a real array), `signature`.
- Both: `from` 1-21 characters, at most 500 numbers of at most 21 characters, `extend` at most
  128 characters, content at most 64 KB. E000000 = cannot parse, E000503 = parameter format.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

FORM = "application/x-www-form-urlencoded"
MAX_NUMBERS = 500
MAX_CONTENT_BYTES = 64 * 1024
NUMBER = re.compile(r"^\+?\d{1,20}$")


class Refusal(Exception):
    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(code)
        self.code, self.description, self.status = code, description, status


@dataclass(frozen=True)
class Wanted:
    """One number of a request, with the content it asks for; `item` = its smsContent index."""

    number: str
    item: int
    template_id: str
    paras: tuple[str, ...]
    signature: str | None


@dataclass(frozen=True)
class Submission:
    sender: str
    wanted: list[Wanted]
    status_callback: str | None
    extend: str | None


def _unparsable(what: str) -> Refusal:
    return Refusal("E000000", f"The system is abnormal: the request cannot be parsed ({what}).")


def _format(what: str) -> Refusal:
    return Refusal("E000503", f"Parameter format error: {what}.")


def _text(value: Any, name: str, *, required: bool = True, longest: int | None = None) -> str | None:
    if value is None or value == "":
        if required:
            raise _format(f"{name} is required")
        return None
    if not isinstance(value, str) or (longest is not None and len(value) > longest):
        raise _format(f"{name} must be a string of at most {longest} characters" if longest else f"{name}: a string")
    return value


def _paras(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _unparsable("templateParas must be an array of strings")
    return tuple(value)


def _submission(fields: dict[str, Any], wanted: list[Wanted], body: bytes) -> Submission:
    if len(body) > MAX_CONTENT_BYTES:
        raise _format("the content exceeds 64 KB")
    if len(wanted) > MAX_NUMBERS:
        raise _format(f"at most {MAX_NUMBERS} numbers per request")
    if not all(NUMBER.match(w.number) for w in wanted):
        raise _format("a number holds other characters than digits and +, or is longer than 21")
    return Submission(_text(fields.get("from"), "from", longest=21), wanted,  # type: ignore[arg-type]
                      _text(fields.get("statusCallback"), "statusCallback", required=False),
                      _text(fields.get("extend"), "extend", required=False, longest=128))


def read_form(content_type: str, body: bytes) -> Submission:
    """batchSendSms."""
    if not content_type.startswith(FORM):
        raise _unparsable(f"batchSendSms takes {FORM}")
    fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    to = _text(fields.get("to"), "to") or ""
    raw = fields.get("templateParas")
    try:
        paras = _paras(json.loads(raw)) if raw else ()
    except ValueError:
        raise _unparsable("templateParas must be a JSON array in a string") from None
    template_id = _text(fields.get("templateId"), "templateId") or ""
    signature = _text(fields.get("signature"), "signature", required=False)
    wanted = [Wanted(number, 0, template_id, paras, signature) for number in to.split(",")]
    return _submission(fields, wanted, body)


def read_json(content_type: str, body: bytes) -> Submission:
    """batchSendDiffSms."""
    if not content_type.startswith("application/json"):
        raise _unparsable("batchSendDiffSms takes application/json")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _unparsable("the body is not JSON") from None
    items = payload.get("smsContent") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
        raise _format("smsContent must be a non-empty array of objects")
    wanted = []
    for index, item in enumerate(items):
        numbers = item.get("to")
        if not isinstance(numbers, list) or not numbers or not all(isinstance(n, str) for n in numbers):
            raise _format("smsContent[].to must be a non-empty array of strings")
        template_id = _text(item.get("templateId"), "templateId") or ""
        paras = _paras(item.get("templateParas"))
        signature = _text(item.get("signature"), "signature", required=False)
        wanted.extend(Wanted(number, index, template_id, paras, signature) for number in numbers)
    return _submission(payload, wanted, body)
