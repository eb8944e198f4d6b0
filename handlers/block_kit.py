"""The Block Kit primitives every builder uses, with Slack's limits applied in one place."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.i18n import N_, _

SECTION_TEXT_LIMIT = 3000  # characters in a section's text
# Slack takes at most 10 MB through a modal's file_input; a file dropped into a conversation
# may be as large as the import allows (SMSBOT_MAX_FILE_MB, 12 MB by default). Translated where
# it is shown: _(MODAL_UPLOAD_HINT).
MODAL_UPLOAD_HINT = N_("XLSX or CSV up to 10 MB (Slack's limit here; drop a larger file into the channel): "
                       "a phone column and one column per template variable.")


def escape(text: str) -> str:
    """Text a person or a file supplied, made inert in mrkdwn (a message's `text` too). Slack
    reads `<…>` as a broadcast, a mention or a link and `&` as the start of an entity; these
    three are all it asks to escape. Plain text (`plain`) is never parsed: it is not escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    """A person, as Slack shows them in mrkdwn: only ever built from a user id."""
    return f"<@{user_id}>"


def channel_link(channel_id: str) -> str:
    """A conversation, as Slack shows it in mrkdwn: only ever built from a channel id."""
    return f"<#{channel_id}>"


def link(url: str, label: str) -> str:
    """A link the bot made (a permalink); its label may be a person's text, so it is escaped."""
    return f"<{url}|{escape(label)}>"


def quoted(text: str) -> str:
    """Text shown as a blockquote, every line of it, escaped."""
    return ">" + escape(text).replace("\n", "\n>")


def quoted_within(text: str, limit: int) -> str:
    """`quoted(text)` in at most `limit` characters: cut where it must be, with "…" (never inside
    an escaped character), so that what is shown is never mistaken for the whole."""
    if len(quoted(text)) <= limit:
        return quoted(text)
    low, high = 0, len(text)  # the longest start of the text that fits with its "…"
    while low < high:
        middle = (low + high + 1) // 2
        if len(quoted(text[:middle] + "…")) <= limit:
            low = middle
        else:
            high = middle - 1
    return quoted(text[:low] + "…") if limit >= 2 else ""


def listing(items: Iterable[str]) -> str:
    """Names one after another, as the reader's language lists them ("a, b, c"; 「a、b、c」)."""
    joined = ""
    for item in items:
        joined = _("{items}, {item}", items=joined, item=item) if joined else item
    return joined


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text[:SECTION_TEXT_LIMIT]}


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block
