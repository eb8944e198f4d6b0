"""Status and reporting in both languages: real plurals (0, 1, 2), an export's header and rows for
its reader, stored statuses and reasons translated where shown (an unknown one as it is), and
Slack's date tokens kept whole in Chinese."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.audit_trail import Recorded, trail_lines
from domain.exports import DEFAULT_FOLLOW_UP, ExportKind, ExportLayout, FollowUpGroup, follow_up_words, sheet_title
from domain.i18n import CHINESE, speaking
from domain.status import recipient_status_label
from handlers.exports_blocks import audience_saved_text, export_comment, preparing_text, retention_line
from handlers.status_blocks import shown_reason

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("rows, english, chinese", [
    (0, "Preparing the export of *A &amp; B* (failed, 0 rows)… It will arrive in our direct messages.",
     "正在准备 *A &amp; B* 的导出（失败，0 行）…文件将发到我们之间的私信中。"),
    (1, "Preparing the export of *A &amp; B* (failed, 1 row)… It will arrive in our direct messages.",
     "正在准备 *A &amp; B* 的导出（失败，1 行）…文件将发到我们之间的私信中。"),
    (2, "Preparing the export of *A &amp; B* (failed, 2 rows)… It will arrive in our direct messages.",
     "正在准备 *A &amp; B* 的导出（失败，2 行）…文件将发到我们之间的私信中。"),
])
def test_preparing_an_export_counts_its_rows_in_both_languages(rows, english, chinese):
    assert preparing_text("A & B", ExportKind.FAILED, rows) == english
    with speaking(CHINESE):
        assert preparing_text("A & B", ExportKind.FAILED, rows) == chinese


@pytest.mark.parametrize("count, english, chinese", [
    (0, "0 rows with whole phone numbers", "0 行，含完整手机号码"),
    (1, "1 row with whole phone numbers", "1 行，含完整手机号码"),
    (2, "2 rows with whole phone numbers", "2 行，含完整手机号码"),
])
def test_the_export_comment_counts_its_rows(count, english, chinese):
    assert english in export_comment("T", ExportKind.ALL, count)
    with speaking(CHINESE):
        assert chinese in export_comment("T", ExportKind.ALL, count)


@pytest.mark.parametrize("count, english, chinese", [
    (0, "Saved audience *T*: 0 failed and no-receipt numbers.", "已保存受众 *T* ：0 个失败和无回执号码。"),
    (1, "Saved audience *T*: 1 failed and no-receipt number.", "已保存受众 *T* ：1 个失败和无回执号码。"),
    (2, "Saved audience *T*: 2 failed and no-receipt numbers.", "已保存受众 *T* ：2 个失败和无回执号码。"),
])
def test_a_saved_audience_counts_its_numbers(count, english, chinese):
    assert audience_saved_text("T", count).startswith(english)
    with speaking(CHINESE):
        assert audience_saved_text("T", count).startswith(chinese)


def test_which_numbers_a_follow_up_took_in_both_languages_and_as_stored():
    every = frozenset(FollowUpGroup)
    assert follow_up_words(every) == "delivered, failed and no-receipt"
    assert follow_up_words(DEFAULT_FOLLOW_UP) == "failed and no-receipt"
    with speaking(CHINESE):
        assert follow_up_words(every) == "已送达、失败和无回执"
        assert follow_up_words({FollowUpGroup.DELIVERED}) == "已送达"
        assert follow_up_words(every, english=True) == "delivered, failed and no-receipt"  # a list's stored name


def test_an_export_is_headed_and_filled_in_its_readers_language():
    layout = ExportLayout(["name"], "Asia/Shanghai", card=True)
    stored = (2, "+8613800138000", ["李"], "failed", AT, None, "E1", "opted out", True, None)
    assert layout.header() == ["row", "phone", "name", "status", "submitted at (Asia/Shanghai)",
                               "receipt at (Asia/Shanghai)", "error code", "reason", "sent as fallback"]
    assert layout.row_maker()(stored)[3:] == ["failed", "2026-11-23 16:00:00", None, "E1", "opted out", "yes"]
    assert sheet_title(ExportKind.NO_RECEIPT) == "no receipt"
    with speaking(CHINESE):
        assert layout.header() == ["行号", "手机号码", "name", "状态", "提交时间（Asia/Shanghai）",
                                   "回执时间（Asia/Shanghai）", "错误代码", "原因", "以回落短信发出"]
        assert layout.row_maker()(stored)[3:] == ["失败", "2026-11-23 16:00:00", None, "E1", "已退订", "是"]
        assert sheet_title(ExportKind.NO_RECEIPT) == "无回执"


def test_stored_statuses_and_reasons_are_translated_where_known():
    with speaking(CHINESE):
        assert recipient_status_label("submitted") == "等待回执"
        assert recipient_status_label("mystery") == "mystery"
        assert shown_reason("opted out") == "已退订"
        assert shown_reason("Carrier said <no>") == "Carrier said &lt;no&gt;"  # a provider's own text


def test_slacks_date_tokens_stay_whole_in_chinese():
    assert "^{date_short_pretty} at {time}|2026-11-23 08:00 UTC>" in retention_line(AT)
    with speaking(CHINESE):
        assert retention_line(AT) == ("详情和导出可保留至 <!date^1795420800^{date_short_pretty} {time}|"
                                      "2026-11-23 08:00 UTC>；此后仅保留总数。")


@pytest.mark.parametrize("rows, english, chinese", [
    (0, "failed recipients · 0 rows", "失败的接收人 · 0 行"),
    (1, "failed recipients · 1 row", "失败的接收人 · 1 行"),
    (2, "failed recipients · 2 rows", "失败的接收人 · 2 行"),
])
def test_the_audit_trail_says_what_was_done_in_the_readers_language(rows, english, chinese):
    entries = [Recorded(AT, "U1", "task.created", {"name": "Nov", "recipients": 1}),
               Recorded(AT, "U1", "task.exported", {"kind": "failed", "rows": rows})]
    [created, exported] = trail_lines(entries)
    assert (created.did, created.facts) == ("created it", ("named “Nov”", "1 recipient"))
    assert (exported.did, " · ".join(exported.facts)) == ("exported its recipients", english)
    with speaking(CHINESE):
        [created, exported] = trail_lines(entries)
        assert (created.did, created.facts) == ("创建了此任务", ("名为“Nov”", "1 个接收人"))
        assert (exported.did, " · ".join(exported.facts)) == ("导出了此任务的接收人", chinese)
