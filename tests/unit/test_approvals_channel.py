"""The approvals channel check against a fake Slack client: what it trusts, for how long, and
what it does when Slack will not say."""

import logging

from slack_sdk.errors import SlackApiError

from handlers.approvals_channel import FINE_FOR_SECONDS, ApprovalsChannel


class FakeSlack:
    """conversations.info answers with `channel`, or refuses with `error`."""

    def __init__(self, channel: dict | None = None, error: dict | None = None) -> None:
        self.channel, self.error, self.asked = channel, error, 0

    async def conversations_info(self, channel: str):
        self.asked += 1
        if self.error is not None:
            raise SlackApiError("refused", {"ok": False, **self.error})
        return {"ok": True, "channel": self.channel}

    async def auth_test(self):
        return {"ok": True, "user": "smsbot"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_channel_found_fine_is_trusted_for_a_while_and_a_recheck_asks_again():
    slack, clock = FakeSlack({"id": "C1", "name": "approvals", "is_member": True}), Clock()
    check = ApprovalsChannel("C1", clock)
    assert await check.problem(slack) is None and await check.problem(slack) is None
    assert slack.asked == 1
    await check.problem(slack, recheck=True)
    clock.now += FINE_FOR_SECONDS
    await check.problem(slack)
    assert slack.asked == 3


async def test_a_problem_is_asked_about_every_time_so_that_a_fix_shows_at_once():
    slack = FakeSlack({"id": "C1", "name": "approvals", "is_member": False})
    check = ApprovalsChannel("C1", Clock())
    assert (await check.problem(slack)).reason == "not_in_channel"
    slack.channel = {**slack.channel, "is_member": True}
    assert await check.problem(slack) is None
    assert slack.asked == 2


async def test_without_the_scope_to_ask_it_says_so_and_stands_in_no_ones_way(caplog):
    slack = FakeSlack(error={"error": "missing_scope", "needed": "channels:read"})
    check = ApprovalsChannel("C1", Clock())
    with caplog.at_level(logging.WARNING, logger="handlers.approvals_channel"):
        assert await check.problem(slack) is None
        await check.require_postable(slack)  # nothing raised, nor asked again for a while
    assert slack.asked == 1
    assert [r.getMessage() for r in caplog.records] == [
        "could not check the approvals channel C1: missing_scope (the app lacks channels:read: reinstall it "
        "from manifest.yml)"]


async def test_with_no_approvals_channel_nothing_is_checked():
    slack = FakeSlack(error={"error": "channel_not_found"})
    assert await ApprovalsChannel(None).problem(slack, recheck=True) is None
    assert slack.asked == 0
