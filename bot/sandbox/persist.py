"""The sandbox keeps its workspace between runs, beside its database: the bot's tasks point at
their threads by channel and ts, so the messages must outlive a restart as they do in Slack.

Kept: channels and DMs, messages and files, and each person's Slack language. Not kept, as in
Slack: ephemeral messages and open modals (a Home tab is published again when it is opened).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
from pathlib import Path

from bot.sandbox.emulator.files import StoredFile
from bot.sandbox.emulator.model import Channel, Message
from bot.sandbox.emulator.state import Workspace

log = logging.getLogger(__name__)

FORMAT = 1


def save_workspace(workspace: Workspace, path: Path) -> None:
    with workspace.lock:
        channels = [{**dataclasses.asdict(c), "members": sorted(c.members)} for c in workspace.channels()]
        messages = [dataclasses.asdict(m) for c in workspace.channels()
                    for m in workspace.messages(c.id, include_replies=True)]
        files = [{**dataclasses.asdict(f), "content": base64.b64encode(f.content).decode()}
                 for f in workspace.files.all()]
        locales = {user.id: user.locale for user in workspace.users() if not user.is_bot}
    document = {"format": FORMAT, "channels": channels, "messages": messages, "files": files, "locales": locales}
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(document), encoding="utf-8")
    os.replace(partial, path)  # a crash mid-write leaves the previous copy whole


def load_workspace(workspace: Workspace, path: Path) -> int:
    """Puts a saved workspace back; returns how many messages. A missing or unreadable file
    leaves the workspace as it is (a new sandbox)."""
    if not path.exists():
        return 0
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}")
        channels = [Channel(**{**c, "members": set(c["members"])}) for c in document["channels"]]
        messages = [Message(**m) for m in document["messages"]]
        files = [StoredFile(**{**f, "content": base64.b64decode(f["content"])}) for f in document["files"]]
        locales = dict(document.get("locales") or {})  # none in a workspace saved before languages
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("sandbox: the saved workspace in %s could not be read (%s); starting afresh", path, error)
        return 0
    for channel in channels:
        if workspace.channel(channel.id) is None:
            workspace.add_channel(channel)
    for stored in files:
        added = workspace.files.add(stored.user, stored.name, stored.content, title=stored.title,
                                    mimetype=stored.mimetype, file_id=stored.id)
        added.created, added.alt_txt = stored.created, stored.alt_txt
        for channel_id in stored.channels:
            workspace.files.share(stored.id, channel_id)
    workspace.restore_messages(messages, ids_used=max((_number(f.id) for f in files), default=0))
    for user_id, locale in locales.items():
        if (user := workspace.user(user_id)) is not None:
            user.locale = locale
    return len(messages)


def _number(emulator_id: str) -> int:
    digits = emulator_id[-10:]
    return int(digits) if digits.isdigit() else 0
