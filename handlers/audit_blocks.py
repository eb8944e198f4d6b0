"""Block Kit for a task's audit trail (`/sms audit`): one entry a section, newest or oldest
first, a page at a time. Times are Slack dates: each reader sees them in their own time zone."""

from __future__ import annotations

from typing import Any

from domain.audit_trail import BOT, TrailLine, TrailOrder
from domain.i18n import N_, _, n_, number
from domain.task_state import status_label
from domain.use_cases.audit_trail import AuditTrail
from handlers.block_kit import escape, mention, mrkdwn, plain, section
from handlers.ids import ActionId, BlockId
from handlers.payloads import AuditTrailState
from handlers.status_blocks import navigation_buttons
from handlers.task_blocks import slack_time

Blocks = list[dict[str, Any]]
ORDER_WORDS = {TrailOrder.NEWEST: N_("newest first"), TrailOrder.OLDEST: N_("oldest first")}  # said with _()
ORDER_BUTTONS = {TrailOrder.NEWEST: N_("Newest first"), TrailOrder.OLDEST: N_("Oldest first")}


def entry_text(line: TrailLine) -> str:
    """When, who (a mention, or the bot itself) and what, its facts escaped: they may quote a person."""
    who = mention(line.actor) if line.actor else BOT
    text = _("{time} · {who} {did}", time=slack_time(line.at), who=who, did=escape(line.did))
    if line.facts:
        text += " · " + escape(" · ".join(line.facts))
    if line.send_at is not None:
        text += " · " + _("sends {time}", time=slack_time(line.send_at))
    return text


def _title(trail: AuditTrail) -> str:
    status = status_label(trail.status) if trail.status is not None else _("deleted")
    if trail.name:
        return _("Audit trail of “{name}” (#{id}, {status})", name=escape(trail.name), id=trail.task_id, status=status)
    return _("Audit trail of a task (#{id}, {status})", id=trail.task_id, status=status)


def _buttons(trail: AuditTrail) -> list[dict[str, Any]]:
    def value(page: int, order: TrailOrder = trail.order) -> str:
        return AuditTrailState(task_id=trail.task_id, order=order.value, page=page).dump()

    other = TrailOrder.OLDEST if trail.order is TrailOrder.NEWEST else TrailOrder.NEWEST
    flip = {"type": "button", "action_id": ActionId.AUDIT_ORDER, "text": plain(_(ORDER_BUTTONS[other])),
            "value": value(0, other)}
    return [*navigation_buttons(trail.page, ActionId.AUDIT_PREVIOUS, ActionId.AUDIT_NEXT, value), flip]


def build_audit_trail(trail: AuditTrail) -> tuple[str, Blocks]:
    title, page = _title(trail), trail.page
    if not trail.lines:
        text = _("{title}: nothing is recorded about it.", title=title)
        return text, [section(text)]
    first, last = page.offset + 1, page.offset + len(trail.lines)
    order = _(ORDER_WORDS[trail.order])
    place = dict(order=order, first=first, last=last, page=page.number + 1, pages=page.pages)
    blocks: Blocks = [
        section(f"*{title}*"),
        {"type": "context", "elements": [mrkdwn(n_(
            "{count} entry, {order} · {first}–{last}, page {page} of {pages} · times in your own time zone · "
            "numbers by their last four digits only",
            "{count} entries, {order} · {first}–{last}, page {page} of {pages} · times in your own time zone · "
            "numbers by their last four digits only", page.total, **place))]},
        *(section(entry_text(line), f"{BlockId.AUDIT_ENTRY}:{page.offset + n}") for n, line in enumerate(trail.lines)),
        {"type": "actions", "block_id": BlockId.AUDIT_NAV, "elements": _buttons(trail)},
    ]
    return _("{title}: {first}–{last} of {total}, {order}", title=title, first=first, last=last,
             total=number(page.total), order=order), blocks
