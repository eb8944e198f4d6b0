"""Block Kit for recipient imports: progress, result, failure, and the import modal."""

from __future__ import annotations

from typing import Any

from handlers.block_kit import MODAL_UPLOAD_HINT, escape, mrkdwn, section
from handlers.ids import ActionId, BlockId, CallbackId, SLASH_COMMAND
from handlers.payloads import ImportModalState, ListRef

Blocks = list[dict[str, Any]]
Message = tuple[str, Blocks]


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


# `name` in each: the file's name as uploaded (or the bot's "Pasted numbers").
def build_import_progress(name: str, rows_read: int | None = None) -> Message:
    so_far = f" — {rows_read:,} rows read" if rows_read else ""
    text = f"Importing {escape(name)}…{so_far}"
    return text, [section(f":hourglass_flowing_sand: Importing *{escape(name)}*…{so_far}")]


def build_import_failed(name: str, reason: str) -> Message:
    """`reason`: mrkdwn (`error_mrkdwn`)."""
    text = f"{escape(name)} was not imported: {reason}"
    return text, [section(f":x: *{escape(name)}* was not imported.\n{reason}"), _context("Nothing was stored.")]


def build_import_result(
    *, name: str, summary_line: str, list_id: int, variables: list[str], report_sent: bool,
    already_imported: bool = False,
) -> Message:
    lines = [f":white_check_mark: *{escape(name)}*: {summary_line}."]
    if variables:  # the file's column names
        lines.append("Template variables: " + ", ".join(f"`${{{escape(v)}}}`" for v in variables))
    else:
        lines.append("No variable columns: only the phone column was found.")
    notes = []
    if report_sent:
        notes.append("The invalid rows (row, value, reason) are in your direct messages with me.")
    if already_imported:
        notes.append("This file was imported before; this is that import.")
    notes.append(escape(f"Save it for later with the button or `{SLASH_COMMAND} audience save <name>`."))
    blocks: Blocks = [
        section("\n".join(lines), BlockId.IMPORT_RESULT),
        {"type": "actions", "block_id": BlockId.IMPORT_ACTIONS, "elements": [
            {"type": "button", "action_id": ActionId.IMPORT_CREATE_TASK, "value": ListRef(id=list_id).dump(),
             "style": "primary", "text": {"type": "plain_text", "text": "Create send task"}},
            {"type": "button", "action_id": ActionId.IMPORT_SAVE_AUDIENCE, "value": ListRef(id=list_id).dump(),
             "text": {"type": "plain_text", "text": "Save as audience"}},
        ]},
        _context(" ".join(notes)),
    ]
    return f"{escape(name)}: {summary_line}", blocks


def build_nothing_imported(name: str, summary_line: str, report_sent: bool) -> Message:
    detail = "The invalid rows and their reasons are in your direct messages with me." if report_sent else ""
    text = f"{escape(name)}: no valid numbers ({summary_line})"
    return text, [section(f":x: *{escape(name)}*: no valid numbers — {summary_line}.\n{detail}".strip()),
                  _context("Nothing was stored.")]


def invalid_rows_comment(name: str, count: int) -> str:
    """The message that comes with the invalid rows' file, in the uploader's DM."""
    return f"{count:,} invalid rows removed from *{escape(name)}*: row number, value as written, reason."


def build_import_modal(channel_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.IMPORT_SUBMIT,
        "private_metadata": ImportModalState(channel_id=channel_id).dump(),
        "title": {"type": "plain_text", "text": "Import recipients"},
        "submit": {"type": "plain_text", "text": "Import"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": BlockId.IMPORT_FILE, "optional": True,
             "label": {"type": "plain_text", "text": "Recipient file (XLSX or CSV)"},
             "hint": {"type": "plain_text", "text": MODAL_UPLOAD_HINT},
             "element": {"type": "file_input", "action_id": ActionId.IMPORT_FILE_INPUT,
                         "filetypes": ["xlsx", "csv"], "max_files": 1}},
            {"type": "input", "block_id": BlockId.IMPORT_PASTE, "optional": True,
             "label": {"type": "plain_text", "text": "…or paste numbers"},
             "hint": {"type": "plain_text", "text": "One per line, or separated by commas or spaces. Up to 10,000."},
             "element": {"type": "plain_text_input", "action_id": ActionId.IMPORT_PASTE_INPUT, "multiline": True,
                         "placeholder": {"type": "plain_text", "text": "+86 1xx xxxx xxxx, one a line"}}},
        ],
    }
