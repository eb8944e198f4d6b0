"""The sandbox page's server: the static page, a small JSON API for the browser and a stream
of workspace changes (server-sent events).

    GET  /                              the page (also /archives/…, Slack's permalinks)
    GET  /sandbox/api/page              what one person sees (?user=&channel=&thread=)
    GET  /sandbox/api/texts             the page's own words in a language (?language=en|zh)
    GET  /sandbox/api/events            text/event-stream: "change" whenever the workspace changes
    POST /sandbox/api/command           {user, channel, text: "/sms send"}
    POST /sandbox/api/message           {user, channel, text, thread_ts?}
    POST /sandbox/api/share?user=&channel=&name=     body: the file, dropped into the channel
    POST /sandbox/api/file?user=&name=  body: the file, for a modal's file_input
    POST /sandbox/api/action            {user, action_id, block_id, channel+ts | view_id, value?,
                                         selected_option?, values?}
    POST /sandbox/api/suggest           {user, action_id, block_id, channel+ts | view_id, value}
    POST /sandbox/api/submit            {user, view_id, values}
    POST /sandbox/api/close             {user, view_id}
    POST /sandbox/api/home              {user}: the App Home tab was opened
    POST /sandbox/api/language          {user, language: en|zh, channel}: the person's Slack language
    GET  /sandbox/files/{id}/{name}     a file the person may see (?user=)
    GET  /sandbox/sample                the sample recipient file
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.sandbox.actions import Outcome, PageActions, PageError
from bot.sandbox.emulator.defaults import GENERAL_CHANNEL_ID
from bot.sandbox.emulator.payloads import DriverError
from bot.sandbox.page_state import can_see_file, page_language, snapshot
from bot.sandbox.page_texts import page_texts
from bot.sandbox.seed import SAMPLE_FILENAME, sample_recipients_csv
from domain.i18n import LANGUAGES, _, deployment_language, speaking

if TYPE_CHECKING:
    from bot.sandbox.run import Sandbox

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
KEEP_ALIVE_SECONDS = 15.0
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ChangeHub:
    """Fans workspace changes out to every open page; lives on the server's event loop."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue] = set()

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._queues.discard(queue)

    def publish(self, what: str) -> None:
        for queue in self._queues:
            queue.put_nowait(what)

    def close(self) -> None:
        """Ends every stream (at shut-down)."""
        for queue in self._queues:
            queue.put_nowait(None)


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def _actions(request: Request) -> PageActions:
    return request.app.state.actions


def known_user(request: Request, user_id: str | None) -> str:
    user = _sandbox(request).workspace.user(user_id or "")
    if user is None or user.is_bot:
        raise PageError(_("No person {user} in this workspace.", user=repr(user_id)))
    return user.id


def in_their_language(request: Request, user_id: str):
    """What the page says to the person (a refusal) is in their Slack language."""
    return speaking(page_language(_sandbox(request).workspace, user_id))


