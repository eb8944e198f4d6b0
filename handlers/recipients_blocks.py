"""Block Kit for recipient imports: progress, result, failure, and the import modal."""

from __future__ import annotations

from typing import Any

from domain.i18n import _, n_, number
from domain.recipient_import import MAX_PASTED_NUMBERS
from handlers.block_kit import MODAL_UPLOAD_HINT, escape, mrkdwn, plain, section
from handlers.ids import ActionId, BlockId, CallbackId, SLASH_COMMAND
from handlers.payloads import ImportModalState, ListRef

Blocks = list[dict[str, Any]]
Message = tuple[str, Blocks]


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


# `name` in each: the file's name as uploaded (or the bot's "Pasted numbers"). The messages
# posted where the import was asked are built in the workspace's language (the caller's
# `in_public()`); the invalid rows' comment and the modal in the uploader's.
def build_import_progress(name: str, rows_read: int | None = None) -> Message:
    so_far = " — " + _("{count} rows read", count=number(rows_read)) if rows_read else ""
    text = _("Importing {name}…", name=escape(name)) + so_far
    return text, [section(":hourglass_flowing_sand: " + _("Importing *{name}*…", name=escape(name)) + so_far)]


def build_import_failed(name: str, reason: str) -> Message:
    """`reason`: mrkdwn (`error_mrkdwn`)."""
    text = _("{name} was not imported: {reason}", name=escape(name), reason=reason)
    return text, [section(":x: " + _("*{name}* was not imported.", name=escape(name)) + f"\n{reason}"),
                  _context(_("Nothing was stored."))]


def _variables_line(variables: list[str]) -> str:
    if not variables:  # the file's column names
        return _("No variable columns: only the phone column was found.")
    return _("Template variables: {variables}", variables=", ".join(f"`${{{escape(v)}}}`" for v in variables))


def _result_notes(report_sent: bool, already_imported: bool) -> str:
    notes = []
    if report_sent:
        notes.append(_("The invalid rows (row, value, reason) are in your direct messages with me."))
    if already_imported:
        notes.append(_("This file was imported before; this is that import."))
    notes.append(escape(_("Save it for later with the button or `{command} audience save <name>`.",
                          command=SLASH_COMMAND)))
    return _sentences(notes)


def _sentences(sentences: list[str]) -> str:
    """One after another, as the reader's language puts them (Chinese: no space between)."""
    joined = sentences[0]
    for sentence in sentences[1:]:
        joined = _("{sentences} {sentence}", sentences=joined, sentence=sentence)
    return joined


def build_import_result(
    *, name: str, summary_line: str, list_id: int, variables: list[str], report_sent: bool,
    already_imported: bool = False,
) -> Message:
    headline = ":white_check_mark: " + _("*{name}*: {summary}.", name=escape(name), summary=summary_line)
    blocks: Blocks = [
        section(f"{headline}\n{_variables_line(variables)}", BlockId.IMPORT_RESULT),
        {"type": "actions", "block_id": BlockId.IMPORT_ACTIONS, "elements": [
            {"type": "button", "action_id": ActionId.IMPORT_CREATE_TASK, "value": ListRef(id=list_id).dump(),
             "style": "primary", "text": {"type": "plain_text", "text": _("Create send task")}},
            {"type": "button", "action_id": ActionId.IMPORT_SAVE_AUDIENCE, "value": ListRef(id=list_id).dump(),
             "text": {"type": "plain_text", "text": _("Save as audience")}},
        ]},
        _context(_result_notes(report_sent, already_imported)),
    ]
    return _("{name}: {summary}", name=escape(name), summary=summary_line), blocks


def build_nothing_imported(name: str, summary_line: str, report_sent: bool) -> Message:
    detail = _("The invalid rows and their reasons are in your direct messages with me.") if report_sent else ""
    text = _("{name}: no valid numbers ({summary})", name=escape(name), summary=summary_line)
    headline = ":x: " + _("*{name}*: no valid numbers — {summary}.", name=escape(name), summary=summary_line)
    return text, [section(f"{headline}\n{detail}".strip()), _context(_("Nothing was stored."))]


def invalid_rows_comment(name: str, count: int) -> str:
    """The message that comes with the invalid rows' file, in the uploader's DM."""
    return n_("{count} invalid row removed from *{name}*: row number, value as written, reason.",
              "{count} invalid rows removed from *{name}*: row number, value as written, reason.",
              count, name=escape(name))


def build_import_modal(channel_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.IMPORT_SUBMIT,
        "private_metadata": ImportModalState(channel_id=channel_id).dump(),
        "title": plain(_("Import recipients")),
        "submit": plain(_("Import")),
        "close": plain(_("Cancel")),
        "blocks": [
            {"type": "input", "block_id": BlockId.IMPORT_FILE, "optional": True,
             "label": plain(_("Recipient file (XLSX or CSV)")),
             "hint": plain(_(MODAL_UPLOAD_HINT)),
             "element": {"type": "file_input", "action_id": ActionId.IMPORT_FILE_INPUT,
                         "filetypes": ["xlsx", "csv"], "max_files": 1}},
            {"type": "input", "block_id": BlockId.IMPORT_PASTE, "optional": True,
             "label": plain(_("…or paste numbers")),
             "hint": plain(_("One per line, or separated by commas or spaces. Up to {count}.",
                             count=number(MAX_PASTED_NUMBERS))),
             "element": {"type": "plain_text_input", "action_id": ActionId.IMPORT_PASTE_INPUT, "multiline": True,
                         "placeholder": plain(_("+86 1xx xxxx xxxx, one a line"))}},
        ],
    }
