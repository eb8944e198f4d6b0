"""Block Kit for a sending task's live progress message and its final report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.dispatch import Progress
from domain.task_state import TaskStatus
from domain.use_cases.reporting import RECEIPT_DEADLINE, ApplicationPart, timed_out
from handlers.block_kit import escape
from handlers.ids import ActionId, BlockId
from handlers.task_blocks import slack_time

Blocks = list[dict[str, Any]]
BAR_WIDTH = 20


def _bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _figures(progress: Progress) -> list[dict[str, str]]:
    return [
        {"type": "mrkdwn", "text": f"*Sent to carrier*\n{progress.sent_to_carrier:,}"},
        {"type": "mrkdwn", "text": f"*Delivered*\n{progress.delivered:,}"},
        {"type": "mrkdwn", "text": f"*Failed*\n{progress.failed:,}"},
        {"type": "mrkdwn", "text": f"*Awaiting receipt*\n{progress.submitted:,}"},
        {"type": "mrkdwn", "text": f"*Skipped*\n{progress.skipped:,}"},
        {"type": "mrkdwn", "text": f"*Not yet sent*\n{progress.pending + progress.in_flight:,}"},
    ]


def _controls(task_ref: str, status: str) -> dict[str, Any]:
    toggle = ({"type": "button", "action_id": ActionId.TASK_RESUME, "text": {"type": "plain_text", "text": "Resume"},
               "style": "primary", "value": task_ref} if status == TaskStatus.paused else
              {"type": "button", "action_id": ActionId.TASK_PAUSE, "text": {"type": "plain_text", "text": "Pause"},
               "value": task_ref})
    stop = {"type": "button", "action_id": ActionId.TASK_STOP, "text": {"type": "plain_text", "text": "Stop"},
            "style": "danger", "value": task_ref,
            "confirm": {"title": {"type": "plain_text", "text": "Stop this send?"},
                        "text": {"type": "mrkdwn", "text": "Numbers not sent yet are skipped. This can't be undone."},
                        "confirm": {"type": "plain_text", "text": "Stop"},
                        "deny": {"type": "plain_text", "text": "Keep sending"}}}
    return {"type": "actions", "block_id": BlockId.PROGRESS_ACTIONS, "elements": [toggle, stop]}


def _progress_line(progress: Progress, status: str, finished: bool, rate: float | None,
                   eta_seconds: float | None) -> tuple[str, str]:
    """The headline and the line under it: a stopped send counts what went and what did not; a
    paused or finished one shows no rate and no time left."""
    handled = progress.sent_to_carrier + progress.skipped
    if status == TaskStatus.canceled:
        not_sent = progress.total - progress.sent_to_carrier
        return "Stopped", (f"{_bar(progress.sent_to_carrier, progress.total)} {progress.sent_to_carrier:,} of "
                           f"{progress.total:,} sent before the stop · {not_sent:,} not sent")
    percent = 100 * handled // progress.total if progress.total else 100
    headline = "Sending finished" if finished else ("Paused" if status == TaskStatus.paused else "Sending")
    line = f"{_bar(handled, progress.total)} {percent}% — {handled:,} of {progress.total:,}"
    if rate and not finished and status == TaskStatus.sending:
        line += f" · {rate:,.0f}/s"
        if eta_seconds is not None:
            line += f" · about {max(1, round(eta_seconds)):,} s left"
    return headline, line


def build_progress_message(progress: Progress, *, rate: float | None = None, eta_seconds: float | None = None,
                           finished: bool = False, status: str = TaskStatus.sending,
                           task_ref: str | None = None,
                           waiting: tuple[int, datetime | None] = (0, None)) -> tuple[str, Blocks]:
    """`finished`: the send is over (completed, failed or stopped): its last word, no buttons.
    `waiting`: recipients waiting for their own sending window, and when the first opens."""
    handled = progress.sent_to_carrier + progress.skipped
    headline, line = _progress_line(progress, status, finished, rate, eta_seconds)
    text = f"{headline}: {handled:,} of {progress.total:,} handled, {progress.delivered:,} delivered"
    blocks: Blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*\n`{line}`"}},
        {"type": "section", "fields": _figures(progress)},
    ]
    if waiting[0] and not finished:
        opens = f"; the next opens {slack_time(waiting[1])}" if waiting[1] else ""
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f":clock3: {waiting[0]:,} waiting for their sending window where they are{opens}.")}]})
    if task_ref and not finished and status in (TaskStatus.sending, TaskStatus.paused):
        blocks.append(_controls(task_ref, status))
    return text, blocks


def _headline(status: str, cause: str | None) -> str:
    if status == TaskStatus.failed:
        return f"*Send failed:* {escape(cause or 'the provider refused it')}."
    if status == TaskStatus.canceled:
        return "*Send stopped.*"
    return "*Send completed.*"


def _receipts_line(progress: Progress, reasons: list[tuple[str, int]], final: bool) -> str:
    if not final:
        return f"Receipts still coming: {progress.submitted:,} awaiting. This report keeps up until the last is in."
    late = timed_out(reasons)
    hours = int(RECEIPT_DEADLINE.total_seconds() // 3600)
    return f"All receipts in; {late:,} had none within {hours} hours." if late else "All receipts in."


def build_final_report(progress: Progress, reasons: list[tuple[str, int]], fallbacks: int, *,
                       status: str = TaskStatus.completed, cause: str | None = None, final: bool = True,
                       retention: str | None = None, actions: dict[str, Any] | None = None,
                       estimate: str | None = None, parts: Sequence[ApplicationPart] = ()) -> tuple[str, Blocks]:
    """`reasons`: the providers' words for each failure, with how many; `cause`: why a failed
    send failed; `final`: every recipient has its last word; `retention`: until when the
    details and exports are kept; `actions`: the export and follow-up buttons; `estimate`:
    the cost counted when the task was submitted; `parts`: each SMS application's totals."""
    lines = [f"{_headline(status, cause)} {progress.total:,} recipients: {progress.sent_to_carrier:,} sent to carrier, "
             f"{progress.delivered:,} delivered, {progress.failed:,} failed, {progress.submitted:,} awaiting receipt, "
             f"{progress.skipped:,} skipped.", _receipts_line(progress, reasons, final)]
    lines += [f"Through {escape(part.application)}: {part.progress.total:,} recipients, {part.progress.delivered:,} "
              f"delivered, {part.progress.failed:,} failed, {part.progress.submitted:,} awaiting receipt, "
              f"{part.progress.skipped:,} skipped." for part in parts]
    if fallbacks:
        lines.append(f"{fallbacks:,} card messages went out as their fallback.")
    if estimate:
        lines.append(estimate)
    if reasons:
        lines.append("Top failure reasons:\n" + "\n".join(f"• {escape(reason)} — {count:,}" for reason, count in reasons))
    text = lines[0].replace("*", "")
    blocks: Blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}}]
    if retention:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": retention}]})
    if actions:
        blocks.append(actions)
    return text, blocks


def estimate_line(task, cost: str) -> str:
    """`task`: a TaskView; `cost`: its messages' cost as counted when it was submitted."""
    skipped = (f"; {task.too_long:,} recipients skipped because their message was over the limit"
               if task.too_long else "")
    return f"Estimated cost when submitted: {cost} for {task.segments:,} segments{skipped}."
