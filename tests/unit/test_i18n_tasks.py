"""Send tasks in both languages: the real plurals of the task's news, progress and report, the
stored reasons said in the reader's language, the refusals of the task's state machine, and
the delivery chart's labels (in Chinese with a CJK font, in English where there is none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from domain.dispatch import GAVE_UP, NO_APPLICATION, STORAGE_REASONS, Progress, reason_in_words
from domain.i18n import CHINESE, _, speaking
from domain.optout import OPTED_OUT
from domain.provider_errors import fatal_cause
from domain.task_state import InvalidTransition, TaskAction, TaskStatus, next_status
from domain.timeline import build_timeline
from handlers import delivery_chart
from handlers.progress_blocks import build_final_report, estimate_line
from handlers.task_blocks import started_news
from storage.statuses import INTERRUPTED, NO_RECEIPT
from tests.debian_packages import debian_file

WQY_MICROHEI = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@dataclass
class Task:
    name: str = "十一月"
    recipient_count: int = 1
    segments: int = 1
    too_long: int = 0


def totals(count: int) -> Progress:
    return Progress(total=count, pending=0, in_flight=0, submitted=0, delivered=count, failed=0, skipped=0)


@pytest.mark.parametrize("count, english, chinese", [
    (0, "started sending to 0 recipients.", "已开始向 0 个接收人发送。"),
    (1, "started sending to 1 recipient.", "已开始向 1 个接收人发送。"),
    (2, "started sending to 2 recipients.", "已开始向 2 个接收人发送。"),
])
def test_the_requester_hears_the_start_with_a_real_plural(count, english, chinese):
    assert started_news(Task(recipient_count=count)).endswith(english)
    with speaking(CHINESE):
        assert started_news(Task(recipient_count=count)).endswith(chinese)


@pytest.mark.parametrize("count, english, chinese", [
    (0, "*Send completed.* 0 recipients:", "*发送已完成。* 共 0 个接收人："),
    (1, "*Send completed.* 1 recipient:", "*发送已完成。* 共 1 个接收人："),
    (2, "*Send completed.* 2 recipients:", "*发送已完成。* 共 2 个接收人："),
])
def test_the_report_counts_its_recipients_with_a_real_plural(count, english, chinese):
    assert build_final_report(totals(count), [], 0)[1][0]["text"]["text"].startswith(english)
    with speaking(CHINESE):
        assert build_final_report(totals(count), [], 0)[1][0]["text"]["text"].startswith(chinese)


@pytest.mark.parametrize("count, english, chinese", [
    (0, "0 card messages went out as their fallback.", None),  # none: not said
    (1, "1 card message went out as its fallback.", "1 条卡片短信以回落短信发出。"),
    (2, "2 card messages went out as their fallback.", "2 条卡片短信以回落短信发出。"),
])
def test_the_report_counts_fallbacks_with_a_real_plural(count, english, chinese):
    shown = build_final_report(totals(2), [], count)[1][0]["text"]["text"]
    assert (english in shown) is (chinese is not None)
    with speaking(CHINESE):
        shown = build_final_report(totals(2), [], count)[1][0]["text"]["text"]
        assert chinese is None or chinese in shown


@pytest.mark.parametrize("segments, too_long, english, chinese", [
    (0, 0, "Estimated cost when submitted: CNY 0.00 for 0 segments.", "提交时的预估费用：CNY 0.00（0 条计费短信）。"),
    (1, 1, "Estimated cost when submitted: CNY 0.00 for 1 segment; 1 recipient skipped because their message was "
           "over the limit.", "提交时的预估费用：CNY 0.00（1 条计费短信）；1 个接收人因消息超出长度限制而被跳过。"),
    (2, 2, "Estimated cost when submitted: CNY 0.00 for 2 segments; 2 recipients skipped because their message "
           "was over the limit.", "提交时的预估费用：CNY 0.00（2 条计费短信）；2 个接收人因消息超出长度限制而被跳过。"),
])
def test_the_estimate_counts_segments_and_skipped_recipients_with_real_plurals(segments, too_long, english,
                                                                               chinese):
    task = Task(segments=segments, too_long=too_long)
    assert estimate_line(task, "CNY 0.00") == english
    with speaking(CHINESE):
        assert estimate_line(task, "CNY 0.00") == chinese


def test_stored_reasons_are_said_in_the_readers_language_and_the_providers_words_kept():
    refused = fatal_cause("alibaba", "isv.AMOUNT_NOT_ENOUGH", "Insufficient balance")
    gave_up = GAVE_UP.format(attempts=5, error="transient")
    assert [reason_in_words(r) for r in (OPTED_OUT, refused, gave_up)] == [
        "opted out", "the provider refused the send: Insufficient balance (isv.AMOUNT_NOT_ENOUGH)",
        "gave up after 5 attempts: transient"]
    with speaking(CHINESE):
        assert [reason_in_words(r) for r in (OPTED_OUT, NO_APPLICATION, refused, gave_up, "Blocked number")] == [
            "已退订", "没有可向此号码发送的短信应用", "服务商拒绝了发送：Insufficient balance (isv.AMOUNT_NOT_ENOUGH)",
            "尝试 5 次后放弃：transient", "Blocked number"]


def test_storages_own_reasons_are_marked_and_said_in_the_readers_language():
    assert set(STORAGE_REASONS) == {INTERRUPTED, NO_RECEIPT}
    with speaking(CHINESE):
        assert [reason_in_words(r) for r in (INTERRUPTED, NO_RECEIPT)] == ["发送中断，结果未知", "无回执"]


def test_a_move_the_state_machine_refuses_is_explained_in_the_readers_language():
    with pytest.raises(InvalidTransition) as english:
        next_status(TaskStatus.completed, TaskAction.pause)
    assert english.value.message == "This task is completed; only a sending task can be paused."
    with speaking(CHINESE), pytest.raises(InvalidTransition) as chinese:
        next_status(TaskStatus.canceled, TaskAction.cancel)
    assert chinese.value.message == "此任务已处于“已取消”状态；只有待审批、已排期、发送中或已暂停的任务才能取消。"


def a_timeline():
    start = int(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc).timestamp())
    return build_timeline(start, start + 60, 10, {0: 10, 1: 10}, {("delivered", 1): 8, ("failed", 2): 2},
                          datetime(2026, 11, 23, 2, 2, tzinfo=timezone.utc))


@pytest.fixture
def cjk_font():
    """A CJK font, as .ci/run installs it (fonts-wqy-microhei) where the machine has none."""
    if delivery_chart.cjk_font_file() is None:
        debian_file(WQY_MICROHEI, "fonts-wqy-microhei", "The Chinese chart's tests")
        delivery_chart.cjk_font_file.cache_clear()
    return delivery_chart.cjk_font_file()


def test_the_chart_is_drawn_in_chinese_with_a_font_that_has_its_glyphs(cjk_font, monkeypatch):
    from PIL import ImageFont

    path = cjk_font

    font = ImageFont.truetype(path, size=30)
    missing = bytes(font.getmask("\U000F0000"))  # a code point no font draws: its "box"
    assert all(bytes(font.getmask(glyph)) != missing for glyph in "送达情况随时间变化截至回执已失败等待")
    drawn = spy_on_the_charts_title(monkeypatch)
    with speaking(CHINESE):
        assert delivery_chart.render_delivery_chart(a_timeline(), "Asia/Shanghai").startswith(b"\x89PNG")
    assert drawn == ["送达情况随时间变化"]


def spy_on_the_charts_title(monkeypatch) -> list[str]:
    """The chart's title as each drawing saw it."""
    drawn: list[str] = []
    render = delivery_chart._render

    def spied(*args):
        drawn.append(_("Delivery over time"))
        return render(*args)

    monkeypatch.setattr(delivery_chart, "_render", spied)
    return drawn


def test_without_a_cjk_font_the_charts_labels_are_in_english(monkeypatch):
    monkeypatch.setattr(delivery_chart, "cjk_font_file", lambda: None)
    drawn = spy_on_the_charts_title(monkeypatch)
    with speaking(CHINESE):
        assert delivery_chart.render_delivery_chart(a_timeline(), "Asia/Shanghai").startswith(b"\x89PNG")
        assert _("Delivery over time") == "送达情况随时间变化"  # the rest still speaks Chinese
    assert drawn == ["Delivery over time"]
