"""How a Web API method refuses a call: Slack's error code and, sometimes, detail messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SlackFailure(Exception):
    """Raised by emulated methods; the web layer answers `{"ok": false, "error": code}`."""

    def __init__(self, error: str, messages: list[str] | None = None, status_code: int = 200,
                 headers: dict[str, str] | None = None):
        super().__init__(error if not messages else f"{error}: {messages}")
        self.error = error
        self.messages = messages or []
        # Slack answers almost every failure with HTTP 200; unknown_method (404) and
        # ratelimited (429, with Retry-After) are the exceptions.
        self.status_code = status_code
        self.headers = headers or {}

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def missing_field(name: str) -> SlackFailure:
    return SlackFailure("invalid_arguments", [f"[ERROR] missing required field: {name}"])


def present(value: Any) -> bool:
    """Slack treats an absent, empty or null argument the same way."""
    return value is not None and value != "" and value != []


def require(args: Mapping[str, Any], *names: str) -> None:
    """Refuse the call with invalid_arguments naming every missing argument."""
    missing = [name for name in names if not present(args.get(name))]
    if missing:
        raise SlackFailure(
            "invalid_arguments", [f"[ERROR] missing required field: {name}" for name in missing]
        )
