"""Plays Slack's part towards the app: signed requests to its /slack/events over HTTP, or the
same requests as envelopes over the app's Socket Mode connection (`socket_mode=True`).

Every method returns the app's httpx response and applies the app's answer to the
workspace as Slack would (a command's ack shows as a message, a submission's
response_action changes the modal). Async, so the sandbox page can call it from its
own event loop while the emulator keeps answering the app's Web API calls.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.emulator import payloads
from bot.sandbox.emulator.model import JsonDict, Message
from bot.sandbox.emulator.payloads import DriverError, FileShape
from bot.sandbox.emulator.replies import apply_command_ack, apply_submission_answer
from bot.sandbox.emulator.state import Workspace
from bot.sandbox.emulator.views import View

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass
class SharedFile:
    """A person's file upload: the file, its message and the app's answers to both events."""

    file_id: str
    message_ts: str
    responses: list[httpx.Response] = field(default_factory=list)


class SlackDriver:
    def __init__(
        self,
        workspace: Workspace,
        events_url: str = "",
        signing_secret: str = "",
        *,
        socket_mode: bool = False,
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        wall_clock: Callable[[], float] = time.time,
    ):
        self.workspace = workspace
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.socket_mode = socket_mode
        self._http_client = http_client
        self._timeout = timeout
        # Real time by default: the app checks request timestamps against its own clock.
        self._wall_clock = wall_clock

    # ------------------------------------------------------------------ signing and sending

    def signed_headers(
        self, body: str, timestamp: int | None = None, secret: str | None = None, content_type: str = FORM
    ) -> dict[str, str]:
        """Slack's signature headers; pass another timestamp or secret to forge them."""
        timestamp = int(self._wall_clock()) if timestamp is None else timestamp
        verifier = SignatureVerifier(secret if secret is not None else self.signing_secret)
        return {
            "content-type": content_type,
            "user-agent": SLACK_USER_AGENT,
            "x-slack-request-timestamp": str(timestamp),
            "x-slack-signature": verifier.generate_signature(timestamp=str(timestamp), body=body),
        }

    async def post_raw(self, body: str | bytes, headers: dict[str, str]) -> httpx.Response:
        if self._http_client is not None:
            return await self._http_client.post(self.events_url, content=body, headers=headers)
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            return await client.post(self.events_url, content=body, headers=headers)

    async def _send(self, body: str, content_type: str) -> httpx.Response:
        if self.socket_mode:
            return await self._deliver_envelope(body, content_type)
        return await self.post_raw(body, self.signed_headers(body, content_type=content_type))

    async def _deliver_envelope(self, body: str, content_type: str) -> httpx.Response:
        """The app's Socket Mode ack, as the HTTP response it stands for: its payload is the body
        an HTTP ack would have carried."""
        started = time.monotonic()
        ack = await self.workspace.socket_mode.deliver(body, content_type, self._timeout)
        payload = ack.get("payload")
        response = (httpx.Response(200, json=payload) if payload is not None else httpx.Response(200))
        response.elapsed = timedelta(seconds=time.monotonic() - started)
        return response

    async def send_interaction(self, payload: JsonDict) -> httpx.Response:
        """A payload made beforehand, e.g. to deliver two that were made at the same moment."""
        container = payload.get("container") or {}
        if payload.get("type") == "block_actions" and container.get("type") == "message":
            self.workspace.note_where(payload["user"]["id"], container["channel_id"], container.get("thread_ts"))
        # Interactivity payloads travel as payload=<URL-encoded JSON>, like Slack sends them.
        return await self._send("payload=" + quote(json.dumps(payload)), FORM)

    # ------------------------------------------------------------------ commands and interactions

    async def slash_command(
        self, user_id: str, channel_id: str, text: str = "", command: str = "/sms"
    ) -> httpx.Response:
        form = payloads.slash_command_form(self.workspace, user_id, channel_id, text, command)
        self.workspace.note_where(user_id, channel_id, None)  # a command names no thread: the channel
        response = await self._send(urlencode(form), FORM)
        apply_command_ack(
            self.workspace, channel_id, user_id, command,
            response.status_code, response.text, response.elapsed.total_seconds(),
        )
        return response

    async def block_actions(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str | None = None,
        message: tuple[str, str] | None = None,
        view_id: str | None = None,
        selected_option: JsonDict | None = None,
    ) -> httpx.Response:
        """Press a button (or pick an option) in a message=(channel, ts) or an open view."""
        payload = payloads.block_actions_payload(
            self.workspace, user_id, action_id, value=value, block_id=block_id,
            message=message, view_id=view_id, selected_option=selected_option,
        )
        return await self.send_interaction(payload)

    async def view_submission(
        self, user_id: str, view_id: str, values: dict[str, dict[str, Any]] | None = None
    ) -> httpx.Response:
        """Submit a modal; values as Slack's state.values ({block_id: {action_id: {...}}}).

        The `type` of each value may be left out; inputs not given are sent empty. The
        app's response_action is applied to the workspace; see `workspace.submissions`.
        """
        view = self._open_view(user_id, view_id)
        self.workspace.views.set_state(view_id, payloads.submitted_state(view.blocks, values or {}))
        payload = payloads.view_submission_payload(self.workspace, user_id, view_id)
        response = await self.send_interaction(payload)
        apply_submission_answer(
            self.workspace, view_id, response.status_code, response.text, response.elapsed.total_seconds()
        )
        return response

    async def crafted_view_submission(self, user_id: str, view_id: str, values: dict[str, dict[str, Any]]) -> httpx.Response:
        """A submission whose state.values are sent exactly as given, inputs the modal never
        showed included, from any user about any view: what a crafted request can carry."""
        self.workspace.views.set_state(view_id, values)
        response = await self.send_interaction(payloads.view_submission_payload(self.workspace, user_id, view_id))
        apply_submission_answer(
            self.workspace, view_id, response.status_code, response.text, response.elapsed.total_seconds()
        )
        return response

    async def view_closed(self, user_id: str, view_id: str) -> httpx.Response | None:
        """The person closes the modal; Slack tells the app only if it asked (notify_on_close)."""
        view = self._open_view(user_id, view_id)
        is_cleared = view.clear_on_close
        if is_cleared:
            self.workspace.views.clear(view_id)
        else:
            self.workspace.views.close(view_id)
        if not view.notify_on_close:
            return None
        payload = payloads.view_closed_payload(self.workspace, user_id, view_id, is_cleared)
        return await self.send_interaction(payload)

    def _open_view(self, user_id: str, view_id: str) -> View:
        view = self.workspace.views.get(view_id)
        if view is None or view.closed or view.user_id != user_id:
            raise DriverError(f"view {view_id} is not open for {user_id}")
        return view

    # ------------------------------------------------------------------ events

    async def event(self, event: JsonDict, *, retries: int = 0) -> httpx.Response:
        """`retries`: deliver the same envelope (same event_id) again that many times, as Slack does
        when the app's answer was slow or lost, with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`."""
        if not self.workspace.subscribed(event):
            raise DriverError(f"the app is not subscribed to {event.get('type')} events: Slack would not send it")
        if event.get("type") == "message" and event.get("user") and event.get("channel"):
            self.workspace.note_where(event["user"], event["channel"], event.get("thread_ts"))
        body = json.dumps(payloads.event_envelope(self.workspace, event))
        response = await self._send(body, JSON)
        for attempt in range(1, retries + 1):
            headers = {**self.signed_headers(body, content_type=JSON), "x-slack-retry-num": str(attempt),
                       "x-slack-retry-reason": "http_timeout"}
            response = await self.post_raw(body, headers)
        return response

    async def app_home_opened(self, user_id: str) -> httpx.Response:
        dm = self.workspace.open_dm(user_id)
        event: JsonDict = {"type": "app_home_opened", "user": user_id, "channel": dm.id, "tab": "home"}
        home = self.workspace.views.home(user_id)
        if home is not None:
            event["view"] = self.workspace.views.payload(home)
        return await self.event(event)

    async def file_shared(self, user_id: str, channel_id: str, file_id: str) -> httpx.Response:
        event = {
            "type": "file_shared",
            "channel_id": channel_id,
            "file_id": file_id,
            "user_id": user_id,
            "file": {"id": file_id},
        }
        return await self.event(event)

    async def message(
        self,
        user_id: str,
        channel_id: str,
        text: str = "",
        files: list[str] | None = None,
        thread_ts: str | None = None,
    ) -> httpx.Response:
        """A person posts in a channel (optionally with already stored files); the app hears it."""
        _, event = self._store_user_message(user_id, channel_id, text, files or [], thread_ts)
        return await self.event(event)

    async def share_file(
        self, user_id: str, channel_id: str, filename: str, content: bytes, *, text: str = "", title: str | None = None,
        thread_ts: str | None = None, broadcast: bool = False, shape: str = FileShape.HOSTED, retries: int = 0,
    ) -> SharedFile:
        """A person drops a file into a channel (or a thread, `broadcast` = "also send to the
        channel"): Slack sends a message event and, to an app subscribed to it, file_shared.
        `shape`: how the event carries the file (FileShape); `retries`: Slack delivers the
        message event again that many times (see `event`)."""
        payloads.member_channel(self.workspace, user_id, channel_id)
        stored = self.workspace.files.add(user_id, filename, content, title=title)
        subtype = "thread_broadcast" if broadcast else "file_share"
        message, event = self._store_user_message(user_id, channel_id, text, [stored.id], thread_ts, subtype)
        event["files"] = [payloads.file_as_shared(self.workspace, f, shape) for f in event["files"]]
        responses = [await self.event(event, retries=retries)]
        if self.workspace.subscribed({"type": "file_shared"}):
            responses.append(await self.file_shared(user_id, channel_id, stored.id))
        return SharedFile(stored.id, message.ts, responses)

    def _store_user_message(
        self, user_id: str, channel_id: str, text: str, file_ids: list[str], thread_ts: str | None,
        subtype: str = "file_share",
    ) -> tuple[Message, JsonDict]:
        ws = self.workspace
        with ws.lock:
            channel = payloads.member_channel(ws, user_id, channel_id)
            for file_id in file_ids:
                if ws.files.get(file_id) is None:
                    raise DriverError(f"no file {file_id} in the workspace")
                ws.files.share(file_id, channel.id)
            stored = ws.post_message(
                channel.id, user_id, text, thread_ts=thread_ts,
                file_ids=file_ids, subtype=subtype if file_ids else None,
            )
            event = ws.message_payload(stored)
        event.update({
            "channel": channel.id,
            "event_ts": stored.ts,
            "channel_type": channel.channel_type,
        })
        if file_ids:
            event["upload"] = True
        return stored, event
