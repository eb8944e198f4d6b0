"""How a send's messages name things in the reader's language: purposes and message types
inside a sentence, and lists of names. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from domain.content import Purpose, TemplateKind
from domain.i18n import N_, _

# How a purpose reads inside a sentence ("a promotional template").
PURPOSE_WORDS = {Purpose.NOTIFICATION: N_("notification"), Purpose.PROMOTIONAL: N_("promotional")}

# "“Spring” is a card template; choose a text one."
A_KIND_TEMPLATE = {TemplateKind.TEXT: N_("a text template"), TemplateKind.DIGITAL: N_("a digital template"),
                   TemplateKind.CARD: N_("a card template")}
A_KIND_ONE = {TemplateKind.TEXT: N_("a text one"), TemplateKind.DIGITAL: N_("a digital one"),
              TemplateKind.CARD: N_("a card one")}
# A card's fallback, by its kind (text or digital): what it needs, and what a template of
# another kind is not.
FALLBACK_NEEDS = {TemplateKind.TEXT: N_("A text fallback needs an approved text template."),
                  TemplateKind.DIGITAL: N_("A digital fallback needs an approved digital template.")}
NOT_OF_KIND = {TemplateKind.TEXT: N_("“{name}” is not a text template."),
               TemplateKind.DIGITAL: N_("“{name}” is not a digital template.")}


def purpose_word(purpose: Purpose | str | None) -> str:
    """A purpose in the reader's language (anything else as it is)."""
    return _(PURPOSE_WORDS[purpose]) if purpose in PURPOSE_WORDS else str(purpose)


def listed(names: Sequence[str]) -> str:
    """`a, b, c` in the reader's language (`a、b、c`)."""
    joined = names[0] if names else ""
    for name in names[1:]:
        joined = _("{names}, {name}", names=joined, name=name)
    return joined


def in_turn(parts: Sequence[str]) -> str:
    """`a; b; c` in the reader's language (`a；b；c`)."""
    joined = parts[0] if parts else ""
    for part in parts[1:]:
        joined = _("{parts}; {part}", parts=joined, part=part)
    return joined
