"""The Block Kit primitives every builder uses, with Slack's limits applied in one place."""

from __future__ import annotations

from typing import Any

SECTION_TEXT_LIMIT = 3000  # characters in a section's text
# Slack takes at most 10 MB through a modal's file_input; a file dropped into a conversation
# may be as large as the import allows (SMSBOT_MAX_FILE_MB, 12 MB by default).
MODAL_UPLOAD_HINT = ("XLSX or CSV up to 10 MB (Slack's limit here; drop a larger file into the channel): "
                     "a phone column and one column per template variable.")


def mention(user_id: str) -> str:
    """A person, as Slack shows them in mrkdwn: only ever built from a user id."""
    return f"<@{user_id}>"


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text[:SECTION_TEXT_LIMIT]}


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block
