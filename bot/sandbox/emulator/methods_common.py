"""What several Web API methods share: the call record they receive and Slack's lookups."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator.errors import SlackFailure, present
from bot.sandbox.emulator.limits import check_message_blocks
from bot.sandbox.emulator.model import Channel, JsonDict

if TYPE_CHECKING:
    from bot.sandbox.emulator.state import Workspace


@dataclass
class ApiCall:
    workspace: Workspace
    method: str
    args: JsonDict

    def get(self, name: str, default: Any = None) -> Any:
        value = self.args.get(name)
        return value if present(value) else default

    def flag(self, name: str) -> bool:
        """Form posts send booleans as "1"/"true"; JSON sends true."""
        return str(self.args.get(name, "")).lower() in ("1", "true")


MethodHandler = Callable[[ApiCall], JsonDict]

# Form-encoded calls carry these as JSON strings; they are decoded when recorded.
JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")


def decode_json_args(args: JsonDict) -> JsonDict:
    """Decode JSON-string arguments into data; a string that is not JSON stays a string."""
    decoded = dict(args)
    for name in JSON_ARGS:
        value = decoded.get(name)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                decoded[name] = json.loads(value)
            except json.JSONDecodeError:
                pass
    return decoded


def find_channel(workspace: Workspace, reference: Any) -> Channel | None:
    """A channel by id or by name ("#general" or "general"); None when unknown."""
    if not isinstance(reference, str) or not reference:
        return None
    channel = workspace.channel(reference)
    if channel is not None:
        return channel
    name = reference.removeprefix("#")
    return next((c for c in workspace.channels() if c.name == name and not c.is_im), None)


def postable_channel(workspace: Workspace, reference: Any) -> Channel:
    """Where the bot may post, with Slack's refusals.

    A user id means the bot's DM with that person; a private channel the bot is not
    in does not exist as far as the bot can tell; an archived one answers is_archived;
    a public one the bot is not in answers not_in_channel (the app has chat:write, not
    chat:write.public).
    """
    with workspace.lock:
        if isinstance(reference, str) and reference[:1] in ("U", "W") and workspace.user(reference):
            return workspace.open_dm(reference)
        channel = find_channel(workspace, reference)
        member = channel is not None and workspace.bot.user_id in channel.members
        if channel is None or (channel.is_private and not member):
            raise SlackFailure("channel_not_found")
        if channel.is_archived:
            raise SlackFailure("is_archived")
        if not member:
            raise SlackFailure("not_in_channel")
        return channel


def message_content(call: ApiCall) -> tuple[str | None, list[JsonDict] | None, list[JsonDict] | None]:
    """(text, blocks, attachments) of a chat.* call after Slack's content checks."""
    text = call.args.get("text")
    if text is None and call.args.get("markdown_text") is not None:
        text = call.args["markdown_text"]
    if text is not None and not isinstance(text, str):
        text = str(text)
    blocks = call.args.get("blocks")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackFailure("invalid_blocks_format")
        problems = check_message_blocks(blocks) if blocks else []
        if problems:
            raise SlackFailure("invalid_blocks", problems)
    attachments = call.args.get("attachments")
    if attachments is not None and not isinstance(attachments, list):
        raise SlackFailure("invalid_attachments")
    if not present(text) and not present(blocks) and not present(attachments):
        raise SlackFailure("no_text")
    return text, blocks, attachments
