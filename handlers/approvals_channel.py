"""Whether the bot can post approval requests where they go. The app has `chat:write` but not
`chat:write.public`, so it must be a member of the approvals channel: that is checked with
`conversations.info` at start-up, on `/sms help` for approvers and before a submission is
stored; a request that Slack refuses all the same takes back what was stored for it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.errors import DomainError
from domain.i18n import N_, _

log = logging.getLogger(__name__)

# Slack's refusals of a post that a person can fix: the bot is not in the channel, cannot see
# it (private, or gone), or the channel is archived.
UNPOSTABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
# A channel found fine is trusted this long; a problem is asked about again every time, so
# that inviting the bot shows at once.
FINE_FOR_SECONDS = 60.0
# The manifest's bot name, for when auth.test does not answer.
DEFAULT_BOT_NAME = "smsbot"
START_UP_ATTEMPTS = 5  # the sandbox's emulator answers only once the process listens

# reason: (why, the fix where the message named the channel, the fix standing alone: the log
# line's, in English). Channel and bot user names are Slack's (lowercase letters, digits, "-",
# "_", "."), so they read the same as plain text, in a modal's error, and as mrkdwn. People
# read the first two in their language: _(why).
_EXPLAINED = {
    "not_in_channel": (N_("I'm not a member"), N_("invite @{bot} there"), "invite @{bot} to {channel}"),
    "is_archived": (N_("it is archived"),
                    N_("unarchive it, or choose another approvals channel (SMSBOT_APPROVALS_CHANNEL)"),
                    "unarchive {channel} or set SMSBOT_APPROVALS_CHANNEL to another channel"),
    "channel_not_found": (N_("I can't see it (it does not exist, or it is private and I'm not in it)"),
                          N_("if it is private, invite @{bot} there; if it is gone, choose another approvals "
                             "channel (SMSBOT_APPROVALS_CHANNEL)"),
                          "invite @{bot} to {channel} if it is private, or set SMSBOT_APPROVALS_CHANNEL to a "
                          "channel that exists"),
}


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class PostingProblem:
    """Why the bot cannot post in a channel, and what a person can do about it."""

    channel_id: str
    reason: str  # one of UNPOSTABLE
    channel_name: str | None = None  # None where Slack does not show the channel to the bot
    bot_name: str = DEFAULT_BOT_NAME

    @property
    def channel(self) -> str:
        """The channel as the reader knows it."""
        return f"#{self.channel_name}" if self.channel_name else _("channel {id}", id=self.channel_id)

    def _explained(self) -> tuple[str, str]:
        """Why, and the fix, in the reader's language."""
        why, fix_there, _fix = _EXPLAINED[self.reason]
        return _(why), _(fix_there, bot=self.bot_name)

    def log_line(self) -> str:
        """For operators: in English."""
        channel = f"#{self.channel_name}" if self.channel_name else f"channel {self.channel_id}"
        fix = _EXPLAINED[self.reason][2].format(bot=self.bot_name, channel=channel)
        return f"{fix}: approval requests cannot be posted until then (Slack: {self.reason}, {self.channel_id})"

    def warning(self) -> str:
        why, fix_there = self._explained()
        return _("I can't post approval requests in {channel}: {why}. {fix}; until then nothing can be submitted "
                 "for approval.", channel=self.channel, why=why, fix=_capitalised(fix_there))

    def refusal(self, *, saved: bool = False) -> str:
        why, fix_there = self._explained()
        if saved:  # an edit, stored before Slack refused its request
            return _("I can't post in {channel}: {why}. Your change is saved, but no approver was asked: {fix}, "
                     "then submit it again.", channel=self.channel, why=why, fix=fix_there)
        return _("I can't post in {channel}: {why}. {fix}, then try again. Nothing was saved.",
                 channel=self.channel, why=why, fix=_capitalised(fix_there))


class CannotPostRequest(DomainError):
    """An approval request cannot be posted; the message says why and what to do."""

    def __init__(self, problem: PostingProblem, *, saved: bool = False) -> None:
        super().__init__(problem.refusal(saved=saved))
        self.problem = problem


async def _bot_name(client: AsyncWebClient) -> str:
    try:
        return (await client.auth_test()).get("user") or DEFAULT_BOT_NAME
    except SlackApiError:
        return DEFAULT_BOT_NAME


