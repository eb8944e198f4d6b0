"""How messages become Huawei calls (facts: PROVIDERS-HUAWEI-UCLOUD.md 1.2, 1.3, 1.8).

Messages that share a signature, a template and a campaign may share a call. A call holds at
most 500 numbers (more and nothing is sent) in one `smsContent` item per distinct list of
template parameters, and stays under Huawei's 64 KB for the content. A call whose numbers all
get the same parameters goes as `batchSendSms` (a form), any other as `batchSendDiffSms` (JSON).
`templateParas` are positional: the template's variables in the order its body names them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.providers.base import OutgoingMessage

DIFF_PATH = "/sms/batchSendDiffSms/v1"
SAME_PATH = "/sms/batchSendSms/v1"
NUMBERS_PER_CALL = 500
MAX_BODY_BYTES = 60_000  # Huawei's limit is 64 KB of content: the rest is margin for the envelope

Entry = tuple[int, OutgoingMessage]  # a message and its place in the submitted sequence
Paras = tuple[str, ...]


@dataclass(frozen=True)
class Call:
    entries: list[Entry]
    path: str
    content_type: str
    body: bytes


def template_paras(message: OutgoingMessage) -> Paras:
    registered, params = message.registered, message.params or {}
    assert registered is not None
    return tuple(str(params.get(name, "")) for name in registered.variables)


def call_key(message: OutgoingMessage) -> tuple[Any, ...]:
    registered = message.registered
    assert registered is not None
    return registered.sign_name, registered.template_code, message.campaign


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _item(first: OutgoingMessage, paras: Paras, numbers: list[str]) -> dict[str, Any]:
    registered = first.registered
    assert registered is not None
    item: dict[str, Any] = {"to": numbers, "templateId": registered.template_code}
    if paras:
        item["templateParas"] = list(paras)
    if registered.sign_name:
        item["signature"] = registered.sign_name
    return item


def pack(entries: Sequence[Entry], *, numbers: int = NUMBERS_PER_CALL,
         max_bytes: int = MAX_BODY_BYTES) -> list[list[tuple[Paras, list[Entry]]]]:
    """Entries of one call key, in calls of items (parameters, their entries), each call within
    both limits. Numbers sharing parameters share an item."""
    by_paras: dict[Paras, list[Entry]] = {}
    for entry in entries:
        by_paras.setdefault(template_paras(entry[1]), []).append(entry)
    calls: list[list[tuple[Paras, list[Entry]]]] = [[]]
    count = size = 0
    for paras, group in by_paras.items():
        overhead = len(_json(_item(group[0][1], paras, [])))
        item: tuple[Paras, list[Entry]] | None = None
        for entry in group:
            cost = len(_json(entry[1].phone)) + 1  # quoted, and a comma
            if count == numbers or size + cost + (overhead if item is None else 0) > max_bytes:
                calls.append([])
                count = size = 0
                item = None
            if item is None:
                item = (paras, [])
                calls[-1].append(item)
                size += overhead
            item[1].append(entry)
            count, size = count + 1, size + cost
    return [call for call in calls if call]


def build(items: list[tuple[Paras, list[Entry]]], *, sender: str, callback: str) -> Call:
    entries = [entry for _, group in items for entry in group]
    first = entries[0][1]
    if len(items) == 1:
        return _same_content(items[0][0], entries, sender=sender, callback=callback)
    body: dict[str, Any] = {"from": sender, "statusCallback": callback,
                            "smsContent": [_item(group[0][1], paras, [m.phone for _, m in group])
                                           for paras, group in items]}
    if first.campaign:
        body["extend"] = first.campaign  # echoed in status reports, with the number
    return Call(entries, DIFF_PATH, "application/json", _json(body))


def _same_content(paras: Paras, entries: list[Entry], *, sender: str, callback: str) -> Call:
    first = entries[0][1]
    registered = first.registered
    assert registered is not None
    form = [("from", sender), ("to", ",".join(m.phone for _, m in entries)),
            ("templateId", registered.template_code or "")]
    if paras:
        form.append(("templateParas", _json(list(paras)).decode("utf-8")))  # a string holding a JSON array
    form.append(("statusCallback", callback))
    if registered.sign_name:
        form.append(("signature", registered.sign_name))
    if first.campaign:
        form.append(("extend", first.campaign))
    return Call(entries, SAME_PATH, "application/x-www-form-urlencoded", urlencode(form).encode("ascii"))
