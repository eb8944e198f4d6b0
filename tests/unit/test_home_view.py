"""The App Home view at its fullest stays inside Slack's limits: at most 100 blocks, block ids
unique, each waiting task with the message it would send."""

from datetime import datetime, timezone

from domain.dispatch import Progress
from domain.task_state import TaskStatus
from domain.tasks import Preview
from domain.use_cases.status import HOME_PENDING, HOME_RECENT, Dashboard, PendingContent, PendingTask, TaskSummary
from handlers.home_blocks import build_home_view
from handlers.ids import BlockId

SLACK_VIEW_BLOCKS_MAX = 100
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


def summary(task_id: int, status: TaskStatus = TaskStatus.moderating) -> TaskSummary:
    return TaskSummary(id=task_id, version=1, name=f"Task {task_id}", status=status, created_by="U0SENDER01",
                       send_at=WHEN, origin_channel="C0GENERAL1", thread_channel=None, thread_ts=None,
                       progress=Progress.from_counts({}), started=status is TaskStatus.sending, recipient_count=2)


def preview(text: str) -> Preview:
    return Preview(text=text, characters=len(text), encoding="UCS-2", segments=8, recipients=2, cost="CNY 1.60",
                   too_long=2, longest="x" * 500)


def fullest() -> Dashboard:
    pending = [PendingTask(summary(100 + n), can_decide=n % 2 == 0, preview=preview(f"Message {n} " + "y" * 480)
                           if n % 3 else None) for n in range(HOME_PENDING)]
    content = [PendingContent("template", n, f"T{n}", "U0SENDER01", "z" * 400, n % 2 == 0) for n in range(HOME_PENDING)]
    recent = [summary(n, TaskStatus.sending) for n in range(HOME_RECENT)]
    return Dashboard(recent, pending, 40, content, 40)


def test_the_fullest_home_view_for_an_approver_stays_under_slacks_block_limit():
    blocks = build_home_view(is_approver=True, dashboard=fullest())["blocks"]
    assert len(blocks) <= SLACK_VIEW_BLOCKS_MAX
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(ids) == len(set(ids))


def test_each_waiting_task_shows_its_message_above_its_decision():
    blocks = build_home_view(is_approver=True, dashboard=fullest())["blocks"]
    by_id = {b.get("block_id"): b for b in blocks}
    for n in range(HOME_PENDING):
        shown = by_id[f"{BlockId.HOME_PENDING_PREVIEW}:{100 + n}"]
        if n % 3:
            assert shown["type"] == "section" and f"Message {n} " in shown["text"]["text"]
        else:  # its content is gone: said so, never an empty preview
            assert shown["elements"][0]["text"] == "The content of this task is no longer available."
