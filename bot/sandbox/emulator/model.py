"""The workspace's records: plain dataclasses, rendered to Slack's JSON shapes on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Team:
    id: str
    domain: str
    name: str


@dataclass(frozen=True)
class BotIdentity:
    user_id: str
    bot_id: str
    app_id: str
    token: str
    name: str


@dataclass
class User:
    id: str
    name: str
    real_name: str
    is_bot: bool = False
    tz: str = "UTC"  # each person's own Slack time zone, as users.info reports it
    locale: str = "en-US"  # their Slack language; users.info tells it only when asked (include_locale)

    def to_api(self, team_id: str) -> JsonDict:
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": False,
            "is_bot": self.is_bot,
            "is_admin": False,
            "is_app_user": False,
            "tz": self.tz,
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "team": team_id,
            },
        }


@dataclass
class Usergroup:
    id: str
    handle: str
    name: str
    user_ids: list[str] = field(default_factory=list)


@dataclass
class Channel:
    id: str
    name: str
    members: set[str] = field(default_factory=set)
    is_private: bool = False
    # A direct message between the bot and one person: that person's id.
    im_user: str | None = None
    is_mpim: bool = False  # a group direct message (several people and the bot)
    is_archived: bool = False  # read only: Slack refuses every post into it with is_archived

    @property
    def is_im(self) -> bool:
        return self.im_user is not None

    @property
    def channel_type(self) -> str:
        """As message events name it."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "group" if self.is_private else "channel"

    def to_api(self, bot_user_id: str, created: int) -> JsonDict:
        if self.is_im:
            return {
                "id": self.id,
                "created": created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "created": created,
            "is_channel": not self.is_private,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_member": bot_user_id in self.members,
            "num_members": len(self.members),
        }


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str = ""
    blocks: list[JsonDict] = field(default_factory=list)
    attachments: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None
    file_ids: list[str] = field(default_factory=list)
    # Set for messages the app posted; Slack adds bot_id/app_id to them.
    bot_id: str | None = None
    app_id: str | None = None
    subtype: str | None = None
    edited_ts: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def in_channel(self) -> bool:
        """Shown in the channel: not a reply, or a reply also sent to the channel."""
        return not self.is_reply or self.subtype == "thread_broadcast"


@dataclass
class EphemeralMessage:
    """Visible to one user only; Slack never lets the app read it back."""

    channel: str
    user: str
    ts: str
    text: str = ""
    blocks: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None
    # What produced it: "chat.postEphemeral", "command_ack" or "response_url".
    source: str = "chat.postEphemeral"
    # The thread its person was in, in this conversation, when it was posted (where they last
    # pressed, typed a command or wrote); None: the channel itself, or nothing yet.
    person_in_thread: str | None = None

    def to_api(self) -> JsonDict:
        body: JsonDict = {"type": "message", "user": self.user, "ts": self.ts, "text": self.text}
        if self.blocks:
            body["blocks"] = self.blocks
        return body


@dataclass
class Trigger:
    id: str
    user_id: str
    issued_at: float
    # The modal the interaction came from, so views.push knows which stack to grow.
    view_id: str | None = None
    exchanged: bool = False


@dataclass
class ResponseUrl:
    id: str
    channel_id: str
    user_id: str
    issued_at: float
    # The message whose button produced it; replace_original/delete_original act on it.
    message_ts: str | None = None
    uses: int = 0


@dataclass
class ResponseUrlPost:
    response_id: str
    body: JsonDict
    # "ephemeral", "in_channel", "replaced", "deleted" or the refusal code.
    effect: str


@dataclass
class RecordedCall:
    method: str
    args: JsonDict
    ok: bool
    error: str | None = None
    response: JsonDict = field(default_factory=dict)


@dataclass
class Submission:
    """What the app answered to the last view_submission of a view (Slack's response_action)."""

    view_id: str
    response_action: str | None
    errors: dict[str, str] = field(default_factory=dict)
    # Why Slack would have refused the answer (bad JSON, invalid view), as its messages.
    problems: list[str] = field(default_factory=list)
