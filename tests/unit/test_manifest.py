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
