import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from domain.phones import PhoneNormalizer
from domain.recipient_files import (
    Limits,
    RecipientFileError,
    find_phone_column,
    read_recipient_table,
    sniff_delimiter,
)
from domain.recipient_import import (
    MAX_PASTED_NUMBERS,
    build_recipients,
    pasted_table,
    split_pasted_numbers,
    summary_line,
)

LIMITS = Limits(max_bytes=12 * 1024 * 1024, max_rows=1_000_000)
CN = PhoneNormalizer("CN")


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_bytes(data: bytes, name: str = "list.csv", limits: Limits = LIMITS):
    return build_recipients(read_recipient_table(data, name, limits), CN)


def kept(outcome):
    """Recipients with their variables decoded from the JSON text they are stored as."""
    return [(n, phone, json.loads(variables)) for n, phone, variables in outcome.recipients]


@pytest.mark.parametrize("header", ["Phone", "MOBILE", " number ", "msisdn", "手机号", "手机号码"])
def test_phone_column_found_by_name(header):
    assert find_phone_column(["name", header, "city"]) == 1


def test_the_only_column_is_the_phone_column():
    assert find_phone_column(["联系人"]) == 0


def test_no_phone_column_lists_the_columns_found():
    with pytest.raises(RecipientFileError, match="Columns found: `name`, `city`"):
        find_phone_column(["name", "city"])


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    sample = delimiter.join(["phone", "name", "coupon"]) + "\n" + delimiter.join(["13800138000", "Li", "A1"]) + "\n"
    assert sniff_delimiter(sample) == delimiter


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings(encoding):
    outcome = import_bytes("手机号,姓名\n13800138000,李雷\n".encode(encoding))
    assert outcome.variables == ["姓名"]
    assert kept(outcome) == [(2, "+8613800138000", ["李雷"])]


def test_dedup_keeps_the_first_rows_variables_and_counts():
    outcome = import_bytes(b"phone,name\n13800138000,first\n+86 138-0013-8000,second\n8613800138000,third\nabc,x\n")
    assert kept(outcome) == [(2, "+8613800138000", ["first"])]
    assert outcome.duplicate_count == 2
    assert [(r.row_number, r.value, r.reason) for r in outcome.invalid] == [(5, "abc", "not a number")]
    assert summary_line(outcome) == "1 imported, 1 invalid removed, 2 duplicates removed"


def test_scientific_notation_in_a_csv_is_invalid_with_its_reason():
    outcome = import_bytes(b"phone\n1.38001E+10\n")
    assert outcome.invalid[0].reason.startswith("scientific notation")


def test_numeric_xlsx_cells_come_out_exact():
    outcome = import_bytes(xlsx([["phone", "n"], [13800138000, 1], [13912345678.0, 2.5]]), "list.xlsx")
    assert [(p, v) for _, p, v in kept(outcome)] == [("+8613800138000", ["1"]), ("+8613912345678", ["2.5"])]


def test_blank_rows_are_skipped_and_row_numbers_are_the_files():
    outcome = import_bytes(b"phone\n\n13800138000\n,\n13912345678\n")
    assert [n for n, _, _ in outcome.recipients] == [3, 5]


def test_header_without_rows():
    with pytest.raises(RecipientFileError, match="no data rows"):
        import_bytes(b"phone,name\n")


def test_too_many_rows_stops_reading():
    limits = Limits(max_bytes=LIMITS.max_bytes, max_rows=3)
    with pytest.raises(RecipientFileError, match="more than 3 data rows"):
        import_bytes(b"phone\n" + b"13800138000\n" * 4, limits=limits)
    with pytest.raises(RecipientFileError, match="more than 3 data rows"):
        import_bytes(xlsx([["phone"]] + [[13800138000]] * 4), "list.xlsx", limits=limits)


@pytest.mark.parametrize(
    ("header", "message"),
    [(["phone", ""], "has no name"), (["phone", "first name"], "can't be a template variable"),
     (["phone", "name", "name"], "appear twice")],
)
def test_variable_columns_must_be_usable_names(header, message):
    with pytest.raises(RecipientFileError, match=message):
        import_bytes((",".join(header) + "\n13800138000" + "," * (len(header) - 1) + "\n").encode())


def test_pasted_numbers_split_on_lines_commas_and_spaces_but_not_inside_a_number():
    text = "13800138000\n+86 138 0013 8000, 13912345678；13912345679\n13800138001 13800138002\n+1 201-555-0123"
    assert split_pasted_numbers(text) == [
        "13800138000", "+86 138 0013 8000", "13912345678", "13912345679", "13800138001", "13800138002", "+1 201-555-0123",
    ]


def test_pasted_limit():
    with pytest.raises(RecipientFileError, match="the limit is 10,000"):
        pasted_table("\n".join(["13800138000"] * (MAX_PASTED_NUMBERS + 1)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), min_size=1, max_size=30))
def test_import_counts_always_add_up(numbers):
    outcome = build_recipients(pasted_table("\n".join(numbers)), CN)
    assert outcome.imported_count + outcome.invalid_count + outcome.duplicate_count == len(numbers)
    assert outcome.imported_count == len({r[1] for r in outcome.recipients})
