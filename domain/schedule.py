"""Send-time policy. Pure: the clock is always a parameter (``now``), never read here.

All instants are timezone-aware; functions return aware UTC datetimes.

Definitions
- Sending window: wall-clock times ``[start, end)`` in the window's time zone, start
  included, end excluded (with 08:00-22:00 a send may start at 21:59:59, not at 22:00).
  ``start > end`` crosses midnight (20:00-02:00); ``start == end`` means any time
  (write it ``00:00-24:00``). The wall clock is the local one, so the window follows DST.
- "Now" is ``send_at`` up to ``PAST_GRACE`` (60 s) in the past.
- "One month ahead": the same wall-clock time on the same day of the next month in the
  window's time zone, clamped to that month's last day (Jan 31 10:00 -> Feb 28 10:00, or
  Feb 29 in a leap year); that moment itself is still allowed.
- Edit and cancel cutoffs (``Cutoffs``): an edit is allowed while ``now <= send_at - edit``,
  a cancel or delete while ``now <= send_at - cancel`` (exactly at the cutoff is still allowed).
- Stale: not started within ``AUTO_CANCEL_AFTER`` (24 h) of the send time, i.e.
  ``now > send_at + 24 h`` (exactly 24 h after is not yet stale).

Local times that a person picks (``from_local``):
- a time that does not exist (spring-forward gap, e.g. 02:30 in New York on the second
  Sunday of March) is moved forward by the length of the gap (-> 03:30 EDT), as the
  clocks were;
- an ambiguous time (fall-back fold, e.g. 01:30 on the first Sunday of November) means
  its first occurrence (01:30 EDT, the earlier instant).
This is Python's ``fold=0`` rule (PEP 495).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from enum import StrEnum
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import DomainError
from domain.i18n import _, moment, n_

PAST_GRACE = timedelta(seconds=60)
AUTO_CANCEL_AFTER = timedelta(hours=24)


class ScheduleError(DomainError):
    """A send time the rules refuse. ``code`` says which rule:
    ``past``, ``too_far``, ``outside_window`` or ``too_late``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def zone(tz: ZoneInfo | str) -> ZoneInfo:
    """A ``ZoneInfo`` from itself or an IANA name; ``ValueError`` for an unknown name."""
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(_("Unknown time zone {zone}; use an IANA name such as Asia/Shanghai.",
                           zone=repr(tz))) from None


# --- the window ------------------------------------------------------------------------

_WINDOW = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-\u2013\u2014]\s*(\d{1,2}):(\d{2})\s*")


def parse_send_window(text: str) -> tuple[time, time]:
    """``"08:00-22:00"`` (hyphen or en dash, 24-hour clock) -> ``(time(8), time(22))``.

    ``24:00`` is accepted as an end and means midnight; a start after the end crosses
    midnight (``"20:00-02:00"``); ``"00:00-24:00"`` means any time.
    """
    form = _("a sending window looks like 08:00-22:00 (start-end, 24-hour clock), not {text}", text=repr(text))
    match = _WINDOW.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(_("Invalid sending window: {form}.", form=form))
    sh, sm, eh, em = (int(group) for group in match.groups())
    if sh > 23 or sm > 59:
        raise ValueError(_("Invalid sending window start {start}: {form}.", start=f"{match[1]}:{match[2]}", form=form))
    if (eh, em) == (24, 0):
        eh = 0
        if (sh, sm) == (0, 0):
            return time(0), time(0)  # all day
    elif eh > 23 or em > 59:
        raise ValueError(_("Invalid sending window end {end}: {form}.", end=f"{match[3]}:{match[4]}", form=form))
    start, end = time(sh, sm), time(eh, em)
    if start == end:
        raise ValueError(_("Invalid sending window {window}: it starts and ends at the same time; write 00:00-24:00 "
                           "to allow sending at any time.", window=repr(text.strip())))
    return start, end


