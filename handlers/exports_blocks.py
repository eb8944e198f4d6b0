"""Block Kit and texts of exports and follow-ups: the final report's buttons, how long the
details are kept, and the answers to the person who asked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.exports import KIND_LABELS, ExportKind
from handlers.block_kit import escape
from handlers.ids import SLASH_COMMAND, ActionId, BlockId
from handlers.payloads import ExportRef, TaskRef

EXPORT_USAGE = escape(f"`{SLASH_COMMAND} export <task> [failed|no-receipt|all]`: the task's id (`12` or `#12`) or "
                      "name; `failed` when not given. The file comes to you in a direct message.")


def _button(action_id: str, text: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}, "value": value,
            **extra}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def build_report_actions(task_id: int, version: int) -> dict[str, Any]:
    """Details, Export failed, Resend to failed, Save failed as audience, and more exports in a menu."""
    ref = TaskRef(id=task_id, version=version).dump()
    more = {"type": "overflow", "action_id": ActionId.EXPORT_MORE, "options": [
        _option("Export no-receipt numbers", ExportRef(id=task_id, kind=ExportKind.NO_RECEIPT).dump()),
        _option("Export all recipients", ExportRef(id=task_id, kind=ExportKind.ALL).dump()),
    ]}
    return {"type": "actions", "block_id": BlockId.REPORT_ACTIONS, "elements": [
        _button(ActionId.TASK_DETAILS, "Details", ref),
        _button(ActionId.EXPORT_FAILED, "Export failed", ExportRef(id=task_id, kind=ExportKind.FAILED).dump()),
        _button(ActionId.FOLLOW_UP_RESEND, "Resend to failed", ref),
        _button(ActionId.FOLLOW_UP_AUDIENCE, "Save failed as audience", ref),
        more,
    ]}


def slack_date(moment: datetime) -> str:
    """A date and time each reader sees in their own time zone (UTC in the fallback text)."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def retention_line(available_until: datetime) -> str:
    return (f"Details and exports available until {slack_date(available_until)}; "
            "after that only the totals are kept.")


def preparing_text(task_name: str, kind: ExportKind, rows: int) -> str:
    return (f"Preparing the export of *{escape(task_name)}* ({KIND_LABELS[kind]}, {rows:,} rows)… "
            "It will arrive in our direct messages.")


def export_comment(task_name: str, kind: ExportKind, rows: int) -> str:
    return (f"Export of *{escape(task_name)}*: {KIND_LABELS[kind]}, {rows:,} rows with whole phone numbers. "
            "Keep it safe, and delete it when you are done; this export is logged.")


def audience_saved_text(name: str, count: int) -> str:
    return (f"Saved audience *{escape(name)}*: {count:,} failed and no-receipt numbers. "
            "Choose it in the send modal to follow up.")
