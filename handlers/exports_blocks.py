"""Block Kit and texts of exports and follow-ups: the final report's buttons, how long the
details are kept, and the answers to the person who asked."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.exports import (
    DEFAULT_FOLLOW_UP, KIND_LABELS, MAX_AUDIENCE_NAME, ExportKind, FollowUpGroup, follow_up_words, in_order,
)
from domain.i18n import _, n_, number
from domain.use_cases.exports import FollowUpCounts
from handlers.block_kit import escape, plain, section
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import ExportRef, FollowUpState, TaskRef

def export_usage() -> str:
    """How `/sms export` is used, in mrkdwn."""
    return escape(_("`{command} export <task> [failed|no-receipt|all]`: the task's id (`12` or `#12`) or name; "
                    "`failed` when not given. The file comes to you in a direct message.", command=SLASH_COMMAND))


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
        _option(_("Export no-receipt numbers"), ExportRef(id=task_id, kind=ExportKind.NO_RECEIPT).dump()),
        _option(_("Export all recipients"), ExportRef(id=task_id, kind=ExportKind.ALL).dump()),
    ]}
    return {"type": "actions", "block_id": BlockId.REPORT_ACTIONS, "elements": [
        _button(ActionId.TASK_DETAILS, _("Details"), ref),
        _button(ActionId.EXPORT_FAILED, _("Export failed"), ExportRef(id=task_id, kind=ExportKind.FAILED).dump()),
        _button(ActionId.FOLLOW_UP_RESEND, _("Resend to failed"), ref),
        _button(ActionId.FOLLOW_UP_AUDIENCE, _("Save failed as audience"), ref),
        _button(ActionId.FOLLOW_UP_CHOOSE, _("Follow up on…"), ref),
        more,
    ]}


def slack_date(moment: datetime) -> str:
    """A date and time each reader sees in their own time zone (UTC in the fallback text). The
    tokens stay Slack's; the words between them are the reader's."""
    tokens = _("{date} at {time}", date="{date_short_pretty}", time="{time}")
    return f"<!date^{int(moment.timestamp())}^{tokens}|{moment:%Y-%m-%d %H:%M} UTC>"


def retention_line(available_until: datetime) -> str:
    return _("Details and exports available until {date}; after that only the totals are kept.",
             date=slack_date(available_until))


def preparing_text(task_name: str, kind: ExportKind, rows: int) -> str:
    return n_("Preparing the export of *{name}* ({kind}, {count} row)… It will arrive in our direct messages.",
              "Preparing the export of *{name}* ({kind}, {count} rows)… It will arrive in our direct messages.",
              rows, name=escape(task_name), kind=_(KIND_LABELS[kind]))


def export_comment(task_name: str, kind: ExportKind, rows: int) -> str:
    return n_("Export of *{name}*: {kind}, {count} row with whole phone numbers. Keep it safe, and delete it when "
              "you are done; this export is logged.",
              "Export of *{name}*: {kind}, {count} rows with whole phone numbers. Keep it safe, and delete it when "
              "you are done; this export is logged.", rows, name=escape(task_name), kind=_(KIND_LABELS[kind]))


def audience_saved_text(name: str, count: int, words: str | None = None) -> str:
    """`words`: which numbers (`domain.exports.follow_up_words`; failed and no-receipt when not given)."""
    return n_("Saved audience *{name}*: {count} {words} number. Choose it in the send modal to follow up.",
              "Saved audience *{name}*: {count} {words} numbers. Choose it in the send modal to follow up.",
              count, name=escape(name), words=words or follow_up_words(DEFAULT_FOLLOW_UP))


class FollowUpDo(StrEnum):
    """What the follow-up modal does with the numbers chosen."""

    RESEND = "resend"
    AUDIENCE = "audience"


def _group_options(counts: FollowUpCounts) -> dict[FollowUpGroup, dict[str, Any]]:
    failed = (_("every failed one, the {count} with no receipt in 72 hours included",
                count=number(counts.failed_no_receipt))
              if counts.failed_no_receipt else _("the provider or the carrier said it failed"))
    shown = {FollowUpGroup.DELIVERED: (_("Delivered ({count})", count=number(counts.delivered)),
                                       _("a receipt said delivered")),
             FollowUpGroup.FAILED: (_("Failed ({count})", count=number(counts.failed)), failed),
             FollowUpGroup.NO_RECEIPT: (_("No receipt ({count})", count=number(counts.no_receipt)),
                                        _("awaiting a receipt, or none within 72 hours"))}
    return {group: {**_option(label, str(group)), "description": plain(description)}
            for group, (label, description) in shown.items()}


def build_follow_up_modal(counts: FollowUpCounts, state: FollowUpState) -> dict[str, Any]:
    """Which numbers of a task (delivered, failed, no receipt, in any mix; failed and no-receipt
    ticked), and whether to resend to them or save them as an audience, named or not."""
    options = _group_options(counts)
    example = f"{counts.task_name} failed " + _("<date>")  # an audience's name stays English: it is stored
    do = {FollowUpDo.RESEND: _option(_("Resend: a copy of the task to these numbers, through approval"),
                                     FollowUpDo.RESEND),
          FollowUpDo.AUDIENCE: _option(_("Save them as an audience"), FollowUpDo.AUDIENCE)}
    return {"type": "modal", "callback_id": CallbackId.FOLLOW_UP, "title": plain(_("Follow up")),
            "submit": plain(_("Continue")), "close": plain(_("Cancel")), "private_metadata": state.dump(),
            "blocks": [
                section(_("Follow up on *{name}*: its numbers in any mix. Counted now: a late receipt may still "
                          "move one.", name=escape(counts.task_name))),
                {"type": "input", "block_id": BlockId.FOLLOW_UP_NUMBERS, "label": plain(_("Numbers")),
                 "element": {"type": "checkboxes", "action_id": ActionId.FOLLOW_UP_NUMBERS_INPUT,
                             "options": list(options.values()),
                             "initial_options": [options[group] for group in in_order(DEFAULT_FOLLOW_UP)]}},
                {"type": "input", "block_id": BlockId.FOLLOW_UP_DO, "label": plain(_("Then")),
                 "element": {"type": "radio_buttons", "action_id": ActionId.FOLLOW_UP_DO_INPUT,
                             "options": list(do.values()), "initial_option": do[FollowUpDo.RESEND]}},
                {"type": "input", "block_id": BlockId.FOLLOW_UP_NAME, "optional": True,
                 "label": plain(_("Audience name, when saving")),
                 "hint": plain(_("Left empty, it is named after the task, the numbers and the day, e.g. “{example}”.",
                                 example=example)),
                 "element": {"type": "plain_text_input", "action_id": ActionId.FOLLOW_UP_NAME_INPUT,
                             "max_length": MAX_AUDIENCE_NAME}},
            ]}


def follow_up_view(message: str, *, done: bool) -> dict[str, Any]:
    """The follow-up modal while it works, or what came of it (`message`: mrkdwn)."""
    icon, close = (":white_check_mark:", _("Done")) if done else (":hourglass_flowing_sand:", _("Close"))
    return {"type": "modal", "title": plain(_("Follow up")), "close": plain(close),
            "blocks": [section(f"{icon} {message}")]}
