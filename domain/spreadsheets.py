"""XLSX files the bot hands out: the sample recipient file and the invalid-rows report.
Built in memory; pure."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from domain.i18n import _
from domain.phones import invalid_reason_for_reader
from domain.recipient_import import InvalidRow

SAMPLE_NUMBERS = ("13800138000", "+8613912345678")


def _xlsx(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([_as_text_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def printable_in_xlsx(value: str) -> str:
    """A file's value as a spreadsheet can hold it: each character XML forbids (a vertical tab,
    NUL, an escape) written as its code, \\x0b, so that the value is still recognisable."""
    return ILLEGAL_CHARACTERS_RE.sub(lambda match: f"\\x{ord(match.group()):02x}", value)


def _as_text_cell(sheet, value: object) -> object:
    if not isinstance(value, str):
        return value
    value = printable_in_xlsx(value)
    # Typed as text, a value such as "=HYPERLINK(...)" from an uploaded file stays text
    # when the report is opened, instead of running as a formula.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def sample_recipients_xlsx(variables: Sequence[str] = ()) -> bytes:
    """In the reader's language: its phone column's name is one an import recognises in either."""
    examples = [[number, *(f"{name} {i}" for name in variables)] for i, number in enumerate(SAMPLE_NUMBERS, start=1)]
    return _xlsx(_("recipients"), [_("phone"), *variables], examples)


def invalid_rows_xlsx(rows: Iterable[InvalidRow]) -> bytes:
    """In the reader's language, the uploader's: the headers and each row's reason."""
    return _xlsx(_("invalid rows"), [_("row"), _("value"), _("reason")],
                 ([r.row_number, r.value, invalid_reason_for_reader(r.reason)] for r in rows))
