"""Finds English left in what a Chinese reader was shown: every text of the Web API calls made
for them (messages, ephemerals, modals, Home), less what people and files supplied (names,
numbers, template text), Slack's own markup, and the words that stay English in both
languages (product and provider names, slash commands, codes)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

SHOWN_BY = ("chat.postMessage", "chat.postEphemeral", "chat.update", "views.open", "views.update", "views.push",
            "views.publish", "chat.scheduleMessage", "files.completeUploadExternal")
# Two or more English words in a row: a sentence or a label left untranslated (one word alone
# is too often a name, a code or a unit).
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z']+(?:[ \-/][A-Za-z][A-Za-z']+)+")
MARKUP = [
    re.compile(r"`[^`]*`"),  # code: commands, template text, variables
    re.compile(r"<[^>]*>"),  # mentions, links, dates
    re.compile(r":[a-z0-9_+\-]+:"),  # emoji
    re.compile(r"\$\{[^}]*\}"),  # template variables
]
# Names that are the same in both languages.
KEPT = re.compile(r"\b(?:smsbot|Slack|SMS|RCS|MMS|Twilio|Alibaba Cloud|Huawei Cloud|UCloud|Alibaba|Huawei|simulator|"
                  r"Excel|CSV|XLSX|E\.164|UTC|CNY|USD|STOP|TD|ID|OK|URL|API|JSON|Home)\b", re.I)


def texts_of(value: Any) -> Iterator[str]:
    """Every human-readable text in a Block Kit structure or call arguments."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("text", "title", "submit", "close", "placeholder", "label", "hint", "alt_text",
                       "initial_comment", "description") and isinstance(item, str):
                yield item
            elif key not in ("action_id", "block_id", "callback_id", "value", "url", "image_url", "private_metadata",
                             "type", "style", "initial_value", "channel", "user", "ts", "thread_ts", "external_id"):
                yield from texts_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts_of(item)


def shown_texts(calls: Iterable[Any], *, user: str | None = None) -> list[str]:
    """What the calls showed (to `user` alone where it is an ephemeral or their Home or modal)."""
    found = []
    for call in calls:
        if call.method not in SHOWN_BY or not call.ok:
            continue
        if user is not None and call.method in ("chat.postEphemeral", "views.publish") and call.args.get("user") \
                not in (None, user) and call.args.get("user_id") not in (None, user):
            continue
        found.extend(texts_of(call.args))
    return found


def untranslated(texts: Iterable[str], supplied: Iterable[str] = ()) -> list[str]:
    """Runs of English words in `texts`, once each, after removing `supplied` (what people and
    files gave: names, template bodies, file names) and markup."""
    supplied = sorted((s for s in supplied if s), key=len, reverse=True)
    found: dict[str, None] = {}
    for text in texts:
        for value in supplied:
            text = text.replace(value, " ")
        for pattern in MARKUP:
            text = pattern.sub(" ", text)
        text = KEPT.sub(" ", text)
        for run in ENGLISH_RUN.findall(text):
            found[run] = None
    return list(found)
