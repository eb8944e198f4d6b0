"""The channels a person is in, as the rules on lists and tasks ask: every page read, kept a
minute, and a failed answer neither kept nor taken for membership."""

from slack_sdk.errors import SlackApiError

from domain.approvers import Actor
from handlers.memberships import MEMBERSHIP_CACHE_SECONDS, ChannelMemberships


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeSlackClient:
    """Answers users.conversations two channels a page, from a dict the test changes."""

    def __init__(self, channels):
        self.channels, self.calls, self.failing = channels, [], False

    async def users_conversations(self, user, types, limit, cursor=None):
        self.calls.append((user, types, cursor))
        if self.failing:
            raise SlackApiError("ratelimited", {"ok": False, "error": "ratelimited"})
        start = int(cursor or 0)
        page = self.channels[user][start:start + 2]
        more = start + 2 < len(self.channels[user])
        return {"ok": True, "channels": [{"id": c} for c in page],
                "response_metadata": {"next_cursor": str(start + 2) if more else ""}}


async def test_every_page_is_read_and_kept_a_minute():
    client, clock = FakeSlackClient({"U1": ["C1", "C2", "G3"]}), FakeClock()
    memberships = ChannelMemberships(clock)
    actor = await memberships.actor(client, Actor("U1"))
    assert actor.channels == frozenset({"C1", "C2", "G3"}) and actor.user_id == "U1"
    assert [cursor for _u, _t, cursor in client.calls] == [None, "2"]
    assert client.calls[0][1] == "public_channel,private_channel,mpim"  # never DMs
    client.channels["U1"] = ["C1"]
    assert await memberships.of(client, "U1") == frozenset({"C1", "C2", "G3"})  # kept
    clock.now += MEMBERSHIP_CACHE_SECONDS
    assert await memberships.of(client, "U1") == frozenset({"C1"})  # asked again


async def test_a_failed_answer_is_no_channel_and_is_not_kept():
    client = FakeSlackClient({"U1": ["C1"]})
    memberships = ChannelMemberships(FakeClock())
    client.failing = True
    assert await memberships.of(client, "U1") == frozenset()
    client.failing = False
    assert await memberships.of(client, "U1") == frozenset({"C1"})
