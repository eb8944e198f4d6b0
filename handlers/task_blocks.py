"""Block Kit for a send task's card: the approval request that heads its thread."""

from __future__ import annotations

from typing import Any

from domain.dispatch import reason_in_words
from domain.i18n import N_, _, n_, number
from domain.schedule import LateStart, StartChoice, StartRules, next_window_opening
from domain.status import has_started
from domain.task_state import TaskAction, TaskStatus, allowed_actions, status_label
from domain.tasks import Preview
from domain.use_cases.tasks import TaskView
from handlers.block_kit import escape, link, mention, plain
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import LateStartState, TaskRef, TaskRejectState
from handlers.send_blocks import build_preview_blocks

Blocks = list[dict[str, Any]]

BUTTONS = [  # (action, action id, label, style) in the order a card shows them
    (TaskAction.approve, ActionId.TASK_APPROVE, N_("Approve"), "primary"),
    (TaskAction.reject, ActionId.TASK_REJECT, N_("Reject"), "danger"),
    (TaskAction.edit, ActionId.TASK_EDIT, N_("Edit"), None),
    (TaskAction.cancel, ActionId.TASK_CANCEL, N_("Cancel task"), "danger"),
    (TaskAction.delete, ActionId.TASK_DELETE, N_("Delete"), "danger"),
]
# What a press cannot take back asks first.
CONFIRMS = {
    TaskAction.cancel: (N_("Cancel this task?"), N_("Nothing of it is sent. It can be copied later, not restarted."),
                        N_("Cancel task"), N_("Keep it")),
    TaskAction.delete: (N_("Delete this task?"), N_("Its card stays, marked deleted; the task itself is gone."),
                        N_("Delete"), N_("Keep it")),
}


def _button(action: TaskAction, action_id: str, label: str, style: str | None, value: str) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(_(label)), "value": value}
    if style:
        button["style"] = style
    if action in CONFIRMS:
        title, text, confirm, deny = CONFIRMS[action]
        button["confirm"] = {"title": plain(_(title)), "text": plain(_(text)), "confirm": plain(_(confirm)),
                             "deny": plain(_(deny)), "style": "danger"}
    return button


# The card's note on whoever ended a task's turn, by its status (who approved it is noted apart).
DECIDED_NOTES = {TaskStatus.rejected: N_("Rejected by {person}"), TaskStatus.canceled: N_("Canceled by {person}")}
# How a task's content reads on its card, by its kind, with its purpose; and its fallback.
CONTENT_LINES = {
    "text": N_("*Text* · {purpose} · signature *{signature}* · template *{template}*"),
    "card": N_("*Card* · {purpose} · signature *{signature}* · template *{template}*"),
    "digital": N_("*Digital* · {purpose} · signature *{signature}* · template *{template}*"),
}
PURPOSES = {"notification": N_("notification"), "promotional": N_("promotional")}
FALLBACK_LINES = {"text": N_("Fallback: text SMS with *{template}*"),
                  "digital": N_("Fallback: digital SMS with *{template}*")}


def slack_time(moment) -> str:
    """Slack renders this in each reader's own time zone."""
    if moment is None:
        return _("as soon as approved")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


# Said in the thread in the deployment's language (the tick's): _(WINDOW_OPENED_NOTE).
WINDOW_OPENED_NOTE = N_("Resumed: the sending window is open again.")


def window_closed_note(rules: StartRules, now) -> str:
    opening = next_window_opening(now, rules.window)
    return _("Paused: the sending window ({window}) has closed. It goes on by itself when the window opens, "
             "{opening}.", window=str(rules.window), opening=slack_time(opening))


def task_reason(task: TaskView) -> str:
    """Why a task stands where it does, in the reader's language: a rejection's reason is the
    approver's own words; the bot's (stored in English) are translated. Not escaped."""
    if not task.reason:
        return ""
    return task.reason if task.status == TaskStatus.rejected else reason_in_words(task.reason)


def _content(task: TaskView) -> str:
    purpose = _(PURPOSES.get(task.purpose, task.purpose))
    content = _(CONTENT_LINES[task.kind], purpose=purpose, signature=escape(task.signature),
                template=escape(task.template))
    if task.fallback != "none":
        content += "\n" + _(FALLBACK_LINES[task.fallback], template=escape(task.fallback_template or ""))
    if task.default_link:
        content += "\n" + _("Default link: {link}", link=escape(task.default_link))
    return content


def _card_note(task: TaskView) -> str:
    """Who decided, why, and which version: the card's last line."""
    note = [_("Approved by {person}", person=mention(task.approved_by))] if task.approved_by else []
    if task.decided_by and task.status in DECIDED_NOTES:
        # A cancel once sending had started (a progress message exists) was a Stop.
        decided = (N_("Stopped by {person}") if task.status is TaskStatus.canceled and task.progress_ts
                   else DECIDED_NOTES[task.status])
        note.append(_(decided, person=mention(task.decided_by)))
    if task.reason:
        note.append(escape(task_reason(task)))
    note.append(_("Task #{id}, version {version}", id=task.id, version=task.version))
    return " · ".join(note)[:3000]


