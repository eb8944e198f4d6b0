"""What one recipient of a task was sent: the text as the dispatcher composes it from the task's
`MessagePlan` and the recipient's values (for a card that went as its fallback, the fallback
SMS), and its characters and segments. Computed when asked, never stored. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain.dispatch import MessagePlan
from domain.privacy import mask_numbers_in_text
from domain.segments import segment_count


@dataclass(frozen=True)
class RecipientMessage:
    text: str
    characters: int  # of the text as sent (see domain/segments.py)
    segments: int
    fallback: bool = False  # a card that went as its fallback SMS: `text` is the fallback's


def sent_text(plan: MessagePlan, values: Sequence[str], *, fell_back: bool = False) -> tuple[str, bool]:
    """The text the dispatcher sends this recipient (`plan.text_for`, or `plan.fallback_for` when
    the provider sent the card's fallback), and whether it is the fallback's."""
    fallback = plan.fallback_for(values) if fell_back else None
    return (plan.text_for(values), False) if fallback is None else (fallback, True)


def message_for(plan: MessagePlan, values: Sequence[str], *, fell_back: bool = False) -> RecipientMessage:
    """That text, measured as the send was (characters: `len`; segments: domain/segments.py)."""
    text, fallback = sent_text(plan, values, fell_back=fell_back)
    return RecipientMessage(text, len(text), segment_count(text), fallback)


def as_slack_shows(message: RecipientMessage) -> RecipientMessage:
    """The same message for Slack: a number in its text (a recipient's value may be one) by its
    last four digits; the characters and segments stay those of the text sent."""
    return replace(message, text=mask_numbers_in_text(message.text))
