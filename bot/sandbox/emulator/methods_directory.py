"""Who and where: auth.test, users, user groups and conversations."""

from __future__ import annotations

import base64

from bot.sandbox.emulator.errors import SlackFailure, require
from bot.sandbox.emulator.methods_common import ApiCall, MethodHandler, find_channel
from bot.sandbox.emulator.model import Channel, JsonDict


def auth_test(call: ApiCall) -> JsonDict:
    ws = call.workspace
    return {
        "url": ws.emulator_url("/"),
        "team": ws.team.name,
        "user": ws.bot.name,
        "team_id": ws.team.id,
        "user_id": ws.bot.user_id,
        "bot_id": ws.bot.bot_id,
        "is_enterprise_install": False,
    }


def users_info(call: ApiCall) -> JsonDict:
    ws = call.workspace
    user = ws.user(call.get("user", ""))
    if user is None:
        raise SlackFailure("user_not_found")
    answer = user.to_api(ws.team.id)
    if call.get("include_locale") in (True, "true", "1", 1):
        answer["locale"] = user.locale
    return {"user": answer}


def usergroup_members(call: ApiCall) -> JsonDict:
    require(call.args, "usergroup")
    group = call.workspace.usergroup(call.get("usergroup"))
    if group is None:
        raise SlackFailure("no_such_subteam")
    return {"users": list(group.user_ids)}


def conversations_info(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        channel = find_channel(ws, call.get("channel"))
        # The bot cannot see private channels and DMs it is not part of.
        if channel is None or (channel.is_private and ws.bot.user_id not in channel.members):
            raise SlackFailure("channel_not_found")
        return {"channel": channel.to_api(ws.bot.user_id, int(ws.wall_clock()))}


MAX_PAGE = 999


def _type_of(channel: Channel) -> str:
    if channel.is_im:
        return "im"
    if channel.is_mpim:
        return "mpim"
    return "private_channel" if channel.is_private else "public_channel"


def users_conversations(call: ApiCall) -> JsonDict:
    """The conversations a person is in, as a bot token sees them: every public channel, and only
    the private channels and DMs the bot shares (Slack omits is_member and num_members here)."""
    ws = call.workspace
    user_id = str(call.get("user") or ws.bot.user_id)
    if user_id != ws.bot.user_id and ws.user(user_id) is None:
        raise SlackFailure("user_not_found")
    types = {t.strip() for t in str(call.get("types") or "public_channel").split(",")}
    limit = min(int(call.get("limit") or 100), MAX_PAGE)  # "fewer than requested may be returned"
    offset = _offset(str(call.get("cursor") or ""))
    with ws.lock:
        found = sorted((c for c in ws.channels() if user_id in c.members and _type_of(c) in types
                        and (not c.is_private or ws.bot.user_id in c.members)), key=lambda c: c.id)
        page = found[offset:offset + limit]
        shown = []
        for channel in page:
            listed = channel.to_api(ws.bot.user_id, int(ws.wall_clock()))
            listed.pop("is_member", None)
            listed.pop("num_members", None)
            shown.append(listed)
    more = offset + limit < len(found)
    cursor = base64.b64encode(f"offset:{offset + limit}".encode()).decode() if more else ""
    return {"channels": shown, "response_metadata": {"next_cursor": cursor}}


def _offset(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().removeprefix("offset:"))
    except ValueError:
        raise SlackFailure("invalid_cursor") from None


def conversations_open(call: ApiCall) -> JsonDict:
    """The bot's DM with one person; group DMs are not part of the sandbox."""
    ws = call.workspace
    with ws.lock:
        users = [u.strip() for u in str(call.get("users", "")).split(",") if u.strip()]
        if not users:
            raise SlackFailure("users_list_not_supplied")
        if len(users) > 1:
            raise SlackFailure("method_not_supported_for_channel_type")
        already_open = any(c.im_user == users[0] for c in ws.channels())
        channel = ws.open_dm(users[0])
        return {"no_op": already_open, "already_open": already_open, "channel": {"id": channel.id}}


METHODS: dict[str, MethodHandler] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "users.conversations": users_conversations,
    "usergroups.users.list": usergroup_members,
    "conversations.info": conversations_info,
    "conversations.open": conversations_open,
}
