"""What a task's progress message and report say in each state: true lines only."""

from domain.dispatch import Progress
from domain.task_state import TaskStatus
from handlers.progress_blocks import build_final_report, build_progress_message
from storage.statuses import NO_RECEIPT


def progress(**counts) -> Progress:
    base = dict(total=3000, pending=0, in_flight=0, submitted=0, delivered=0, failed=0, skipped=0)
    return Progress(**(base | counts))


def lines(blocks) -> str:
    return "\n".join([str(b.get("text", {}).get("text", "")) for b in blocks] +
                     [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]])


def test_a_sending_task_shows_its_rate_and_time_left():
    text, blocks = build_progress_message(progress(pending=2000, submitted=1000), rate=100, eta_seconds=20)
    assert text.startswith("Sending: 1,000 of 3,000") and "100/s · about 20 s left" in lines(blocks)


def test_the_bar_is_plain_block_characters_on_one_short_line_with_its_numbers():
    _text, blocks = build_progress_message(progress(pending=1, submitted=999_999, total=1_000_000), rate=1200,
                                           eta_seconds=1)
    headline, bar = blocks[0]["text"]["text"].split("\n")
    assert headline == "*Sending*" and "`" not in blocks[0]["text"]["text"]
    assert bar == "███████████░ 99% · 999,999 of 1,000,000"  # short enough for one line in a thread pane
    assert blocks[1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "1,200/s · about 1 s left"}]}


def test_a_paused_task_shows_no_rate_and_no_time_left():
    _text, blocks = build_progress_message(progress(pending=2000, submitted=1000), rate=100, eta_seconds=20,
                                           status=TaskStatus.paused, task_ref="{}")
    assert "*Paused*" in lines(blocks) and "/s" not in lines(blocks) and "left" not in lines(blocks)
    assert [e["text"]["text"] for e in blocks[-1]["elements"]] == ["Resume", "Stop"]


def test_a_stopped_task_counts_what_went_and_what_did_not():
    stopped = progress(submitted=400, delivered=600, skipped=2000)
    text, blocks = build_progress_message(stopped, rate=3_000_000_000, eta_seconds=1, status=TaskStatus.canceled,
                                          finished=True, task_ref="{}")
    shown = lines(blocks)
    assert "*Stopped*\n████░░░░░░░░ 1,000 of 3,000 sent" in shown and "2,000 not sent: the send was stopped" in shown
    assert "/s" not in shown and "left" not in shown and "100%" not in shown
    assert not any(b["type"] == "actions" for b in blocks) and text.startswith("Stopped")


def test_the_report_keeps_up_until_the_last_receipt_then_says_so():
    coming = progress(submitted=100, delivered=2800, failed=100)
    _text, blocks = build_final_report(coming, [("unknown number", 100)], 0, final=False)
    assert "Receipts still coming: 100 awaiting." in lines(blocks)
    done = progress(delivered=2800, failed=200)
    _text, blocks = build_final_report(done, [(NO_RECEIPT, 60), ("unknown number", 140)], 0)
    assert "All receipts in; 60 had none within 72 hours." in lines(blocks)
    _text, blocks = build_final_report(done, [("unknown number", 200)], 0)
    assert "All receipts in." in lines(blocks)


def test_a_failed_and_a_stopped_report_say_so_with_the_cause():
    failed = progress(failed=0, skipped=3000)
    text, blocks = build_final_report(failed, [], 0, status=TaskStatus.failed,
                                      cause="the provider refused the send: <!here> bad key (401)")
    assert text.startswith("Send failed: the provider refused the send:")
    assert "&lt;!here&gt;" in lines(blocks)  # the provider's words are inert
    text, _blocks = build_final_report(progress(delivered=10, skipped=2990), [], 0, status=TaskStatus.canceled)
    assert text.startswith("Send stopped.")
