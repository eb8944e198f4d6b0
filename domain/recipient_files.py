"""Reading recipient files: what a file is, whether it is safe to open, and its rows.

Pure: works on bytes already in memory (at most the file-size limit), does no I/O.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from python_calamine import CalamineWorkbook

from domain.errors import DomainError
from domain.i18n import N_, _, number

PHONE_COLUMN_NAMES = ("phone", "mobile", "number", "msisdn", "手机号", "手机号码")
CSV_DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
# An XLSX unpacks to a few times its size; far more than this is a zip bomb.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE container: legacy .xls, or an encrypted .xlsx
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class RecipientFileError(DomainError):
    """A file the bot will not import, with a message that says why and what to do."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int

    @property
    def max_megabytes(self) -> str:
        return f"{self.max_bytes / (1024 * 1024):.4g} MB"


@dataclass
class Table:
    """A sheet: its header and an iterator over its data rows (row numbers as in the file)."""

    header: list[str]
    rows: Iterator[tuple[int, Sequence]]
    # Rows whose cell in a column (by index) is a formula with no saved result; found only when asked.
    formula_rows: Callable[[int], set[int]] = field(default=lambda _column: set())
    # Rows that read as empty or were never read: a formula with no saved result looks like that.
    blank_rows: list[int] = field(default_factory=list)
    rows_hidden_at_end: bool = False


def check_size(size: int, limits: Limits) -> None:
    if size == 0:
        raise RecipientFileError(_("The file is empty."))
    if size > limits.max_bytes:
        raise RecipientFileError(_("The file is {size} MB; the limit is {limit} per task. Split it into several files.",
                                   size=f"{size / (1024 * 1024):.1f}", limit=limits.max_megabytes))


