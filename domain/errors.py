"""Errors a person can act on, and text that names people.

Domain code names a person by their user id (`Person`) and never writes Slack markup: a
handler renders each `Person` as a mention when it shows the text (`Said.render`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """A Slack user named in a message."""

    user_id: str


class Said(str):
    """Text that names people. As a plain string each person reads as their user id (for logs
    and tests); `render` puts the renderer's mention in their place."""

    parts: tuple[str | Person, ...]

    def __new__(cls, *parts: str | Person) -> Said:
        text = super().__new__(cls, "".join(p.user_id if isinstance(p, Person) else p for p in parts))
        text.parts = parts
        return text

    def render(self, mention: Callable[[str], str], escape: Callable[[str], str] = lambda text: text) -> str:
        return "".join(mention(p.user_id) if isinstance(p, Person) else escape(p) for p in self.parts)


class DomainError(Exception):
    """A rule said no. The message (a str, or a `Said` naming people) speaks to the person who asked."""

    @property
    def message(self) -> str:
        return self.args[0] if self.args else ""
