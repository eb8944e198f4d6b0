"""Reading a modal's values as its inputs offer them. A value no input offers (a crafted or a
stale submission: `list:abc`, 2026-02-30, a purpose `evil`) is refused on its field, never a
crash."""

from __future__ import annotations

import hashlib
import json
from datetime import date, time
from enum import StrEnum
from typing import TypeVar

from domain.errors import DomainError
from domain.i18n import N_, _

E = TypeVar("E", bound=StrEnum)
NOT_OFFERED = N_("That is not one of the choices offered here; open the form again.")


class FormInputError(DomainError):
    """`message`: in the reader's language; none: `NOT_OFFERED`."""

    def __init__(self, block_id: str, message: str | None = None) -> None:
        super().__init__(message or _(NOT_OFFERED))
        self.block_id = block_id


def choice(kind: type[E], value: str | None, block_id: str, default: E) -> E:
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        raise FormInputError(block_id) from None


def day(value: str | None, block_id: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise FormInputError(block_id, _("{value} is not a date.", value=value)) from None


def clock_time(value: str | None, block_id: str) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        raise FormInputError(block_id, _("{value} is not a time of day.", value=value)) from None


def list_reference(value: str | None, block_id: str) -> str | None:
    """`list:<id>`, as the recipients select offers it; None when nothing is chosen."""
    if not value:
        return None
    if not value.startswith("list:") or not value.removeprefix("list:").isdigit():
        raise FormInputError(block_id)
    return value


def on_inputs(view: dict, errors: dict[str, str]) -> dict[str, str]:
    """Errors placed on the view's input blocks: Slack refuses an answer naming any other block
    (a section, or a block a crafted payload made up), so those go on the first input."""
    inputs = [block.get("block_id") for block in view.get("blocks") or [] if block.get("type") == "input"]
    placed: dict[str, str] = {}
    for block_id, message in errors.items():
        target = block_id if block_id in inputs else (inputs[0] if inputs else block_id)
        placed[target] = f"{placed[target]} {message}" if target in placed else message
    return placed


def submission_key(view: dict) -> str:
    """The same modal submitted with the same values (a double click, Slack delivering it twice)
    has the same key; a corrected resubmission after a refusal has another."""
    values = hashlib.sha256(json.dumps(view["state"]["values"], sort_keys=True).encode()).hexdigest()
    return f"{view['id']}:{values[:40]}"
