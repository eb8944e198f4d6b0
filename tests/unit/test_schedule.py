"""Send-time policy: the window, one month ahead, the 5-minute cutoff, staleness, DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.schedule import (
    AUTO_CANCEL_AFTER,
    Cutoffs,
    PAST_GRACE,
    ScheduleError,
    SendWindow,
    check_can_cancel,
    check_can_edit,
    check_send_time,
    from_local,
    is_stale,
    latest_send_time,
    next_window_opening,
    parse_send_window,
    to_local,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8, no DST
NEW_YORK = ZoneInfo("America/New_York")
DAY = SendWindow(time(8), time(22), SHANGHAI)
NIGHT = SendWindow(time(20), time(2), SHANGHAI)  # crosses midnight


def sh(*args):
    """An instant given on the Shanghai clock."""
    return datetime(*args, tzinfo=SHANGHAI)


def ny(*args, fold=0):
    return datetime(*args, tzinfo=NEW_YORK, fold=fold)


def refused(code, send_at, now, window=DAY):
    with pytest.raises(ScheduleError) as raised:
        check_send_time(send_at, now, window)
    assert raised.value.code == code
    assert isinstance(raised.value, DomainError)
    return str(raised.value)


# --- parse_send_window -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00-22:00", (time(8), time(22))),
        ("08:00\u201322:00", (time(8), time(22))),  # en dash, as the design writes it
        (" 8:00 - 22:30 ", (time(8), time(22, 30))),
        ("20:00-02:00", (time(20), time(2))),
        ("22:00-24:00", (time(22), time(0))),
        ("00:00-24:00", (time(0), time(0))),
    ],
)
def test_parse_send_window(text, expected):
    assert parse_send_window(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "looks like 08:00-22:00"),
        ("8-22", "looks like 08:00-22:00"),
        ("08:00 to 22:00", "looks like 08:00-22:00"),
        ("08:00-22:00-23:00", "looks like 08:00-22:00"),
        ("24:00-22:00", "start 24:00"),
        ("08:60-22:00", "start 08:60"),
        ("08:00-25:00", "end 25:00"),
        ("08:00-24:30", "end 24:30"),
        ("08:00-08:00", "same time"),
    ],
)
def test_parse_send_window_refuses_with_a_clear_message(text, words):
    with pytest.raises(ValueError, match="sending window") as raised:
        parse_send_window(text)
    assert words in str(raised.value)


def test_window_from_a_setting_and_its_description():
    window = SendWindow.parse("08:00\u201322:00", "Asia/Shanghai")
    assert window == DAY
    assert str(window) == "08:00\u201322:00 (Asia/Shanghai)"
    assert str(NIGHT) == "20:00\u201302:00 the next day (Asia/Shanghai)"
    assert SendWindow(time(0), time(0), "UTC").always_open
    with pytest.raises(ValueError, match="Unknown time zone 'Mars/Olympus'"):
        SendWindow.parse("08:00-22:00", "Mars/Olympus")


# --- the window ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (sh(2024, 5, 1, 12, 0), True),
        (sh(2024, 5, 1, 8, 0), True),  # start included
        (sh(2024, 5, 1, 7, 59, 59), False),
        (sh(2024, 5, 1, 21, 59, 59), True),
        (sh(2024, 5, 1, 22, 0), False),  # end excluded
        (sh(2024, 5, 1, 3, 0), False),
        (datetime(2024, 5, 1, 0, 0, tzinfo=UTC), True),  # 08:00 in Shanghai
        (datetime(2024, 4, 30, 23, 59, tzinfo=UTC), False),  # 07:59 in Shanghai
    ],
)
def test_window_edges(at, inside):
    assert DAY.contains(at) is inside


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (sh(2024, 5, 1, 20, 0), True),
        (sh(2024, 5, 1, 19, 59, 59), False),
        (sh(2024, 5, 1, 23, 30), True),
        (sh(2024, 5, 2, 0, 0), True),
        (sh(2024, 5, 2, 1, 59, 59), True),
        (sh(2024, 5, 2, 2, 0), False),
        (sh(2024, 5, 2, 12, 0), False),
    ],
)
def test_window_crossing_midnight(at, inside):
    assert NIGHT.contains(at) is inside


def test_window_follows_the_local_clock_across_dst():
    window = SendWindow(time(8), time(22), NEW_YORK)
    # 08:00 is 13:00 UTC in winter (EST) and 12:00 UTC in summer (EDT).
    assert window.contains(datetime(2024, 3, 9, 13, 0, tzinfo=UTC))
    assert not window.contains(datetime(2024, 3, 9, 12, 30, tzinfo=UTC))
    assert window.contains(datetime(2024, 3, 10, 12, 30, tzinfo=UTC))
    assert not window.contains(datetime(2024, 3, 10, 11, 59, tzinfo=UTC))


# --- check_send_time -------------------------------------------------------------------

NOW = sh(2024, 5, 1, 12, 0)


def test_a_good_time_passes():
    check_send_time(sh(2024, 5, 2, 9, 30), NOW, DAY)
    check_send_time(NOW.astimezone(UTC), NOW, DAY)  # any aware zone
    check_send_time(NOW - PAST_GRACE, NOW, DAY)  # "now", a minute late, still counts


def test_in_the_past():
    message = refused("past", NOW - PAST_GRACE - timedelta(seconds=1), NOW)
    assert message == (
        "That time has passed: 2024-05-01 11:58 (Asia/Shanghai) is before now (2024-05-01 12:00). "
        "Pick a time in the future."
    )
    refused("past", sh(2024, 4, 30, 3, 0), NOW)  # past wins over outside the window


@pytest.mark.parametrize(
    ("now", "latest"),
    [
        (sh(2024, 5, 1, 12, 0), sh(2024, 6, 1, 12, 0)),
        (sh(2024, 1, 31, 10, 0), sh(2024, 2, 29, 10, 0)),  # leap year: clamped to Feb 29
        (sh(2023, 1, 31, 10, 0), sh(2023, 2, 28, 10, 0)),
        (sh(2024, 3, 31, 10, 0), sh(2024, 4, 30, 10, 0)),
        (sh(2024, 12, 31, 10, 0), sh(2025, 1, 31, 10, 0)),  # across the year
        (sh(2024, 2, 29, 10, 0), sh(2024, 3, 29, 10, 0)),
    ],
)
def test_one_month_ahead_is_the_same_day_next_month_clamped(now, latest):
    assert latest_send_time(now, SHANGHAI) == latest
    check_send_time(latest, now, DAY)  # the limit itself is allowed
    message = refused("too_far", latest + timedelta(minutes=1), now)
    assert message.startswith("Too far ahead: a send can be scheduled at most one month ahead, until ")
    assert f"{latest:%Y-%m-%d %H:%M} (Asia/Shanghai)" in message


def test_one_month_ahead_keeps_the_wall_clock_across_dst():
    now = ny(2024, 2, 15, 10, 0)  # EST
    assert latest_send_time(now, NEW_YORK) == ny(2024, 3, 15, 10, 0)  # EDT
    assert latest_send_time(now, NEW_YORK) == datetime(2024, 3, 15, 14, 0, tzinfo=UTC)


def test_outside_the_window_names_the_window_and_the_next_allowed_time():
    message = refused("outside_window", sh(2024, 5, 2, 22, 0), NOW)
    assert message == (
        "Outside the sending window: sends may start from 08:00 until 22:00 (Asia/Shanghai), "
        "and 2024-05-02 22:00 (Asia/Shanghai) is not in it. The next allowed time is 2024-05-03 08:00."
    )
    refused("outside_window", sh(2024, 5, 2, 7, 59), NOW)
    check_send_time(sh(2024, 5, 2, 8, 0), NOW, DAY)
    check_send_time(sh(2024, 5, 2, 21, 59), NOW, DAY)


def test_outside_a_window_crossing_midnight():
    check_send_time(sh(2024, 5, 2, 1, 0), NOW, NIGHT)
    check_send_time(sh(2024, 5, 1, 23, 0), NOW, NIGHT)
    message = refused("outside_window", sh(2024, 5, 2, 2, 0), NOW, NIGHT)
    assert "from 20:00 until 02:00 (Asia/Shanghai)" in message
    assert "next allowed time is 2024-05-02 20:00" in message


def test_naive_datetimes_are_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        check_send_time(datetime(2024, 5, 2, 9, 0), NOW, DAY)
    with pytest.raises(ValueError, match="timezone-aware"):
        check_send_time(NOW, datetime(2024, 5, 1), DAY)


# --- the edit/cancel cutoff ------------------------------------------------------------

SEND_AT = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai


CUTOFFS = Cutoffs(edit=timedelta(minutes=10), cancel=timedelta(minutes=5))


@pytest.mark.parametrize("before", [timedelta(minutes=11), CUTOFFS.edit, timedelta(days=3)])
def test_edit_allowed_until_the_edit_cutoff(before):
    check_can_edit(SEND_AT, SEND_AT - before, CUTOFFS)
    assert "edit" not in CUTOFFS.closed(SEND_AT, SEND_AT - before)


@pytest.mark.parametrize("before", [timedelta(minutes=9), CUTOFFS.edit - timedelta(microseconds=1), timedelta(0)])
def test_edit_refused_later_while_cancel_is_still_open(before):
    with pytest.raises(ScheduleError) as raised:
        check_can_edit(SEND_AT, SEND_AT - before, CUTOFFS, "Asia/Shanghai")
    assert raised.value.code == "too_late"
    assert str(raised.value) == ("Too late: a scheduled task can be edited until 10 minutes before its send time "
                                 "(14:30 Asia/Shanghai).")
    if before > CUTOFFS.cancel:
        check_can_cancel(SEND_AT, SEND_AT - before, CUTOFFS)
        assert CUTOFFS.closed(SEND_AT, SEND_AT - before) == {"edit"}


@pytest.mark.parametrize("before", [timedelta(minutes=4), CUTOFFS.cancel - timedelta(microseconds=1),
                                    -timedelta(hours=1)])
def test_cancel_and_delete_refused_after_the_cancel_cutoff(before):
    with pytest.raises(ScheduleError, match="can be canceled or deleted until 5 minutes before"):
        check_can_cancel(SEND_AT, SEND_AT - before, CUTOFFS)
    assert CUTOFFS.closed(SEND_AT, SEND_AT - before) == {"edit", "cancel", "delete"}


def test_cutoff_message_defaults_to_utc_and_an_unscheduled_task_has_none():
    with pytest.raises(ScheduleError, match=r"\(06:30 UTC\)\.$"):
        check_can_cancel(SEND_AT, SEND_AT - timedelta(minutes=4), CUTOFFS)
    assert CUTOFFS.closed(None, SEND_AT) == frozenset()


# --- staleness -------------------------------------------------------------------------


def test_stale_after_24_hours():
    assert AUTO_CANCEL_AFTER == timedelta(hours=24)
    second = timedelta(seconds=1)
    assert not is_stale(SEND_AT, SEND_AT + AUTO_CANCEL_AFTER - second)
    assert not is_stale(SEND_AT, SEND_AT + AUTO_CANCEL_AFTER)
    assert is_stale(SEND_AT, SEND_AT + AUTO_CANCEL_AFTER + second)
    assert not is_stale(SEND_AT, SEND_AT - timedelta(days=2))


# --- local time helpers and DST ----------------------------------------------------------


def test_from_local_and_back():
    at = from_local(date(2024, 5, 1), time(14, 30), "Asia/Shanghai")
    assert at == SEND_AT and at.tzinfo is UTC
    local = to_local(at, "Asia/Shanghai")
    assert (local.date(), local.time()) == (date(2024, 5, 1), time(14, 30))
    assert to_local(at, SHANGHAI) == local
    with pytest.raises(ValueError, match="Unknown time zone"):
        from_local(date(2024, 5, 1), time(14, 30), "Asia/Peking_Typo")


def test_from_local_in_the_spring_forward_gap_moves_forward_by_the_gap():
    # 2024-03-10 02:00 EST -> 03:00 EDT in New York: 02:30 never happens.
    at = from_local(date(2024, 3, 10), time(2, 30), "America/New_York")
    assert at == datetime(2024, 3, 10, 7, 30, tzinfo=UTC)
    assert to_local(at, "America/New_York").time() == time(3, 30)
    # just around the gap, times are exact
    spring = date(2024, 3, 10)
    assert from_local(spring, time(1, 59), "America/New_York") == datetime(2024, 3, 10, 6, 59, tzinfo=UTC)
    assert from_local(spring, time(3, 0), "America/New_York") == datetime(2024, 3, 10, 7, 0, tzinfo=UTC)


def test_from_local_in_the_fall_back_fold_takes_the_first_occurrence():
    # 2024-11-03 01:30 happens twice in New York: first EDT (05:30 UTC), then EST (06:30 UTC).
    at = from_local(date(2024, 11, 3), time(1, 30), "America/New_York")
    assert at == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    assert from_local(date(2024, 11, 3), time(1, 30, fold=1), "America/New_York") == at


def test_dst_day_in_check_send_time():
    window = SendWindow(time(8), time(22), NEW_YORK)
    now = ny(2024, 3, 9, 23, 0)
    check_send_time(from_local(date(2024, 3, 10), time(8, 0), NEW_YORK), now, window)
    message = refused("outside_window", from_local(date(2024, 3, 10), time(2, 30), NEW_YORK), now, window)
    assert "2024-03-10 03:30 (America/New_York)" in message and "is 2024-03-10 08:00" in message


# --- next_window_opening ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "window", "opening"),
    [
        (sh(2024, 5, 1, 12, 0), DAY, sh(2024, 5, 1, 12, 0)),  # open: at itself
        (sh(2024, 5, 1, 3, 0), DAY, sh(2024, 5, 1, 8, 0)),
        (sh(2024, 5, 1, 22, 0), DAY, sh(2024, 5, 2, 8, 0)),
        (sh(2024, 5, 1, 7, 59, 59, 999999), DAY, sh(2024, 5, 1, 8, 0)),
        (sh(2024, 5, 1, 12, 0), NIGHT, sh(2024, 5, 1, 20, 0)),
        (sh(2024, 5, 2, 1, 0), NIGHT, sh(2024, 5, 2, 1, 0)),
        (sh(2024, 5, 2, 2, 0), NIGHT, sh(2024, 5, 2, 20, 0)),
        (sh(2024, 1, 31, 23, 0), DAY, sh(2024, 2, 1, 8, 0)),
        # spring forward: a start inside the gap opens when the clocks jump (03:00 EDT)
        (ny(2024, 3, 10, 0, 0), SendWindow(time(2, 30), time(4), NEW_YORK), ny(2024, 3, 10, 3, 0)),
        # a window that does not exist that day opens the next day
        (ny(2024, 3, 10, 0, 0), SendWindow(time(2), time(3), NEW_YORK), ny(2024, 3, 11, 2, 0)),
        # fall back: after the first 01:30 the window opens again at the second one
        (
            ny(2024, 11, 3, 1, 50),
            SendWindow(time(1, 30), time(1, 45), NEW_YORK),
            ny(2024, 11, 3, 1, 30, fold=1),
        ),
        # Samoa skipped 2011-12-30 entirely
        (
            datetime(2011, 12, 29, 23, 0, tzinfo=ZoneInfo("Pacific/Apia")),
            SendWindow(time(8), time(22), ZoneInfo("Pacific/Apia")),
            datetime(2011, 12, 31, 8, 0, tzinfo=ZoneInfo("Pacific/Apia")),
        ),
    ],
)
def test_next_window_opening(at, window, opening):
    result = next_window_opening(at, window)
    assert result == opening.astimezone(UTC)  # (== across zones is always False in a fold: PEP 495)
    assert result.tzinfo is UTC


INTERESTING_ZONES = [
    "UTC", "Asia/Shanghai", "America/New_York", "Europe/London", "Europe/Dublin",
    "Australia/Lord_Howe", "America/Santiago", "Pacific/Apia", "Asia/Kathmandu", "Antarctica/Troll",
]  # fmt: skip
ALL_ZONES = sorted(available_timezones())
walls = st.times().map(lambda t: t.replace(microsecond=0))
zones = st.one_of(st.sampled_from(INTERESTING_ZONES), st.sampled_from(ALL_ZONES)).map(ZoneInfo)
instants = st.datetimes(datetime(1990, 1, 1), datetime(2037, 12, 31), timezones=st.just(UTC))
windows = st.builds(SendWindow, walls, walls, zones)


@settings(max_examples=1500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(instants, windows, st.floats(0, 1, exclude_max=True))
@example(datetime(2024, 3, 10, 5, 0, tzinfo=UTC), SendWindow(time(2, 30), time(4), NEW_YORK), 0.5)
@example(datetime(2024, 11, 3, 5, 50, tzinfo=UTC), SendWindow(time(1, 30), time(1, 45), NEW_YORK), 0.5)
def test_next_window_opening_is_inside_the_window_and_not_before_at(at, window, fraction):
    opening = next_window_opening(at, window)
    assert opening >= at
    assert window.contains(opening)
    assert opening.tzinfo is UTC
    if opening > at:  # and it is the first such moment: closed just before, and in between
        assert not window.contains(opening - timedelta(microseconds=1))
        between = at + (opening - at) * fraction
        assert between >= opening or not window.contains(between)  # (* rounds to microseconds)


@pytest.mark.parametrize(
    "zone_name", ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia"]
)
@pytest.mark.parametrize("wall", [time(0, 0), time(1, 30), time(2, 0), time(2, 30), time(3, 0)])
def test_next_window_opening_matches_a_minute_by_minute_scan_around_dst(zone_name, wall):
    tz = ZoneInfo(zone_name)
    window = SendWindow(wall, (datetime.combine(date.today(), wall) + timedelta(minutes=45)).time(), tz)
    transition_days = {"America/New_York": [date(2024, 3, 10), date(2024, 11, 3)],
                       "Europe/London": [date(2024, 3, 31), date(2024, 10, 27)],
                       "Australia/Lord_Howe": [date(2024, 4, 7), date(2024, 10, 6)],
                       "Pacific/Apia": [date(2011, 12, 29), date(2011, 9, 24)]}[zone_name]  # fmt: skip
    for day in transition_days:
        start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC) - timedelta(hours=2)
        minutes = [start + timedelta(minutes=k) for k in range(60 * 60)]
        first_open_from = [None] * len(minutes)  # index of the first open minute at or after k
        for k in reversed(range(len(minutes) - 1)):
            first_open_from[k] = k if window.contains(minutes[k]) else first_open_from[k + 1]
        for k in range(0, 36 * 60, 13):
            assert next_window_opening(minutes[k], window) == minutes[first_open_from[k]], (day, minutes[k])


# --- at approval: late_start ------------------------------------------------------------------

from domain.schedule import StartRules, WindowScope, late_start  # noqa: E402

SHANGHAI_WINDOW = SendWindow.parse("08:00-22:00", "Asia/Shanghai")


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_an_approval_inside_the_window_starts_as_asked():
    assert late_start(None, _utc(23, 4), SHANGHAI_WINDOW, windowed=True) is None  # 12:00
    assert late_start(_utc(23, 6), _utc(23, 4), SHANGHAI_WINDOW, windowed=True) is None  # for 14:00


def test_a_send_time_already_past_needs_a_choice_even_inside_the_window():
    late = late_start(_utc(23, 3), _utc(23, 4), SHANGHAI_WINDOW, windowed=True)  # due 11:00, approved 12:00
    assert "its send time, 2026-11-23 11:00 (Asia/Shanghai), has passed" == late.reason
    assert late.earliest == _utc(23, 4)  # the window is open: now


def test_outside_the_window_the_earliest_is_the_next_opening():
    late = late_start(None, _utc(23, 14, 30), SHANGHAI_WINDOW, windowed=True)  # 22:30
    assert late.reason == "it would start outside the sending window, 08:00–22:00 (Asia/Shanghai)"
    assert late.earliest == _utc(24, 0)  # 08:00 the next day
    late = late_start(_utc(23, 3), _utc(23, 14, 30), SHANGHAI_WINDOW, windowed=True)  # due 11:00 too
    assert "has passed" in late.reason and late.earliest == _utc(24, 0)


def test_a_send_the_window_does_not_hold_starts_at_any_hour():
    assert late_start(None, _utc(23, 14, 30), SHANGHAI_WINDOW, windowed=False) is None
    late = late_start(_utc(23, 3), _utc(23, 14, 30), SHANGHAI_WINDOW, windowed=False)
    assert late.earliest == _utc(23, 14, 30)  # its time has passed: now, not the window's opening


@pytest.mark.parametrize(("scope", "purpose", "held"), [
    (WindowScope.ALL, "notification", True), (WindowScope.ALL, "promotional", True),
    (WindowScope.PROMOTIONAL, "notification", False), (WindowScope.PROMOTIONAL, "promotional", True),
])
def test_which_sends_the_window_holds(scope, purpose, held):
    rules = StartRules(SHANGHAI_WINDOW, scope)
    assert rules.windowed(purpose) is held
    assert rules.may_send(purpose, _utc(23, 14, 30)) is (not held)  # 22:30
    assert rules.may_send(purpose, _utc(23, 4)) is True
