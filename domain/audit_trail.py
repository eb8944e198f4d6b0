"""A task's audit trail as an approver reads it: who did what to it and when, in plain words,
from the audit log's entries about it (target "task", its id); and who approved it as it
stands. Pure: entries in, lines out.

Whole phone numbers never come out of here: a test send's numbers are shown by their last
four digits, and any number in a reason is masked the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.i18n import N_, _, n_
from domain.privacy import last_four, mask_phone_numbers
from domain.status import Page, clamp_page
from domain.task_state import TaskStatus

AUDIT_USAGE = N_("Usage: `/sms audit <task id or name>`: who created, edited, approved, tested, exported, paused, "
                 "stopped or deleted a task, and when (approvers only). A deleted task is found by its id.")
TRAIL_PAGE_SIZE = 15
FACT_SHOWN = 200  # characters of one fact (a reason, a name) at most
BOT = "smsbot"  # the actor of what the bot did by itself
CREATED, APPROVED = "task.created", "task.approve"
#: Statuses only an approval leads to: a task in one was approved as it stands.
_ON_ITS_WAY = frozenset({TaskStatus.scheduled, TaskStatus.sending, TaskStatus.paused, TaskStatus.completed,
                         TaskStatus.failed})


class TrailOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class Recorded:
    """An audit entry about a task, as the log keeps it."""

    at: datetime
    actor: str  # a user id, or the bot
    action: str  # "task.<what>"
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class TrailLine:
    at: datetime
    actor: str | None  # a user id; None: the bot itself
    did: str  # what they did, in plain words, in the reader's language
    facts: tuple[str, ...] = ()  # plain text, a person's text among it: escaped where it is shown
    send_at: datetime | None = None  # the send time it set, shown in the reader's own time zone


def _shown(value: Any) -> str:
    """A value as kept: a known reason (kept in English) in the reader's language; a person's
    text as it is."""
    text = mask_phone_numbers(" ".join(_(str(value)).split()))
    return text if len(text) <= FACT_SHOWN else text[:FACT_SHOWN - 1] + "…"


def _named(detail: Mapping[str, Any]) -> tuple[str, ...]:
    return (_("named “{name}”", name=_shown_name(detail["name"])),) if detail.get("name") else ()


def _shown_name(value: Any) -> str:
    """A name is a person's: never looked up in a catalog."""
    text = mask_phone_numbers(" ".join(str(value).split()))
    return text if len(text) <= FACT_SHOWN else text[:FACT_SHOWN - 1] + "…"


def _reason(detail: Mapping[str, Any]) -> tuple[str, ...]:
    return (_shown(detail["reason"]),) if detail.get("reason") else ()


def _count(detail: Mapping[str, Any], key: str, say: Callable[[int], str]) -> tuple[str, ...]:
    """`say(count)`: "{count} …" with its plural."""
    value = detail.get(key)
    return (say(value),) if isinstance(value, int) and not isinstance(value, bool) else ()


def _recipients(count: int) -> str:
    return n_("{count} recipient", "{count} recipients", count)


def _rows(count: int) -> str:
    return n_("{count} row", "{count} rows", count)


def _skipped(count: int) -> str:
    return n_("{count} skipped", "{count} skipped", count)


def _days_after(count: int) -> str:
    return n_("{count} day after it finished", "{count} days after it finished", count)


def _version(detail: Mapping[str, Any]) -> tuple[str, ...]:
    version = detail.get("version")
    return (_("version {version}", version=version),) if isinstance(version, int) and not isinstance(version, bool) \
        else ()


_STARTS = {"earliest": N_("to send at the earliest allowed time"), "reschedule": N_("rescheduled")}
_EXPORTS = {"failed": N_("failed recipients"), "no-receipt": N_("no-receipt recipients"),
            "all": N_("all recipients")}


def _decision(detail: Mapping[str, Any]) -> tuple[str, ...]:
    start = _STARTS.get(str(detail.get("start")))
    return _version(detail) + ((_(start),) if start else ()) + _reason(detail)


def _test(detail: Mapping[str, Any]) -> tuple[str, ...]:
    """The numbers are kept by their last four digits; shown so again whatever was kept."""
    numbers = ", ".join(last_four(str(number)) for number in detail.get("numbers") or [])
    facts = (_("to {numbers}", numbers=numbers),) if numbers else ()
    return facts + ((_("content not approved yet"),) if detail.get("approved") is False else ())


