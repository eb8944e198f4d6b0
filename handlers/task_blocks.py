"""Block Kit for a send task's card: the approval request that heads its thread."""

from __future__ import annotations

from typing import Any

from domain.schedule import LateStart, StartChoice, StartRules, next_window_opening
from domain.status import has_started
from domain.task_state import STATUS_LABELS, TaskAction, TaskStatus, allowed_actions
from domain.tasks import Preview
from domain.use_cases.tasks import TaskView
from handlers.block_kit import escape, link, mention, plain
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import LateStartState, TaskRef, TaskRejectState
from handlers.send_blocks import build_preview_blocks

Blocks = list[dict[str, Any]]

BUTTONS = [  # (action, action id, label, style) in the order a card shows them
    (TaskAction.approve, ActionId.TASK_APPROVE, "Approve", "primary"),
    (TaskAction.reject, ActionId.TASK_REJECT, "Reject", "danger"),
    (TaskAction.edit, ActionId.TASK_EDIT, "Edit", None),
    (TaskAction.cancel, ActionId.TASK_CANCEL, "Cancel task", "danger"),
    (TaskAction.delete, ActionId.TASK_DELETE, "Delete", "danger"),
]
# What a press cannot take back asks first.
CONFIRMS = {
    TaskAction.cancel: ("Cancel this task?", "Nothing of it is sent. It can be copied later, not restarted.",
                        "Cancel task", "Keep it"),
    TaskAction.delete: ("Delete this task?", "Its card stays, marked deleted; the task itself is gone.",
                        "Delete", "Keep it"),
}


def _button(action: TaskAction, action_id: str, label: str, style: str | None, value: str) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(label), "value": value}
    if style:
        button["style"] = style
    if action in CONFIRMS:
        title, text, confirm, deny = CONFIRMS[action]
        button["confirm"] = {"title": plain(title), "text": plain(text), "confirm": plain(confirm),
                             "deny": plain(deny), "style": "danger"}
    return button


# The card's note on whoever ended a task's turn, by its status (who approved it is noted apart).
DECIDED_NOTES = {TaskStatus.rejected: "Rejected", TaskStatus.canceled: "Canceled"}


def slack_time(moment) -> str:
    """Slack renders this in each reader's own time zone."""
    if moment is None:
        return "as soon as approved"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


WINDOW_OPENED_NOTE = "Resumed: the sending window is open again."


def window_closed_note(rules: StartRules, now) -> str:
    opening = next_window_opening(now, rules.window)
    return (f"Paused: the sending window ({rules.window}) has closed. It goes on by itself when the window "
            f"opens, {slack_time(opening)}.")


def _content(task: TaskView) -> str:
    content = (f"*{task.kind.capitalize()}* · {task.purpose} · signature *{escape(task.signature)}* · "
               f"template *{escape(task.template)}*")
    if task.fallback != "none":
        content += f"\nFallback: {task.fallback} SMS with *{escape(task.fallback_template or '')}*"
    if task.default_link:
        content += f"\nDefault link: {escape(task.default_link)}"
    return content


