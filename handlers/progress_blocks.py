"""Block Kit for a sending task's live progress message and its final report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.dispatch import Progress, reason_in_words
from domain.i18n import _, n_, number
from domain.task_state import TaskStatus
from domain.use_cases.reporting import RECEIPT_DEADLINE, ApplicationPart, timed_out
from handlers.block_kit import escape
from handlers.ids import ActionId, BlockId
from handlers.task_blocks import slack_time

Blocks = list[dict[str, Any]]
# Block characters in plain text, not code: Slack shows code red on pink, which reads like an
# error. Short enough that the bar and its numbers stay on one line in a thread pane.
BAR_WIDTH = 12


def _bar(done: int, total: int) -> str:
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH  # full only when all is done
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _figures(progress: Progress) -> list[dict[str, str]]:
    return [
        {"type": "mrkdwn", "text": _("*Sent to carrier*\n{count}", count=number(progress.sent_to_carrier))},
        {"type": "mrkdwn", "text": _("*Delivered*\n{count}", count=number(progress.delivered))},
        {"type": "mrkdwn", "text": _("*Failed*\n{count}", count=number(progress.failed))},
        {"type": "mrkdwn", "text": _("*Awaiting receipt*\n{count}", count=number(progress.submitted))},
        {"type": "mrkdwn", "text": _("*Skipped*\n{count}", count=number(progress.skipped))},
        {"type": "mrkdwn", "text": _("*Not yet sent*\n{count}", count=number(progress.pending + progress.in_flight))},
    ]


def _controls(task_ref: str, status: str) -> dict[str, Any]:
    toggle = ({"type": "button", "action_id": ActionId.TASK_RESUME, "text": {"type": "plain_text", "text": _("Resume")},
               "style": "primary", "value": task_ref} if status == TaskStatus.paused else
              {"type": "button", "action_id": ActionId.TASK_PAUSE, "text": {"type": "plain_text", "text": _("Pause")},
               "value": task_ref})
    warning = _("Numbers not sent yet are skipped. This can't be undone.")
    stop = {"type": "button", "action_id": ActionId.TASK_STOP, "text": {"type": "plain_text", "text": _("Stop")},
            "style": "danger", "value": task_ref,
            "confirm": {"title": {"type": "plain_text", "text": _("Stop this send?")},
                        "text": {"type": "mrkdwn", "text": warning},
                        "confirm": {"type": "plain_text", "text": _("Stop")},
                        "deny": {"type": "plain_text", "text": _("Keep sending")}}}
    return {"type": "actions", "block_id": BlockId.PROGRESS_ACTIONS, "elements": [toggle, stop]}


def _progress_lines(progress: Progress, status: str, finished: bool, rate: float | None,
                    eta_seconds: float | None) -> tuple[str, str, str | None]:
    """The headline, the bar with its numbers, and a line under them (the rate and time left
    while sending; what a stop left unsent): a paused or finished send shows no rate."""
    handled = progress.sent_to_carrier + progress.skipped
    if status == TaskStatus.canceled:
        not_sent = progress.total - progress.sent_to_carrier
        return _("Stopped"), _("{bar} {sent} of {total} sent", bar=_bar(progress.sent_to_carrier, progress.total),
                               sent=number(progress.sent_to_carrier), total=number(progress.total)), _(
            "{not_sent} not sent: the send was stopped", not_sent=number(not_sent))
    percent = 100 * handled // progress.total if progress.total else 100
    headline = _("Sending finished") if finished else (_("Paused") if status == TaskStatus.paused else _("Sending"))
    bar = _("{bar} {percent}% · {handled} of {total}", bar=_bar(handled, progress.total), percent=percent,
            handled=number(handled), total=number(progress.total))
    if not (rate and not finished and status == TaskStatus.sending):
        return headline, bar, None
    pace = _("{rate}/s", rate=number(round(rate)))
    if eta_seconds is not None:
        pace += " · " + _("about {seconds} s left", seconds=number(max(1, round(eta_seconds))))
    return headline, bar, pace


def _waiting_line(waiting: tuple[int, datetime | None]) -> str:
    """Recipients waiting for their own sending window, and when the first opens."""
    count, opens = waiting
    if opens:
        return _(":clock3: {count} waiting for their sending window where they are; the next opens {time}.",
                 count=number(count), time=slack_time(opens))
    return _(":clock3: {count} waiting for their sending window where they are.", count=number(count))


def build_progress_message(progress: Progress, *, rate: float | None = None, eta_seconds: float | None = None,
                           finished: bool = False, status: str = TaskStatus.sending,
                           task_ref: str | None = None,
                           waiting: tuple[int, datetime | None] = (0, None)) -> tuple[str, Blocks]:
    """`finished`: the send is over (completed, failed or stopped): its last word, no buttons.
    `waiting`: recipients waiting for their own sending window, and when the first opens."""
    handled = progress.sent_to_carrier + progress.skipped
    headline, bar, under = _progress_lines(progress, status, finished, rate, eta_seconds)
    text = _("{headline}: {handled} of {total} handled, {delivered} delivered", headline=headline,
             handled=number(handled), total=number(progress.total), delivered=number(progress.delivered))
    blocks: Blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*\n{bar}"}},
    ]
    if under:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": under}]})
    blocks.append({"type": "section", "fields": _figures(progress)})
    if waiting[0] and not finished:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _waiting_line(waiting)}]})
    if task_ref and not finished and status in (TaskStatus.sending, TaskStatus.paused):
        blocks.append(_controls(task_ref, status))
    return text, blocks


def _headline(status: str, cause: str | None) -> str:
    if status == TaskStatus.failed:
        said = reason_in_words(cause) if cause else _("the provider refused it")
        return _("*Send failed:* {cause}.", cause=escape(said))
    if status == TaskStatus.canceled:
        return _("*Send stopped.*")
    return _("*Send completed.*")


def _receipts_line(progress: Progress, reasons: list[tuple[str, int]], final: bool) -> str:
    if not final:
        return _("Receipts still coming: {count} awaiting. This report keeps up until the last is in.",
                 count=number(progress.submitted))
    late = timed_out(reasons)
    hours = int(RECEIPT_DEADLINE.total_seconds() // 3600)
    if not late:
        return _("All receipts in.")
    return _("All receipts in; {late} had none within {hours} hours.", late=number(late), hours=hours)


def _totals_line(progress: Progress, status: str, cause: str | None) -> str:
    return n_("{headline} {count} recipient: {sent} sent to carrier, {delivered} delivered, {failed} failed, "
              "{awaiting} awaiting receipt, {skipped} skipped.",
              "{headline} {count} recipients: {sent} sent to carrier, {delivered} delivered, {failed} failed, "
              "{awaiting} awaiting receipt, {skipped} skipped.", progress.total,
              headline=_headline(status, cause), sent=number(progress.sent_to_carrier),
              delivered=number(progress.delivered), failed=number(progress.failed),
              awaiting=number(progress.submitted), skipped=number(progress.skipped))


def _part_line(part: ApplicationPart) -> str:
    p = part.progress
    return n_("Through {application}: {count} recipient, {delivered} delivered, {failed} failed, {awaiting} "
              "awaiting receipt, {skipped} skipped.",
              "Through {application}: {count} recipients, {delivered} delivered, {failed} failed, {awaiting} "
              "awaiting receipt, {skipped} skipped.", p.total, application=escape(part.application),
              delivered=number(p.delivered), failed=number(p.failed), awaiting=number(p.submitted),
              skipped=number(p.skipped))


def _reasons_lines(reasons: list[tuple[str, int]]) -> str:
    """The top failure reasons, each in the reader's language where it is ours."""
    return _("Top failure reasons:") + "\n" + "\n".join(
        f"• {escape(reason_in_words(reason))} — {number(count)}" for reason, count in reasons)


