"""Block Kit and texts of exports and follow-ups: the final report's buttons, how long the
details are kept, and the answers to the person who asked."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.exports import DEFAULT_FOLLOW_UP, KIND_LABELS, MAX_AUDIENCE_NAME, ExportKind, FollowUpGroup, in_order
from domain.use_cases.exports import FollowUpCounts
from handlers.block_kit import escape, plain, section
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import ExportRef, FollowUpState, TaskRef

EXPORT_USAGE = escape(f"`{SLASH_COMMAND} export <task> [failed|no-receipt|all]`: the task's id (`12` or `#12`) or "
                      "name; `failed` when not given. The file comes to you in a direct message.")


def _button(action_id: str, text: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}, "value": value,
            **extra}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def build_report_actions(task_id: int, version: int) -> dict[str, Any]:
    """Details, Export failed, Resend to failed, Save failed as audience, Follow up on… (any mix of
    delivered, failed and no-receipt numbers), and more exports in a menu."""
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
        _button(ActionId.FOLLOW_UP_CHOOSE, "Follow up on…", ref),
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


def audience_saved_text(name: str, count: int, words: str = "failed and no-receipt") -> str:
    """`words`: which numbers (`domain.exports.follow_up_words`)."""
    return (f"Saved audience *{escape(name)}*: {count:,} {words} numbers. "
            "Choose it in the send modal to follow up.")


class FollowUpDo(StrEnum):
    """What the follow-up modal does with the numbers chosen."""

    RESEND = "resend"
    AUDIENCE = "audience"


def _group_options(counts: FollowUpCounts) -> dict[FollowUpGroup, dict[str, Any]]:
    failed = (f"every failed one, the {counts.failed_no_receipt:,} with no receipt in 72 hours included"
              if counts.failed_no_receipt else "the provider or the carrier said it failed")
    shown = {FollowUpGroup.DELIVERED: (f"Delivered ({counts.delivered:,})", "a receipt said delivered"),
             FollowUpGroup.FAILED: (f"Failed ({counts.failed:,})", failed),
             FollowUpGroup.NO_RECEIPT: (f"No receipt ({counts.no_receipt:,})",
                                        "awaiting a receipt, or none within 72 hours")}
    return {group: {**_option(label, str(group)), "description": plain(description)}
            for group, (label, description) in shown.items()}


def build_follow_up_modal(counts: FollowUpCounts, state: FollowUpState) -> dict[str, Any]:
    """Which numbers of a task (delivered, failed, no receipt, in any mix; failed and no-receipt
    ticked), and whether to resend to them or save them as an audience, named or not."""
    options = _group_options(counts)
    do = {FollowUpDo.RESEND: _option("Resend: a copy of the task to these numbers, through approval",
                                     FollowUpDo.RESEND),
          FollowUpDo.AUDIENCE: _option("Save them as an audience", FollowUpDo.AUDIENCE)}
    return {"type": "modal", "callback_id": CallbackId.FOLLOW_UP, "title": plain("Follow up"),
            "submit": plain("Continue"), "close": plain("Cancel"), "private_metadata": state.dump(),
            "blocks": [
                section(f"Follow up on *{escape(counts.task_name)}*: its numbers in any mix. Counted now: a late "
                        "receipt may still move one."),
                {"type": "input", "block_id": BlockId.FOLLOW_UP_NUMBERS, "label": plain("Numbers"),
                 "element": {"type": "checkboxes", "action_id": ActionId.FOLLOW_UP_NUMBERS_INPUT,
                             "options": list(options.values()),
                             "initial_options": [options[group] for group in in_order(DEFAULT_FOLLOW_UP)]}},
                {"type": "input", "block_id": BlockId.FOLLOW_UP_DO, "label": plain("Then"),
                 "element": {"type": "radio_buttons", "action_id": ActionId.FOLLOW_UP_DO_INPUT,
                             "options": list(do.values()), "initial_option": do[FollowUpDo.RESEND]}},
                {"type": "input", "block_id": BlockId.FOLLOW_UP_NAME, "optional": True,
                 "label": plain("Audience name, when saving"),
                 "hint": plain("Left empty, it is named after the task, the numbers and the day, "
                                f"e.g. “{counts.task_name} failed <date>”."),
                 "element": {"type": "plain_text_input", "action_id": ActionId.FOLLOW_UP_NAME_INPUT,
                             "max_length": MAX_AUDIENCE_NAME}},
            ]}


def follow_up_view(message: str, *, done: bool) -> dict[str, Any]:
    """The follow-up modal while it works, or what came of it (`message`: mrkdwn)."""
    icon, close = (":white_check_mark:", "Done") if done else (":hourglass_flowing_sand:", "Close")
    return {"type": "modal", "title": plain("Follow up"), "close": plain(close),
            "blocks": [section(f"{icon} {message}")]}
