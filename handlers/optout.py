"""`/sms optout add|remove|check <number>`: the opt-out list, shown by last four digits only."""

from __future__ import annotations

import anyio

from domain.i18n import N_, _
from domain.use_cases.optout import OptOutStatus, change_opt_out, check_opt_out
from handlers.block_kit import escape
from handlers.ids import SLASH_COMMAND
from handlers.sms_command import Invocation, Subcommand


def usage() -> str:
    return escape(_("`{command} optout add <number>` stops promotional messages to it, `{command} optout remove "
                    "<number>` allows them again, `{command} optout check <number>`.", command=SLASH_COMMAND))


def changed_text(status: OptOutStatus, *, added: bool) -> str:
    if added:
        return (_("{number} is on the opt-out list: it gets no promotional messages.", number=status.shown)
                if status.changed else _("{number} was already on the opt-out list.", number=status.shown))
    return (_("{number} is off the opt-out list.", number=status.shown) if status.changed
            else _("{number} was not on the opt-out list.", number=status.shown))


def checked_text(status: OptOutStatus) -> str:
    return (_("{number} is on the opt-out list.", number=status.shown) if status.opted_out
            else _("{number} is not on the opt-out list.", number=status.shown))


async def optout(invocation: Invocation) -> None:
    action, _space, number = invocation.parsed.rest.partition(" ")
    uow, clock, actor = invocation.context["uow"], invocation.context["clock"], invocation.actor
    normalizer = invocation.context["normalizer"]
    action = action.lower()
    if action in ("add", "remove") and number.strip():
        status = await anyio.to_thread.run_sync(lambda: change_opt_out(
            uow(), number, actor, add=action == "add", normalizer=normalizer, now=clock()))
        text = changed_text(status, added=action == "add")
    elif action == "check" and number.strip():
        status = await anyio.to_thread.run_sync(lambda: check_opt_out(uow(), number, normalizer=normalizer))
        text = checked_text(status)
    else:
        text = usage()
    await invocation.reply(text)


LISTENERS = (
)


SUBCOMMANDS = (
    Subcommand("optout", f"{SLASH_COMMAND} optout add|remove|check <number>",
               N_("Keep numbers from promotional messages"), optout),
)
