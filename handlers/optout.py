"""`/sms optout add|remove|check <number>`: the opt-out list, shown by last four digits only."""

from __future__ import annotations

import anyio

from domain.use_cases.optout import change_opt_out, check_opt_out
from handlers.block_kit import escape
from handlers.ids import SLASH_COMMAND
from handlers.sms_command import Invocation, Subcommand

USAGE = escape(f"`{SLASH_COMMAND} optout add <number>` stops promotional messages to it, "
               f"`{SLASH_COMMAND} optout remove <number>` allows them again, `{SLASH_COMMAND} optout check <number>`.")


async def optout(invocation: Invocation) -> None:
    action, _, number = invocation.parsed.rest.partition(" ")
    uow, clock, actor = invocation.context["uow"], invocation.context["clock"], invocation.actor
    normalizer = invocation.context["normalizer"]
    action = action.lower()
    if action in ("add", "remove") and number.strip():
        status = await anyio.to_thread.run_sync(lambda: change_opt_out(
            uow(), number, actor, add=action == "add", normalizer=normalizer, now=clock()))
        if action == "add":
            text = (f"{status.shown} is on the opt-out list: it gets no promotional messages."
                    if status.changed else f"{status.shown} was already on the opt-out list.")
        else:
            text = (f"{status.shown} is off the opt-out list." if status.changed
                    else f"{status.shown} was not on the opt-out list.")
    elif action == "check" and number.strip():
        status = await anyio.to_thread.run_sync(lambda: check_opt_out(uow(), number, normalizer=normalizer))
        text = f"{status.shown} {'is' if status.opted_out else 'is not'} on the opt-out list."
    else:
        text = USAGE
    await invocation.reply(text)


LISTENERS = (
)


SUBCOMMANDS = (
    Subcommand("optout", f"{SLASH_COMMAND} optout add|remove|check <number>",
               "Keep numbers from promotional messages", optout),
)
