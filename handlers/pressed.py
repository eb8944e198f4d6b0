"""Where a person pressed a button or chose from a menu, read from a block_actions payload: on a
message (its conversation, and its thread when the message is in one), in a modal, or on the App
Home tab. The one home of that reading, so that every answer goes where the person is looking."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pressed:
    channel: str | None  # the conversation of the message pressed on; None in a view
    message_ts: str | None
    # The thread the message is in: its answer goes there, not to the channel pane. None for a
    # message in the channel itself (a thread's parent pressed in the channel included).
    thread_ts: str | None
    view_type: str | None  # "modal" or "home" when pressed in a view

    @property
    def in_modal(self) -> bool:
        return self.view_type == "modal"

    @property
    def on_home(self) -> bool:
        return self.view_type == "home"

    @property
    def message(self) -> tuple[str, str] | None:
        """(channel, ts) of the message pressed on; None in a view."""
        return (self.channel, self.message_ts) if self.channel and self.message_ts else None


def _thread_of(container: dict, message: dict) -> str | None:
    """Slack names the thread in `container.thread_ts` for a press inside one (an ephemeral
    message in a thread included); a reply's own `thread_ts` says the same. A thread's parent
    carries its own ts as `thread_ts`: pressed there without a container thread, it was pressed
    in the channel."""
    if container.get("thread_ts"):
        return container["thread_ts"]
    thread_ts = message.get("thread_ts")
    return thread_ts if thread_ts and thread_ts != message.get("ts") else None


def where_pressed(body: dict) -> Pressed:
    container = body.get("container") or {}
    view = body.get("view") or {}
    if view and container.get("type") != "message":
        return Pressed(channel=None, message_ts=None, thread_ts=None, view_type=view.get("type"))
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    return Pressed(channel=channel, message_ts=container.get("message_ts") or message.get("ts"),
                   thread_ts=_thread_of(container, message), view_type=None)
