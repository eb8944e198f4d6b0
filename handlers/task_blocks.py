"""Block Kit for a send task's card: the approval request that heads its thread."""

from __future__ import annotations

from typing import Any

from domain.status import has_started
from domain.task_state import STATUS_LABELS, TaskAction, TaskStatus, allowed_actions
from domain.tasks import MAX_TEST_NUMBERS, Preview
from domain.use_cases.tasks import TaskView
from handlers.block_kit import escape, link, mention, plain
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import TaskRef, TaskRejectState
from handlers.send_blocks import build_preview_blocks

Blocks = list[dict[str, Any]]

BUTTONS = [  # (action, action id, label, style) in the order a card shows them
    (TaskAction.approve, ActionId.TASK_APPROVE, "Approve", "primary"),
    (TaskAction.reject, ActionId.TASK_REJECT, "Reject", "danger"),
    (TaskAction.edit, ActionId.TASK_EDIT, "Edit", None),
    (TaskAction.cancel, ActionId.TASK_CANCEL, "Cancel task", None),
    (TaskAction.delete, ActionId.TASK_DELETE, "Delete", None),
]


# The card's note on whoever decided a task's fate, by its status.
DECIDED_NOTES = {TaskStatus.scheduled: "Approved", TaskStatus.rejected: "Rejected", TaskStatus.canceled: "Canceled"}


def slack_time(moment) -> str:
    """Slack renders this in each reader's own time zone."""
    if moment is None:
        return "as soon as approved"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def _content(task: TaskView) -> str:
    content = (f"*{task.kind.capitalize()}* · {task.purpose} · signature *{escape(task.signature)}* · "
               f"template *{escape(task.template)}*")
    if task.fallback != "none":
        content += f"\nFallback: {task.fallback} SMS with *{escape(task.fallback_template or '')}*"
    if task.default_link:
        content += f"\nDefault link: {escape(task.default_link)}"
    return content


def build_task_card(task: TaskView, preview: Preview | None, *, deleted: bool = False) -> tuple[str, Blocks]:
    status = "deleted" if deleted else STATUS_LABELS[task.status]
    blocks: Blocks = [
        {"type": "header", "text": plain(f"Send task: {task.name}")},
        {"type": "section", "block_id": BlockId.TASK_SUMMARY, "fields": [
            {"type": "mrkdwn", "text": f"*Status*\n{status}"},
            {"type": "mrkdwn", "text": f"*Requested by*\n{mention(task.created_by)}"},
            {"type": "mrkdwn", "text": f"*Recipients*\n{task.recipient_count:,}"},
            {"type": "mrkdwn", "text": f"*Send time*\n{slack_time(task.send_at)}"},
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": _content(task)[:3000]}},
        *build_preview_blocks(preview, "The content of this task is no longer available."),
    ]
    note = []
    if task.decided_by and task.status in DECIDED_NOTES:
        # A cancel once sending had started (a progress message exists) was a Stop.
        verb = "Stopped" if task.status is TaskStatus.canceled and task.progress_ts else DECIDED_NOTES[task.status]
        note.append(f"{verb} by {mention(task.decided_by)}")
    if task.reason:
        note.append(escape(task.reason))
    note.append(f"Task #{task.id}, version {task.version}")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(note)[:3000]}]})
    if not deleted:
        value = TaskRef(id=task.id, version=task.version).dump()
        allowed = allowed_actions(task.status)
        elements = [{"type": "button", "action_id": action_id, "text": plain(label), "value": value,
                     **({"style": style} if style else {})}
                    for action, action_id, label, style in BUTTONS if action in allowed]
        elements.append({"type": "button", "action_id": ActionId.TASK_COPY, "text": plain("Copy"), "value": value})
        elements.append({"type": "button", "action_id": ActionId.TASK_TEST_SEND, "text": plain("Test send"),
                         "value": value})
        if has_started(task.status, task.progress_ts):  # per-recipient results exist: the details modal
            elements.append({"type": "button", "action_id": ActionId.TASK_DETAILS, "text": plain("Details"),
                             "value": value})
        blocks.append({"type": "actions", "block_id": BlockId.TASK_ACTIONS, "elements": elements})
    text = f"Send task “{escape(task.name)}”: {status}"
    return text, blocks


def build_task_reject_modal(task: TaskView, *, from_home: bool = False) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.TASK_REJECT,
        "private_metadata": TaskRejectState(id=task.id, version=task.version, from_home=from_home or None).dump(),
        "title": plain("Reject send task"),
        "submit": plain("Reject"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Reject “{escape(task.name)}”? "
                                                                   "The requester sees your reason in the thread."}},
            {"type": "input", "block_id": BlockId.APPROVAL_REASON, "label": plain("Reason"),
             "element": {"type": "plain_text_input", "action_id": ActionId.APPROVAL_REASON_INPUT, "multiline": True,
                         "max_length": 500}},
        ],
    }


def build_test_send_modal(task: TaskView) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.TASK_TEST_SEND,
        "private_metadata": TaskRef(id=task.id, version=task.version).dump(),
        "title": plain("Test send"),
        "submit": plain("Send test"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text":
                f"Send “{escape(task.name)}” as its first recipient would get it, through the real provider, to up to "
                f"{MAX_TEST_NUMBERS} numbers. Test messages are not counted in the task."}},
            {"type": "input", "block_id": BlockId.TEST_NUMBERS, "label": plain("Numbers"),
             "element": {"type": "plain_text_input", "action_id": ActionId.TEST_NUMBERS_INPUT, "multiline": True}},
        ],
    }


def build_test_send_result(results: list[tuple[str, str, str | None]]) -> str:
    """Each number (last four digits) and what the provider said of it, in its own words."""
    lines = [f"{shown}: {escape(status)}" + (f" ({escape(reason)})" if reason else "")
             for shown, status, reason in results]
    return "Test send: " + "; ".join(lines)


# The notes a task's thread is told, each naming who acted.
def approved_note(approver_id: str, send_at) -> str:
    when = slack_time(send_at) if send_at else "as soon as possible"
    return f"{mention(approver_id)} approved this task. It is scheduled to send {when}."


def rejected_note(approver_id: str, reason: str) -> str:
    return f"{mention(approver_id)} rejected this task: {escape(reason)}"


def acted_note(user_id: str, did: str) -> str:
    """`did`: the bot's own words for what was done ("canceled this task", "paused this send")."""
    return f"{mention(user_id)} {did}."


def edited_note(user_id: str, version: int) -> str:
    return f"{mention(user_id)} edited this task (version {version}); it needs a new approval."


def submitted_note(task: TaskView, thread_link: str) -> str:
    """Where the task was asked for, when its thread is in the approvals channel."""
    return (f"{mention(task.created_by)} submitted send task *{escape(task.name)}* for approval: "
            f"{link(thread_link, 'open its thread')}")
