import ast
import re
from pathlib import Path

import pytest

from bot.manifest import load_manifest, render_manifest
from handlers.ids import SLASH_COMMAND, EventType
import yaml


def test_manifest_names_what_the_code_listens_to():
    manifest = load_manifest()
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == {SLASH_COMMAND}
    subscribed = {event.split(".")[0] for event in manifest["settings"]["event_subscriptions"]["bot_events"]}
    assert subscribed == {e.value for e in EventType}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "files:read", "files:write", "users:read", "usergroups:read", "im:write"} <= scopes


def test_render_fills_every_request_url():
    rendered = yaml.safe_load(render_manifest("https://sms.example.org/"))
    url = "https://sms.example.org/slack/events"
    assert rendered["settings"]["event_subscriptions"]["request_url"] == url
    assert rendered["settings"]["interactivity"]["request_url"] == url
    assert all(c["url"] == url for c in rendered["features"]["slash_commands"])


def test_render_refuses_a_plain_http_url():
    with pytest.raises(ValueError, match="https"):
        render_manifest("http://sms.example.org")


# Slack's scopes for each Web API method the product calls (docs.slack.dev/reference/methods)
# and for each event it subscribes to (docs.slack.dev/reference/events). A tuple: each scope
# covers one kind of conversation the method is used on (conversations.info: the approvals
# channel, public or private).
METHOD_SCOPES = {
    "chat_postMessage": "chat:write", "chat_postEphemeral": "chat:write", "chat_update": "chat:write",
    "chat_getPermalink": None, "conversations_open": "im:write",
    "conversations_info": ("channels:read", "groups:read"), "auth_test": None, "files_info": "files:read",
    "files_upload_v2": "files:write", "files_delete": "files:write", "files_getUploadURLExternal": "files:write",
    "files_completeUploadExternal": "files:write", "users_info": "users:read",
    "usergroups_users_list": "usergroups:read", "views_open": None, "views_push": None, "views_update": None,
    "views_publish": None,
    # the channels a person is in, public and private, and their group DMs (who may see a task)
    "users_conversations": ("channels:read", "groups:read", "mpim:read"),
}
EVENT_SCOPES = {"app_home_opened": None, "message.channels": "channels:history", "message.groups": "groups:history",
                "message.im": "im:history", "message.mpim": "mpim:history"}
PRODUCT = ("bot", "handlers", "domain", "storage")
SLACK_METHOD = re.compile(r"^(chat|conversations|files|users|usergroups|views|reactions|apps|auth|team)_[A-Za-z0-9_]+$")


def product_slack_calls() -> set[str]:
    """Every `client.<method>(…)` in the product's code (the sandbox's emulator aside)."""
    root = Path(__file__).resolve().parents[2]
    called = set()
    for package in PRODUCT:
        for path in (root / package).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and SLACK_METHOD.match(node.func.attr)):
                    called.add(node.func.attr)
    return called


def test_every_scope_is_needed_by_a_call_or_an_event_and_none_is_missing():
    manifest = load_manifest()
    calls = product_slack_calls()
    assert calls <= set(METHOD_SCOPES), f"scopes unknown for {calls - set(METHOD_SCOPES)}"
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    by_calls = {scope for c in calls for scope in
                (METHOD_SCOPES[c] if isinstance(METHOD_SCOPES[c], tuple) else (METHOD_SCOPES[c],))}
    needed = {"commands"} | by_calls | {EVENT_SCOPES[e] for e in events}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed - {None}
