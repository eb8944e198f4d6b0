"""The send modal and test sends in both languages: the real plurals of the preview, the large
list's answer, the schedule's cutoffs, the too-long refusal and a test send's result and note;
and the stored reasons of a send said in the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.dispatch import reason_in_words
from domain.i18n import CHINESE, speaking
from domain.schedule import Cutoffs, ScheduleError, check_can_cancel, check_can_edit
from domain.segments import MESSAGE_TOO_LONG
from domain.send_measure import SendMeasure, check_send_measure
from domain.tasks import Preview, TaskField, TaskInvalid
from domain.use_cases.tasks import NOT_STARTED_IN_TIME
from handlers.send_blocks import build_preview_blocks, list_task_waiting_text
from handlers.test_sends_blocks import build_test_send_note, build_test_send_result

SEND_AT = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)  # 15:00 in Asia/Shanghai


def preview_text(count: int, cost: str = "CNY 0.00") -> str:
    """`cost`: as the preview got it, already written for its reader."""
    preview = Preview("Hi", count, "GSM-7", count, count, cost, too_long=count)
    return build_preview_blocks(preview)[0]["text"]["text"]


@pytest.mark.parametrize("count, english, chinese", [
    (0, "0 characters · GSM-7 · 0 segments · 0 recipients · est. CNY 0.00",
     "0 个字符 · GSM-7 · 计费 0 条 · 0 个接收人 · 预估 ¥0.00"),
    (1, "1 character · GSM-7 · 1 segment · 1 recipient · est. CNY 0.00",
     "1 个字符 · GSM-7 · 计费 1 条 · 1 个接收人 · 预估 ¥0.00"),
    (2, "2 characters · GSM-7 · 2 segments · 2 recipients · est. CNY 0.00",
     "2 个字符 · GSM-7 · 计费 2 条 · 2 个接收人 · 预估 ¥0.00"),
])
def test_the_preview_counts_with_real_plurals(count, english, chinese):
    assert english in preview_text(count)
    with speaking(CHINESE):
        assert chinese in preview_text(count, "¥0.00")


@pytest.mark.parametrize("count, english, chinese", [
    (1, ":warning: 1 recipient's message is over 500 characters", ":warning: 1 个接收人的消息超过 500 个字符"),
    (2, ":warning: 2 recipients' messages are over 500 characters", ":warning: 2 个接收人的消息超过 500 个字符"),
])
def test_the_preview_warns_of_messages_over_the_limit_with_a_real_plural(count, english, chinese):
    assert english in preview_text(count)
    with speaking(CHINESE):
        assert chinese in preview_text(count)


@pytest.mark.parametrize("count, english, chinese", [
    (0, "*名单* is waiting for approval: 0 recipients.", "*名单* 正在等待审批：0 个接收人。"),
    (1, "*名单* is waiting for approval: 1 recipient.", "*名单* 正在等待审批：1 个接收人。"),
    (2, "*名单* is waiting for approval: 2 recipients.", "*名单* 正在等待审批：2 个接收人。"),
])
def test_a_large_lists_task_waits_with_a_real_plural(count, english, chinese):
    assert list_task_waiting_text("名单", count) == english
    with speaking(CHINESE):
        assert list_task_waiting_text("名单", count) == chinese


@pytest.mark.parametrize("minutes, english, chinese", [
    (1, "can be edited until 1 minute before its send time (15:00 Asia/Shanghai).",
     "已排期的任务只能在发送时间（15:00 Asia/Shanghai）前 1 分钟之前编辑。"),
    (2, "can be edited until 2 minutes before its send time (15:00 Asia/Shanghai).",
     "已排期的任务只能在发送时间（15:00 Asia/Shanghai）前 2 分钟之前编辑。"),
])
def test_an_edit_past_its_cutoff_is_refused_with_a_real_plural(minutes, english, chinese):
    cutoffs, now = Cutoffs(edit=timedelta(minutes=minutes)), SEND_AT - timedelta(seconds=30)
    with pytest.raises(ScheduleError) as refused:
        check_can_edit(SEND_AT, now, cutoffs, "Asia/Shanghai")
    assert str(refused.value).endswith(english)
    with speaking(CHINESE), pytest.raises(ScheduleError) as refused:
        check_can_cancel(SEND_AT, now, Cutoffs(cancel=timedelta(minutes=minutes)), "Asia/Shanghai")
    assert str(refused.value) == (f"为时已晚：已排期的任务只能在发送时间（15:00 Asia/Shanghai）前 {minutes} 分钟之前"
                                  "取消或删除。")
    with speaking(CHINESE), pytest.raises(ScheduleError) as refused:
        check_can_edit(SEND_AT, now, cutoffs, "Asia/Shanghai")
    assert str(refused.value) == "为时已晚：" + chinese


def measured(too_long: int) -> SendMeasure:
    return SendMeasure(recipients=3, segments=1, too_long=too_long, too_long_rows=tuple(range(2, 2 + too_long)),
                       first="Hi", longest="x" * 1200, longest_row=2)


@pytest.mark.parametrize("count, english, chinese", [
    (1, "1 recipient's message is over 500 characters, signature and opt-out hint included (row 2; the longest, "
        "row 2, has 1,200).", "1 个接收人的消息超过 500 个字符（含签名和退订提示；第 2 行；最长的是第 2 行，有 1,200 个字符）。"),
    (2, "2 recipients' messages are over 500 characters, signature and opt-out hint included (rows 2, 3; the "
        "longest, row 2, has 1,200).", "2 个接收人的消息超过 500 个字符（含签名和退订提示；第 2、3 行；最长的是第 2 行，有 1,200 个字符）。"),
])
def test_messages_over_the_limit_are_refused_with_a_real_plural(count, english, chinese):
    with pytest.raises(TaskInvalid) as refused:
        check_send_measure(measured(count), skip_too_long=False)
    assert refused.value.problems[TaskField.TEMPLATE].startswith(english)
    with speaking(CHINESE), pytest.raises(TaskInvalid) as refused:
        check_send_measure(measured(count), skip_too_long=False)
    assert refused.value.problems[TaskField.TEMPLATE].startswith(chinese)


@pytest.mark.parametrize("left, english, chinese", [
    (0, "You can send 0 more test messages in the next 24 hours.", "未来 24 小时内你还可以发送 0 条测试消息。"),
    (1, "You can send 1 more test message in the next 24 hours.", "未来 24 小时内你还可以发送 1 条测试消息。"),
    (2, "You can send 2 more test messages in the next 24 hours.", "未来 24 小时内你还可以发送 2 条测试消息。"),
])
def test_a_test_sends_result_says_what_is_left_with_a_real_plural(left, english, chinese):
    answers = [("•••5678", "accepted", None), ("•••5679", "rejected", "no SMS application sends to this number")]
    assert build_test_send_result(answers, approved=False, left_today=left) == (
        "Test send: •••5678: accepted; •••5679: rejected (no SMS application sends to this number). Its content is "
        f"not approved yet. {english}")
    with speaking(CHINESE):
        assert build_test_send_result(answers, approved=False, left_today=left) == (
            f"测试发送：•••5678：已受理；•••5679：被拒收（没有可向此号码发送的短信应用）。其内容尚未获批准。{chinese}")


@pytest.mark.parametrize("numbers, english, chinese", [
    (["•••5678"], "to 1 number (•••5678).", "向 1 个号码（•••5678）发送了测试。"),
    (["•••5678", "•••5679"], "to 2 numbers (•••5678, •••5679).", "向 2 个号码（•••5678、•••5679）发送了测试。"),
])
def test_a_test_sends_note_counts_its_numbers_with_a_real_plural(numbers, english, chinese):
    assert build_test_send_note("U1", numbers, approved=True) == (
        f"<@U1> sent a test of this task's approved content {english}")
    with speaking(CHINESE):
        assert build_test_send_note("U1", numbers, approved=True) == f"<@U1> 用此任务已批准的内容{chinese}"


def test_a_sends_stored_reasons_are_said_in_the_readers_language():
    assert (reason_in_words(MESSAGE_TOO_LONG), reason_in_words(NOT_STARTED_IN_TIME)) == (
        "message too long", "not started within 24 hours of its send time")
    with speaking(CHINESE):
        assert (reason_in_words(MESSAGE_TOO_LONG), reason_in_words(NOT_STARTED_IN_TIME)) == (
            "消息过长", "未在发送时间后 24 小时内开始")
