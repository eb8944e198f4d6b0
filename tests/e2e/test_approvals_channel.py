"""An approvals channel the bot cannot post in: said at start-up and in an approver's help."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.manifest import bot_events
from bot.sandbox.emulator import Workspace
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, BOT_USER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, MEMBER_ID,
)
from handlers.approvals_channel import ApprovalsChannel
from handlers.ids import BlockId
from tests.e2e.test_content import eventually


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai"}


@pytest.fixture
def workspace():
    """The approvals channel without the bot, from the start."""
    workspace = Workspace(bot_events=bot_events())
    workspace.channel(APPROVALS_CHANNEL_ID).members.discard(BOT_USER_ID)
    return workspace


def leave_out_the_bot(workspace, how: str) -> None:
    """The approvals channel as `how` says."""
    channel = workspace.channel(APPROVALS_CHANNEL_ID)
    with workspace.lock:
        if how == "archived":
            channel.members.add(BOT_USER_ID)
            channel.is_archived = True
        elif how == "private":
            channel.is_private = True


async def test_start_up_logs_what_to_do_and_the_bot_runs_on(workspace, driver, caplog):
    def warned() -> list[str]:  # the process may have started before the test began
        return [r.getMessage() for r in caplog.get_records("setup") + caplog.records
                if r.name == "handlers.approvals_channel"]

    [line] = await eventually(warned)
    assert line == ("invite @smsbot to #sms-approvals: approval requests cannot be posted until then "
                    "(Slack: not_in_channel, C0APPROVE1)")
    assert (await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "help")).status_code == 200


@pytest.mark.parametrize(("how", "fix"), [
    ("archived", "unarchive #sms-approvals or set SMSBOT_APPROVALS_CHANNEL to another channel"),
    ("private", "invite @smsbot to channel C0APPROVE1 if it is private, or set SMSBOT_APPROVALS_CHANNEL to a "
                "channel that exists"),
])
async def test_the_start_up_line_names_the_fix_for_an_archived_or_unseen_channel(workspace, emulator, caplog, how,
                                                                                 fix):
    leave_out_the_bot(workspace, how)
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    with caplog.at_level(logging.WARNING, logger="handlers.approvals_channel"):
        await ApprovalsChannel(APPROVALS_CHANNEL_ID).warn_at_start_up(client)
    assert [r.getMessage().partition(": approval requests")[0] for r in caplog.records
            if r.name == "handlers.approvals_channel"] == [fix]


async def test_an_approvers_help_warns_on_top_and_a_members_does_not(workspace, driver):
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "help")
    [shown] = await eventually(lambda: workspace.ephemerals(user_id=APPROVER_ID))
    assert shown.blocks[0]["block_id"] == BlockId.HELP_WARNING
    assert shown.blocks[0]["text"]["text"] == (
        ":warning: I can't post approval requests in #sms-approvals: I'm not a member. Invite @smsbot there; "
        "until then nothing can be submitted for approval.")
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "help")
    [member_help] = await eventually(lambda: workspace.ephemerals(user_id=MEMBER_ID))
    assert "I can't post" not in str(member_help.blocks)

    workspace.channel(APPROVALS_CHANNEL_ID).members.add(BOT_USER_ID)  # invited: asked afresh, the warning goes
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "help")
    shown_again = await eventually(lambda: workspace.ephemerals(user_id=APPROVER_ID)[1:])
    assert BlockId.HELP_WARNING not in [b.get("block_id") for b in shown_again[0].blocks]