def build_final_report(progress: Progress, reasons: list[tuple[str, int]], fallbacks: int, *,
                       status: str = TaskStatus.completed, cause: str | None = None, final: bool = True,
                       retention: str | None = None, actions: dict[str, Any] | None = None,
                       estimate: str | None = None, parts: Sequence[ApplicationPart] = ()) -> tuple[str, Blocks]:
    """`reasons`: the providers' words for each failure, with how many; `cause`: why a failed
    send failed; `final`: every recipient has its last word; `retention`: until when the
    details and exports are kept; `actions`: the export and follow-up buttons; `estimate`:
    the cost counted when the task was submitted; `parts`: each SMS application's totals."""
    lines = [_totals_line(progress, status, cause), _receipts_line(progress, reasons, final)]
    lines += [_part_line(part) for part in parts]
    if fallbacks:
        lines.append(n_("{count} card message went out as its fallback.",
                        "{count} card messages went out as their fallback.", fallbacks))
    if estimate:
        lines.append(estimate)
    if reasons:
        lines.append(_reasons_lines(reasons))
    text = lines[0].replace("*", "")
    blocks: Blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}}]
    if retention:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": retention}]})
    if actions:
        blocks.append(actions)
    return text, blocks


def estimate_line(task, cost: str) -> str:
    """`task`: a TaskView; `cost`: its messages' cost as counted when it was submitted."""
    if task.too_long:
        skipped = n_("; {count} recipient skipped because their message was over the limit",
                     "; {count} recipients skipped because their message was over the limit", task.too_long)
    else:
        skipped = ""
    return n_("Estimated cost when submitted: {cost} for {count} segment{skipped}.",
              "Estimated cost when submitted: {cost} for {count} segments{skipped}.", task.segments,
              cost=cost, skipped=skipped)
