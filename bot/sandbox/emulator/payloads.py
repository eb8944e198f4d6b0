"""The request bodies Slack sends to an app, built from the workspace's state.

Each builder refuses (DriverError) what a person could not do in Slack's client, such
as pressing a button that is not in the message, so e2e tests catch bad renders.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import defaults
from bot.sandbox.emulator.model import Channel, JsonDict

if TYPE_CHECKING:
    from bot.sandbox.emulator.state import Workspace


class DriverError(Exception):
    """The driver was asked for an interaction Slack's client would not allow."""


# What Slack reports for an input a person left empty, by element type.
_EMPTY_INPUT_STATE: dict[str, JsonDict] = {
    "plain_text_input": {"value": None},
    "email_text_input": {"value": None},
    "url_text_input": {"value": None},
    "number_input": {"value": None},
    "rich_text_input": {"rich_text_value": None},
    "static_select": {"selected_option": None},
    "external_select": {"selected_option": None},
    "radio_buttons": {"selected_option": None},
    "multi_static_select": {"selected_options": []},
    "multi_external_select": {"selected_options": []},
    "checkboxes": {"selected_options": []},
    "users_select": {"selected_user": None},
    "multi_users_select": {"selected_users": []},
    "conversations_select": {"selected_conversation": None},
    "multi_conversations_select": {"selected_conversations": []},
    "channels_select": {"selected_channel": None},
    "multi_channels_select": {"selected_channels": []},
    "datepicker": {"selected_date": None},
    "timepicker": {"selected_time": None},
    "datetimepicker": {"selected_date_time": None},
    "file_input": {"files": []},
}


def user_ref(ws: Workspace, user_id: str) -> JsonDict:
    user = ws.user(user_id)
    if user is None:
        raise DriverError(f"no user {user_id} in the workspace")
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": ws.team.id}


def team_ref(ws: Workspace) -> JsonDict:
    return {"id": ws.team.id, "domain": ws.team.domain}


def channel_name(channel: Channel) -> str:
    return "directmessage" if channel.is_im else channel.name


def member_channel(ws: Workspace, user_id: str, channel_id: str) -> Channel:
    channel = ws.channel(channel_id)
    if channel is None:
        raise DriverError(f"no channel {channel_id} in the workspace")
    if user_id not in channel.members:
        raise DriverError(f"{user_id} is not a member of {channel_id}")
    return channel


def slash_command_form(ws: Workspace, user_id: str, channel_id: str, text: str, command: str) -> dict[str, str]:
    channel = member_channel(ws, user_id, channel_id)
    user = user_ref(ws, user_id)
    return {
        "token": defaults.VERIFICATION_TOKEN,
        "team_id": ws.team.id,
        "team_domain": ws.team.domain,
        "channel_id": channel.id,
        "channel_name": channel_name(channel),
        "user_id": user_id,
        "user_name": user["name"],
        "command": command,
        "text": text,
        "api_app_id": ws.bot.app_id,
        "is_enterprise_install": "false",
        "response_url": ws.issue_response_url(channel.id, user_id),
        "trigger_id": ws.issue_trigger(user_id),
    }


def find_element(blocks: list[JsonDict], action_id: str, block_id: str | None = None) -> tuple[str, JsonDict]:
    """(block_id, element) of the interactive element with action_id, as a click would find it."""
    found = []
    for block in blocks:
        if not isinstance(block, dict) or (block_id is not None and block.get("block_id") != block_id):
            continue
        candidates = list(block.get("elements") or [])
        candidates += [block[key] for key in ("accessory", "element") if isinstance(block.get(key), dict)]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                found.append((block.get("block_id") or "", element))
    if not found:
        raise DriverError(f"no element with action_id {action_id!r} (block_id {block_id!r}) to interact with")
    if len(found) > 1:
        raise DriverError(f"action_id {action_id!r} appears {len(found)} times; give block_id")
    return found[0]


def action_entry(
    ws: Workspace, block_id: str, element: JsonDict, value: str | None, selected_option: JsonDict | None
) -> JsonDict:
    action: JsonDict = {
        "type": element.get("type"),
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "action_ts": ws.next_ts(),
    }
    if element.get("type") == "button":
        action["text"] = copy.deepcopy(element.get("text"))
        action["value"] = value if value is not None else element.get("value")
        if element.get("style"):
            action["style"] = element["style"]
    elif selected_option is not None:
        action["selected_option"] = selected_option
    elif value is not None:
        action["value"] = value
    return action


def _remember_choice(ws: Workspace, view, block_id: str, action: JsonDict) -> None:
    """Slack's view.state already holds the choice an input's dispatch_action reports."""
    if not any(b.get("block_id") == block_id and b.get("type") == "input" for b in view.blocks if isinstance(b, dict)):
        return
    entry = {k: v for k, v in action.items() if k in ("type", "value", "selected_option")}
    values = copy.deepcopy(view.state_values)
    values.setdefault(block_id, {})[action["action_id"]] = entry
    ws.views.set_state(view.id, values)