def detect_format(data: bytes, filename: str) -> FileFormat:
    """Trust the bytes, not the name: a renamed PDF or an old .xls gets its own answer."""
    name = filename.lower()
    if not data:
        raise RecipientFileError(_("The file is empty."))
    if data.startswith(_CFB_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise RecipientFileError(_("The workbook is password-protected. Save it without a password and upload "
                                       "it again."))
        raise RecipientFileError(_("This is a legacy Excel 97-2003 (.xls) file. Save it as .xlsx or .csv and upload "
                                   "it again."))
    if data.startswith(b"%PDF"):
        raise RecipientFileError(_("{name} is a PDF, not a spreadsheet. Upload an .xlsx or .csv file.", name=filename))
    if data.startswith(b"PK\x03\x04"):
        return FileFormat.XLSX
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        raise RecipientFileError(_("{name} is not a valid Excel workbook. Upload an .xlsx or .csv file.",
                                   name=filename))
    if b"\x00" in data[:SNIFF_BYTES]:
        raise RecipientFileError(_("{name} is not a text or Excel file. Upload an .xlsx or .csv file.", name=filename))
    return FileFormat.CSV


def check_zip_is_sane(data: bytes) -> None:
    """Refuse a zip bomb from its directory alone, before inflating anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except zipfile.BadZipFile:
        raise RecipientFileError(_("The workbook is damaged (not a readable .xlsx). Save it again and "
                                   "re-upload.")) from None
    if "xl/workbook.xml" not in names:
        raise RecipientFileError(_("This zip file is not an Excel workbook. Upload an .xlsx or .csv file."))
    unpacked = sum(entry.file_size for entry in entries)
    packed = max(1, sum(entry.compress_size for entry in entries))
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise RecipientFileError(
            _("The workbook unpacks to an implausible size (it looks like a zip bomb), so it was not opened.")
        )


def find_phone_column(header: list[str]) -> int:
    """The phone column by its name, or the only column there is."""
    names = [name.strip().lower() for name in header]
    for wanted in PHONE_COLUMN_NAMES:
        if wanted in names:
            return names.index(wanted)
    if len(header) == 1:
        return 0
    found = ", ".join(f"`{name}`" for name in header if name.strip()) or _("none")
    raise RecipientFileError(_("No phone column found. Name one of the columns {names}. Columns found: {found}.",
                               names=", ".join(PHONE_COLUMN_NAMES), found=found))


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, the superset of GBK that Chinese Excel writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    raise RecipientFileError(_("The CSV is neither UTF-8 nor GBK/GB18030 text. Save it as CSV UTF-8."))


def sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        return ","


def read_csv(data: bytes, limits: Limits) -> Table:
    encoding = detect_encoding(data)
    delimiter = sniff_delimiter(data[:SNIFF_BYTES].decode(encoding, errors="ignore"))
    # Decoded as it is read: a whole decoded copy of a large file would cost several times its size.
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    rows = _csv_rows(reader)
    header = next(rows, None)
    if header is None:
        raise RecipientFileError(_("The file is empty."))
    table = Table([cell.strip() for cell in header], iter(()))
    table.rows = _data_rows(rows, 2, limits, table.blank_rows)
    return table


def _csv_rows(reader) -> Iterator[list[str]]:
    """The CSV's rows; a row Python's reader cannot take (a field over its 131,072-character
    limit, a quote never closed) is refused with its line, not as a crash."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise RecipientFileError(_csv_problem(str(error), reader.line_num)) from None


def _csv_problem(error: str, line: int) -> str:
    if "field larger than field limit" in error:
        return _("Line {line} of the CSV has a field longer than {limit} characters, often a quote that is never "
                 "closed. Fix that line and upload the file again.", line=number(line),
                 limit=number(csv.field_size_limit()))
    return _("Line {line} of the CSV cannot be read ({error}). Fix that line and upload the file again.",
             line=number(line), error=error)


def _data_rows(rows: Iterator[Sequence], first_row: int, limits: Limits, blank_rows: list[int]) -> Iterator[tuple[int, Sequence]]:
    """Rows with their numbers in the file; blank rows skipped (and noted); past the row
    limit the import stops before reading further."""
    count = 0
    max_rows = limits.max_rows
    for row_number, row in enumerate(rows, start=first_row):
        if not any(row):  # empty strings and None alike; C-speed, this loop runs a million times
            blank_rows.append(row_number)
            continue
        count += 1
        if count > max_rows:
            raise RecipientFileError(too_many_rows(max_rows))
        yield row_number, row


def too_many_rows(max_rows: int) -> str:
    return _("The file has more than {count} data rows, the limit per task. Split it into several files.",
             count=number(max_rows))


# An invalid row's reason: kept in English, translated where shown (domain.phones.invalid_reason_for_reader).
FORMULA_WITHOUT_VALUE = N_("formula without a saved value (open and save the file in Excel)")
_FORMULA_ONLY_CELL = rb'<c r="{column}(\d+)"[^>]*>\s*<f[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>'
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def read_xlsx(data: bytes, limits: Limits) -> Table:
    """The first sheet, through calamine (see the README's reader benchmark)."""
    check_zip_is_sane(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as error:  # calamine raises its own types and plain ones for damaged files
        raise RecipientFileError(_("The workbook could not be read ({error}). Save it again as .xlsx.",
                                   error=type(error).__name__)) from None
    if sheet.total_height > limits.max_rows + 1:
        raise RecipientFileError(too_many_rows(limits.max_rows))
    rows = sheet.iter_rows()
    header = next(rows, None)
    if header is None:
        raise RecipientFileError(_("The file is empty."))
    # calamine numbers rows from the sheet's first used row, which may not be row 1.
    first_row = sheet.start[0] + 1 if sheet.start else 1
    table = Table([_header_cell(cell) for cell in header], iter(()))
    table.rows = _data_rows(rows, first_row + 1, limits, table.blank_rows)
    table.formula_rows = lambda column: _rows_with_unsaved_formulas(data, column)
    # calamine stops at the last row with a value; the sheet may declare more.
    table.rows_hidden_at_end = _declared_last_row(data) > first_row + sheet.height - 1
    return table


def _header_cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _first_sheet_name(archive: zipfile.ZipFile) -> str | None:
    sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
    return sheets[0] if sheets else None


def _declared_last_row(data: bytes) -> int:
    """The last row the sheet's <dimension> declares, read from its first kilobytes only."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = _first_sheet_name(archive)
        if name is None:
            return 0
        with archive.open(name) as sheet:
            match = _DIMENSION.search(sheet.read(4096))
    return int(match.group(1) or 1) if match else 0


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _rows_with_unsaved_formulas(data: bytes, column: int) -> set[int]:
    """Rows whose cell in that column is a formula whose result was never saved (calamine
    reads it as empty). Looked for only when such a cell may exist, so most files pay nothing."""
    pattern = re.compile(_FORMULA_ONLY_CELL.replace(b"{column}", _column_letters(column).encode()))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = _first_sheet_name(archive)
        return {int(m.group(1)) for m in pattern.finditer(archive.read(name))} if name else set()


def read_recipient_table(data: bytes, filename: str, limits: Limits) -> Table:
    check_size(len(data), limits)
    if detect_format(data, filename) is FileFormat.XLSX:
        return read_xlsx(data, limits)
    return read_csv(data, limits)
