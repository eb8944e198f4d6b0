"""Pure rules of exports, follow-ups and retention; the streaming XLSX writer read back by
openpyxl and calamine; the delivery timeline and its chart."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from bot.settings import SettingsError, load_settings
from domain.approvers import Actor
from domain.content import Purpose
from domain.dispatch import MessagePlan
from domain.segments import SignatureStyle
from domain.errors import DomainError
from domain.exports import (
    DEFAULT_FOLLOW_UP,
    FOLLOW_UP,
    ExportKind,
    ExportLayout,
    FollowUpGroup,
    check_may_take_details,
    details_expire_at,
    follow_up_audience_name,
    follow_up_selection,
    follow_up_words,
    neutralise,
    parse_kind,
    phone_cell,
    purge_cutoff,
    split_export_args,
)
from domain.timeline import bucket_width, build_timeline
from domain.xlsx_stream import StreamingXlsxWriter, xml_text
from storage.statuses import NO_RECEIPT
from handlers.delivery_chart import render_delivery_chart

UTC = timezone.utc


@pytest.mark.parametrize(("value", "shown"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("plain", "plain"), ("a=b", "a=b"), ("", ""), (" =1", " =1"), ("'=1", "'=1"),
])
def test_cells_that_a_spreadsheet_could_run_are_prefixed_with_a_quote(value, shown):
    assert neutralise(value) == shown


def test_phone_numbers_keep_their_plus_and_anything_else_is_neutralised():
    assert phone_cell("+8613800138000") == "+8613800138000"
    assert phone_cell("+1-800=1") == "'+1-800=1"
    assert phone_cell("=cmd") == "'=cmd"


def test_a_row_holds_the_whole_number_the_variables_and_what_happened_in_local_time():
    layout = ExportLayout(["name", "=evil"], "Asia/Shanghai")
    assert layout.header() == ["row", "phone", "name", "'=evil", "status", "submitted at (Asia/Shanghai)",
                               "receipt at (Asia/Shanghai)", "error code", "reason"]
    make = layout.row_maker()
    at = datetime(2026, 11, 23, 2, 0, 1, 999_000, tzinfo=UTC)
    assert make((2, "+8613800138000", ["=Li"], "failed", at, at + timedelta(seconds=2), "-5", "@blocked", False,
                 "p1")) == [
        2, "+8613800138000", "'=Li", None, "failed", "2026-11-23 10:00:01", "2026-11-23 10:00:03", "'-5", "'@blocked"]
    assert make((3, "+8613800138001", ["A", "B", "extra"], "submitted", at, None, None, None, False, None))[4:7] == [
        "awaiting receipt", "2026-11-23 10:00:01", None]
    # SQLite's own text of a UTC time reads the same
    assert make((4, "+1", [], "delivered", "2026-11-23 02:00:01.999000", "2026-11-23 23:59:59", None, None,
                 False, None))[5:7] == ["2026-11-23 10:00:01", "2026-11-24 07:59:59"]
    card = ExportLayout([], "UTC", card=True)
    assert card.header()[-1] == "sent as fallback" and card.row_maker()((2, "+1", [], "delivered", None, None,
                                                                          None, None, True, None))[-1] == "yes"


PLAN = MessagePlan("Hi ${name}", "Acme", Purpose.PROMOTIONAL, SignatureStyle.COLON, "Reply T to stop", ["name"],
                   kind="card", fallback_body="=Dear ${name}")


def test_a_row_holds_its_sms_id_and_its_message_as_the_dispatcher_composes_it():
    layout = ExportLayout(["name"], "UTC", card=True, plan=PLAN)
    assert layout.header()[-5:] == ["sent as fallback", "SMS ID", "characters", "segments", "text"]
    assert len(layout.widths()) == len(layout.header())
    make = layout.row_maker()
    sent = "Acme: Hi Li\nReply T to stop"
    assert make((2, "+1", ["Li"], "delivered", None, None, None, None, False, "sim-1"))[-5:] == [
        None, "sim-1", len(sent), 1, sent]
    # a card that went as its fallback: the fallback's text; every cell a spreadsheet could run neutralised
    fallback = "Acme: =Dear 13800138000 " + "x" * 150 + "\nReply T to stop"
    assert make((3, "+1", ["13800138000 " + "x" * 150], "failed", None, None, None, None, True, "=id"))[-5:] == [
        "yes", "'=id", len(fallback), 2, fallback]  # whole numbers stay whole in a file: it goes to a DM
    assert ExportLayout(["name"], "UTC").header()[-1] == "reason"  # no plan, no message columns


def test_export_arguments_name_a_task_and_an_export():
    assert split_export_args("12") == ("12", ExportKind.FAILED)
    assert split_export_args("#12 all") == ("#12", ExportKind.ALL)
    assert split_export_args("Spring sale no-receipt") == ("Spring sale", ExportKind.NO_RECEIPT)
    assert split_export_args("Spring sale") == ("Spring sale", ExportKind.FAILED)
    assert split_export_args("") == ("", ExportKind.FAILED)
    with pytest.raises(DomainError, match="“sent” is not an export"):
        split_export_args("12 sent")
    assert parse_kind(None) is ExportKind.FAILED and parse_kind("ALL") is ExportKind.ALL


def test_only_the_requester_and_approvers_may_take_the_numbers():
    check_may_take_details(Actor("U1"), "U1")
    check_may_take_details(Actor("U2", is_approver=True), "U1")
    with pytest.raises(DomainError, match="Only U1 "):
        check_may_take_details(Actor("U3"), "U1")


def test_details_are_kept_for_the_retention_period_after_the_task_finished():
    finished = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert details_expire_at(finished, 7) == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert finished > purge_cutoff(finished + timedelta(days=7) - timedelta(seconds=1), 7)
    assert finished <= purge_cutoff(finished + timedelta(days=7), 7)


def test_the_follow_up_audience_is_named_after_the_task_and_day_and_fits():
    assert follow_up_audience_name("Spring  sale", date(2026, 11, 23)) == "Spring sale failed 2026-11-23"
    assert follow_up_audience_name("Spring sale", date(2026, 11, 23), 2) == "Spring sale failed 2026-11-23 (2)"
    assert len(follow_up_audience_name("x" * 30, date(2026, 11, 23), 12)) <= 60


def test_a_mixed_follow_up_is_named_by_its_numbers_and_a_long_task_name_gives_way():
    day = date(2026, 11, 23)
    both = {FollowUpGroup.FAILED, FollowUpGroup.DELIVERED}
    assert follow_up_audience_name("Spring sale", day, groups=both) == "Spring sale delivered+failed 2026-11-23"
    assert follow_up_audience_name("Spring sale", day, groups={FollowUpGroup.NO_RECEIPT}) == (
        "Spring sale no-receipt 2026-11-23")
    every = follow_up_audience_name("x" * 30, day, 12, groups=set(FollowUpGroup))
    assert len(every) == 60 and every.endswith(" delivered+failed+no-receipt 2026-11-23 (12)")


# (status, reason) of a recipient, and the groups that hold it: the exports' own selections.
HELD_BY = {("delivered", None): {FollowUpGroup.DELIVERED},
           ("failed", "unreachable"): {FollowUpGroup.FAILED},
           ("failed", NO_RECEIPT): {FollowUpGroup.FAILED, FollowUpGroup.NO_RECEIPT},
           ("submitted", None): {FollowUpGroup.NO_RECEIPT},
           ("skipped", None): set(), ("pending", None): set()}
MIXES = [frozenset(mix) for size in (1, 2, 3) for mix in itertools.combinations(FollowUpGroup, size)]


@pytest.mark.parametrize("mix", MIXES, ids=lambda mix: "+".join(sorted(mix)))
def test_a_follow_up_takes_exactly_the_numbers_of_the_groups_chosen(mix):
    selection = follow_up_selection(mix)

    def taken(status: str, reason: str | None) -> bool:
        return status in selection.statuses or (status == "failed" and reason == selection.failed_reason)

    assert {key for key in HELD_BY if taken(*key)} == {key for key, groups in HELD_BY.items() if groups & mix}


def test_failed_and_no_receipt_are_what_the_report_buttons_always_took_and_none_is_refused():
    assert DEFAULT_FOLLOW_UP == {FollowUpGroup.FAILED, FollowUpGroup.NO_RECEIPT}
    assert set(FOLLOW_UP.statuses) == {"failed", "submitted"} and FOLLOW_UP.failed_reason is None
    assert follow_up_words(DEFAULT_FOLLOW_UP) == "failed and no-receipt"
    assert follow_up_words(set(FollowUpGroup)) == "delivered, failed and no-receipt"
    assert follow_up_words({FollowUpGroup.DELIVERED}) == "delivered"
    with pytest.raises(DomainError, match="Choose which numbers"):
        follow_up_selection(())


def test_the_retention_setting_defaults_to_seven_days_and_is_at_least_one(monkeypatch):
    assert load_settings().detail_retention_days == 7
    monkeypatch.setenv("SMSBOT_DETAIL_RETENTION_DAYS", "0")
    with pytest.raises(SettingsError, match="SMSBOT_DETAIL_RETENTION_DAYS"):
        load_settings()


def _write(rows, **options) -> bytes:
    buffer = io.BytesIO()
    writer = StreamingXlsxWriter(buffer, sheet_title="failed", header=["row", "phone", "name"], text_columns=[1],
                                 widths=[6, 18, 12], **options)
    for row in rows:
        writer.append(row)
    writer.close()
    return buffer.getvalue()


def test_the_streaming_writer_is_read_back_the_same_by_openpyxl_and_calamine():
    rows = [[2, "+8613800138000", "Li & <Han>"], [3, "+8613800138001", None], [4, "+8613800138002", "  pad "],
            [5, "+8613800138003", "中文\x01\x1f"], [6, "+8613800138004", "tab\tnew\nline"], [7, "+1", 1.5]]
    content = _write(rows)
    expected = [["row", "phone", "name"], [2, "+8613800138000", "Li & <Han>"], [3, "+8613800138001", None],
                [4, "+8613800138002", "  pad "], [5, "+8613800138003", "中文"],
                [6, "+8613800138004", "tab\tnew\nline"], [7, "+1", 1.5]]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.title == "failed" and [[c.value for c in r] for r in sheet.iter_rows()] == expected
    assert sheet["B2"].data_type == "s" and sheet["B2"].number_format == "@" and sheet["A1"].font.b
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert [[None if v == "" else v for v in row] for row in calamine] == [
        [float(v) if isinstance(v, int) else v for v in row] for row in expected]
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")


def test_rows_past_a_sheets_limit_continue_on_the_next_sheet_with_the_header():
    content = _write([[n, f"+86138{n:08d}", f"N{n}"] for n in range(7)], max_sheet_rows=3)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["failed", "failed 2", "failed 3", "failed 4"]
    assert [[c.value for c in r] for r in workbook["failed 4"].iter_rows()] == [["row", "phone", "name"],
                                                                               [6, "+8613800000006", "N6"]]


def test_xml_text_escapes_and_drops_what_xml_cannot_hold():
    assert xml_text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert xml_text("ok\x00\x0b\ufffe\ud800") == "ok"
    assert xml_text("plain") == "plain"


def test_the_timeline_adds_up_buckets_and_awaiting_is_what_has_no_receipt():
    assert [bucket_width(s) for s in (0, 59, 60, 300, 3600, 86_400 * 3)] == [1, 1, 2, 10, 120, 7200]
    start = 1_763_863_200
    timeline = build_timeline(start, start + 3, 1, {0: 5, 1: 5}, {("delivered", 1): 4, ("failed", 2): 2,
                                                                    ("delivered", 3): 1},
                              datetime(2026, 11, 23, tzinfo=UTC))
    assert timeline.sent == [0, 5, 10, 10, 10] and timeline.delivered == [0, 0, 4, 4, 5]
    assert timeline.failed == [0, 0, 0, 2, 2] and timeline.awaiting == [0, 5, 6, 4, 3]
    assert timeline.times[1] - timeline.times[0] == timedelta(seconds=1)


@pytest.mark.parametrize("points", [1, 2, 60])
def test_the_delivery_chart_is_a_png(points):
    start = 1_763_863_200
    sent = {n: 10 for n in range(points)}
    timeline = build_timeline(start, start + (points - 1) * 5, 5, sent, {("delivered", n): 8 for n in range(points)},
                              datetime(2026, 11, 23, tzinfo=UTC))
    png = render_delivery_chart(timeline, "Asia/Shanghai")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
