"""chat.* methods: messages the bot posts, edits and links to."""

from __future__ import annotations

from bot.sandbox.emulator.errors import SlackFailure, require
from bot.sandbox.emulator.methods_common import (
    ApiCall,
    MethodHandler,
    message_content,
    postable_channel,
)
from bot.sandbox.emulator.model import JsonDict


def post_message(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        channel = postable_channel(ws, call.get("channel"))
        text, blocks, attachments = message_content(call)
        thread_ts = call.get("thread_ts")
        # "Also send to the channel": Slack ignores reply_broadcast on a message that is no reply.
        broadcast = bool(thread_ts) and call.flag("reply_broadcast") and ws.message(channel.id, thread_ts) is not None
        message = ws.post_message(
            channel.id,
            ws.bot.user_id,
            text or "",
            blocks,
            thread_ts=thread_ts,
            attachments=attachments,
            subtype="thread_broadcast" if broadcast else None,
        )
        return {"channel": channel.id, "ts": message.ts, "message": ws.message_payload(message)}


def post_ephemeral(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        channel = postable_channel(ws, call.get("channel"))
        require(call.args, "user")
        user_id = call.get("user")
        if ws.user(user_id) is None:
            raise SlackFailure("user_not_found")
        if user_id not in channel.members:
            raise SlackFailure("user_not_in_channel")
        text, blocks, _ = message_content(call)
        ephemeral = ws.post_ephemeral(channel.id, user_id, text or "", blocks, thread_ts=call.get("thread_ts"))
        return {"message_ts": ephemeral.ts}


def _bots_own_message(call: ApiCall, refusal: str):
    """The bot's message that `channel` and `ts` name: Slack lets an app change only its own."""
    ws = call.workspace
    channel = postable_channel(ws, call.get("channel"))
    require(call.args, "ts")
    message = ws.message(channel.id, call.get("ts"))
    if message is None:
        raise SlackFailure("message_not_found")
    if message.user != ws.bot.user_id:
        raise SlackFailure(refusal)
    return channel, message


def update(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        channel, message = _bots_own_message(call, "cant_update_message")
        text, blocks, attachments = message_content(call)
        ws.update_message(channel.id, message.ts, text=text, blocks=blocks, attachments=attachments)
        payload = ws.message_payload(message)
        return {"channel": channel.id, "ts": message.ts, "text": message.text, "message": payload}


def delete(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        channel, message = _bots_own_message(call, "cant_delete_message")
        ws.delete_message(channel.id, message.ts)
        return {"channel": channel.id, "ts": message.ts}


def get_permalink(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        channel = ws.channel(call.get("channel", ""))
        if channel is None:
            raise SlackFailure("channel_not_found")
        require(call.args, "message_ts")
        message = ws.message(channel.id, call.get("message_ts"))
        if message is None:
            raise SlackFailure("message_not_found")
        return {"channel": channel.id, "permalink": ws.permalink(channel.id, message)}


METHODS: dict[str, MethodHandler] = {
    "chat.postMessage": post_message,
    "chat.postEphemeral": post_ephemeral,
    "chat.update": update,
    "chat.delete": delete,
    "chat.getPermalink": get_permalink,
}
