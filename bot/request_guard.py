"""Every HTTP request is authentic, bounded and well formed before any work is done on it:
its body is read only up to a limit, Slack's signature is checked on the raw bytes before
anything parses them, and a rejected request is logged in one line, never its body."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

log = logging.getLogger(__name__)


class Rejected(Exception):
    def __init__(self, status: int, reason: str, size: int) -> None:
        super().__init__(reason)
        self.status, self.reason, self.size = status, reason, size


async def read_bounded(request: Request, limit: int) -> bytes:
    """The whole body, or `Rejected` (413) as soon as it is known to be over `limit`: a declared
    length over it is refused unread, a stream is read no further than the limit."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Rejected(413, "body over the limit", int(declared) if declared.isdigit() else 0)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Rejected(413, "body over the limit", len(body))
    # Later readers (Bolt, a provider's adapter) read the body as Starlette keeps it.
    request._body = bytes(body)
    return request._body


def rejection(request: Request, rejected: Rejected) -> Response:
    log.warning("rejected %s %s (%s bytes): %s", request.method, request.url.path, f"{rejected.size:,}",
                rejected.reason)
    return JSONResponse({"error": rejected.reason}, status_code=rejected.status)


def check_slack_signature(verifier: SignatureVerifier, request: Request, body: bytes) -> None:
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    signature = request.headers.get("x-slack-signature", "")
    try:
        valid = timestamp.isdigit() and verifier.is_valid(body, timestamp, signature)
    except UnicodeDecodeError:  # Slack signs UTF-8 text: bytes that are not were not sent by Slack
        valid = False
    if not valid:
        raise Rejected(401, "invalid or stale Slack signature", len(body))


def check_slack_payload(request: Request, body: bytes) -> None:
    """A signed request Bolt can read: a form with a JSON object `payload` (interactivity) or a
    command, or a JSON object (events); anything else is a 400, never a crash in a listener."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            parsed = json.loads(body)
            well_formed = isinstance(parsed, dict) and isinstance(parsed.get("type"), str)
        elif kind == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8"), strict_parsing=False)
            if "payload" in form:
                payload = json.loads(form["payload"][0])
                well_formed = isinstance(payload, dict) and isinstance(payload.get("type"), str)
            else:
                well_formed = bool(form.get("command")) or bool(form.get("ssl_check"))
        else:
            well_formed = False
    except (ValueError, UnicodeDecodeError):
        well_formed = False
    if not well_formed:
        raise Rejected(400, "malformed Slack payload", len(body))
