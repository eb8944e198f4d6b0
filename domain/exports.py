"""Pure rules of exports and follow-ups: which recipients an export holds, how a row is laid
out, how a cell is kept from running as a formula, who may take full numbers out of the bot,
and how long per-recipient details are kept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.approvers import Actor
from domain.dispatch import MessagePlan
from domain.errors import DomainError
from domain.i18n import N_, _
from domain.policy import check_owner_or_approver
from domain.recipient_messages import sent_text
from domain.segments import segment_count
from domain.status import RECIPIENT_STATUS_LABELS
from storage.statuses import NO_RECEIPT, RecipientStatus, TaskStatus

MAX_AUDIENCE_NAME = 60


class ExportKind(StrEnum):
    FAILED = "failed"
    NO_RECEIPT = "no-receipt"
    ALL = "all"


@dataclass(frozen=True)
class Selection:
    """Recipients whose status is one of `statuses`, or failed with `failed_reason`;
    `statuses` None: every recipient."""

    statuses: tuple[RecipientStatus, ...] | None
    failed_reason: str | None = None


# failed: every failed recipient, the 72-hour "no receipt" ones included.
# no-receipt: no receipt yet (submitted) or none within 72 hours (failed, "no receipt").
SELECTIONS: dict[ExportKind, Selection] = {
    ExportKind.FAILED: Selection((RecipientStatus.failed,)),
    ExportKind.NO_RECEIPT: Selection((RecipientStatus.submitted,), NO_RECEIPT),
    ExportKind.ALL: Selection(None),
}


class FollowUpGroup(StrEnum):
    """Numbers a follow-up (a resend, an audience) may take, in any mix: they are the exports'
    selections, so "failed" holds the 72-hour no-receipt ones too, as "no receipt" does."""

    DELIVERED = "delivered"
    FAILED = "failed"
    NO_RECEIPT = "no-receipt"


GROUP_SELECTIONS: dict[FollowUpGroup, Selection] = {
    FollowUpGroup.DELIVERED: Selection((RecipientStatus.delivered,)),
    FollowUpGroup.FAILED: SELECTIONS[ExportKind.FAILED],
    FollowUpGroup.NO_RECEIPT: SELECTIONS[ExportKind.NO_RECEIPT],
}
# Failed for the lack of a receipt (72 hours): in both "failed" and "no receipt".
EXPIRED = Selection((), NO_RECEIPT)
# In English, as stored (a follow-up list's source name) and as said with `_()`.
GROUP_WORDS = {FollowUpGroup.DELIVERED: N_("delivered"), FollowUpGroup.FAILED: N_("failed"),
               FollowUpGroup.NO_RECEIPT: N_("no-receipt")}
# What "Resend to failed" and "Save failed as audience" take: failed and no-receipt.
DEFAULT_FOLLOW_UP = frozenset({FollowUpGroup.FAILED, FollowUpGroup.NO_RECEIPT})


def in_order(groups: Iterable[FollowUpGroup]) -> list[FollowUpGroup]:
    return [group for group in FollowUpGroup if group in set(groups)]


def follow_up_selection(groups: Iterable[FollowUpGroup]) -> Selection:
    """The recipients in any of `groups`; none chosen is refused."""
    chosen = in_order(groups)
    if not chosen:
        raise DomainError(_("Choose which numbers to follow up on: delivered, failed or no receipt, in any mix."))
    statuses = tuple(status for status in RecipientStatus
                     if any(status in GROUP_SELECTIONS[group].statuses for group in chosen))
    reasons = {GROUP_SELECTIONS[group].failed_reason for group in chosen} - {None}
    # A failed reason only widens the statuses when failed ones are not all taken already.
    failed_reason = None if RecipientStatus.failed in statuses else next(iter(reasons), None)
    return Selection(statuses, failed_reason)


def follow_up_words(groups: Iterable[FollowUpGroup], *, english: bool = False) -> str:
    """“failed and no-receipt”, “delivered, failed and no-receipt”: what a follow-up took, in
    the reader's language (`english`: as a stored name keeps it)."""
    words = [GROUP_WORDS[group] for group in in_order(groups)]
    if english:
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    said = [_(word) for word in words]
    joined = said[0]
    for word in said[1:-1]:
        joined = _("{words}, {word}", words=joined, word=word)
    return _("{words} and {word}", words=joined, word=said[-1]) if len(said) > 1 else joined


FOLLOW_UP = follow_up_selection(DEFAULT_FOLLOW_UP)

# In English: said with `_()`.
KIND_LABELS = {ExportKind.FAILED: N_("failed"), ExportKind.NO_RECEIPT: N_("no receipt"),
               ExportKind.ALL: N_("all recipients")}
