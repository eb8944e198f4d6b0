"""Rules of status and reporting: what `/sms list` and `/sms status` accept, which tasks a
person sees, how recipients are filtered and paged. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import N_, _
from domain.policy import sees_channel
from domain.task_state import TaskStatus
from domain.tasks import TASK_NAME_MAX
from domain.text_rules import printable_lines
from storage.statuses import RecipientStatus

LIST_PAGE_SIZE = 10
DETAILS_PAGE_SIZE = 25
DETAILS_MESSAGES_PAGE_SIZE = 10  # a page of recipients each shown with their message
LOOKUP_LIMIT = 20
SEARCH_DIGITS = 4

STATUS_USAGE = N_("Usage: `/sms status <task id or name>`, for example `/sms status 12` or "
                  "`/sms status November receipts`.")
LOOKUP_USAGE = N_("Usage: `/sms lookup <number>`: the whole number, written as recipient files may write it; "
                  "it is shown back by its last four digits only.")


def list_usage() -> str:
    """How `/sms list` is used, in the reader's language (the status words stay codes)."""
    return _("Usage: `/sms list [all] [status] [name words…]`, where status is one of {statuses}; the words after "
             "them keep the tasks whose name contains them, in any case (quote a name that starts with `all` or a "
             "status). For example `/sms list sending`, `/sms list all failed` or `/sms list all receipts`.",
             statuses=", ".join(f"`{s}`" for s in TaskStatus))

#: Statuses a task has once it has started sending (its recipients exist).
STARTED = frozenset({TaskStatus.sending, TaskStatus.paused, TaskStatus.completed, TaskStatus.failed})


class ListScope(StrEnum):
    CHANNEL = "channel"  # the tasks of this channel: asked from it, or with their thread in it
    ALL = "all"  # every task the person may see (see `visible_to`)


@dataclass(frozen=True)
class ListQuery:
    scope: ListScope = ListScope.CHANNEL
    status: TaskStatus | None = None
    name: str | None = None  # a part of the task's name, any case


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks a list shows, as storage reads it: None means no condition."""

    channel_id: str | None = None
    created_by: str | None = None
    status: TaskStatus | None = None
    name: str | None = None  # the name contains it, ignoring case


def name_filter(text: str | None) -> str | None:
    """The part of a task's name a list looks for: one line, single spaces, no control
    characters; None when empty. Longer than any task's name, it could match none: refused."""
    words = " ".join(printable_lines(text or "").split())
    if not words:
        return None
    if len(words) > TASK_NAME_MAX:
        raise DomainError(_("A task's name has at most {limit} characters: look for a part of it (this has "
                            "{count}). {usage}", limit=TASK_NAME_MAX, count=len(words), usage=list_usage()))
    return words


def parse_list_args(args: tuple[str, ...] | list[str]) -> ListQuery:
    """`[all] [status]`, in either order, any case, then the words of a name to look for: from
    the first word that is neither, every word is the name's (a quoted one included)."""
    scope, status, words = ListScope.CHANNEL, None, list(args)
    while words:
        word = words[0].lower()
        if word == "all" and scope is ListScope.CHANNEL:
            scope = ListScope.ALL
        elif word in TaskStatus.__members__ and status is None:
            status = TaskStatus(word)
        else:
            break
        words.pop(0)
    return ListQuery(scope, status, name_filter(" ".join(words)))


def visible_to(query: ListQuery, actor: Actor, channel_id: str) -> TaskFilter:
    """A channel's list shows the tasks asked from it or threaded in it to its members and the
    approvers, and to anyone else only their own there. `all` shows an approver every task (they
    review them all), and anyone else the tasks they asked for, wherever."""
    if query.scope is ListScope.CHANNEL:
        return TaskFilter(channel_id=channel_id, status=query.status, name=query.name,
                          created_by=None if sees_channel(actor, channel_id) else actor.user_id)
    if actor.is_approver:
        return TaskFilter(status=query.status, name=query.name)
    return TaskFilter(created_by=actor.user_id, status=query.status, name=query.name)


def parse_task_ref(text: str, usage: str = STATUS_USAGE) -> int | str:
    """A task id (`12` or `#12`) or a task name; an empty one is refused with the usage (in
    English, marked with `N_`: said in the reader's language)."""
    text = " ".join(text.split())
    if not text:
        raise DomainError(_(usage))
    digits = text[1:] if text.startswith("#") else text
    return int(digits) if digits.isdigit() else text