def _export(detail: Mapping[str, Any]) -> tuple[str, ...]:
    kind = _EXPORTS.get(str(detail.get("kind")))
    sent = (_("to their direct message"),) if detail.get("delivered_to") else ()
    return ((_(kind),) if kind else ()) + _count(detail, "rows", _rows) + sent + _reason(detail)


def _started(detail: Mapping[str, Any]) -> tuple[str, ...]:
    skipped = _count(detail, "skipped", _skipped) if detail.get("skipped") else ()
    return _count(detail, "recipients", _recipients) + skipped


def _purged(detail: Mapping[str, Any]) -> tuple[str, ...]:
    return _count(detail, "recipients", _recipients) + _count(detail, "retention_days", _days_after)


# What each action reads as (in English: said with `_()`), and which of its details are shown.
_ACTIONS: dict[str, tuple[str, Callable[[Mapping[str, Any]], tuple[str, ...]]]] = {
    "created": (N_("created it"), lambda d: _named(d) + _count(d, "recipients", _recipients)),
    "edited": (N_("edited it"), _version),
    "approve": (N_("approved it"), _decision),
    "reject": (N_("rejected it"), _decision),
    "test_sent": (N_("sent a test of it"), _test),
    "exported": (N_("exported its recipients"), _export),
    "export_failed": (N_("tried to export its recipients"), _export),
    "started": (N_("started sending it"), _started),
    "pause": (N_("paused it"), _reason),
    "resume": (N_("resumed it"), _reason),
    "cancel": (N_("canceled it"), _reason),
    "auto_cancel": (N_("canceled it: not started within 24 hours of its send time"), _reason),
    "completed": (N_("finished sending it"), lambda d: ()),
    "failed": (N_("marked it failed"), _reason),
    "deleted": (N_("deleted it"), _named),
    "withdrawn": (N_("withdrew it: its approval request could not be posted"), _reason),
    "details_purged": (N_("purged its per-recipient details"), _purged),
}
STOPPED = N_("stopped it while sending")


def _send_at(detail: Mapping[str, Any]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(detail.get("send_at")))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def own_entries(entries: Sequence[Recorded]) -> list[Recorded]:
    """The entries of the task that has the id now. A deleted newest task's id may be given to
    the next task (SQLite reuses it): what came before that task's creation was another's."""
    created = [n for n, entry in enumerate(entries) if entry.action == CREATED]
    return list(entries[created[-1]:] if created else entries)


def trail_lines(entries: Sequence[Recorded]) -> list[TrailLine]:
    """Oldest first, in the log's order. A cancel after the send started was a Stop."""
    lines, started = [], False
    for entry in own_entries(entries):
        what = entry.action.removeprefix("task.")
        did, facts = _ACTIONS.get(what, (what.replace("_", " "), _reason))
        if what == "cancel" and started:
            did = STOPPED
        started = started or what == "started"
        lines.append(TrailLine(entry.at, None if entry.actor == BOT else entry.actor, _(did), facts(entry.detail),
                               _send_at(entry.detail) if what == "approve" else None))
    return lines


def trail_page(lines: Sequence[TrailLine], order: TrailOrder, page: int,
               size: int = TRAIL_PAGE_SIZE) -> tuple[list[TrailLine], Page]:
    """One page of the trail, newest or oldest first (past the end: the last page)."""
    ordered = list(reversed(lines)) if order is TrailOrder.NEWEST else list(lines)
    shown = clamp_page(page, size, len(ordered))
    return ordered[shown.offset:shown.offset + size], shown


def name_in(entries: Sequence[Recorded]) -> str | None:
    """A deleted task's last name, as its entries kept it."""
    named = [entry.detail["name"] for entry in own_entries(entries) if entry.detail.get("name")]
    return str(named[-1]) if named else None


def approver_of(status: TaskStatus | str, version: int, decided_by: str | None,
                entries: Iterable[Recorded]) -> str | None:
    """Who approved the task as it stands: the log's latest approval of its version (a task
    canceled or stopped after approval keeps it, though its decider is who ended it). For a task
    on its way with no such entry, its decider; None for one never approved as it stands."""
    status = TaskStatus(status)
    if status in (TaskStatus.moderating, TaskStatus.rejected):
        return None
    approvals = [entry for entry in own_entries(list(entries))
                 if entry.action == APPROVED and entry.detail.get("version") == version]
    if approvals:
        return approvals[-1].actor
    return decided_by if status in _ON_ITS_WAY else None