_KIND_WORDS = {"failed": ExportKind.FAILED, "fail": ExportKind.FAILED, "failures": ExportKind.FAILED,
               "no-receipt": ExportKind.NO_RECEIPT, "no_receipt": ExportKind.NO_RECEIPT,
               "noreceipt": ExportKind.NO_RECEIPT, "all": ExportKind.ALL}


def parse_kind(word: str | None) -> ExportKind:
    """`failed` when not given."""
    if not word:
        return ExportKind.FAILED
    kind = _KIND_WORDS.get(word.strip().lower())
    if kind is None:
        raise DomainError(_("“{word}” is not an export: use `failed`, `no-receipt` or `all`.", word=word))
    return kind


def split_export_args(text: str) -> tuple[str, ExportKind]:
    """`<task> [failed|no-receipt|all]`: the task as written (an id or a name, which may have
    spaces) and the export, `failed` when the last word names none."""
    words = text.split()
    if len(words) == 2 and words[0].lstrip("#").isdigit():  # an id, then the export
        return words[0], parse_kind(words[1])
    if len(words) > 1 and words[-1].lower() in _KIND_WORDS:
        return " ".join(words[:-1]), _KIND_WORDS[words[-1].lower()]
    if len(words) == 1 and words[0].lower() in _KIND_WORDS and not words[0].isdigit():
        return "", _KIND_WORDS[words[0].lower()]
    return " ".join(words), ExportKind.FAILED


# ---------------------------------------------------------------------------- cells

# OWASP's CSV injection guidance: a cell starting with one of these may be read as a formula
# by a spreadsheet (at once in a CSV, or when an XLSX cell is edited or re-saved as CSV).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefixed with a single quote, as OWASP advises, so it can only ever be text."""
    return "'" + value if value and value[0] in FORMULA_TRIGGERS else value


def phone_cell(phone: str) -> str:
    """A phone number is written whole, its `+` kept. It is E.164 (`+` and digits, checked at
    import) and goes into a *string* cell, which a spreadsheet shows as it is and never
    evaluates; the "@" text format on its column keeps it text when edited. The quote prefix
    is left off: it would become part of the number. Anything else is neutralised."""
    return phone if phone[:1] == "+" and phone[1:].isdigit() else neutralise(phone)


# An export's header is in its reader's language (English: these words, which tests and scripts
# read; Chinese: 手机号码 for the number, a column name a recipient import knows).
MESSAGE_COLUMNS = [N_("SMS ID"), N_("characters"), N_("segments"), N_("text")]
APPLICATION_COLUMNS = [N_("application"), N_("provider")]


@dataclass(frozen=True)
class ExportLayout:
    """The columns of an export: the file's row, the whole number, the list's variables, then
    what became of the message and, given the task's `plan`, what it was: the provider's SMS ID,
    the characters and segments, and the text (composed as the dispatcher composes it, the card's
    fallback when it went as one). Times are shown in `tz`, named in the header."""

    variables: Sequence[str]
    tz: str
    card: bool = False
    plan: MessagePlan | None = None
    # Each SMS application's (name, provider) by id, where a deployment has several: each row
    # says which one it went through.
    applications: Mapping[int, tuple[str, str]] | None = None

    @property
    def phone_column(self) -> int:
        return 1

    def header(self) -> list[str]:
        """In the reader's language; the list's own variables as they are."""
        columns = [_("row"), _("phone"), *(neutralise(v) for v in self.variables), _("status"),
                   _("submitted at ({zone})", zone=self.tz), _("receipt at ({zone})", zone=self.tz), _("error code"),
                   _("reason")]
        return (columns + ([_("sent as fallback")] if self.card else [])
                + ([_(column) for column in MESSAGE_COLUMNS] if self.plan is not None else [])
                + ([_(column) for column in APPLICATION_COLUMNS] if self.applications else []))

    def widths(self) -> list[float]:
        return ([7, 17, *[14] * len(self.variables), 16, 20, 20, 12, 36] + ([16] if self.card else [])
                + ([30, 11, 9, 60] if self.plan is not None else []) + ([16, 12] if self.applications else []))

    def row_maker(self):
        """A function from a stored row (row_number, phone, variables, status, submitted_at,
        receipt_at, error_code, reason, fell_back, provider_id[, application_id]) to the cells. Times are aware
        datetimes or ISO text of a UTC time (as SQLite keeps it). A status, and a stored reason,
        is written in the reader's language."""
        width = len(self.variables)
        card, plan, applications = self.card, self.plan, self.applications
        when, said = _local_times(ZoneInfo(self.tz)), _said_once()
        statuses = {status: _(label) for status, label in RECIPIENT_STATUS_LABELS.items()}
        yes = _("yes")

        def make(stored) -> list:
            (row_number, phone, variables, status, submitted_at, receipt_at, error_code, reason, fell_back,
             provider_id) = stored[:10]
            values = [neutralise(str(v)) if v is not None else None for v in (variables or ())[:width]]
            values += [None] * (width - len(values))
            cells = [row_number, phone_cell(phone), *values, statuses.get(status, status), when(submitted_at),
                     when(receipt_at), neutralise(error_code) if error_code else None,
                     neutralise(said(reason)) if reason else None]
            if card:
                cells.append(yes if fell_back else None)
            if plan is not None:  # measured without a RecipientMessage each: a million rows
                text, _fallback = sent_text(plan, variables or (), fell_back=fell_back)
                cells += [neutralise(provider_id) if provider_id else None, len(text), segment_count(text),
                          neutralise(text)]
            if applications:
                cells += list(applications.get(stored[10], (None, None)))
            return cells

        return make


