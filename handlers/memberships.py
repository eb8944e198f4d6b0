"""Which conversations a person is a member of, as Slack tells the bot: what the rules on who
may use a recipient list and who may see a task (domain/policy.py) ask about."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor

log = logging.getLogger(__name__)

# A person who just joined or left a channel is seen so within this long.
MEMBERSHIP_CACHE_SECONDS = 60
PEOPLE_KEPT = 10_000
# Direct messages are left out: a list or a task there is its owner's alone, whoever else is in it.
CONVERSATION_TYPES = "public_channel,private_channel,mpim"
PAGE_SIZE = 999  # Slack's largest page: a person in many channels costs few calls


class ChannelMemberships:
    """users.conversations with `user`: the public channels a person is in, and the private
    ones and group DMs they share with the bot (Slack lists no others to a bot token, and the
    bot is in every conversation a list was imported or a task posted in). Kept a minute per
    person; a failed answer is not kept, and counts as no channel at all (only what the person
    owns, or may see as an approver, stays open to them)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._known: OrderedDict[str, tuple[float, frozenset[str]]] = OrderedDict()

    async def actor(self, client: AsyncWebClient, actor: Actor) -> Actor:
        """The actor with the channels they are a member of."""
        return replace(actor, channels=await self.of(client, actor.user_id))

    async def of(self, client: AsyncWebClient, user_id: str) -> frozenset[str]:
        known = self._known.get(user_id)
        if known is not None and self._clock() - known[0] < MEMBERSHIP_CACHE_SECONDS:
            return known[1]
        try:
            channels = await self._fetch(client, user_id)
        except SlackApiError as error:
            log.warning("the channels of a person could not be read: %s", error.response.get("error"))
            return frozenset()
        self._known[user_id] = (self._clock(), channels)
        self._known.move_to_end(user_id)
        while len(self._known) > PEOPLE_KEPT:
            self._known.popitem(last=False)
        return channels

    @staticmethod
    async def _fetch(client: AsyncWebClient, user_id: str) -> frozenset[str]:
        channels: set[str] = set()
        cursor = None
        while True:
            response = await client.users_conversations(user=user_id, types=CONVERSATION_TYPES, limit=PAGE_SIZE,
                                                        cursor=cursor)
            channels.update(channel["id"] for channel in response.get("channels", []))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return frozenset(channels)