def block_actions_payload(
    ws: Workspace,
    user_id: str,
    action_id: str,
    *,
    value: str | None,
    block_id: str | None,
    message: tuple[str, str] | None,
    view_id: str | None,
    selected_option: JsonDict | None,
) -> JsonDict:
    if (message is None) == (view_id is None):
        raise DriverError("give exactly one of message=(channel, ts) and view_id")
    payload: JsonDict = {
        "type": "block_actions",
        "user": user_ref(ws, user_id),
        "api_app_id": ws.bot.app_id,
        "token": defaults.VERIFICATION_TOKEN,
        "team": team_ref(ws),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view_id is not None:
        view = ws.views.get(view_id)
        if view is None or view.closed or view.user_id != user_id:
            raise DriverError(f"view {view_id} is not open for {user_id}")
        found_block_id, element = find_element(view.blocks, action_id, block_id)
        _remember_choice(ws, view, found_block_id, action_entry(ws, found_block_id, element, value, selected_option))
        payload["container"] = {"type": "view", "view_id": view.id}
        payload["view"] = ws.views.payload(view)
        payload["trigger_id"] = ws.issue_trigger(user_id, view_id=view.id)
    else:
        channel_id, ts = message
        channel = member_channel(ws, user_id, channel_id)
        stored, ephemeral = ws.message(channel_id, ts), ws.ephemeral(ts)
        if stored is None and (ephemeral is None or ephemeral.user != user_id):
            raise DriverError(f"no message {ts} in {channel_id} visible to {user_id}")
        found_block_id, element = find_element(stored.blocks if stored else ephemeral.blocks, action_id, block_id)
        payload["container"] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel_id,
            "is_ephemeral": stored is None,
        }
        # Slack names the thread of a press inside one (a reply, or an ephemeral message there).
        thread_ts = stored.thread_ts if stored is not None else ephemeral.thread_ts
        if thread_ts:
            payload["container"]["thread_ts"] = thread_ts
        if stored is not None:
            payload["message"] = ws.message_payload(stored)
        payload["channel"] = {"id": channel.id, "name": channel_name(channel)}
        payload["state"] = {"values": {}}
        payload["response_url"] = ws.issue_response_url(channel_id, user_id, message_ts=ts)
        payload["trigger_id"] = ws.issue_trigger(user_id)
    payload["actions"] = [action_entry(ws, found_block_id, element, value, selected_option)]
    return payload


def submitted_state(view_blocks: list[JsonDict], values: dict[str, dict[str, Any]]) -> JsonDict:
    """Slack's state.values for a submission: given values typed, empty inputs filled in."""
    inputs = {
        (block.get("block_id"), block["element"].get("action_id")): block["element"]
        for block in view_blocks
        if isinstance(block, dict) and block.get("type") == "input" and isinstance(block.get("element"), dict)
    }
    for block_id, actions in values.items():
        for action_id in actions:
            if (block_id, action_id) not in inputs:
                raise DriverError(f"the view has no input {block_id}/{action_id}")
    state: JsonDict = {}
    for (block_id, action_id), element in inputs.items():
        kind = element.get("type")
        given = values.get(block_id, {}).get(action_id)
        entry = {"type": kind, **copy.deepcopy(given if given is not None else _EMPTY_INPUT_STATE.get(kind, {}))}
        state.setdefault(block_id, {})[action_id] = entry
    return state


def view_submission_payload(ws: Workspace, user_id: str, view_id: str) -> JsonDict:
    view = ws.views.get(view_id)
    return {
        "type": "view_submission",
        "team": team_ref(ws),
        "user": user_ref(ws, user_id),
        "api_app_id": ws.bot.app_id,
        "token": defaults.VERIFICATION_TOKEN,
        "trigger_id": ws.issue_trigger(user_id, view_id=view_id),
        "view": ws.views.payload(view),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed_payload(ws: Workspace, user_id: str, view_id: str, is_cleared: bool) -> JsonDict:
    return {
        "type": "view_closed",
        "team": team_ref(ws),
        "user": user_ref(ws, user_id),
        "api_app_id": ws.bot.app_id,
        "token": defaults.VERIFICATION_TOKEN,
        "view": ws.views.payload(ws.views.get(view_id)),
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def event_envelope(ws: Workspace, event: JsonDict) -> JsonDict:
    event = dict(event)
    event.setdefault("event_ts", ws.next_ts())
    return {
        "token": defaults.VERIFICATION_TOKEN,
        "team_id": ws.team.id,
        "api_app_id": ws.bot.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": ws.new_id("Ev"),
        "event_time": int(ws.wall_clock()),
        "authorizations": [{
            "enterprise_id": None,
            "team_id": ws.team.id,
            "user_id": ws.bot.user_id,
            "is_bot": True,
            "is_enterprise_install": False,
        }],
        "is_ext_shared_channel": False,
    }


class FileShape:
    """How a message event carries a shared file."""

    HOSTED = "hosted"  # the whole file object
    # Slack Connect: a stub without a name or URLs; the app must ask files.info.
    CHECK_FILE_INFO = "check_file_info"
    HIDDEN_BY_LIMIT = "hidden_by_limit"  # older than the workspace's plan shows
    TOMBSTONE = "tombstone"  # deleted


def file_as_shared(workspace, file: JsonDict, shape: str) -> JsonDict:
    """The file of a message event in the given shape (a tombstone is deleted from the workspace)."""
    if shape == FileShape.HOSTED:
        return file
    if shape == FileShape.CHECK_FILE_INFO:
        return {"id": file["id"], "mode": "file_access", "file_access": "check_file_info",
                "created": 0, "timestamp": 0, "user": ""}
    if shape == FileShape.TOMBSTONE:
        workspace.files.delete(file["id"])
    return {"id": file["id"], "mode": shape}
