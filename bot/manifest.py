"""The Slack app manifest, with this deployment's request URL filled in."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.web import SLACK_EVENTS_PATH

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "manifest.yml"


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def bot_events() -> list[str]:
    """The events the app subscribes to: Slack sends it no others."""
    return list(load_manifest()["settings"]["event_subscriptions"]["bot_events"])


def events_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"{base_url!r} is not an https:// URL; Slack only calls https")
    return base_url.rstrip("/") + SLACK_EVENTS_PATH


def render_manifest(base_url: str, *, socket_mode: bool = False) -> str:
    manifest = load_manifest()
    url = events_url(base_url)
    for command in manifest["features"].get("slash_commands", []):
        command["url"] = url
    manifest["settings"]["event_subscriptions"]["request_url"] = url
    manifest["settings"]["interactivity"]["request_url"] = url
    manifest["settings"]["socket_mode_enabled"] = socket_mode
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)
