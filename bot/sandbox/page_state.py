"""What the page shows one person: read from the emulated workspace, as Slack's client would
show it to them (their channels and DMs, their ephemeral messages, their modal and Home tab),
in their Slack language (the page's own words are in bot/sandbox/page_texts.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.sandbox.emulator.defaults import APPROVERS_GROUP_ID, SENDER_ID
from bot.sandbox.emulator.files import StoredFile
from bot.sandbox.emulator.model import Channel, EphemeralMessage, JsonDict, Message
from bot.sandbox.emulator.state import Workspace
from bot.sandbox.emulator.views import View
from bot.sandbox.page_texts import role_label
from domain.i18n import ENGLISH, language_of_slack_locale, n_, speaking


def role_of(workspace: Workspace, user_id: str) -> str:
    group = workspace.usergroup(APPROVERS_GROUP_ID)
    if group is not None and user_id in group.user_ids:
        return "approver"
    return "sender" if user_id == SENDER_ID else "member"


def page_language(workspace: Workspace, user_id: str) -> str:
    """The language of the person's Slack (its locale), which the page speaks as Slack's client
    would; English where it is one smsbot does not speak."""
    user = workspace.user(user_id)
    return (language_of_slack_locale(user.locale) if user else None) or ENGLISH


def people(workspace: Workspace) -> list[JsonDict]:
    found = []
    for user in workspace.users():
        role = None if user.is_bot else role_of(workspace, user.id)
        found.append({"id": user.id, "name": user.name, "real_name": user.real_name, "is_bot": user.is_bot,
                      "role": role, "role_label": role_label(role), "locale": user.locale})
    return found


def replies_label(count: int) -> str:
    return n_("{count} reply", "{count} replies", count)


def can_see_channel(channel: Channel, user_id: str) -> bool:
    return user_id in channel.members


def can_see_file(workspace: Workspace, stored: StoredFile, user_id: str) -> bool:
    if stored.user == user_id:
        return True
    return any((c := workspace.channel(channel_id)) is not None and can_see_channel(c, user_id)
               for channel_id in stored.channels)


def channel_entry(workspace: Workspace, channel: Channel) -> JsonDict:
    if channel.is_im:
        label = workspace.bot.name if channel.im_user else channel.name
        return {"id": channel.id, "kind": "dm", "name": label}
    return {"id": channel.id, "kind": "channel", "name": channel.name, "private": channel.is_private}


def file_entry(workspace: Workspace, file_id: str) -> JsonDict | None:
    stored = workspace.files.get(file_id)
    if stored is None:
        return None
    return {"id": stored.id, "name": stored.name, "title": stored.title, "mimetype": stored.mimetype,
            "filetype": stored.filetype, "size": stored.size, "alt_txt": stored.alt_txt,
            "url": f"/sandbox/files/{stored.id}/{quote(stored.name)}"}


def message_entry(workspace: Workspace, message: Message) -> JsonDict:
    body = workspace.message_payload(message)
    return {
        "ts": message.ts, "channel": message.channel, "user": message.user, "is_bot": message.bot_id is not None,
        "text": message.text, "blocks": message.blocks, "attachments": message.attachments,
        "files": [f for f in (file_entry(workspace, i) for i in message.file_ids) if f],
        "thread_ts": message.thread_ts, "edited": message.edited_ts is not None,
        # A reply also sent to the channel: shown there too, under "replied to a thread".
        "broadcast": message.is_reply and message.subtype == "thread_broadcast",
        "reply_count": body.get("reply_count", 0), "reply_users": body.get("reply_users", []),
        "replies_label": replies_label(body.get("reply_count", 0)), "latest_reply": body.get("latest_reply"),
        "ephemeral": False,
    }


def ephemeral_entry(workspace: Workspace, ephemeral: EphemeralMessage) -> JsonDict:
    # An ack or a response_url reply shows as the app's, like every ephemeral message.
    return {"ts": ephemeral.ts, "channel": ephemeral.channel, "user": workspace.bot.user_id, "is_bot": True,
            "text": ephemeral.text, "blocks": ephemeral.blocks, "attachments": [], "files": [],
            "thread_ts": ephemeral.thread_ts, "edited": False, "reply_count": 0, "reply_users": [],
            "latest_reply": None, "ephemeral": True, "source": ephemeral.source}


def view_entry(view: View) -> JsonDict:
    return {"id": view.id, "type": view.type, "hash": view.hash, "callback_id": view.callback_id,
            "title": view.definition.get("title"), "submit": view.definition.get("submit"),
            "close": view.definition.get("close"), "blocks": view.blocks, "state_values": view.state_values,
            "errors": view.errors, "previous_view_id": view.previous_view_id}


def _by_ts(entries: list[JsonDict]) -> list[JsonDict]:
    return sorted(entries, key=lambda e: float(e["ts"]))


def snapshot(workspace: Workspace, user_id: str, channel_id: str | None, thread_ts: str | None) -> dict[str, Any]:
    """The page for one person: channel list, the open channel, thread, modal and Home tab."""
    language = page_language(workspace, user_id)
    with workspace.lock, speaking(language):
        visible = [c for c in workspace.channels() if can_see_channel(c, user_id)]
        visible.sort(key=lambda c: (c.is_im, c.name))
        if not any(c.is_im and c.im_user == user_id for c in visible):
            visible.append(workspace.open_dm(user_id))  # the app's Messages tab, empty until used
        channel = next((c for c in visible if c.id == channel_id), None)
        page: dict[str, Any] = {
            "me": user_id, "language": language,
            "team": {"id": workspace.team.id, "name": workspace.team.name},
            "bot": {"user_id": workspace.bot.user_id, "name": workspace.bot.name},
            "users": people(workspace),
            "channels": [channel_entry(workspace, c) for c in visible],
            "channel": None, "messages": [], "thread": None,
        }
        if channel is not None:
            page["channel"] = channel_entry(workspace, channel)
            mine = workspace.ephemerals(user_id=user_id, channel_id=channel.id)
            page["messages"] = _by_ts([message_entry(workspace, m) for m in workspace.messages(channel.id)] +
                                      [ephemeral_entry(workspace, e) for e in mine if not e.thread_ts])
            root = workspace.message(channel.id, thread_ts) if thread_ts else None
            if root is not None and not root.is_reply:
                replies = [message_entry(workspace, m) for m in workspace.replies(channel.id, root.ts)]
                replies += [ephemeral_entry(workspace, e) for e in mine if e.thread_ts == root.ts]
                page["thread"] = {"root": message_entry(workspace, root), "replies": _by_ts(replies),
                                  "replies_label": replies_label(len(replies))}
        top = workspace.views.top_modal(user_id)
        page["modal"] = ({"stack": [view_entry(v) for v in workspace.views.stack(top.id)]} if top else None)
        home = workspace.views.home(user_id)
        page["home"] = view_entry(home) if home is not None else None
        return page
