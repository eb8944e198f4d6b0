"""What travels in private_metadata and button values, typed and kept under Slack's 3,000 characters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.schedule import LateCause, LateStart
from domain.tasks import TASK_NAME_MAX


class Payload(BaseModel):
    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def load(cls, raw: str | None):
        return cls.model_validate_json(raw or "{}")


class ImportModalState(Payload):
    channel_id: str


class ListRef(Payload):
    """A recipient list, on an import's buttons."""

    id: int

    @classmethod
    def load(cls, raw: str | None):
        # Buttons posted before lists had a reference carry the bare id.
        return cls(id=int(raw)) if raw and raw.isdigit() else super().load(raw)


class AudienceSaveState(Payload):
    list_id: int
    channel_id: str
    thread_ts: str | None = None  # the thread of the import it was opened from: the answer goes there


class ContentRef(Payload):
    kind: str  # signature or template
    id: int


class ContentRejectState(Payload):
    kind: str
    id: int
    channel_id: str
    message_ts: str
    from_home: bool | None = None  # Reject was pressed on the App Home tab: refresh it after


class TemplateModalState(Payload):
    channel_id: str
    template_id: int | None = None  # changing this template


class SendModalState(Payload):
    channel_id: str
    task_id: int | None = None  # editing this task
    version: int | None = None
    list_id: int | None = None  # recipients fixed by the import the modal came from
    previous_list_id: int | None = None  # a copy may reuse the original's recipients


class TaskRef(Payload):
    id: int
    version: int


class TaskRejectState(Payload):
    id: int
    version: int
    from_home: bool | None = None  # Reject was pressed on the App Home tab: refresh it after


class LateStartState(Payload):
    """The approve-when modal: which task, and why it could not start as it asked (the cause
    and the time it asked for, so the thread's note says it in the workspace's language)."""

    id: int
    version: int
    late_cause: LateCause
    asked_at: int | None = None  # epoch seconds

    @classmethod
    def of(cls, task_id: int, version: int, late: LateStart, *, from_home: bool) -> LateStartState:
        asked_at = None if late.asked_at is None else int(late.asked_at.timestamp())
        return cls(id=task_id, version=version, late_cause=late.cause, asked_at=asked_at, from_home=from_home or None)

    @property
    def asked_time(self) -> datetime | None:
        return None if self.asked_at is None else datetime.fromtimestamp(self.asked_at, UTC)
    from_home: bool | None = None


class TaskListState(Payload):
    """A page of `/sms list`, carried by its Previous/Next buttons."""

    scope: str  # channel or all
    channel_id: str
    status: str | None = None
    # A part of the name, as typed (no longer than a task's name can be: the button value stays small).
    name: str | None = Field(default=None, max_length=TASK_NAME_MAX)
    page: int = 0


class AuditTrailState(Payload):
    """A page of a task's audit trail, carried by its Previous/Next and order buttons."""

    task_id: int
    order: Literal["newest", "oldest"] = "newest"
    page: int = 0


class DetailsState(Payload):
    """The details modal of a task: its filter, search and page."""

    task_id: int
    filter: str | None = None
    search: str | None = None
    page: int = 0


class ExportRef(Payload):
    """An export button or menu option: which task, which recipients (failed, no-receipt, all)."""

    id: int
    kind: str


class FollowUpState(Payload):
    """The follow-up modal: which task, and where its button was pressed (the answer goes there)."""

    task_id: int
    channel_id: str
    thread_ts: str | None = None
