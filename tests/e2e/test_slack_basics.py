"""The bot answering Slack over HTTP, through the emulator."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlencode

from bot.sandbox.emulator import Channel
from bot.sandbox.emulator.defaults import (
    APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID,
)


async def wait_for_calls(workspace, method: str, count: int = 1, timeout: float = 5.0) -> list:
    """The bot answers after its ack, so its Web API calls land a moment after the HTTP reply."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = workspace.calls(method)
        if len(calls) >= count:
            return calls
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} {method} call(s), saw {len(workspace.calls(method))}")


def block_texts(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text", "")
            parts.append(text["text"] if isinstance(text, dict) else text)  # a button's text is an object
    return "\n".join(parts)


def web_api_calls(workspace) -> list:
    """Calls that post or show something (not the bot's look-ups of itself, its approvers and
    the asker's language)."""
    return [c for c in workspace.calls() if c.method not in ("auth.test", "usergroups.users.list", "users.info")]


async def test_help_answers_with_an_ephemeral_usage_message(workspace, driver):
    response = await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "help")
    assert response.status_code == 200
    [reply] = workspace.ephemerals(user_id=SENDER_ID)
    assert reply.source == "command_ack" and reply.channel == GENERAL_CHANNEL_ID
    text = block_texts(reply.blocks)
    assert "`/sms help`" in text
    assert workspace.messages(GENERAL_CHANNEL_ID) == []  # nothing public
    assert web_api_calls(workspace) == []  # the answer rides on the ack


async def test_bare_sms_is_help(workspace, driver):
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "")
    [reply] = workspace.ephemerals(user_id=MEMBER_ID)
    assert "`/sms help`" in block_texts(reply.blocks)


async def test_unknown_subcommand_says_what_it_did_not_understand(workspace, driver):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "hlep me")
    [reply] = workspace.ephemerals(user_id=SENDER_ID)
    assert "I don't know `/sms hlep`" in reply.text
    assert "Did you mean `/sms help`?" in reply.text
    assert "`/sms help`" in block_texts(reply.blocks)

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "xyz")
    replies = workspace.ephemerals(user_id=SENDER_ID)
    assert replies[1].text == "I don't know `/sms xyz`."


async def test_help_works_in_a_channel_the_bot_is_not_in(workspace, driver):
    random = workspace.add_channel(Channel(id="C0RANDOM01", name="random", members={SENDER_ID}))
    await driver.slash_command(SENDER_ID, random.id, "help")
    [reply] = workspace.ephemerals(user_id=SENDER_ID, channel_id=random.id)
    assert "`/sms help`" in block_texts(reply.blocks)


async def test_app_home_opened_publishes_the_home_tab(workspace, driver):
    response = await driver.app_home_opened(APPROVER_ID)
    assert response.status_code == 200
    [call] = await wait_for_calls(workspace, "views.publish")
    assert call.ok and call.args["user_id"] == APPROVER_ID
    view = call.args["view"]
    assert view["type"] == "home"
    assert "You are an *approver*" in block_texts(view["blocks"])

    await driver.app_home_opened(MEMBER_ID)
    calls = await wait_for_calls(workspace, "views.publish", 2)
    assert "You are an *approver*" not in block_texts(calls[1].args["view"]["blocks"])


def _command_body(text: str = "help") -> str:
    return urlencode({"command": "/sms", "text": text, "user_id": SENDER_ID, "channel_id": GENERAL_CHANNEL_ID,
                      "team_id": "T0SANDBOX1", "response_url": "http://127.0.0.1:1/none", "trigger_id": "1.2.3"})


async def test_forged_signature_gets_401_and_no_call(workspace, driver):
    body = _command_body()
    response = await driver.post_raw(body, driver.signed_headers(body, secret="not-the-secret"))
    assert response.status_code == 401
    await asyncio.sleep(0.3)
    assert web_api_calls(workspace) == [] and workspace.ephemerals() == []


async def test_stale_timestamp_gets_401_and_no_call(workspace, driver):
    body = _command_body()
    response = await driver.post_raw(body, driver.signed_headers(body, timestamp=int(time.time()) - 6 * 60))
    assert response.status_code == 401
    await asyncio.sleep(0.3)
    assert web_api_calls(workspace) == [] and workspace.ephemerals() == []


async def test_bot_token_is_verified_with_auth_test(workspace, driver):
    await driver.app_home_opened(SENDER_ID)
    await wait_for_calls(workspace, "views.publish")
    [auth] = workspace.calls("auth.test")  # once, then cached by Bolt
    assert auth.ok


async def test_optout_commands_show_the_last_four_digits_only(workspace, driver):
    for text in ("optout add +86 138 0013 8000", "optout check 13800138000", "optout remove 8613800138000",
                 "optout check 13800138000", "optout add 12345"):
        await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, text)
    replies = [e.text for e in workspace.ephemerals(user_id=SENDER_ID)]
    assert replies[:4] == [
        "•••8000 is on the opt-out list: it gets no promotional messages.",
        "•••8000 is on the opt-out list.",
        "•••8000 is off the opt-out list.",
        "•••8000 is not on the opt-out list.",
    ]
    assert replies[4].startswith("That is not a phone number I can use")
    assert not any("13800138000" in reply for reply in replies)
