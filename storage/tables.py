"""SQLModel tables. Every schema change comes with an alembic migration."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, TypeDecorator
from sqlmodel import Field, SQLModel

from storage.statuses import RecipientStatus


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on PostgreSQL and on SQLite (which keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class AuditEntry(SQLModel, table=True):
    """Who did what to which target, when: every state change writes one."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64, index=True)
    target_type: str = Field(max_length=32)
    target_id: str = Field(max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RecipientList(SQLModel, table=True):
    """One import: the recipients that survived normalisation and dedup, and what was removed."""

    __tablename__ = "recipient_list"
    __table_args__ = (Index("uq_recipient_list_file_sharer", "slack_file_id", "channel_id", "created_by", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str = Field(max_length=32)
    channel_id: str = Field(max_length=32, index=True)
    thread_ts: str | None = Field(default=None, max_length=32)
    source: str = Field(max_length=16)  # file, paste, audience copy
    source_name: str = Field(default="", max_length=255)
    # A Slack file is imported once per sharer and channel, whichever event or retry brings it
    # (uq_recipient_list_file_sharer); shared again by someone else, it is their own import.
    slack_file_id: str | None = Field(default=None, max_length=32, index=True)
    data_rows: int = 0
    imported_count: int = 0
    invalid_count: int = 0
    duplicate_count: int = 0
    variables: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Recipient(SQLModel, table=True):
    """A normalised number and its template variables, in the order of the list's columns."""

    __tablename__ = "recipient"

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="recipient_list.id", index=True, ondelete="CASCADE")
    row_number: int
    phone: str = Field(max_length=16)
    variables: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Audience(SQLModel, table=True):
    """A named, reusable recipient list."""

    __tablename__ = "audience"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    name_key: str = Field(max_length=60, unique=True, index=True)  # case-folded, so names are unique ignoring case
    list_id: int = Field(foreign_key="recipient_list.id")
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ReviewedContent(SQLModel):
    """What signatures and templates share: a review by an approver before any send uses them."""

    status: str = Field(max_length=16, index=True)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    reject_reason: str | None = Field(default=None, max_length=500)
    approval_channel: str | None = Field(default=None, max_length=32)
    approval_ts: str | None = Field(default=None, max_length=32)


class Signature(ReviewedContent, table=True):
    """A sender name shown as the message prefix; usable once approved."""

    __tablename__ = "signature"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=12)
    name_key: str = Field(max_length=12, unique=True, index=True)
    purpose_note: str = Field(default="", max_length=200)


class Template(ReviewedContent, table=True):
    """Message content with ${variable} placeholders; usable once approved."""

    __tablename__ = "template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    name_key: str = Field(max_length=40, unique=True, index=True)
    kind: str = Field(max_length=16)  # text, digital, card
    purpose: str = Field(max_length=16)  # notification, promotional
    body: str = Field(max_length=1000)
    subject: str | None = Field(default=None, max_length=100)  # digital
    media_urls: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # digital
    title: str | None = Field(default=None, max_length=100)  # card
    image_url: str | None = Field(default=None, max_length=500)  # card
    buttons: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # card
    default_link: str | None = Field(default=None, max_length=500)  # card
    # The signatures it may be sent with, by id, as the template's approval named them; empty: any.
    signature_ids: list[int] = Field(default_factory=list,
                                     sa_column=Column(JSON, nullable=False, server_default="[]"))


class SmsApplication(SQLModel, table=True):
    """A sending profile: a provider (its credentials come from the environment), a sender, the
    numbers it takes, and the signatures and templates registered for it."""

    __tablename__ = "sms_application"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=20)
    name_key: str = Field(max_length=20, unique=True, index=True)
    provider: str | None = Field(default=None, max_length=16)  # None: the deployment's SMSBOT_PROVIDER
    numbers: str = Field(max_length=16)  # any, mainland, international
    sender: str | None = Field(default=None, max_length=32)
    price_per_segment: str | None = Field(default=None, max_length=16)  # a decimal; None: SMSBOT_PRICE_PER_SEGMENT
    send_rate: float | None = None  # messages a second; None: the deployment's SMSBOT_SEND_RATE
    is_default: bool = False
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ContentRegistration(SQLModel, table=True):
    """A signature or template registered for an application: sendable through it, under the
    template's code there when its provider sends registered templates."""

    __tablename__ = "content_registration"

    kind: str = Field(primary_key=True, max_length=16)  # signature, template
    content_id: int = Field(primary_key=True)
    application_id: int = Field(primary_key=True, foreign_key="sms_application.id", ondelete="CASCADE")
    provider_code: str | None = Field(default=None, max_length=40)