@dataclass(frozen=True)
class SendWindow:
    """Wall-clock times ``[start, end)`` in ``tz`` when sending may start or go on."""

    start: time
    end: time
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("SendWindow times are wall-clock times: give them without tzinfo.")
        object.__setattr__(self, "tz", zone(self.tz))

    @classmethod
    def parse(cls, text: str, tz: ZoneInfo | str) -> SendWindow:
        """``SendWindow.parse("08:00-22:00", "Asia/Shanghai")``."""
        return cls(*parse_send_window(text), zone(tz))

    @property
    def always_open(self) -> bool:
        return self.start == self.end

    def contains(self, at: datetime) -> bool:
        """Whether sending is allowed at the instant ``at`` (aware)."""
        wall = _aware(at, "at").astimezone(self.tz).time().replace(fold=0)
        if self.always_open:
            return True
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end  # crosses midnight

    def describe(self) -> str:
        """``"08:00–22:00 (Asia/Shanghai)"``, in the reader's language."""
        if self.always_open:
            return _("any time ({zone})", zone=self.tz.key)
        start, end = f"{self.start:%H:%M}", f"{self.end:%H:%M}"
        if self.start > self.end:
            return _("{start}\u2013{end} the next day ({zone})", start=start, end=end, zone=self.tz.key)
        return _("{start}\u2013{end} ({zone})", start=start, end=end, zone=self.tz.key)

    def __str__(self) -> str:
        return self.describe()


# --- checks ------------------------------------------------------------------------------


def check_send_time(send_at: datetime, now: datetime, window: SendWindow) -> None:
    """Refuse a send time in the past, more than one month ahead, or outside the window."""
    send_at, now = _aware(send_at, "send_at"), _aware(now, "now")
    tz = window.tz
    shown = _("{time} ({zone})", time=moment(send_at.astimezone(tz)), zone=tz.key)
    if send_at < now - PAST_GRACE:
        raise ScheduleError(_("That time has passed: {time} is before now ({now}). Pick a time in the future.",
                              time=shown, now=moment(now.astimezone(tz))), "past")
    latest = latest_send_time(now, tz)
    if send_at > latest:
        raise ScheduleError(_("Too far ahead: a send can be scheduled at most one month ahead, until {latest} "
                              "({zone}); {time} is later.", latest=moment(latest.astimezone(tz)), zone=tz.key,
                              time=shown), "too_far")
    if not window.contains(send_at):
        opening = next_window_opening(send_at, window)
        raise ScheduleError(_("Outside the sending window: sends may start from {start} until {end} ({zone}), and "
                              "{time} is not in it. The next allowed time is {opening}.",
                              start=f"{window.start:%H:%M}", end=f"{window.end:%H:%M}", zone=tz.key, time=shown,
                              opening=moment(opening.astimezone(tz))), "outside_window")


class WindowScope(StrEnum):
    """Which sends the sending window holds: every one (the consoles' rule for mainland
    numbers) or only promotional ones."""

    ALL = "all"
    PROMOTIONAL = "promotional"


def window_applies(purpose: str, scope: WindowScope) -> bool:
    return scope is WindowScope.ALL or purpose == "promotional"


@dataclass(frozen=True)
class StartRules:
    """When sends may start and go on: the window, and which sends it holds."""

    window: SendWindow
    scope: WindowScope = WindowScope.ALL

    def windowed(self, purpose: str) -> bool:
        return window_applies(purpose, self.scope)

    def may_send(self, purpose: str, at: datetime) -> bool:
        return not self.windowed(purpose) or self.window.contains(at)


class StartChoice(StrEnum):
    """What an approver chose for a task that cannot start as it asks."""

    EARLIEST = "earliest"  # now if sending is allowed now, else the next window opening
    RESCHEDULE = "reschedule"


class LateCause(StrEnum):
    """Why a task cannot start as it asks."""

    PASSED = "passed"  # its send time is past
    OUTSIDE_WINDOW = "window"  # it would start outside the sending window


@dataclass(frozen=True)
class LateStart:
    """Why approving now cannot start a task as it asks, and the earliest it may start. The
    cause is kept, not its words: each reader's message says it in their own language."""

    cause: LateCause
    asked_at: datetime | None  # the send time the task asked for (None: now)
    window: SendWindow
    earliest: datetime  # now, if sending is allowed now; else the next window opening

    @property
    def reason(self) -> str:
        return late_reason(self.cause, self.asked_at, self.window)