def build_task_card(task: TaskView, preview: Preview | None, *, deleted: bool = False,
                    closed: frozenset[str] = frozenset()) -> tuple[str, Blocks]:
    """`closed`: the actions a scheduled task's cutoffs have closed: their buttons are not shown."""
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
    note = [f"Approved by {mention(task.approved_by)}"] if task.approved_by else []  # kept once it is over
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
        allowed = allowed_actions(task.status) - closed
        elements = [_button(action, action_id, label, style, value)
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


def approval_note(user_id: str, task: TaskView, chosen: StartChoice | None = None,
                  late_reason: str | None = None) -> str:
    """The thread's note on an approval: when the task really starts, in each reader's zone.
    `late_reason` comes back from the modal's private_metadata: escaped like any supplied text."""
    approved = f"{mention(user_id)} approved this task."
    late = f"It could not start as it asked ({escape(late_reason or '')})"
    if chosen is StartChoice.EARLIEST:
        return f"{approved} {late}, so it sends at the earliest allowed time, {slack_time(task.send_at)}."
    if chosen is StartChoice.RESCHEDULE:
        return f"{approved} {late}, so it was rescheduled to {slack_time(task.send_at)}."
    return f"{approved} " + (f"It sends {slack_time(task.send_at)}." if task.send_at else "It starts sending now.")


def build_late_start_modal(task: TaskView, late: LateStart, *, from_home: bool) -> dict[str, Any]:
    """Approving would start the task late or outside the window: the approver chooses when."""
    earliest = {"text": plain("Send at the earliest allowed time (above)"), "value": StartChoice.EARLIEST}
    later = {"text": plain("Reschedule to the date and time below"), "value": StartChoice.RESCHEDULE}
    return {
        "type": "modal", "callback_id": CallbackId.TASK_LATE_START,
        "private_metadata": LateStartState(id=task.id, version=task.version, late_reason=late.reason,
                                           from_home=from_home or None).dump(),
        "title": plain("Approve: when to send"), "submit": plain("Approve"), "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": plain(f"“{task.name}” cannot start as it asks: {late.reason}. "
                                              "Nothing is sent until you choose.")},
            {"type": "section", "text": {"type": "mrkdwn",
                                         "text": f"The earliest allowed time is {slack_time(late.earliest)}."}},
            {"type": "input", "block_id": BlockId.LATE_START_CHOICE, "label": plain("When"),
             "element": {"type": "radio_buttons", "action_id": ActionId.APPROVAL_REASON_INPUT,
                         "options": [earliest, later], "initial_option": earliest}},
            {"type": "input", "block_id": BlockId.LATE_START_DATE, "label": plain("Date (to reschedule)"),
             "optional": True, "element": {"type": "datepicker", "action_id": ActionId.APPROVAL_REASON_INPUT}},
            {"type": "input", "block_id": BlockId.LATE_START_TIME, "label": plain("Time (your own time zone)"),
             "optional": True, "element": {"type": "timepicker", "action_id": ActionId.APPROVAL_REASON_INPUT}},
        ],
    }


# The notes a task's thread is told, each naming who acted.
def rejected_note(approver_id: str, reason: str) -> str:
    return f"{mention(approver_id)} rejected this task: {escape(reason)}"


def acted_note(user_id: str, did: str) -> str:
    """`did`: the bot's own words for what was done ("canceled this task", "paused this send")."""
    return f"{mention(user_id)} {did}."


def edited_note(user_id: str, version: int) -> str:
    return f"{mention(user_id)} edited this task (version {version}); it needs a new approval."


def submitted_note(task: TaskView, thread_link: str) -> str:
    """Where the task was asked for, when its thread is in the approvals channel; once decided,
    it says where the task stands now."""
    note = (f"{mention(task.created_by)} submitted send task *{escape(task.name)}* for approval: "
            f"{link(thread_link, 'open its thread')}")
    if task.status == TaskStatus.moderating:
        return note
    cause = f": {escape(task.reason)}" if task.reason and task.status in (TaskStatus.rejected, TaskStatus.failed) else ""
    return f"{note}\nNow *{STATUS_LABELS[TaskStatus(task.status)]}*{cause}."


def requester_news(task: TaskView, what: str, thread_link: str | None, *, in_thread: bool) -> str:
    """What the requester is told, `what` in the bot's words (mrkdwn, user text escaped): in
    their DM with a link to the thread, or in the thread with a mention."""
    if in_thread:
        return f"{mention(task.created_by)} {what}"
    where = f" {link(thread_link, 'Open its thread')}." if thread_link else ""
    return f"{what}{where}"


def decided_news(task: TaskView, approver_id: str) -> str:
    name = f"Your send task *{escape(task.name)}*"
    if task.status == TaskStatus.rejected:
        return f"{name} was rejected by {mention(approver_id)}: {escape(task.reason or '')}"
    when = f"it sends {slack_time(task.send_at)}" if task.send_at else "it starts sending now"
    return f"{name} was approved by {mention(approver_id)}; {when}."


def started_news(task: TaskView) -> str:
    return f"Your send task *{escape(task.name)}* started sending to {task.recipient_count:,} recipients."


def ended_news(task: TaskView, delivered: int, failed: int, awaiting: int, total: int) -> str:
    name = f"Your send task *{escape(task.name)}*"
    if task.status == TaskStatus.failed:
        return f"{name} failed: {escape(task.reason or '')}."
    return (f"{name} is done: {delivered:,} delivered, {failed:,} failed, {awaiting:,} awaiting receipt, "
            f"of {total:,} recipients.")
