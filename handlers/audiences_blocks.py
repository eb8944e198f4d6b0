"""Block Kit for audiences: the list, and the modal that names one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.use_cases.audiences import MAX_NAME_LENGTH, AudienceView
from handlers.block_kit import escape, mention
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import AudienceSaveState

Blocks = list[dict[str, Any]]
MAX_LISTED = 40  # each a section: well inside a message's 50 blocks


def build_audience_list(audiences: Sequence[AudienceView]) -> tuple[str, Blocks]:
    if not audiences:
        text = escape(f"No audiences yet. Import recipients, then `{SLASH_COMMAND} audience save <name>`.")
        return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    blocks: Blocks = [{"type": "section", "block_id": BlockId.AUDIENCE_LIST,
                       "text": {"type": "mrkdwn", "text": f"*Audiences* ({len(audiences)})"}}]
    for audience in audiences[:MAX_LISTED]:
        variables = ", ".join(f"`${{{escape(v)}}}`" for v in audience.variables) or "no variables"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": (
            f"*{escape(audience.name)}* — {audience.recipient_count:,} recipients, {variables}\n"
            f"saved by {mention(audience.created_by)} on {audience.created_at:%Y-%m-%d}")[:3000]}})
    if len(audiences) > MAX_LISTED:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text":
                       f"…and {len(audiences) - MAX_LISTED} more."}]})
    return f"{len(audiences)} audiences", blocks


def audience_saved_text(name: str, count: int) -> str:
    return f"Saved audience *{escape(name)}*: {count:,} recipients."


def audience_deleted_text(name: str) -> str:
    return f"Deleted audience *{escape(name)}*. Its recipients stay with their import."


def build_save_audience_modal(list_id: int, channel_id: str, thread_ts: str | None = None) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.AUDIENCE_SAVE,
        "private_metadata": AudienceSaveState(list_id=list_id, channel_id=channel_id, thread_ts=thread_ts).dump(),
        "title": {"type": "plain_text", "text": "Save as audience"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{
            "type": "input", "block_id": BlockId.AUDIENCE_NAME,
            "label": {"type": "plain_text", "text": "Audience name"},
            "element": {"type": "plain_text_input", "action_id": ActionId.AUDIENCE_NAME_INPUT,
                        "max_length": MAX_NAME_LENGTH,
                        "placeholder": {"type": "plain_text", "text": "e.g. spring-customers"}},
        }],
    }
