"""Parsing the text of `/sms …` into a subcommand and its arguments."""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass

HELP = "help"


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...]
    rest: str  # the arguments as typed, for subcommands that take free text


def parse_command(text: str | None) -> ParsedCommand:
    """`/sms` alone means help; the subcommand is case-insensitive."""
    text = (text or "").strip()
    if not text:
        return ParsedCommand(HELP, (), "")
    head, _, rest = text.partition(" ")
    rest = rest.strip()
    try:
        args = tuple(shlex.split(rest))
    except ValueError:  # an unbalanced quote: take the words as typed
        args = tuple(rest.split())
    return ParsedCommand(head.lower(), args, rest)


def closest_command(name: str, known: list[str]) -> str | None:
    """The subcommand a typo most likely meant, if any is close enough."""
    matches = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return matches[0] if matches else None
