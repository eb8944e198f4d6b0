"""The emulated workspace: everything Slack would remember, in memory, behind one lock.

The emulator's ASGI app, the driver and test code run in different threads, so every
read or write goes through `Workspace.lock` (re-entrant, so a method handler can hold
it across a check and the change it guards).
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.sandbox.emulator import defaults
from bot.sandbox.emulator.faults import Faults
from bot.sandbox.emulator.clock import Clock
from bot.sandbox.emulator.errors import SlackFailure
from bot.sandbox.emulator.files import FileStore
from bot.sandbox.emulator.model import (
    BotIdentity,
    Channel,
    EphemeralMessage,
    JsonDict,
    Message,
    RecordedCall,
    ResponseUrl,
    ResponseUrlPost,
    Submission,
    Team,
    Trigger,
    User,
    Usergroup,
)
from bot.sandbox.emulator.interactions import InteractionState
from bot.sandbox.emulator.socket_mode import SocketModeHub
from bot.sandbox.emulator.views import ViewStore

log = logging.getLogger(__name__)

# What changed, for listeners: "channels", "messages", "ephemerals" or "views".
ChangeListener = Callable[[str], None]


# A message event's channel_type -> the subscription that brings it (message.channels, …).
CHANNEL_TYPE_EVENTS = {"channel": "channels", "group": "groups", "im": "im", "mpim": "mpim"}


class Workspace(InteractionState):
    def __init__(
        self,
        *,
        bot_token: str = defaults.DEFAULT_BOT_TOKEN,
        app_token: str = defaults.DEFAULT_APP_TOKEN,
        bot_events: Iterable[str] | None = None,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        base_url: str = "",
        seed: bool = True,
    ):
        self.lock = threading.RLock()
        self.faults = Faults()  # failures a test asks for (bot/sandbox/emulator/faults.py)
        self.team = Team(defaults.TEAM_ID, defaults.TEAM_DOMAIN, defaults.TEAM_NAME)
        self.bot = BotIdentity(
            defaults.BOT_USER_ID, defaults.BOT_ID, defaults.APP_ID, bot_token, defaults.BOT_NAME
        )
        # `clock` times trigger ids and response urls; `wall_clock` stamps messages and files.
        self.clock = clock
        self.wall_clock = wall_clock
        # Where the emulator is served; set by `start_emulator` (or the first request).
        self.base_url = base_url.rstrip("/")
        self._users: dict[str, User] = {}
        self._usergroups: dict[str, Usergroup] = {}
        self._channels: dict[str, Channel] = {}
        self._messages: dict[str, list[Message]] = {}
        self._ephemerals: list[EphemeralMessage] = []
        self._person_in_thread: dict[tuple[str, str], str | None] = {}  # (user, channel) -> thread
        self._triggers: dict[str, Trigger] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._calls: list[RecordedCall] = []
        self.response_url_posts: list[ResponseUrlPost] = []
        self.submissions: list[Submission] = []
        self._sequence = itertools.count(1)
        self._last_ts_micros = 0
        self._listeners: list[ChangeListener] = []
        self.app_token = app_token
        # The app's event subscriptions (as a manifest names them: message.channels, file_shared…):
        # Slack sends nothing else. None: every event, for an app without a manifest.
        self.bot_events = frozenset(bot_events) if bot_events is not None else None
        self.socket_mode = SocketModeHub()
        self.views = ViewStore(self)
        self.files = FileStore(self)
        self.add_user(User(self.bot.user_id, self.bot.name, self.bot.name, is_bot=True))
        if seed:
            self._seed()

    def subscribed(self, event: JsonDict) -> bool:
        """Whether the app subscribed to this event (a message by its channel's type)."""
        if self.bot_events is None:
            return True
        name = event.get("type", "")
        if name == "message":
            name = f"message.{CHANNEL_TYPE_EVENTS.get(event.get('channel_type', ''), '')}"
        return name in self.bot_events

    def _seed(self) -> None:
        for user_id, name, real_name in defaults.SEED_USERS:
            self.add_user(User(user_id, name, real_name))
        for group_id, handle, name, member_ids in defaults.SEED_USERGROUPS:
            self.add_usergroup(Usergroup(group_id, handle, name, list(member_ids)))
        everyone = {user_id for user_id, _, _ in defaults.SEED_USERS} | {self.bot.user_id}
        for channel_id, name in defaults.SEED_CHANNELS:
            self.add_channel(Channel(channel_id, name, set(everyone)))

    # ------------------------------------------------------------------ change listeners

    def add_listener(self, listener: ChangeListener) -> Callable[[], None]:
        """Call `listener(what)` after every change people would see (the sandbox page's
        live updates). It runs in the changing thread, under the lock: keep it quick.
        Returns a function that removes it."""
        with self.lock:
            self._listeners.append(listener)
        return lambda: self._remove_listener(listener)

    def _remove_listener(self, listener: ChangeListener) -> None:
        with self.lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def changed(self, what: str) -> None:
        with self.lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(what)
            except Exception:  # a broken listener must not break Slack's answers
                log.exception("workspace listener failed")

    # ------------------------------------------------------------------ ids and time

    def new_id(self, prefix: str) -> str:
        """A Slack-looking id (prefix + 10 digits), unique in this workspace."""
        with self.lock:
            return f"{prefix}{next(self._sequence):010d}"

    def next_ts(self) -> str:
        """Unique, increasing message timestamps, as Slack uses them as message ids."""
        with self.lock:
            now_micros = int(max(self.wall_clock(), defaults.TS_EPOCH_FLOOR) * 1_000_000)
            self._last_ts_micros = max(now_micros, self._last_ts_micros + 1)
            seconds, micros = divmod(self._last_ts_micros, 1_000_000)
            return f"{seconds}.{micros:06d}"

    def emulator_url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    # ------------------------------------------------------------------ people

    def add_user(self, user: User) -> User:
        with self.lock:
            self._users[user.id] = user
            return user

    def user(self, user_id: str) -> User | None:
        with self.lock:
            return self._users.get(user_id)

    def users(self) -> list[User]:
        with self.lock:
            return list(self._users.values())

    def add_usergroup(self, group: Usergroup) -> Usergroup:
        with self.lock:
            self._usergroups[group.id] = group
            return group

    def usergroup(self, group_id: str) -> Usergroup | None:
        with self.lock:
            return self._usergroups.get(group_id)

    # ------------------------------------------------------------------ channels

    def add_channel(self, channel: Channel) -> Channel:
        with self.lock:
            self._channels[channel.id] = channel
            self._messages.setdefault(channel.id, [])
        self.changed("channels")
        return channel

    def channel(self, channel_id: str) -> Channel | None:
        with self.lock:
            return self._channels.get(channel_id)

    def channels(self) -> list[Channel]:
        with self.lock:
            return list(self._channels.values())

    def open_dm(self, user_id: str) -> Channel:
        """The bot's direct message with a user, created the first time it is needed."""
        with self.lock:
            if user_id not in self._users:
                raise SlackFailure("user_not_found")
            channel_id = "D" + user_id[1:]
            existing = self._channels.get(channel_id)
            if existing is not None:
                return existing
            members = {user_id, self.bot.user_id}
            return self.add_channel(Channel(channel_id, user_id, members, is_private=True, im_user=user_id))

    def open_group_dm(self, user_ids: Iterable[str]) -> Channel:
        """A group direct message of these people and the bot (Slack's mpdm-… conversation)."""
        with self.lock:
            members = set(user_ids) | {self.bot.user_id}
            name = "mpdm-" + "--".join(sorted(self._users[u].name for u in members if u != self.bot.user_id)) + "-1"
            return self.add_channel(Channel(self.new_id("G"), name, members, is_private=True, is_mpim=True))

    # ------------------------------------------------------------------ messages

    def post_message(
        self,
        channel_id: str,
        user_id: str,
        text: str = "",
        blocks: list[JsonDict] | None = None,
        *,
        thread_ts: str | None = None,
        attachments: list[JsonDict] | None = None,
        file_ids: Iterable[str] = (),
        subtype: str | None = None,
    ) -> Message:
        with self.lock:
            from_bot = user_id == self.bot.user_id
            message = Message(
                channel=channel_id,
                ts=self.next_ts(),
                user=user_id,
                text=text or "",
                blocks=list(blocks or []),
                attachments=list(attachments or []),
                thread_ts=self._thread_root(channel_id, thread_ts),
                file_ids=list(file_ids),
                bot_id=self.bot.bot_id if from_bot else None,
                app_id=self.bot.app_id if from_bot else None,
                subtype=subtype,
            )
            self._messages.setdefault(channel_id, []).append(message)
            self.changed("messages")
            return message

    def _thread_root(self, channel_id: str, thread_ts: str | None) -> str | None:
        # A reply to a reply lands in the parent's thread; a reply to an unknown
        # message becomes an ordinary channel message, as it shows in Slack.
        if not thread_ts:
            return None
        parent = self.message(channel_id, thread_ts)
        if parent is None:
            return None
        return parent.thread_ts or parent.ts

    def restore_messages(self, messages: Iterable[Message], *, ids_used: int = 0) -> None:
        """Messages kept from an earlier run (the sandbox keeps its workspace), with their own
        ts; later timestamps follow them, and later ids follow `ids_used` (the highest number
        `new_id` had given, e.g. to the restored files)."""
        with self.lock:
            for message in sorted(messages, key=lambda m: float(m.ts)):
                self._messages.setdefault(message.channel, []).append(message)
                seconds, _, micros = message.ts.partition(".")
                self._last_ts_micros = max(self._last_ts_micros, int(seconds) * 1_000_000 + int(micros or 0))
            self._sequence = itertools.count(max(next(self._sequence), ids_used + 1))
        self.changed("messages")

    def message(self, channel_id: str, ts: str) -> Message | None:
        with self.lock:
            for message in self._messages.get(channel_id, []):
                if message.ts == ts:
                    return message
            return None

    def messages(self, channel_id: str, *, include_replies: bool = False) -> list[Message]:
        """A channel's history in posting order, as Slack's conversations.history gives it: thread
        replies only when asked, except those also sent to the channel (thread_broadcast)."""
        with self.lock:
            history = self._messages.get(channel_id, [])
            return [m for m in history if include_replies or m.in_channel]

    def replies(self, channel_id: str, thread_ts: str) -> list[Message]:
        with self.lock:
            return [m for m in self._messages.get(channel_id, []) if m.is_reply and m.thread_ts == thread_ts]

    def update_message(
        self,
        channel_id: str,
        ts: str,
        *,
        text: str | None = None,
        blocks: list[JsonDict] | None = None,
        attachments: list[JsonDict] | None = None,
    ) -> Message:
        """Replace what is given and keep the rest, as chat.update does."""
        with self.lock:
            message = self.message(channel_id, ts)
            if message is None:
                raise SlackFailure("message_not_found")
            if text is not None:
                message.text = text
            if blocks is not None:
                message.blocks = list(blocks)
            if attachments is not None:
                message.attachments = list(attachments)
            message.edited_ts = self.next_ts()
            self.changed("messages")
            return message

    def delete_message(self, channel_id: str, ts: str) -> None:
        with self.lock:
            history = self._messages.get(channel_id, [])
            self._messages[channel_id] = [m for m in history if m.ts != ts]
            self.changed("messages")

    def message_payload(self, message: Message) -> JsonDict:
        """The message as the Web API and event payloads show it."""
        with self.lock:
            body: JsonDict = {
                "type": "message",
                "user": message.user,
                "text": message.text,
                "ts": message.ts,
                "team": self.team.id,
            }
            if message.subtype:
                body["subtype"] = message.subtype
            if message.bot_id:
                body["bot_id"] = message.bot_id
                body["app_id"] = message.app_id
                body["bot_profile"] = {"id": message.bot_id, "app_id": message.app_id, "name": self.bot.name}
            if message.blocks:
                body["blocks"] = message.blocks
            if message.attachments:
                body["attachments"] = message.attachments
            if message.file_ids:
                body["files"] = [self.files.payload(file_id) for file_id in message.file_ids]
                body["upload"] = False
            if message.edited_ts:
                body["edited"] = {"user": message.user, "ts": message.edited_ts}
            if message.thread_ts:
                body["thread_ts"] = message.thread_ts
            if message.is_reply:
                parent = self.message(message.channel, message.thread_ts or "")
                body["parent_user_id"] = parent.user if parent else None
                if message.subtype == "thread_broadcast" and parent:  # Slack shows the thread it came from
                    body["root"] = self.message_payload(parent)  # a thread's root is never a reply
            else:
                replies = self.replies(message.channel, message.ts)
                if replies:  # a thread's parent: Slack gives it its own ts as thread_ts
                    body["thread_ts"] = message.ts
                    body["reply_count"] = len(replies)
                    body["reply_users"] = sorted({r.user for r in replies})
                    body["latest_reply"] = replies[-1].ts
            return body

    def permalink(self, channel_id: str, message: Message) -> str:
        link = self.emulator_url(f"/archives/{channel_id}/p{message.ts.replace('.', '')}")
        if message.is_reply:
            link += f"?thread_ts={message.thread_ts}&cid={channel_id}"
        return link

    # ------------------------------------------------------------------ recorded calls

    def record_call(self, call: RecordedCall) -> None:
        with self.lock:
            self._calls.append(call)

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        with self.lock:
            return [c for c in self._calls if method is None or c.method == method]

    def export_jsonl(self, path: str | Path, *, include_failed: bool = True) -> int:
        """Write the calls as check_slack_calls.py reads them; returns how many."""
        calls = [c for c in self.calls() if include_failed or c.ok]
        lines = [json.dumps({"method": c.method, "args": c.args}, ensure_ascii=False) for c in calls]
        Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return len(lines)
