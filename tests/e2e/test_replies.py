"""Answering one person after the ack: chat.postEphemeral, or the response_url where
the bot is not in the conversation, or (with no response_url, after a modal) the DM."""

from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import Channel
from bot.sandbox.emulator.defaults import BOT_USER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, SENDER_ID
from handlers.replies import reply_ephemeral, reply_ephemeral_or_dm


class RecordingRespond:
    def __init__(self):
        self.replies = []

    async def __call__(self, **reply):
        self.replies.append(reply)


def client_for(emulator) -> AsyncWebClient:
    return AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")


async def test_reply_goes_through_chat_post_ephemeral_where_the_bot_is(workspace, emulator):
    respond = RecordingRespond()
    await reply_ephemeral(client_for(emulator), channel=GENERAL_CHANNEL_ID, user=SENDER_ID,
                          text="done", respond=respond)
    [call] = workspace.calls("chat.postEphemeral")
    assert call.ok and call.args["text"] == "done"
    assert respond.replies == []


async def test_reply_falls_back_to_response_url_where_the_bot_is_not(workspace, emulator):
    random = workspace.add_channel(Channel(id="C0RANDOM01", name="random", members={SENDER_ID}))
    respond = RecordingRespond()
    await reply_ephemeral(client_for(emulator), channel=random.id, user=SENDER_ID, text="done", respond=respond,
                          thread_ts="1732368000.000100")
    [call] = workspace.calls("chat.postEphemeral")
    assert not call.ok
    assert respond.replies == [{"text": "done", "blocks": None, "response_type": "ephemeral",
                                "thread_ts": "1732368000.000100"}]  # still in the thread


async def test_an_answer_without_response_url_goes_ephemeral_where_the_bot_is(workspace, emulator):
    await reply_ephemeral_or_dm(client_for(emulator), channel=GENERAL_CHANNEL_ID, user=SENDER_ID, text="saved")
    assert [e.text for e in workspace.ephemerals(user_id=SENDER_ID)] == ["saved"]
    assert workspace.calls("conversations.open") == []


async def test_an_answer_without_response_url_goes_to_the_dm_where_the_bot_cannot_post(workspace, emulator):
    random = workspace.add_channel(Channel(id="C0RANDOM01", name="random", members={SENDER_ID}))
    archived = workspace.add_channel(Channel(id="C0OLDNEWS1", name="old-news", members={SENDER_ID, BOT_USER_ID},
                                             is_archived=True))
    for channel in (random.id, archived.id, None):
        await reply_ephemeral_or_dm(client_for(emulator), channel=channel, user=SENDER_ID, text=f"saved in {channel}")
    dm = workspace.open_dm(SENDER_ID)
    assert [m.text for m in workspace.messages(dm.id)] == ["saved in C0RANDOM01", "saved in C0OLDNEWS1", "saved in None"]
    assert workspace.ephemerals(user_id=SENDER_ID) == []
