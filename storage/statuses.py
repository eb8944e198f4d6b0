"""The statuses a task and a task's recipient can be in: the words stored in their rows,
shared by storage (which queries them) and the domain (whose rules move between them)."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    moderating = "moderating"  # awaiting approval
    rejected = "rejected"
    scheduled = "scheduled"  # approved, to be sent
    sending = "sending"
    paused = "paused"
    completed = "completed"
    failed = "failed"  # execution failed, with a reason
    canceled = "canceled"


class RecipientStatus(StrEnum):
    pending = "pending"  # not sent yet (or to be retried at next_attempt_at)
    in_flight = "in_flight"  # claimed by a dispatcher under a lease; its request may be on its way
    submitted = "submitted"  # accepted by the provider, no receipt yet
    delivered = "delivered"
    failed = "failed"  # with the provider's reason, or ours (no receipt, outcome unknown)
    skipped = "skipped"  # opted out, fatigue limit, or the send was stopped


# Reasons the bot writes itself, which queries look for: a recipient whose request was cut off
# (a receipt may still settle it), and one the provider never sent a receipt for in 72 hours.
INTERRUPTED = "outcome unknown after interruption"
NO_RECEIPT = "no receipt"

# A recipient in one of these is settled: nothing will be sent to it again.
FINAL_RECIPIENT_STATUSES = (RecipientStatus.delivered, RecipientStatus.failed, RecipientStatus.skipped)
