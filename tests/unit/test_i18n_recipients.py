"""Recipients in both languages: the real plurals of imports and audiences, a number's invalid
reason kept in English and said in the reader's language, the invalid-rows report and the
sample file written in the reader's language (the Chinese sample still imports)."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from domain.applications import NO_MAINLAND_APPLICATION
from domain.i18n import CHINESE, _, speaking
from domain.phones import PhoneNormalizer, invalid_reason_for_reader
from domain.recipient_files import FORMULA_WITHOUT_VALUE, Limits, read_recipient_table
from domain.recipient_import import InvalidRow, build_recipients
from domain.spreadsheets import invalid_rows_xlsx, sample_recipients_xlsx
from domain.use_cases.audiences import AudienceView
from handlers.audiences_blocks import audience_saved_text, build_audience_list
from handlers.recipients_blocks import build_import_progress, invalid_rows_comment


def rows_of(content: bytes) -> list[tuple]:
    return [tuple(row) for row in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)]


def audience(count: int) -> AudienceView:
    return AudienceView("VIP", 1, count, [], "U1", datetime(2026, 12, 4, tzinfo=timezone.utc))


@pytest.mark.parametrize("count, english, chinese", [
    (0, "0 invalid rows removed from *a.csv*", "已从 *a.csv* 中去除 0 个无效行"),
    (1, "1 invalid row removed from *a.csv*", "已从 *a.csv* 中去除 1 个无效行"),
    (2, "2 invalid rows removed from *a.csv*", "已从 *a.csv* 中去除 2 个无效行"),
])
def test_the_invalid_rows_comment_has_a_real_plural(count, english, chinese):
    assert invalid_rows_comment("a.csv", count).startswith(english)
    with speaking(CHINESE):
        assert invalid_rows_comment("a.csv", count).startswith(chinese)


@pytest.mark.parametrize("count, english, chinese", [
    (0, "Saved audience *VIP*: 0 recipients.", "已保存受众 *VIP*：0 个接收人。"),
    (1, "Saved audience *VIP*: 1 recipient.", "已保存受众 *VIP*：1 个接收人。"),
    (2, "Saved audience *VIP*: 2 recipients.", "已保存受众 *VIP*：2 个接收人。"),
])
def test_a_saved_audience_counts_its_recipients_with_a_real_plural(count, english, chinese):
    assert audience_saved_text("VIP", count) == english
    with speaking(CHINESE):
        assert audience_saved_text("VIP", count) == chinese


@pytest.mark.parametrize("count, english, chinese", [
    (1, ("1 audience", "*VIP* — 1 recipient, no variables"), ("1 个受众", "*VIP* — 1 个接收人，无变量")),
    (2, ("2 audiences", "*VIP* — 2 recipients, no variables"), ("2 个受众", "*VIP* — 2 个接收人，无变量")),
])
def test_the_audience_list_has_real_plurals(count, english, chinese):
    def shown():
        text, blocks = build_audience_list([audience(count)] * count)
        return text, blocks[1]["text"]["text"].split("\n")[0]

    assert shown() == english
    with speaking(CHINESE):
        assert shown() == chinese


def test_the_import_progress_counts_rows_for_the_reader():
    assert build_import_progress("a.csv", 150_000)[0] == "Importing a.csv… — 150,000 rows read"
    with speaking(CHINESE):
        assert build_import_progress("a.csv", 150_000)[0] == "正在导入 a.csv… — 已读取 150,000 行"


@pytest.mark.parametrize("cell, english, chinese", [
    ("12345", "too short", "号码太短"),
    ("hello", "not a number", "不是号码"),
    ("+1 999 555 0123", "not valid for US", "不是 US 的有效号码"),
])
def test_an_invalid_reason_is_kept_in_english_and_said_in_the_readers_language(cell, english, chinese):
    kept = PhoneNormalizer("CN").normalize(cell).message
    assert kept == english and invalid_reason_for_reader(kept) == english
    with speaking(CHINESE):
        assert invalid_reason_for_reader(kept) == chinese


def test_the_invalid_rows_report_is_written_in_the_readers_language():
    rows = [InvalidRow(2, "12345", "too short"), InvalidRow(3, "", FORMULA_WITHOUT_VALUE),
            InvalidRow(4, "+12015550123", NO_MAINLAND_APPLICATION)]
    assert rows_of(invalid_rows_xlsx(rows))[0] == ("row", "value", "reason")
    with speaking(CHINESE):
        written = rows_of(invalid_rows_xlsx(rows))
        refused = _(NO_MAINLAND_APPLICATION)  # the applications' own words
    assert written[0] == ("行号", "原始值", "原因")
    assert [row[2] for row in written[1:]] == ["号码太短", "公式没有已保存的值（请在 Excel 中打开并保存该文件）", refused]


def test_the_chinese_sample_file_imports_as_it_is():
    with speaking(CHINESE):
        sample = sample_recipients_xlsx(["姓名"])
    assert rows_of(sample)[0] == ("手机号码", "姓名")
    table = read_recipient_table(sample, "sample.xlsx", Limits(1 << 20, 100))
    outcome = build_recipients(table, PhoneNormalizer("CN"))
    assert (outcome.imported_count, outcome.variables) == (2, ["姓名"])
