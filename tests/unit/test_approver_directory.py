import asyncio

from handlers.middleware import GROUP_CACHE_SECONDS, ApproverConfig, ApproverDirectory


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeSlackClient:
    """Answers usergroups.users.list from a dict the test changes."""

    def __init__(self, groups):
        self.groups = groups
        self.calls = 0

    async def usergroups_users_list(self, usergroup):
        self.calls += 1
        return {"ok": True, "users": list(self.groups[usergroup])}


def directory(clock):
    return ApproverDirectory(ApproverConfig(frozenset({"U0DIRECT01"}), frozenset({"S0GROUP001"})), clock)


async def test_configured_users_and_group_members_are_approvers():
    client = FakeSlackClient({"S0GROUP001": ["U0MEMBER01"]})
    approvers = directory(FakeClock())
    assert (await approvers.actor(client, "U0DIRECT01")).is_approver
    assert (await approvers.actor(client, "U0MEMBER01")).is_approver
    assert not (await approvers.actor(client, "U0OTHER001")).is_approver
    assert client.calls == 1  # cached


async def test_a_stale_group_is_refreshed_in_the_background_without_waiting():
    clock = FakeClock()
    client = FakeSlackClient({"S0GROUP001": ["U0MEMBER01"]})
    approvers = directory(clock)
    await approvers.actor(client, "U0MEMBER01")
    client.groups["S0GROUP001"] = ["U0NEWBIE01"]
    clock.now += GROUP_CACHE_SECONDS + 1
    # The stale answer comes at once; the refresh lands for the next request.
    assert not (await approvers.actor(client, "U0NEWBIE01")).is_approver
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert (await approvers.actor(client, "U0NEWBIE01")).is_approver
    assert client.calls == 2