class Task(SQLModel, table=True):
    """A send: content, recipients, a send time, and where it stands."""

    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=30)
    status: str = Field(max_length=16, index=True)
    purpose: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    signature_id: int = Field(foreign_key="signature.id")
    template_id: int = Field(foreign_key="template.id")
    fallback: str = Field(default="none", max_length=16)  # card only: none, text, digital
    fallback_template_id: int | None = Field(default=None, foreign_key="template.id")
    default_link: str | None = Field(default=None, max_length=500)
    recipient_list_id: int = Field(foreign_key="recipient_list.id")
    recipient_count: int = 0
    # The send modal submission that made it (its view and values): a double submit, or Slack
    # delivering the same submission twice, makes one task.
    submission_key: str | None = Field(default=None, max_length=100, index=True, unique=True)
    # Measured over every recipient at submission: segments of the messages that will go out,
    # and recipients skipped because theirs is over the limit (the requester chose so).
    segments: int | None = None
    too_long: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    send_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    origin_channel: str = Field(max_length=32)
    thread_channel: str | None = Field(default=None, max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    # Bumped by every edit: a decision on an older version of the request is refused.
    version: int = 1
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reason: str | None = Field(default=None, max_length=500)  # rejection, cancel or failure reason
    progress_ts: str | None = Field(default=None, max_length=32)  # the live progress message in the thread
    report_ts: str | None = Field(default=None, max_length=32)  # the final report, kept true as receipts come
    chart_file_id: str | None = Field(default=None, max_length=32)  # its delivery chart, replaced when final
    # The "submitted" message told where the task was asked for (its channel, or the requester's DM).
    submitted_channel: str | None = Field(default=None, max_length=32)
    submitted_ts: str | None = Field(default=None, max_length=32)
    # When every recipient had its last word (or the receipt deadline passed): the report is final.
    receipts_done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The process that edits its thread, until when (renewed as it goes): one at a time.
    notifier_owner: str | None = Field(default=None, max_length=64)
    notifier_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # When it reached a final state (completed, stopped...), and when its per-recipient details
    # were purged after the retention period (the totals stay).
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    details_purged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The totals, saved when the purge of its details begins: counts by recipient status, the top
    # failure reasons and the card fallbacks ({"counts": {...}, "reasons": [[reason, n]...], "fallbacks": n}).
    final_counts: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Each application's part, measured at submission: [{"application_id", "recipients", "segments"}].
    split: list[dict[str, int]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class TaskRecipient(SQLModel, table=True):
    """One recipient of one task, and what became of its message."""

    __tablename__ = "task_recipient"
    # (task, status, id): a claim reads the next pending recipients in id order straight from it.
    __table_args__ = (Index("ix_task_recipient_claim", "task_id", "status", "id"),
                      Index("ix_task_recipient_phone", "phone"))

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", ondelete="CASCADE")
    row_number: int
    phone: str = Field(max_length=16)
    variables: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # pending, in_flight (its request may be on the wire), submitted, delivered, failed, skipped
    status: str = Field(default=RecipientStatus.pending.value, max_length=16)
    client_ref: str = Field(max_length=40, unique=True, index=True)
    provider_id: str | None = Field(default=None, max_length=64, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    receipt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Receipts by pull: when to ask the provider about it next (None: not asked yet).
    receipt_ask_after: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    error_code: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=300)
    fell_back: bool = False
    # The SMS application it is sent through, chosen by its number when the task was submitted.
    application_id: int | None = Field(default=None, foreign_key="sms_application.id")


class OptOut(SQLModel, table=True):
    """A number that asked for no more promotional messages."""

    __tablename__ = "opt_out"

    phone: str = Field(primary_key=True, max_length=16)
    source: str = Field(max_length=32)  # "inbound:<provider>" or "slack"
    added_by: str | None = Field(default=None, max_length=32)
    added_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class SeenRequest(SQLModel, table=True):
    """A Slack request already taken: a view submission (its view and hash) or an event (its id).
    Slack's retries and a person's double submit meet this row and do nothing twice."""

    __tablename__ = "seen_request"

    key: str = Field(primary_key=True, max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))


class SendRate(SQLModel, table=True):
    """A token bucket every process shares: the provider account's rate, across workers."""

    __tablename__ = "send_rate"

    key: str = Field(primary_key=True, max_length=40)
    tokens: float
    updated_at: float  # seconds since the epoch, as the process that last took tokens saw it


class UserPreference(SQLModel, table=True):
    """What a person chose for themselves: the language smsbot speaks to them in (None: their Slack locale's)."""

    __tablename__ = "user_preference"

    user_id: str = Field(primary_key=True, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
