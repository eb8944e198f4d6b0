"""`/sms <subcommand>`: one slash command, routed to the features that registered a subcommand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import N_
from domain.use_cases.refusals import record_refusal
from domain.commands import ParsedCommand, closest_command, parse_command
from handlers import listeners
from handlers.help_blocks import build_help_message, build_unknown_command_message
from handlers.ids import SLASH_COMMAND
from handlers.replies import error_mrkdwn, error_text, reply_ephemeral


@dataclass
class Invocation:
    """What a subcommand gets: the parsed text, who asked, where, and how to answer.

    A quick answer rides on the ack itself (Slack shows it to the asker alone, in any
    channel, with no Web API call). A subcommand that does slow work calls
    `acknowledge()` first, so that Slack hears back within 3 seconds.
    """

    parsed: ParsedCommand
    command: dict[str, Any]
    actor: Actor
    client: AsyncWebClient
    respond: AsyncRespond
    context: dict[str, Any]
    ack: AsyncAck
    acked: bool = False

    @property
    def channel_id(self) -> str:
        return self.command["channel_id"]

    async def member_actor(self) -> Actor:
        """The asker, with the channels they are a member of (for the rules that ask)."""
        return await self.context["member_actor"]()

    async def acknowledge(self) -> None:
        if not self.acked:
            self.acked = True
            await self.ack()

    async def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        if not self.acked:
            self.acked = True
            await self.ack(text=text, blocks=blocks, response_type="ephemeral")
            return
        await reply_ephemeral(
            self.client, channel=self.channel_id, user=self.actor.user_id,
            text=text, blocks=blocks, respond=self.respond,
        )


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str  # e.g. "/sms send"
    summary: str  # in English, marked N_: the help translates it for its reader
    run: Callable[[Invocation], Awaitable[None]]


class SubcommandRegistry:
    def __init__(self) -> None:
        self._subcommands: dict[str, Subcommand] = {}

    def add(self, subcommand: Subcommand) -> None:
        if subcommand.name in self._subcommands:
            raise ValueError(f"subcommand {subcommand.name!r} registered twice")
        self._subcommands[subcommand.name] = subcommand

    def get(self, name: str) -> Subcommand | None:
        return self._subcommands.get(name)

    def all(self) -> list[Subcommand]:
        return list(self._subcommands.values())


async def show_help(invocation: Invocation) -> None:
    """For an approver, a warning on top when approval requests cannot be posted (checked
    afresh: the help is where they look after inviting the bot)."""
    warning = None
    if invocation.actor.is_approver:
        await invocation.acknowledge()  # the check asks Slack, which may take a moment
        problem = await invocation.context["approvals_channel"].problem(invocation.client, recheck=True)
        warning = problem.warning() if problem is not None else None
    text, blocks = build_help_message(invocation.context["subcommands"].all(), warning=warning)
    await invocation.reply(text, blocks)


async def route_sms_command(ack: AsyncAck, command: dict, client: AsyncWebClient, respond: AsyncRespond, actor: Actor,
                            context, subcommands: SubcommandRegistry,) -> None:
    registry = subcommands
    parsed = parse_command(command.get("text"))
    invocation = Invocation(parsed, command, actor, client, respond, context, ack)
    try:
        subcommand = registry.get(parsed.name)
        if subcommand is None:
            suggestion = closest_command(parsed.name, [s.name for s in registry.all()])
            text, blocks = build_unknown_command_message(parsed.name, suggestion, registry.all())
            await invocation.reply(text, blocks)
            return
        await subcommand.run(invocation)
    except DomainError as error:
        await invocation.reply(error_mrkdwn(error))
        await anyio.to_thread.run_sync(lambda: record_refusal(
            context["uow"](), actor.user_id, f"{SLASH_COMMAND} {parsed.name}", error_text(error), context["clock"]()))
    finally:
        await invocation.acknowledge()


LISTENERS = (
    listeners.command(SLASH_COMMAND, route_sms_command),
)


SUBCOMMANDS = (
    Subcommand("help", f"{SLASH_COMMAND} help", N_("Show what smsbot can do and how"), show_help),
)
