"""Events Slack may send that smsbot has no work for, acknowledged quietly: Bolt logs a
multi-line warning for every request no listener takes.

Our manifest subscribes to none of them, but an app configured by hand (or an older manifest)
may be: a file is imported from its message event, so its `file_shared` says nothing new."""

from __future__ import annotations

from handlers import listeners

IGNORED_EVENTS = ("file_shared", "file_created", "file_change", "file_public", "file_deleted", "file_unshared")


async def acknowledge_quietly() -> None:
    """Bolt acknowledges an event before its listener runs: nothing is left to do."""


LISTENERS = tuple(listeners.event(name, acknowledge_quietly) for name in IGNORED_EVENTS)
