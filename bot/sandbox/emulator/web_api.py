"""The emulator as an ASGI app: Slack's Web API plus the URLs Slack hands out.

- POST /api/<method>          the Web API (form, JSON or query-string arguments)
- POST /upload/v1/<id>        upload URLs from files.getUploadURLExternal
- GET  /files-pri/<team>-<file>/[download/]<name>   file contents, bot token only
- POST /response/<id>         slash command and message action response_urls
- GET  /_emulator/...         small inspection endpoints for tests and the sandbox page
"""

from __future__ import annotations

from urllib.parse import quote

import json
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from bot.sandbox.emulator import methods_chat, methods_directory, methods_files, methods_views
from bot.sandbox.emulator.errors import SlackFailure
from bot.sandbox.emulator.methods_common import ApiCall, MethodHandler, decode_json_args
from bot.sandbox.emulator.model import JsonDict, RecordedCall
from bot.sandbox.emulator.replies import apply_response_url_post
from bot.sandbox.emulator.socket_mode import LINK_PATH
from bot.sandbox.emulator.state import Workspace

METHODS: dict[str, MethodHandler] = {
    **methods_directory.METHODS,
    **methods_chat.METHODS,
    **methods_views.METHODS,
    **methods_files.METHODS,
}


def parse_multipart(raw: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """Fields of a multipart/form-data body: name -> (filename, bytes)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    fields: dict[str, tuple[str | None, bytes]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


async def read_arguments(request: Request) -> tuple[JsonDict, str | None]:
    """(arguments, token) from the query string and a form, multipart or JSON body."""
    args: JsonDict = dict(request.query_params)
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json":
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            raise SlackFailure("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackFailure("invalid_json")
        args.update(body)
    elif media_type == "multipart/form-data":
        for name, (_, value) in parse_multipart(raw, content_type).items():
            args[name] = value.decode("utf-8", errors="replace")
    elif raw:
        args.update(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    token = args.pop("token", None)
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        token = authorization[len("bearer "):].strip()
    return decode_json_args(args), token


def _remember_base_url(workspace: Workspace, request: Request) -> None:
    # Without start_emulator the workspace learns its own address from the first request.
    if not workspace.base_url:
        workspace.base_url = str(request.base_url).rstrip("/")


def _bot_authorized(workspace: Workspace, request: Request) -> bool:
    authorization = request.headers.get("authorization", "")
    return authorization == f"Bearer {workspace.bot.token}"


async def web_api(request: Request) -> Response:
    workspace = request.app.state.workspace
    _remember_base_url(workspace, request)
    method = request.path_params["method"]
    args: JsonDict = {}
    try:
        args, token = await read_arguments(request)
        body = _call(workspace, method, args, token)
        status_code = 200
        headers: dict[str, str] = {}
    except SlackFailure as failure:
        body, status_code, headers = failure.to_body(), failure.status_code, failure.headers
        if failure.error == "unknown_method":
            body["req_method"] = method
    workspace.record_call(RecordedCall(method, args, body["ok"], body.get("error"), body))
    return JSONResponse(body, status_code=status_code, headers=headers)


async def upload(request: Request) -> Response:
    workspace = request.app.state.workspace
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        fields = parse_multipart(raw, content_type)
        # curl -F filename=@file (Slack's own example) or a field carrying a file.
        chosen = fields.get("filename") or fields.get("file")
        chosen = chosen or next((f for f in fields.values() if f[0] is not None), (None, b""))
        raw = chosen[1]
    try:
        workspace.files.receive_upload(request.path_params["upload_id"], raw)
    except SlackFailure as failure:
        return PlainTextResponse(failure.error, status_code=failure.status_code)
    return PlainTextResponse(f"OK - {len(raw)}")


async def download(request: Request) -> Response:
    workspace = request.app.state.workspace
    team_and_file = request.path_params["team_and_file"]
    file_id = team_and_file.removeprefix(f"{workspace.team.id}-")
    stored = workspace.files.get(file_id)
    # Slack answers an unauthenticated download with its sign-in page, never the bytes.
    if not _bot_authorized(workspace, request):
        return PlainTextResponse("sign in to download this file", status_code=403)
    if stored is None:
        return PlainTextResponse("file not found", status_code=404)
    disposition = "attachment" if "/download/" in request.url.path else "inline"
    # HTTP headers are latin-1: a name like 名单.csv travels percent-encoded (RFC 6266).
    headers = {"content-disposition": f"{disposition}; filename*=UTF-8''{quote(stored.name)}"}
    return Response(stored.content, media_type=stored.mimetype, headers=headers)


async def response_url(request: Request) -> Response:
    workspace = request.app.state.workspace
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError:
        return JSONResponse({"ok": False, "error": "invalid_payload"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"ok": False, "error": "invalid_payload"}, status_code=400)
    try:
        apply_response_url_post(workspace, request.path_params["response_id"], body)
    except SlackFailure as failure:
        return JSONResponse(failure.to_body(), status_code=failure.status_code)
    return JSONResponse({"ok": True})


async def socket_mode_link(websocket: WebSocket) -> None:
    workspace = websocket.app.state.workspace
    await workspace.socket_mode.serve(websocket)


async def inspect_calls(request: Request) -> Response:
    workspace = request.app.state.workspace
    calls = workspace.calls(request.query_params.get("method"))
    return JSONResponse([{"method": c.method, "args": c.args, "ok": c.ok, "error": c.error} for c in calls])


async def inspect_messages(request: Request) -> Response:
    workspace = request.app.state.workspace
    channel_id = request.path_params["channel_id"]
    if workspace.channel(channel_id) is None:
        return JSONResponse({"error": "channel_not_found"}, status_code=404)
    messages = workspace.messages(channel_id, include_replies=True)
    return JSONResponse([workspace.message_payload(m) for m in messages])


async def inspect_ephemerals(request: Request) -> Response:
    workspace = request.app.state.workspace
    found = workspace.ephemerals(
        user_id=request.query_params.get("user"), channel_id=request.query_params.get("channel")
    )
    return JSONResponse([{"channel": e.channel, "source": e.source, **e.to_api()} for e in found])



ROUTES = [
    Route("/api/{method}", web_api, methods=["GET", "POST"]),
    Route("/upload/v1/{upload_id}", upload, methods=["POST"]),
    Route("/files-pri/{team_and_file}/download/{name:path}", download, methods=["GET"]),
    Route("/files-pri/{team_and_file}/{name:path}", download, methods=["GET"]),
    Route("/response/{response_id}", response_url, methods=["POST"]),
    WebSocketRoute(LINK_PATH, socket_mode_link),
    Route("/_emulator/calls", inspect_calls, methods=["GET"]),
    Route("/_emulator/channels/{channel_id}/messages", inspect_messages, methods=["GET"]),
    Route("/_emulator/ephemerals", inspect_ephemerals, methods=["GET"]),
]


def create_emulator_app(workspace: Workspace) -> Starlette:
    app = Starlette(routes=ROUTES)
    app.state.workspace = workspace
    return app

def _call(workspace: Workspace, method: str, args: JsonDict, token: str | None) -> JsonDict:
    if method == APPS_CONNECTIONS_OPEN:
        _check_token(token, workspace.app_token, workspace.bot.token)
        return {"ok": True, "url": workspace.socket_mode.issue_url(workspace.base_url, workspace.bot.app_id)}
    handler = METHODS.get(method)
    if handler is None:
        raise SlackFailure("unknown_method", status_code=404)
    _check_token(token, workspace.bot.token, workspace.app_token)
    workspace.faults.raise_if_due(method, args)  # a failure the test asked for
    return {"ok": True, **handler(ApiCall(workspace, method, args))}


# The one method that takes the app-level token (xapp-…) instead of the bot token.
APPS_CONNECTIONS_OPEN = "apps.connections.open"


def _check_token(token: str | None, expected: str, other_kind: str) -> None:
    if not token:
        raise SlackFailure("not_authed")
    if token == other_kind:
        raise SlackFailure("not_allowed_token_type")
    if token != expected:
        raise SlackFailure("invalid_auth")
