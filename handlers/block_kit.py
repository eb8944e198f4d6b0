"""The Block Kit primitives every builder uses, with Slack's limits applied in one place."""

from __future__ import annotations

from typing import Any

SECTION_TEXT_LIMIT = 3000  # characters in a section's text


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text[:SECTION_TEXT_LIMIT]}


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block
