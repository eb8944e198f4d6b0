"""UCloud USMS requests (facts: PROVIDERS-HUAWEI-UCLOUD.md 2.2-2.6): what a send and a receipt
query post, before signing.

`SendBatchUSMSMessage` takes up to 200 numbers, each with its own template parameters, as
`TaskContent`: Base64 of a JSON array of groups by template and signature. Each number carries
our reference as `UserId`, which receipts and pushes echo.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers

from bot.providers.base import OutgoingMessage
from bot.providers.registered import Entry

SEND_ACTION = "SendBatchUSMSMessage"
RECEIPT_ACTION = "GetUSMSSendReceipt"
MAX_NUMBERS = 200  # per SendBatchUSMSMessage
MAX_SESSIONS = 100  # per GetUSMSSendReceipt
MAX_USER_ID = 32


def ucloud_phone(e164: str) -> str:
    """`(CC)national number`, the form UCloud documents for every number."""
    number = phonenumbers.parse(e164)
    return f"({number.country_code}){phonenumbers.national_significant_number(number)}"


def template_params(message: OutgoingMessage) -> list[str]:
    """The recipient's values in the order the template names its variables (UCloud fills by position)."""
    registered, params = message.registered, message.params or {}
    return [params.get(name, "") for name in registered.variables] if registered else []


@dataclass(frozen=True)
class Call:
    entries: list[Entry]
    params: dict[str, str]


def pack(entries: Sequence[Entry]) -> list[list[Entry]]:
    return [list(entries[start:start + MAX_NUMBERS]) for start in range(0, len(entries), MAX_NUMBERS)]


def send_call(entries: list[Entry], project_id: str | None) -> Call:
    groups: dict[tuple[str, str], list[dict]] = {}
    for _index, message in entries:
        registered = message.registered
        target = {"Phone": ucloud_phone(message.phone), "UserId": message.client_ref}
        if params := template_params(message):
            target["TemplateParams"] = params
        groups.setdefault((registered.template_code, registered.sign_name), []).append(target)
    content = [{"TemplateId": template, "SigContent": sign, "Target": targets}
               for (template, sign), targets in groups.items()]
    encoded = base64.b64encode(json.dumps(content, ensure_ascii=False).encode("utf-8")).decode("ascii")
    params = {"Action": SEND_ACTION, "TaskContent": encoded}
    if project_id:
        params["ProjectId"] = project_id
    return Call(entries, params)


def receipt_query(session_numbers: Sequence[str], project_id: str | None) -> dict:
    params: dict = {"Action": RECEIPT_ACTION, "SessionNoSet": list(session_numbers)}
    if project_id:
        params["ProjectId"] = project_id
    return params
