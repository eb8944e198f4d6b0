"""Listeners you can name: each feature module lists its module-level listener functions in a
table, and `register` wires every table on one app. A listener's arguments come from Bolt and
from the context middleware (settings, uow, clock, actor, ref, normalizer, import_settings…)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp


@dataclass(frozen=True)
class Listener:
    kind: str  # the AsyncApp decorator: action, view, view_closed, event, options, command
    matcher: Any  # an action id, callback id, event type or constraints
    function: Callable


def action(matcher: Any, function: Callable) -> Listener:
    return Listener("action", matcher, function)


def view(matcher: Any, function: Callable) -> Listener:
    return Listener("view", matcher, function)


def view_closed(matcher: Any, function: Callable) -> Listener:
    return Listener("view_closed", matcher, function)


def event(matcher: Any, function: Callable) -> Listener:
    return Listener("event", matcher, function)


def command(matcher: Any, function: Callable) -> Listener:
    return Listener("command", matcher, function)


def options(matcher: Any, function: Callable) -> Listener:
    return Listener("options", matcher, function)


def register(app: AsyncApp, listeners: Iterable[Listener]) -> None:
    for listener in listeners:
        getattr(app, listener.kind)(listener.matcher)(listener.function)
