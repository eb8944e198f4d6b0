"""Block Kit for a sending task's live progress message and its final report."""

from __future__ import annotations

from typing import Any

from domain.dispatch import Progress

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


def build_progress_message(progress: Progress, *, rate: float | None = None, eta_seconds: float | None = None,
                           finished: bool = False) -> tuple[str, Blocks]:
    handled = progress.sent_to_carrier + progress.skipped
    percent = 100 * handled // progress.total if progress.total else 100
    headline = "Sending finished" if finished else "Sending"
    line = f"{_bar(handled, progress.total)} {percent}% — {handled:,} of {progress.total:,}"
    if rate and not finished:
        line += f" · {rate:,.0f}/s"
        if eta_seconds is not None:
            line += f" · about {max(1, round(eta_seconds)):,} s left"
    text = f"{headline}: {handled:,} of {progress.total:,} handled, {progress.delivered:,} delivered"
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*\n`{line}`"}},
        {"type": "section", "fields": _figures(progress)},
    ]


def build_final_report(progress: Progress, reasons: list[tuple[str, int]], fallbacks: int) -> tuple[str, Blocks]:
    lines = [f"*Send completed.* {progress.total:,} recipients: {progress.sent_to_carrier:,} sent to carrier, "
             f"{progress.delivered:,} delivered, {progress.failed:,} failed, {progress.submitted:,} awaiting receipt, "
             f"{progress.skipped:,} skipped."]
    if fallbacks:
        lines.append(f"{fallbacks:,} card messages went out as their fallback.")
    if reasons:
        lines.append("Top failure reasons:\n" + "\n".join(f"• {reason} — {count:,}" for reason, count in reasons))
    text = lines[0].replace("*", "")
    return text, [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}}]