async def index(_request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def page(request: Request) -> Response:
    query = request.query_params
    return JSONResponse(snapshot(_sandbox(request).workspace, known_user(request, query.get("user")),
                                 query.get("channel") or None, query.get("thread") or None))


async def texts(request: Request) -> Response:
    language = request.query_params.get("language") or deployment_language()
    if language not in LANGUAGES:
        raise PageError(_("smsbot speaks {languages}.", languages=", ".join(LANGUAGES)))
    with speaking(language):
        return JSONResponse(page_texts())


async def events(request: Request) -> Response:
    hub = _sandbox(request).hub
    queue = hub.subscribe()

    async def stream():
        try:
            yield "retry: 1000\n\n"
            while True:
                try:
                    what = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                kinds = {what}
                while not queue.empty():  # one event for a burst of changes
                    kinds.add(queue.get_nowait())
                if None in kinds:
                    return
                yield f"event: change\ndata: {json.dumps(sorted(kinds))}\n\n"
        finally:
            hub.unsubscribe(queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def json_action(run: Callable[[PageActions, dict], Awaitable[Outcome]]):
    """An endpoint for a JSON body that names the person acting as `user`."""
    async def endpoint(request: Request) -> Response:
        body = await request.json()
        if not isinstance(body, dict):
            raise PageError(_("Send a JSON object."))
        body["user"] = known_user(request, body.get("user"))
        with in_their_language(request, body["user"]):
            outcome = await run(_actions(request), body)
        return JSONResponse({"ok": True, **outcome.to_json()})
    return endpoint


async def read_upload(request: Request) -> tuple[str, bytes]:
    name = (request.query_params.get("name") or "").strip().replace("/", "_")
    if not name:
        raise PageError(_("The file has no name."))
    content = await request.body()
    if len(content) > MAX_UPLOAD_BYTES:
        megabytes = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise PageError(_("The sandbox takes files up to {megabytes} MB.", megabytes=megabytes))
    return name, content


async def share(request: Request) -> Response:
    user_id = known_user(request, request.query_params.get("user"))
    with in_their_language(request, user_id):
        name, content = await read_upload(request)
        outcome = await _actions(request).share_file(user_id, request.query_params.get("channel", ""), name,
                                                     content, request.query_params.get("text", ""))
    return JSONResponse({"ok": True, **outcome.to_json()})


async def file_for_input(request: Request) -> Response:
    user_id = known_user(request, request.query_params.get("user"))
    with in_their_language(request, user_id):
        name, content = await read_upload(request)
        stored = _actions(request).upload_for_input(user_id, name, content)
    return JSONResponse({"ok": True, "file": stored})


async def suggest(request: Request) -> Response:
    body = await request.json()
    options = await _actions(request).suggest(known_user(request, body.get("user")), body)
    return JSONResponse({"ok": True, "options": options})


async def download(request: Request) -> Response:
    user_id = known_user(request, request.query_params.get("user"))
    workspace = _sandbox(request).workspace
    stored = workspace.files.get(request.path_params["file_id"])
    if stored is None or not can_see_file(workspace, stored, user_id):
        return JSONResponse({"ok": False, "error": "file_not_found"}, status_code=404)
    inline = stored.mimetype.startswith("image/")
    disposition = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(stored.name)}"
    return Response(stored.content, media_type=stored.mimetype, headers={"Content-Disposition": disposition})


async def sample(_request: Request) -> Response:
    return Response(sample_recipients_csv(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{SAMPLE_FILENAME}"'})


async def refused(_request: Request, error: Exception) -> Response:
    # A missing field or a driver's complaint is the page's mistake, not the person's: English.
    message = f"missing field {error}" if isinstance(error, KeyError) else str(error)
    return JSONResponse({"ok": False, "error": message}, status_code=400)


ROUTES = [
    Route("/", index),
    Route("/archives/{rest:path}", index),
    Route("/sandbox/api/page", page),
    Route("/sandbox/api/texts", texts),
    Route("/sandbox/api/events", events),
    Route("/sandbox/api/command", json_action(lambda a, b: a.command(b["user"], b["channel"], b["text"])),
          methods=["POST"]),
    Route("/sandbox/api/message", json_action(lambda a, b: a.message(
        b["user"], b["channel"], b.get("text", ""), b.get("thread_ts"))), methods=["POST"]),
    Route("/sandbox/api/share", share, methods=["POST"]),
    Route("/sandbox/api/file", file_for_input, methods=["POST"]),
    Route("/sandbox/api/action", json_action(lambda a, b: a.action(b["user"], b)), methods=["POST"]),
    Route("/sandbox/api/suggest", suggest, methods=["POST"]),
    Route("/sandbox/api/submit", json_action(lambda a, b: a.submit(b["user"], b["view_id"], b.get("values") or {})),
          methods=["POST"]),
    Route("/sandbox/api/close", json_action(lambda a, b: a.close(b["user"], b["view_id"])), methods=["POST"]),
    Route("/sandbox/api/home", json_action(lambda a, b: a.open_home(b["user"])), methods=["POST"]),
    Route("/sandbox/api/language", json_action(lambda a, b: a.choose_language(
        b["user"], b["language"], b.get("channel") or GENERAL_CHANNEL_ID)), methods=["POST"]),
    Route("/sandbox/files/{file_id}/{name:path}", download),
    Route("/sandbox/sample", sample),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]


def create_page_app(sandbox: Sandbox) -> Starlette:
    app = Starlette(routes=ROUTES, exception_handlers={PageError: refused, DriverError: refused,
                                                       KeyError: refused, json.JSONDecodeError: refused})
    app.state.sandbox = sandbox
    app.state.actions = PageActions(sandbox.driver)
    return app
