"""Slack's side of Socket Mode: `apps.connections.open` hands out a one-time WebSocket URL, the
app connects and gets `hello`, then every request Slack would have POSTed to the app arrives as
an envelope, which the app acknowledges with its `envelope_id` (and, for commands and
interactions, the payload an HTTP ack would have carried in its body).

The URL is `ws://` on the emulator's own address: real Slack's is `wss://wss-primary.slack.com/link/…`,
but the emulator serves plain HTTP on loopback.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from urllib.parse import parse_qsl

from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.sandbox.emulator.model import JsonDict
from bot.sandbox.emulator.payloads import DriverError

LINK_PATH = "/socket-mode/link/"
JSON = "application/json"


class SocketModeHub:
    """The app's live connections, and the acks the driver waits for. Served on the emulator's
    event loop; `deliver` may be awaited from any loop."""

    def __init__(self) -> None:
        self._tickets: set[str] = set()
        self._connections: list[WebSocket] = []
        self._acks: dict[str, asyncio.Future] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.envelopes: list[JsonDict] = []  # every envelope sent, for tests to read

    def issue_url(self, base_url: str, app_id: str) -> str:
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        return f"{base_url.replace('http', 'ws', 1)}{LINK_PATH}?ticket={ticket}&app_id={app_id}"

    @property
    def connected(self) -> bool:
        return bool(self._connections)

    async def serve(self, websocket: WebSocket) -> None:
        """One connection from the app, for as long as it stays open."""
        ticket = websocket.query_params.get("ticket", "")
        if ticket not in self._tickets:
            await websocket.close(code=1008)  # Slack refuses a reused or unknown ticket
            return
        self._tickets.discard(ticket)
        self._loop = asyncio.get_running_loop()
        await websocket.accept()
        await websocket.send_json({"type": "hello", "num_connections": len(self._connections) + 1,
                                   "debug_info": {"host": "emulator", "approximate_connection_time": 18060},
                                   "connection_info": {"app_id": websocket.query_params.get("app_id", "")}})
        self._connections.append(websocket)
        try:
            while True:
                self._take_ack(await websocket.receive_text())
        except WebSocketDisconnect:
            pass
        finally:
            self._connections.remove(websocket)

    def _take_ack(self, text: str) -> None:
        try:
            ack = json.loads(text)
        except json.JSONDecodeError:
            return
        waiting = self._acks.pop(ack.get("envelope_id", ""), None) if isinstance(ack, dict) else None
        if waiting is not None and not waiting.done():
            waiting.set_result(ack)

    async def deliver(self, body: str, content_type: str, timeout: float) -> JsonDict:
        """Send what Slack would have POSTed (`body`) as an envelope; returns the app's ack."""
        if self._loop is None or not self._connections:
            raise DriverError("the app is not connected over Socket Mode")
        future = asyncio.run_coroutine_threadsafe(self._send(envelope(body, content_type)), self._loop)
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout)

    async def _send(self, message: JsonDict) -> JsonDict:
        waiting = asyncio.get_running_loop().create_future()
        self._acks[message["envelope_id"]] = waiting
        self.envelopes.append(message)
        await self._connections[-1].send_json(message)
        try:
            return await waiting
        finally:
            self._acks.pop(message["envelope_id"], None)


def envelope(body: str, content_type: str) -> JsonDict:
    """The Socket Mode envelope of a request body Slack would have POSTed over HTTP."""
    if content_type == JSON:
        kind, payload, accepts = "events_api", json.loads(body), False
    else:
        form = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" in form:
            kind, payload, accepts = "interactive", json.loads(form["payload"]), True
        else:
            kind, payload, accepts = "slash_commands", form, True
    message: JsonDict = {"envelope_id": str(uuid.uuid4()), "type": kind, "payload": payload,
                         "accepts_response_payload": accepts}
    if kind == "events_api":
        message.update(retry_attempt=0, retry_reason="")
    return message