def late_reason(cause: LateCause, asked_at: datetime | None, window: SendWindow) -> str:
    """Why a task cannot start as it asks, in the current reader's language."""
    if cause is LateCause.PASSED and asked_at is not None:
        return _("its send time, {time} ({zone}), has passed", time=moment(asked_at.astimezone(window.tz)),
                 zone=window.tz.key)
    return _("it would start outside the sending window, {window}", window=window.describe())


def late_start(send_at: datetime | None, now: datetime, window: SendWindow, *, windowed: bool) -> LateStart | None:
    """At approval: a send time already past, or a start outside the sending window (when the
    window holds this send), is never sent silently: the approver chooses. None: it may start
    as asked."""
    now = _aware(now, "now")
    start = now if send_at is None or send_at < now else _aware(send_at, "send_at")
    if send_at is not None and send_at < now - PAST_GRACE:
        cause = LateCause.PASSED
    elif windowed and not window.contains(start):
        cause = LateCause.OUTSIDE_WINDOW
    else:
        return None
    return LateStart(cause, send_at, window,
                     next_window_opening(now, window) if windowed else now)


def latest_send_time(now: datetime, tz: ZoneInfo | str) -> datetime:
    """One month after ``now`` (see the module's definition), aware UTC."""
    tz = zone(tz)
    local = _aware(now, "now").astimezone(tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    return from_local(date(year, month, day), local.time(), tz)


@dataclass(frozen=True)
class Cutoffs:
    """How long before its send time a scheduled task can still be edited, and canceled or
    deleted (Alibaba Cloud's consoles: 10 and 5 minutes)."""

    edit: timedelta = timedelta(minutes=10)
    cancel: timedelta = timedelta(minutes=5)

    def closed(self, send_at: datetime | None, now: datetime) -> frozenset[str]:
        """The changes a scheduled task's send time has closed (action names)."""
        if send_at is None:
            return frozenset()
        send_at, now = _aware(send_at, "send_at"), _aware(now, "now")
        closed = {"edit"} if now > send_at - self.edit else set()
        if now > send_at - self.cancel:
            closed |= {"cancel", "delete"}
        return frozenset(closed)


def check_can_edit(send_at: datetime, now: datetime, cutoffs: Cutoffs, tz: ZoneInfo | str = "UTC") -> None:
    """Refuse an edit later than ``cutoffs.edit`` before the send time (shown on ``tz``'s clock)."""
    if (late := _past_cutoff(send_at, now, cutoffs.edit, tz)) is not None:
        raise ScheduleError(n_("Too late: a scheduled task can be edited until {count} minute before its send time "
                               "({time} {zone}).",
                               "Too late: a scheduled task can be edited until {count} minutes before its send time "
                               "({time} {zone}).", late.minutes, time=late.time, zone=late.zone), "too_late")


def check_can_cancel(send_at: datetime, now: datetime, cutoffs: Cutoffs, tz: ZoneInfo | str = "UTC") -> None:
    """Refuse a cancel or a delete later than ``cutoffs.cancel`` before the send time."""
    if (late := _past_cutoff(send_at, now, cutoffs.cancel, tz)) is not None:
        raise ScheduleError(n_("Too late: a scheduled task can be canceled or deleted until {count} minute before its "
                               "send time ({time} {zone}).",
                               "Too late: a scheduled task can be canceled or deleted until {count} minutes before its "
                               "send time ({time} {zone}).", late.minutes, time=late.time, zone=late.zone), "too_late")


@dataclass(frozen=True)
class _PastCutoff:
    minutes: int  # the cutoff's
    time: str  # the send time on the reader's clock, HH:MM
    zone: str


def _past_cutoff(send_at: datetime, now: datetime, cutoff: timedelta, tz: ZoneInfo | str) -> _PastCutoff | None:
    send_at, now = _aware(send_at, "send_at"), _aware(now, "now")
    if now <= send_at - cutoff:
        return None
    tz = zone(tz)
    return _PastCutoff(int(cutoff.total_seconds() // 60), f"{send_at.astimezone(tz):%H:%M}", tz.key)


def is_stale(send_at: datetime, now: datetime) -> bool:
    """Not started within ``AUTO_CANCEL_AFTER`` of its send time: to be canceled."""
    return _aware(now, "now") > _aware(send_at, "send_at") + AUTO_CANCEL_AFTER


# --- when sending may happen ---------------------------------------------------------------

_HORIZON_DAYS = 3  # a window occurs on every local day except a DST oddity; 3 days is ample


def next_window_opening(at: datetime, window: SendWindow) -> datetime:
    """The earliest instant ``>= at`` at which ``window`` allows sending, aware UTC.

    ``at`` itself when the window is open then. Otherwise the window opens either when the
    local wall clock reaches ``start`` (on either side of a DST fold) or when a DST jump
    lands the wall clock inside the window (a start time inside a spring-forward gap opens
    at the jump, e.g. 03:00 EDT for a window starting at 02:30).
    """
    at = _aware(at, "at").astimezone(UTC)
    if window.contains(at):
        return at
    tz = window.tz
    first_day = at.astimezone(tz).date() - timedelta(days=1)
    for horizon in (_HORIZON_DAYS, 10 * _HORIZON_DAYS):
        until = at + timedelta(days=horizon)
        walls = [
            instant
            for n in range(horizon + 2)
            for instant in _wall_instants(first_day + timedelta(days=n), window.start, tz)
        ]
        by_clock = min((c for c in walls if at <= c <= until and window.contains(c)), default=until)
        by_jump = (c for c in _transitions(at, by_clock, tz) if at <= c <= by_clock and window.contains(c))
        opening = min(by_jump, default=by_clock)
        if window.contains(opening):
            return opening
    raise ValueError(f"The sending window {window} never opens after {at:%Y-%m-%d %H:%M} UTC.")


def _wall_instants(day: date, wall: time, tz: ZoneInfo) -> list[datetime]:
    """The UTC instants at which the local clock in ``tz`` reads ``day wall``: none in a
    gap, two in a fold, one otherwise."""
    naive = datetime.combine(day, wall)
    found: list[datetime] = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == naive and instant not in found:
            found.append(instant)
    return found


_PROBE = 1800  # seconds; offset changes of a zone are further apart than this


def _transitions(since: datetime, until: datetime, tz: ZoneInfo) -> list[datetime]:
    """The instants (whole seconds, aware UTC) in about ``[since, until]`` at which the UTC
    offset of ``tz`` changes: the first second with the new offset."""

    def offset(second: int) -> timedelta | None:
        return datetime.fromtimestamp(second, UTC).astimezone(tz).utcoffset()

    found = []
    low, last = int(since.timestamp()), int(until.timestamp()) + 1
    while low < last:
        high = min(low + _PROBE, last)
        before = offset(low)
        if offset(high) != before:
            a, b = low, high  # offset(a) == before != offset(b)
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (mid, b) if offset(mid) == before else (a, mid)
            found.append(datetime.fromtimestamp(b, UTC))
        low = high
    return found


# --- local time helpers ----------------------------------------------------------------------


def from_local(day: date, wall: time, tz_name: ZoneInfo | str) -> datetime:
    """A date and a time on a person's clock in ``tz_name`` -> aware UTC.

    Gaps move forward by the gap's length, folds take the first occurrence (module doc).
    """
    if wall.tzinfo is not None:
        raise ValueError("from_local takes a wall-clock time without tzinfo.")
    local = datetime.combine(day, wall.replace(fold=0), tzinfo=zone(tz_name))
    return local.astimezone(UTC)


def to_local(dt: datetime, tz_name: ZoneInfo | str) -> datetime:
    """An aware instant -> aware datetime on the clock of ``tz_name`` (its ``.date()`` and
    ``.time()`` fill a date picker and a time picker)."""
    return _aware(dt, "dt").astimezone(zone(tz_name))


def _aware(dt: datetime, name: str) -> datetime:
    if not isinstance(dt, datetime) or dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {dt!r}")
    return dt