def _local_times(zone: ZoneInfo):
    """A time as the export writes it, in `zone`. Times repeat heavily in a send (a chunk shares
    its submit second), so each distinct second is converted once."""
    formatted: dict[object, str] = {}

    def when(moment: datetime | str | None) -> str | None:
        if moment is None:
            return None
        second = moment[:19] if moment.__class__ is str else moment.replace(microsecond=0)
        text = formatted.get(second)
        if text is None:
            if len(formatted) > 100_000:
                formatted.clear()
            instant = datetime.fromisoformat(second).replace(tzinfo=UTC) if isinstance(second, str) else second
            text = formatted[second] = instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        return text

    return when


def _said_once():
    """A stored reason (English) in the reader's language: reasons repeat across a million rows,
    so each distinct one is looked up once (a provider's own texts may be many: bounded)."""
    known: dict[str, str] = {}

    def said(reason: str) -> str:
        text = known.get(reason)
        if text is None:
            if len(known) > 10_000:
                known.clear()
            text = known[reason] = _(reason)
        return text

    return said


def export_filename(task_id: int, kind: ExportKind, at: datetime) -> str:
    return f"smsbot-task-{task_id}-{kind}-{at:%Y%m%d-%H%M%S}.xlsx"


def sheet_title(kind: ExportKind) -> str:
    return _(KIND_LABELS[kind])


# ---------------------------------------------------------------------------- who and when

def check_may_take_details(actor: Actor, created_by: str) -> None:
    """Full numbers leave the bot only for the task's requester and the approvers."""
    check_owner_or_approver(actor, created_by, _("export its recipients or follow up on them"),
                            owner_as=_(" (who asked for this send)"))


NOT_SENT_STATUSES = frozenset({TaskStatus.moderating, TaskStatus.rejected, TaskStatus.scheduled})


def details_expire_at(finished_at: datetime, retention_days: int) -> datetime:
    return finished_at + timedelta(days=retention_days)


def purge_cutoff(now: datetime, retention_days: int) -> datetime:
    """Tasks that finished at or before this moment have their details purged."""
    return now - timedelta(days=retention_days)


def purged_message(task_name: str, purged_at: datetime | None) -> str:
    if purged_at is None:
        return _("The per-recipient details of *{name}* were purged just now, after the retention period: there is "
                 "nothing left to export or follow up. Its totals are kept.", name=task_name)
    when = purged_at.strftime("%Y-%m-%d %H:%M")
    return _("The per-recipient details of *{name}* were purged on {time} UTC, after the retention period: there is "
             "nothing left to export or follow up. Its totals are kept.", name=task_name, time=when)


def follow_up_audience_name(task_name: str, day: date, attempt: int = 1,
                            groups: Iterable[FollowUpGroup] = DEFAULT_FOLLOW_UP) -> str:
    """“<task name> failed <date>” (failed and no-receipt, as ever), “<task name> delivered+failed
    <date>” for another mix, then “… (2)”, “… (3)” while the name is taken; a long task name is
    cut, never the rest."""
    chosen = in_order(groups)
    which = "failed" if set(chosen) == DEFAULT_FOLLOW_UP else "+".join(GROUP_WORDS[group] for group in chosen)
    suffix = f" ({attempt})" if attempt > 1 else ""
    tail = f" {which} {day:%Y-%m-%d}{suffix}"
    return " ".join(task_name.split())[:MAX_AUDIENCE_NAME - len(tail)].rstrip() + tail
