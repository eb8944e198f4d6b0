"""Block Kit for `/sms help` and for a subcommand the bot did not understand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from domain.i18n import _
from handlers.block_kit import SECTION_TEXT_LIMIT, escape
from handlers.ids import SLASH_COMMAND, BlockId

Blocks = list[dict[str, Any]]


class DescribedCommand(Protocol):
    usage: str
    summary: str  # in English, marked N_ where the subcommand is declared: translated here


def _command_lines(commands: Sequence[DescribedCommand]) -> str:
    lines = "\n".join(f"• `{escape(c.usage)}` — {escape(_(c.summary))}" for c in commands)
    return lines[:SECTION_TEXT_LIMIT]


def build_help_message(commands: Sequence[DescribedCommand], *, warning: str | None = None) -> tuple[str, Blocks]:
    """`warning`: what stops approval requests, shown first (to approvers)."""
    text = _("smsbot sends bulk SMS from Slack, with approval in a thread and live progress.")
    blocks: Blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*smsbot* — {text}"}},
        {"type": "section", "block_id": BlockId.HELP_COMMANDS,
         "text": {"type": "mrkdwn", "text": _command_lines(commands)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text":
            _("Only you can see this. Phone numbers are only ever shown by their last four digits.")}]},
    ]
    if warning:
        blocks.insert(0, {"type": "section", "block_id": BlockId.HELP_WARNING,
                          "text": {"type": "mrkdwn", "text": f":warning: {warning}"[:SECTION_TEXT_LIMIT]}})
        text = f"{warning} {text}"
    return text, blocks


def build_unknown_command_message(
    name: str, suggestion: str | None, commands: Sequence[DescribedCommand]
) -> tuple[str, Blocks]:
    shown = escape(name if len(name) <= 40 else name[:40] + "…")  # as the person typed it
    if suggestion:
        text = _("I don't know `{command} {name}`. Did you mean `{command} {suggestion}`?", command=SLASH_COMMAND,
                 name=shown, suggestion=suggestion)
    else:
        text = _("I don't know `{command} {name}`.", command=SLASH_COMMAND, name=shown)
    blocks: Blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "section", "block_id": BlockId.HELP_COMMANDS,
         "text": {"type": "mrkdwn", "text": _("Here is what I understand:") + "\n" + _command_lines(commands)}},
    ]
    return text, blocks