def _card_buttons(task: TaskView, closed: frozenset[str]) -> dict[str, Any]:
    value = TaskRef(id=task.id, version=task.version).dump()
    allowed = allowed_actions(task.status) - closed
    elements = [_button(action, action_id, label, style, value)
                for action, action_id, label, style in BUTTONS if action in allowed]
    elements.append({"type": "button", "action_id": ActionId.TASK_COPY, "text": plain(_("Copy")), "value": value})
    elements.append({"type": "button", "action_id": ActionId.TASK_TEST_SEND, "text": plain(_("Test send")),
                     "value": value})
    if has_started(task.status, task.progress_ts):  # per-recipient results exist: the details modal
        elements.append({"type": "button", "action_id": ActionId.TASK_DETAILS, "text": plain(_("Details")),
                         "value": value})
    return {"type": "actions", "block_id": BlockId.TASK_ACTIONS, "elements": elements}


def build_task_card(task: TaskView, preview: Preview | None, *, deleted: bool = False,
                    closed: frozenset[str] = frozenset()) -> tuple[str, Blocks]:
    """`closed`: the actions a scheduled task's cutoffs have closed: their buttons are not shown."""
    status = _("deleted") if deleted else status_label(task.status)
    blocks: Blocks = [
        {"type": "header", "text": plain(_("Send task: {name}", name=task.name))},
        {"type": "section", "block_id": BlockId.TASK_SUMMARY, "fields": [
            {"type": "mrkdwn", "text": _("*Status*\n{status}", status=status)},
            {"type": "mrkdwn", "text": _("*Requested by*\n{person}", person=mention(task.created_by))},
            {"type": "mrkdwn", "text": _("*Recipients*\n{count}", count=number(task.recipient_count))},
            {"type": "mrkdwn", "text": _("*Send time*\n{time}", time=slack_time(task.send_at))},
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": _content(task)[:3000]}},
        *build_preview_blocks(preview, _("The content of this task is no longer available.")),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _card_note(task)}]},
    ]
    if not deleted:
        blocks.append(_card_buttons(task, closed))
    text = _("Send task “{name}”: {status}", name=escape(task.name), status=status)
    return text, blocks


def build_task_reject_modal(task: TaskView, *, from_home: bool = False) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.TASK_REJECT,
        "private_metadata": TaskRejectState(id=task.id, version=task.version, from_home=from_home or None).dump(),
        "title": plain(_("Reject send task")),
        "submit": plain(_("Reject")),
        "close": plain(_("Cancel")),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _(
                "Reject “{name}”? The requester sees your reason in the thread.", name=escape(task.name))}},
            {"type": "input", "block_id": BlockId.APPROVAL_REASON, "label": plain(_("Reason")),
             "element": {"type": "plain_text_input", "action_id": ActionId.APPROVAL_REASON_INPUT, "multiline": True,
                         "max_length": 500}},
        ],
    }


def approval_note(user_id: str, task: TaskView, chosen: StartChoice | None = None,
                  late_reason: str | None = None) -> str:
    """The thread's note on an approval: when the task really starts, in each reader's zone, and
    why it could not start as it asked (worked out in this message's language)."""
    approver, when = mention(user_id), slack_time(task.send_at)
    reason = escape(late_reason or "")
    if chosen is StartChoice.EARLIEST:
        return _("{approver} approved this task. It could not start as it asked ({reason}), so it sends at the "
                 "earliest allowed time, {time}.", approver=approver, reason=reason, time=when)
    if chosen is StartChoice.RESCHEDULE:
        return _("{approver} approved this task. It could not start as it asked ({reason}), so it was "
                 "rescheduled to {time}.", approver=approver, reason=reason, time=when)
    if task.send_at:
        return _("{approver} approved this task. It sends {time}.", approver=approver, time=when)
    return _("{approver} approved this task. It starts sending now.", approver=approver)


