"""Each recipient's own sending window: an international number gets its messages during the
window's hours where it is, not where the workspace is. Pure.

A number's time zone is the one its country or region (and, where phonenumbers knows it, its
area) maps to; for a number that maps to several (a mobile range of a country with several
zones), the westernmost, where the day starts last. Mainland numbers keep the workspace
window, which holds the whole task (it pauses when the window closes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import phonenumbers
from phonenumbers import timezone as number_zones

from domain.applications import is_mainland
from domain.i18n import N_
from domain.schedule import SendWindow, next_window_opening, window_applies, WindowScope, zone

# A pending recipient's reason meanwhile: stored in English, translated where shown.
WAITING_FOR_WINDOW = N_("waiting for its local sending window")
_UNKNOWN = "Etc/Unknown"


class WindowBasis(StrEnum):
    WORKSPACE = "workspace"  # every number by the workspace's window (SMSBOT_TIMEZONE)
    RECIPIENT = "recipient"  # international numbers by the window's hours in their own zone


_ZONES: dict[str, tuple[str, ...]] = {}  # by the number without its last 4 digits, which no zone depends on
_ZONES_KEPT = 10_000


def _zones_of(phone: str) -> tuple[str, ...]:
    key = phone[:-4]
    found = _ZONES.get(key)
    if found is None:
        try:
            number = phonenumbers.parse(phone)
            found = tuple(z for z in number_zones.time_zones_for_number(number) if z != _UNKNOWN)
        except phonenumbers.NumberParseException:
            found = ()
        if len(_ZONES) >= _ZONES_KEPT:
            _ZONES.clear()
        _ZONES[key] = found
    return found


def recipient_zone(phone: str, at: datetime) -> str | None:
    """The IANA zone of an E.164 number (None: phonenumbers does not know it); of several, the
    westernmost at `at`."""
    zones = _zones_of(phone)
    if not zones:
        return None
    return min(zones, key=lambda name: (at.astimezone(zone(name)).utcoffset(), name))


@dataclass(frozen=True)
class RecipientWindows:
    """`window`: the workspace's; its hours apply in each international recipient's zone when
    the basis is `recipient` and the window holds the send's purpose."""

    window: SendWindow
    basis: WindowBasis = WindowBasis.RECIPIENT
    scope: WindowScope = WindowScope.ALL

    def per_recipient(self, purpose: str) -> bool:
        return (self.basis is WindowBasis.RECIPIENT and not self.window.always_open
                and window_applies(purpose, self.scope))

    def opening_for(self, phone: str, purpose: str, now: datetime) -> datetime | None:
        """When an international number's own window opens, if it is closed now (None: it may be
        sent now, or the workspace window is what holds it)."""
        if not self.per_recipient(purpose) or is_mainland(phone):
            return None
        name = recipient_zone(phone, now)
        if name is None:
            return None  # no zone known: the workspace window held the send's start
        local = SendWindow(self.window.start, self.window.end, zone(name))
        return None if local.contains(now) else next_window_opening(now, local)
