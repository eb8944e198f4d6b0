"""The workspace tells listeners what changed (the sandbox page's live updates), and restores
messages kept from an earlier run with their own timestamps."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import GENERAL_CHANNEL_ID, SENDER_ID, Message, Workspace


async def test_web_api_changes_reach_listeners_until_removed(workspace: Workspace, client: AsyncWebClient):
    heard: list[str] = []
    stop = workspace.add_listener(heard.append)
    posted = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="Importing…")
    await client.chat_update(channel=GENERAL_CHANNEL_ID, ts=posted["ts"], text="Imported")
    await client.chat_postEphemeral(channel=GENERAL_CHANNEL_ID, user=SENDER_ID, text="only you")
    await client.views_publish(user_id=SENDER_ID, view={"type": "home", "blocks": []})
    assert heard == ["messages", "messages", "ephemerals", "views"]
    stop()
    await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="unheard")
    assert len(heard) == 4


async def test_a_failing_listener_does_not_fail_the_call(workspace: Workspace, client: AsyncWebClient):
    def broken(_what: str) -> None:
        raise RuntimeError("listener bug")

    workspace.add_listener(broken)
    answer = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="still posted")
    assert answer["ok"] and workspace.messages(GENERAL_CHANNEL_ID)[-1].text == "still posted"


def test_restored_messages_keep_their_ts_and_later_ids_follow_them():
    workspace = Workspace()
    root = Message(GENERAL_CHANNEL_ID, "1900000000.000100", SENDER_ID, "a file")
    reply = Message(GENERAL_CHANNEL_ID, "1900000000.000200", workspace.bot.user_id, "imported",
                    thread_ts=root.ts)
    workspace.restore_messages([reply, root], ids_used=41)
    assert [m.ts for m in workspace.messages(GENERAL_CHANNEL_ID)] == [root.ts]
    assert workspace.replies(GENERAL_CHANNEL_ID, root.ts) == [reply]
    assert workspace.new_id("F") == "F0000000042"
    later = workspace.post_message(GENERAL_CHANNEL_ID, SENDER_ID, "next")
    assert float(later.ts) > float(reply.ts)