def build_late_start_modal(task: TaskView, late: LateStart, *, from_home: bool) -> dict[str, Any]:
    """Approving would start the task late or outside the window: the approver chooses when."""
    earliest = {"text": plain(_("Send at the earliest allowed time (above)")), "value": StartChoice.EARLIEST}
    later = {"text": plain(_("Reschedule to the date and time below")), "value": StartChoice.RESCHEDULE}
    return {
        "type": "modal", "callback_id": CallbackId.TASK_LATE_START,
        "private_metadata": LateStartState.of(task.id, task.version, late, from_home=from_home).dump(),
        "title": plain(_("Approve: when to send")), "submit": plain(_("Approve")), "close": plain(_("Cancel")),
        "blocks": [
            {"type": "section", "text": plain(_("“{name}” cannot start as it asks: {reason}. Nothing is sent until "
                                                "you choose.", name=task.name, reason=late.reason))},
            {"type": "section", "text": {"type": "mrkdwn", "text": _(
                "The earliest allowed time is {time}.", time=slack_time(late.earliest))}},
            {"type": "input", "block_id": BlockId.LATE_START_CHOICE, "label": plain(_("When")),
             "element": {"type": "radio_buttons", "action_id": ActionId.APPROVAL_REASON_INPUT,
                         "options": [earliest, later], "initial_option": earliest}},
            {"type": "input", "block_id": BlockId.LATE_START_DATE, "label": plain(_("Date (to reschedule)")),
             "optional": True, "element": {"type": "datepicker", "action_id": ActionId.APPROVAL_REASON_INPUT}},
            {"type": "input", "block_id": BlockId.LATE_START_TIME, "label": plain(_("Time (your own time zone)")),
             "optional": True, "element": {"type": "timepicker", "action_id": ActionId.APPROVAL_REASON_INPUT}},
        ],
    }


# The notes a task's thread is told, each naming who acted (`acted_note`).
CANCELED_NOTE = N_("{person} canceled this task.")
DELETED_NOTE = N_("{person} deleted this task.")
PAUSED_NOTE = N_("{person} paused this send.")
RESUMED_NOTE = N_("{person} resumed this send.")
STOPPED_NOTE = N_("{person} stopped this send.")


def rejected_note(approver_id: str, reason: str) -> str:
    return _("{approver} rejected this task: {reason}", approver=mention(approver_id), reason=escape(reason))


def acted_note(user_id: str, did: str) -> str:
    """`did`: one of the notes above (`CANCELED_NOTE`, `PAUSED_NOTE`…), with a `{person}`."""
    return _(did, person=mention(user_id))


def edited_note(user_id: str, version: int) -> str:
    return _("{person} edited this task (version {version}); it needs a new approval.", person=mention(user_id),
             version=version)


def submitted_note(task: TaskView, thread_link: str) -> str:
    """Where the task was asked for, when its thread is in the approvals channel; once decided,
    it says where the task stands now."""
    thread = link(thread_link, _("open its thread"))
    note = _("{person} submitted send task *{name}* for approval: {link}", person=mention(task.created_by),
             name=escape(task.name), link=thread)
    if task.status == TaskStatus.moderating:
        return note
    status = status_label(task.status)
    if task.reason and task.status in (TaskStatus.rejected, TaskStatus.failed):
        return note + "\n" + _("Now *{status}*: {cause}.", status=status, cause=escape(task_reason(task)))
    return note + "\n" + _("Now *{status}*.", status=status)


def requester_news(task: TaskView, what: str, thread_link: str | None, *, in_thread: bool) -> str:
    """What the requester is told, `what` in the bot's words (mrkdwn, user text escaped): in
    their DM with a link to the thread, or in the thread with a mention."""
    if in_thread:
        return f"{mention(task.created_by)} {what}"
    if not thread_link:
        return what
    thread = link(thread_link, _("Open its thread"))
    return _("{news} {link}.", news=what, link=thread)


def decided_news(task: TaskView, approver_id: str) -> str:
    name, approver = escape(task.name), mention(approver_id)
    if task.status == TaskStatus.rejected:
        return _("Your send task *{name}* was rejected by {approver}: {reason}", name=name, approver=approver,
                 reason=escape(task.reason or ""))
    if task.send_at:
        return _("Your send task *{name}* was approved by {approver}; it sends {time}.", name=name,
                 approver=approver, time=slack_time(task.send_at))
    return _("Your send task *{name}* was approved by {approver}; it starts sending now.", name=name,
             approver=approver)


def started_news(task: TaskView) -> str:
    return n_("Your send task *{name}* started sending to {count} recipient.",
              "Your send task *{name}* started sending to {count} recipients.", task.recipient_count,
              name=escape(task.name))


def ended_news(task: TaskView, delivered: int, failed: int, awaiting: int, total: int) -> str:
    if task.status == TaskStatus.failed:
        return _("Your send task *{name}* failed: {cause}.", name=escape(task.name), cause=escape(task_reason(task)))
    return n_("Your send task *{name}* is done: {delivered} delivered, {failed} failed, {awaiting} awaiting "
              "receipt, of {count} recipient.",
              "Your send task *{name}* is done: {delivered} delivered, {failed} failed, {awaiting} awaiting "
              "receipt, of {count} recipients.", total, name=escape(task.name), delivered=number(delivered),
              failed=number(failed), awaiting=number(awaiting))
