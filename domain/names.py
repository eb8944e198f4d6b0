"""Names made for a person (a copy's, a follow-up's) cut to fit a limit the way a person would
cut them: at a word boundary, with an ellipsis. Pure."""

from __future__ import annotations

from collections.abc import Callable

ELLIPSIS = "…"
TRAILING = " \t—–-,.;:·/"  # what a cut word leaves dangling


def fitted(text: str, limit: int) -> str:
    """`text` unchanged if it fits in `limit` characters; else cut at the last word boundary in
    its second half (or mid-word when a word is that long, or the text has no spaces, as Chinese
    has none), with an ellipsis."""
    if limit < 2:
        raise ValueError("a name needs room for a character and an ellipsis")
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    cut = text[:room]
    boundary = cut.rfind(" ") if text[room] != " " else room
    if boundary >= room // 2:
        cut = cut[:boundary]
    return cut.rstrip(TRAILING) + ELLIPSIS


def fitted_into(make: Callable[[str], str], name: str, limit: int) -> str:
    """`make(name)` (a translated "Copy of {name}") in `limit` characters: the name is cut, never
    the words around it, wherever the language puts them."""
    return make(fitted(name, limit - len(make(""))))
