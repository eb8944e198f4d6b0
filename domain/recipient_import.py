"""From a table of rows to a recipient list: normalise, drop invalid rows with a reason,
drop duplicates keeping the first row's variables. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from json.encoder import encode_basestring as _encode_string
from operator import itemgetter
from dataclasses import dataclass, field

from domain.i18n import _, n_, number
from domain.errors import DomainError
from domain.applications import Routing
from domain.phones import InvalidReason, PhoneNormalizer
from domain.recipient_files import FORMULA_WITHOUT_VALUE, RecipientFileError, Table, find_phone_column

PROGRESS_EVERY_ROWS = 50_000
MAX_PASTED_NUMBERS = 10_000
VARIABLE_NAME = re.compile(r"^[^\s${}]+$")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class InvalidRow:
    row_number: int
    value: str
    reason: str


@dataclass
class ImportOutcome:
    """What an import keeps and what it removed, ready to be stored."""

    variables: list[str]
    # (row number, E.164 number, variable values as a JSON array)
    recipients: list[tuple[int, str, str]] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)
    duplicate_count: int = 0
    data_rows: int = 0

    @property
    def imported_count(self) -> int:
        return len(self.recipients)

    @property
    def invalid_count(self) -> int:
        return len(self.invalid)


def variable_columns(header: list[str], phone_index: int) -> list[str]:
    variables = [name.strip() for i, name in enumerate(header) if i != phone_index]
    for name in variables:
        if not name:
            raise RecipientFileError(_("A column has no name in the header row. Name every column or delete the "
                                       "empty one."))
        if not VARIABLE_NAME.match(name):
            raise RecipientFileError(_("The column name `{name}` can't be a template variable: use letters, digits "
                                       "or _ without spaces or $ {{ }}.", name=name))
    duplicates = sorted({name for name in variables if variables.count(name) > 1})
    if duplicates:
        raise RecipientFileError(_("These column names appear twice: {names}. Each needs its own name.",
                                   names=", ".join(duplicates)))
    return variables


def build_recipients(table: Table, normalizer: PhoneNormalizer, progress: Progress | None = None,
                     routes: Routing | None = None) -> ImportOutcome:
    """`routes`: where numbers are sent; a number no application sends to is invalid, with that reason."""
    phone_index = find_phone_column(table.header)
    outcome = ImportOutcome(variables=variable_columns(table.header, phone_index))
    values_of = _variable_values(phone_index, len(table.header))
    seen: set[str] = set()
    normalize = normalizer.normalize
    refusal = routes.refusal if routes is not None and not routes.takes_every_number else None
    recipients, invalid = outcome.recipients, outcome.invalid
    duplicates = rows = 0
    for row_number, row in table.rows:
        rows += 1
        raw = row[phone_index] if phone_index < len(row) else None
        e164 = (result := normalize(raw)).e164
        if e164 is None:
            invalid.append(InvalidRow(row_number, _as_text(raw), result.message))
        elif refusal is not None and (reason := refusal(e164)):
            invalid.append(InvalidRow(row_number, _as_text(raw), reason))
        elif e164 in seen:
            duplicates += 1
        else:
            seen.add(e164)
            recipients.append((row_number, e164, values_of(row)))
        if progress is not None and rows % PROGRESS_EVERY_ROWS == 0:
            progress(rows)
    outcome.data_rows, outcome.duplicate_count = rows, duplicates
    if rows == 0:
        raise RecipientFileError(_("The file has a header row but no data rows."))
    _explain_empty_formulas(outcome, table, phone_index)
    return outcome


def _variable_values(phone_index: int, width: int) -> Callable[[Sequence], str]:
    """A row's variable values as a JSON array of strings, encoded once here: a million
    small lists would cost far more memory than their text."""
    indexes = [i for i in range(width) if i != phone_index]
    if not indexes:
        return lambda _row: "[]"
    pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda row: (row[indexes[0]],))

    def values_of(row: Sequence) -> str:
        try:
            values = pick(row)
        except IndexError:  # a short row: its missing cells are empty
            values = pick([*row, *([""] * (width - len(row)))])
        return "[" + ",".join(map(_encode_string, map(_as_text, values))) + "]"

    return values_of


def _explain_empty_formulas(outcome: ImportOutcome, table: Table, phone_index: int) -> None:
    """A phone cell holding a formula with no saved result reads as empty, or its row is
    not read at all: say so, and count such a row as the invalid row it is."""
    empty = str(InvalidReason.EMPTY)
    if not (table.blank_rows or table.rows_hidden_at_end or any(row.reason == empty for row in outcome.invalid)):
        return
    formula_rows = table.formula_rows(phone_index)
    if not formula_rows:
        return
    relabelled = [
        InvalidRow(row.row_number, row.value, FORMULA_WITHOUT_VALUE)
        if row.reason == empty and row.row_number in formula_rows else row
        for row in outcome.invalid
    ]
    already = {row.row_number for row in outcome.invalid}
    skipped = [InvalidRow(n, "", FORMULA_WITHOUT_VALUE) for n in sorted(formula_rows - already)]
    outcome.invalid[:] = sorted(relabelled + skipped, key=lambda row: row.row_number)
    outcome.data_rows += len(skipped)


def split_pasted_numbers(text: str) -> list[str]:
    """One number per line, or several separated by commas, semicolons or spaces. Spaces
    separate numbers only where two or more of the parts are long enough to be numbers;
    otherwise they group the digits of one ("+86 138 0013 8000", "+1 201-555-0123")."""
    numbers: list[str] = []
    for piece in re.split(r"[\n\r,;，；]+", text):
        piece = piece.strip()
        if not piece:
            continue
        parts = piece.split()
        if sum(1 for part in parts if sum(ch.isdigit() for ch in part) >= 7) >= 2:
            numbers.extend(parts)
        else:
            numbers.append(piece)
    return numbers


def pasted_table(text: str) -> Table:
    numbers = split_pasted_numbers(text)
    if not numbers:
        raise RecipientFileError(_("No numbers were pasted."))
    if len(numbers) > MAX_PASTED_NUMBERS:
        raise RecipientFileError(_("{count} numbers were pasted; the limit is {limit}. Upload a file for more.",
                                   count=number(len(numbers)), limit=number(MAX_PASTED_NUMBERS)))
    rows: Iterator[tuple[int, tuple]] = ((line, (number,)) for line, number in enumerate(numbers, start=1))
    return Table(["phone"], rows)


def _as_text(value: object) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def summary_line(outcome: ImportOutcome) -> str:
    return _("{imported}, {invalid}, {duplicates}",
             imported=n_("{count} imported", "{count} imported", outcome.imported_count),
             invalid=n_("{count} invalid removed", "{count} invalid removed", outcome.invalid_count),
             duplicates=n_("{count} duplicate removed", "{count} duplicates removed", outcome.duplicate_count))


def check_not_empty(outcome: ImportOutcome) -> None:
    if outcome.imported_count == 0:
        raise NothingToImport(outcome)


class NothingToImport(DomainError):
    """Every row was invalid or a duplicate: nothing is stored, the report still helps."""

    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__(_("No valid numbers: {summary}.", summary=summary_line(outcome)))
        self.outcome = outcome