async def find_problem(client: AsyncWebClient, channel_id: str) -> PostingProblem | None:
    """What stops the bot posting in the channel, as `conversations.info` tells; None if nothing."""
    try:
        channel = (await client.conversations_info(channel=channel_id))["channel"]
    except SlackApiError as error:
        if error.response.get("error") != "channel_not_found":
            raise
        return PostingProblem(channel_id, "channel_not_found", None, await _bot_name(client))
    if channel.get("is_archived"):
        reason = "is_archived"
    elif not channel.get("is_member", True):  # a direct message has no is_member: the bot is in it
        reason = "not_in_channel"
    else:
        return None
    return PostingProblem(channel_id, reason, channel.get("name"), await _bot_name(client))


async def explain(client: AsyncWebClient, channel_id: str, reason: str) -> PostingProblem:
    """A refusal Slack gave to a post, with the names people know the channel and the bot by."""
    try:
        name = (await client.conversations_info(channel=channel_id))["channel"].get("name")
    except SlackApiError:
        name = None
    return PostingProblem(channel_id, reason, name, await _bot_name(client))


Withdraw = Callable[[str], Awaitable[None]]


@asynccontextmanager
async def posting_approval_request(client: AsyncWebClient, channel_id: str, *,
                                   withdraw: Withdraw | None = None) -> AsyncIterator[None]:
    """Around the post of an approval request: where Slack refuses it for a reason a person can
    fix, what was stored for it is taken back (`withdraw`, given Slack's reason) and the person
    is refused with the fix. Without `withdraw` (an edit) the change stays saved, and they are
    told so."""
    try:
        yield
    except SlackApiError as error:
        reason = error.response.get("error")
        if reason not in UNPOSTABLE:
            raise
        if withdraw is not None:
            await withdraw(reason)
        raise CannotPostRequest(await explain(client, channel_id, reason), saved=withdraw is None) from None


class ApprovalsChannel:
    """The configured approvals channel (None: each request goes to the channel it was asked
    from, and nothing is checked ahead) and whether the bot can post there."""

    def __init__(self, channel_id: str | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.channel_id, self._clock = channel_id, clock
        self._fine_until = float("-inf")

    async def problem(self, client: AsyncWebClient, *, recheck: bool = False) -> PostingProblem | None:
        """What stops approval requests; None when nothing does, or when Slack would not say (a
        request that fails anyway is still caught when it is posted)."""
        if self.channel_id is None or (not recheck and self._clock() < self._fine_until):
            return None
        try:
            problem = await find_problem(client, self.channel_id)
        except SlackApiError as error:  # e.g. an app installed before it had channels:read
            needed = error.response.get("needed")
            log.warning("could not check the approvals channel %s: %s%s", self.channel_id,
                        error.response.get("error"), f" (the app lacks {needed}: reinstall it from manifest.yml)"
                        if needed else "")
            problem = None  # unknown: not asked again for a while, so the log says it once in a while
        self._fine_until = self._clock() + FINE_FOR_SECONDS if problem is None else float("-inf")
        return problem

    async def require_postable(self, client: AsyncWebClient) -> None:
        """Refuses before anything is stored when a request could not be posted."""
        if (problem := await self.problem(client)) is not None:
            raise CannotPostRequest(problem)

    async def refuse_if_unpostable(self, ack: AsyncAck, client: AsyncWebClient, block_id: str) -> bool:
        """A modal's submission refused on one of its fields, the modal kept open with what the
        person typed, when a request could not be posted. Returns whether it was refused."""
        problem = await self.problem(client)
        if problem is not None:
            await ack(response_action="errors", errors={block_id: problem.refusal()})
        return problem is not None

    async def warn_at_start_up(self, client: AsyncWebClient, *, pause_seconds: float = 1.0) -> None:
        """One warning line in the log when the bot cannot post requests; it runs on regardless."""
        for _attempt in range(START_UP_ATTEMPTS):
            try:
                problem = await self.problem(client, recheck=True)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                await asyncio.sleep(pause_seconds)
                continue
            if problem is not None:
                log.warning("%s", problem.log_line())
            return
        log.warning("could not reach Slack to check the approvals channel %s", self.channel_id)
