"""Block Kit for audiences: the list, and the modal that names one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.i18n import _, n_, number
from domain.use_cases.audiences import MAX_NAME_LENGTH, AudienceView
from handlers.block_kit import escape, mention, plain
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import AudienceSaveState

Blocks = list[dict[str, Any]]
MAX_LISTED = 40  # each a section: well inside a message's 50 blocks


def build_audience_list(audiences: Sequence[AudienceView]) -> tuple[str, Blocks]:
    if not audiences:
        text = escape(_("No audiences yet. Import recipients, then `{command} audience save <name>`.",
                        command=SLASH_COMMAND))
        return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    blocks: Blocks = [{"type": "section", "block_id": BlockId.AUDIENCE_LIST,
                       "text": {"type": "mrkdwn", "text": _("*Audiences* ({count})", count=number(len(audiences)))}}]
    for audience in audiences[:MAX_LISTED]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _audience_line(audience)[:3000]}})
    if len(audiences) > MAX_LISTED:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text":
                       _("…and {count} more.", count=number(len(audiences) - MAX_LISTED))}]})
    return n_("{count} audience", "{count} audiences", len(audiences)), blocks


def _audience_line(audience: AudienceView) -> str:
    variables = ", ".join(f"`${{{escape(v)}}}`" for v in audience.variables) or _("no variables")
    sizes = n_("*{name}* — {count} recipient, {variables}", "*{name}* — {count} recipients, {variables}",
               audience.recipient_count, name=escape(audience.name), variables=variables)
    saved = _("saved by {person} on {date}", person=mention(audience.created_by),
              date=f"{audience.created_at:%Y-%m-%d}")
    return f"{sizes}\n{saved}"


def audience_saved_text(name: str, count: int) -> str:
    return n_("Saved audience *{name}*: {count} recipient.", "Saved audience *{name}*: {count} recipients.", count,
              name=escape(name))


def audience_deleted_text(name: str) -> str:
    return _("Deleted audience *{name}*. Its recipients stay with their import.", name=escape(name))


def build_save_audience_modal(list_id: int, channel_id: str, thread_ts: str | None = None) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.AUDIENCE_SAVE,
        "private_metadata": AudienceSaveState(list_id=list_id, channel_id=channel_id, thread_ts=thread_ts).dump(),
        "title": plain(_("Save as audience")),
        "submit": plain(_("Save")),
        "close": plain(_("Cancel")),
        "blocks": [{
            "type": "input", "block_id": BlockId.AUDIENCE_NAME,
            "label": plain(_("Audience name")),
            "element": {"type": "plain_text_input", "action_id": ActionId.AUDIENCE_NAME_INPUT,
                        "max_length": MAX_NAME_LENGTH,
                        "placeholder": plain(_("e.g. spring-customers"))},
        }],
    }