def has_started(status: TaskStatus | str, progress_ts: str | None = None) -> bool:
    """Whether a task has per-recipient results to show: it is sending or past it, or it was
    stopped while sending (a canceled task with a progress message)."""
    status = TaskStatus(status)
    return status in STARTED or (status is TaskStatus.canceled and progress_ts is not None)


class RecipientFilter(StrEnum):
    ALL = "all"
    DELIVERED = "delivered"
    FAILED = "failed"
    AWAITING = "awaiting"  # submitted to the carrier, no receipt yet
    SKIPPED = "skipped"
    NOT_SENT = "not_sent"  # pending, or in flight right now


#: In English: shown with `_()`.
RECIPIENT_FILTER_LABELS: dict[RecipientFilter, str] = {
    RecipientFilter.ALL: N_("All recipients"),
    RecipientFilter.DELIVERED: N_("Delivered"),
    RecipientFilter.FAILED: N_("Failed"),
    RecipientFilter.AWAITING: N_("Awaiting receipt"),
    RecipientFilter.SKIPPED: N_("Skipped"),
    RecipientFilter.NOT_SENT: N_("Not yet sent"),
}

_FILTER_STATUSES: dict[RecipientFilter, tuple[RecipientStatus, ...] | None] = {
    RecipientFilter.ALL: None,
    RecipientFilter.DELIVERED: (RecipientStatus.delivered,),
    RecipientFilter.FAILED: (RecipientStatus.failed,),
    RecipientFilter.AWAITING: (RecipientStatus.submitted,),
    RecipientFilter.SKIPPED: (RecipientStatus.skipped,),
    RecipientFilter.NOT_SENT: (RecipientStatus.pending, RecipientStatus.in_flight),
}

#: How a recipient's status reads, in a row of the Details modal or of an export: in English,
#: shown with `_()` (`recipient_status_label`).
RECIPIENT_STATUS_LABELS: dict[RecipientStatus, str] = {
    RecipientStatus.pending: N_("not yet sent"), RecipientStatus.in_flight: N_("sending"),
    RecipientStatus.submitted: N_("awaiting receipt"), RecipientStatus.delivered: N_("delivered"),
    RecipientStatus.failed: N_("failed"), RecipientStatus.skipped: N_("skipped"),
}

#: A status word of `/sms list` (a code the person typed) as a list's heading says it: in
#: English the word itself, shown with `_()`.
LIST_STATUS_WORDS: dict[TaskStatus, str] = {
    TaskStatus.moderating: N_("moderating"), TaskStatus.rejected: N_("rejected"),
    TaskStatus.scheduled: N_("scheduled"), TaskStatus.sending: N_("sending"), TaskStatus.paused: N_("paused"),
    TaskStatus.completed: N_("completed"), TaskStatus.failed: N_("failed"), TaskStatus.canceled: N_("canceled"),
}


def recipient_status_label(status: str) -> str:
    """A stored recipient status in the reader's language (an unknown one as it is)."""
    label = RECIPIENT_STATUS_LABELS.get(status)
    return _(label) if label else status


def recipient_statuses(choice: RecipientFilter | str | None) -> tuple[str, ...] | None:
    """The stored statuses a filter keeps (None: every status)."""
    try:
        return _FILTER_STATUSES[RecipientFilter(choice or RecipientFilter.ALL)]
    except ValueError:
        return None


def parse_search(text: str | None) -> str | None:
    """A search by a number's last digits: 1 to 4 digits (a whole number is never asked
    for, nor shown). Empty means no search."""
    digits = re.sub(r"[\s•.]", "", text or "")
    if not digits:
        return None
    if not digits.isdigit() or len(digits) > SEARCH_DIGITS:
        raise DomainError(_("Search by the last digits of a number: 1 to {digits} digits.", digits=SEARCH_DIGITS))
    return digits


@dataclass(frozen=True)
class Page:
    number: int  # from 0
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return self.number * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.pages


def clamp_page(number: int, size: int, total: int) -> Page:
    """A page that exists: past the end (the list shrank since) shows the last one."""
    last = max(0, -(-total // size) - 1)
    return Page(min(max(0, number), last), size, total)
