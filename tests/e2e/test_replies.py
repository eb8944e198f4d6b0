"""Answering one person after the ack: chat.postEphemeral, or the response_url where
the bot is not in the conversation."""

from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import Channel
from bot.sandbox.emulator.defaults import DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, SENDER_ID
from handlers.replies import reply_ephemeral


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
    await reply_ephemeral(client_for(emulator), channel=random.id, user=SENDER_ID, text="done", respond=respond)
    [call] = workspace.calls("chat.postEphemeral")
    assert not call.ok
    assert respond.replies == [{"text": "done", "blocks": None, "response_type": "ephemeral"}]
