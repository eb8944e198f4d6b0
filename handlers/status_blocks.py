"""Block Kit for status and reporting: the `/sms list` message, the task details modal and the
`/sms lookup` answer. Numbers arrive here by their last four digits only (in a message's text
too: the use case masks them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.i18n import _, n_, number
from domain.status import (
    LIST_STATUS_WORDS,
    RECIPIENT_FILTER_LABELS,
    ListScope,
    RecipientFilter,
    recipient_status_label,
)
from domain.task_state import TaskStatus, status_label
from domain.use_cases.status import LookupLine, RecipientLine, TaskDetails, TaskPage, TaskSummary
from handlers.block_kit import SECTION_TEXT_LIMIT, escape, link, mention, mrkdwn, plain, quoted_within
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import DetailsState, TaskListState, TaskRef
from handlers.task_blocks import slack_time

Blocks = list[dict[str, Any]]
ROWS_PER_SECTION = 5
REASON_SHOWN = 120
SMS_ID_SHOWN = 64  # as long as a stored SMS ID may be


def when(moment: datetime | None) -> str:
    return slack_time(moment) if moment is not None else "—"


def counts_line(task: TaskSummary) -> str:
    p = task.progress
    return _("Sent to carrier {sent} · Delivered {delivered} · Failed {failed} · Awaiting receipt {awaiting} · "
             "Skipped {skipped}", sent=number(p.sent_to_carrier), delivered=number(p.delivered),
             failed=number(p.failed), awaiting=number(p.submitted), skipped=number(p.skipped))


def details_button(task: TaskSummary) -> dict[str, Any]:
    return {"type": "button", "action_id": ActionId.TASK_DETAILS, "text": plain(_("Details")),
            "value": TaskRef(id=task.id, version=task.version).dump()}


def task_line(task: TaskSummary, thread: str | None = None) -> str:
    """A task in a list: its name (a link to its thread), status, send time and counts. Why a
    failed send failed is stored in English: a known cause is said in the reader's language."""
    name = link(thread, task.name) if thread else f"*{escape(task.name)}*"
    status = status_label(task.status)
    head = (_("{name} · #{id} · *{status}*: {cause}", name=name, id=task.id, status=status, cause=escape(_(task.cause)))
            if task.cause else _("{name} · #{id} · *{status}*", name=name, id=task.id, status=status))
    line = head + "\n" + _("Send time: {time} · requested by {person}", time=slack_time(task.send_at),
                           person=mention(task.created_by))
    if task.started or task.progress.total:
        return line + "\n" + counts_line(task)
    return line + "\n" + n_("{count} recipient", "{count} recipients", task.recipient_count)


def _which(state: TaskListState) -> str:
    """The tasks a list was asked for (its scope, and the part of a name as typed, escaped)."""
    if state.scope == ListScope.CHANNEL:
        return (_("whose name contains “{name}” in this channel", name=escape(state.name)) if state.name
                else _("in this channel"))
    return (_("whose name contains “{name}” you can see", name=escape(state.name)) if state.name
            else _("you can see"))


def _status_word(state: TaskListState) -> str | None:
    """The status word the list was asked for (a code), as a list's heading says it."""
    if not state.status:
        return None
    try:
        return _(LIST_STATUS_WORDS[TaskStatus(state.status)])
    except ValueError:
        return state.status


def _no_tasks(state: TaskListState) -> str:
    status, which = _status_word(state), _which(state)
    if status:
        return _("No {status} tasks {which}.", status=status, which=which)
    return _("No tasks {which}.", which=which)


def _list_heading(state: TaskListState, shown, on_page: int) -> tuple[str, str]:
    """The message's text and its context line: how many tasks, which, and the page."""
    status, which, total = _status_word(state), _which(state), shown.total
    first, last = shown.offset + 1, shown.offset + on_page
    place = dict(which=which, first=first, last=last, page=shown.number + 1, pages=shown.pages)
    if status:
        return (n_("{count} {status} task {which}: {first}–{last}", "{count} {status} tasks {which}: {first}–{last}",
                   total, status=status, **place),
                n_("*{count}* {status} task {which} · {first}–{last}, page {page} of {pages}",
                   "*{count}* {status} tasks {which} · {first}–{last}, page {page} of {pages}",
                   total, status=status, **place))
    return (n_("{count} task {which}: {first}–{last}", "{count} tasks {which}: {first}–{last}", total, **place),
            n_("*{count}* task {which} · {first}–{last}, page {page} of {pages}",
               "*{count}* tasks {which} · {first}–{last}, page {page} of {pages}", total, **place))


def build_task_list(page: TaskPage, state: TaskListState, links: dict[int, str]) -> tuple[str, Blocks]:
    if not page.tasks:
        text = _no_tasks(state)
        return text, [{"type": "section", "text": mrkdwn(text)}]
    shown = page.page
    text, heading = _list_heading(state, shown, len(page.tasks))
    blocks: Blocks = [{"type": "context", "elements": [mrkdwn(heading)]}]
    for task in page.tasks:
        block: dict[str, Any] = {"type": "section", "block_id": f"{BlockId.LIST_TASK}:{task.id}",
                                 "text": mrkdwn(task_line(task, links.get(task.id)))}
        if task.started:
            block["accessory"] = details_button(task)
        blocks.append(block)
    navigation = navigation_buttons(shown, ActionId.LIST_PREVIOUS, ActionId.LIST_NEXT,
                             lambda number: TaskListState(**{**state.model_dump(), "page": number}).dump())
    if navigation:
        blocks.append({"type": "actions", "block_id": BlockId.LIST_NAV, "elements": navigation})
    return text, blocks


def navigation_buttons(page, previous_id: str, next_id: str, value) -> list[dict[str, Any]]:
    """Previous and Next, as the page allows; `value(number)`: a button's value for that page."""
    elements = []
    if page.has_previous:
        elements.append({"type": "button", "action_id": previous_id, "text": plain(_("Previous")),
                         "value": value(page.number - 1)})
    if page.has_next:
        elements.append({"type": "button", "action_id": next_id, "text": plain(_("Next")),
                         "value": value(page.number + 1)})
    return elements


def _totals(details: TaskDetails) -> dict[str, Any]:
    task, p = details.task, details.task.progress
    fields = [_("*Status*\n{status}", status=status_label(task.status)),
              _("*Recipients*\n{count}", count=number(p.total or task.recipient_count)),
              _("*Sent to carrier*\n{count}", count=number(p.sent_to_carrier)),
              _("*Delivered*\n{count}", count=number(p.delivered)),
              _("*Failed*\n{count}", count=number(p.failed)),
              _("*Awaiting receipt*\n{count}", count=number(p.submitted)),
              _("*Skipped*\n{count}", count=number(p.skipped)),
              _("*Not yet sent*\n{count}", count=number(p.pending + p.in_flight))]
    return {"type": "section", "block_id": BlockId.DETAILS_TOTALS, "fields": [mrkdwn(field) for field in fields]}


def shown_reason(reason: str, limit: int = REASON_SHOWN) -> str:
    """A stored reason (English, or a provider's own text) in the reader's language where it is
    a known one, cut to `limit` with "…", escaped."""
    said = _(reason)
    return escape(said if len(said) <= limit else said[:limit - 1] + "…")


def _row(line: RecipientLine) -> str:
    text = _("`{number}` · row {row} · *{status}* · submitted {submitted} · receipt {receipt}", number=line.shown,
             row=number(line.row_number), status=recipient_status_label(line.status),
             submitted=when(line.submitted_at), receipt=when(line.receipt_at))
    if line.application:
        text += " · " + _("via {application}", application=escape(line.application))
    if line.reason:
        text += " · " + shown_reason(line.reason)
    return text


def _message_row(line: RecipientLine) -> str:
    """A recipient as its requester and the approvers see it: the row, its SMS ID, the length
    and segments of its message, and the message quoted (cut with "…" past a section's limit)."""
    message = line.message
    sms_id = escape(line.provider_id[:SMS_ID_SHOWN]) if line.provider_id else "—"
    facts = " · ".join([_("SMS ID {id}", id=sms_id),
                        n_("{count} character", "{count} characters", message.characters),
                        n_("{count} segment", "{count} segments", message.segments)])
    if message.fallback:
        facts += " · " + _("sent as the card's fallback SMS")
    head = f"{_row(line)}\n{facts}\n"
    return head + quoted_within(message.text, SECTION_TEXT_LIMIT - len(head))


def _option(choice: RecipientFilter) -> dict[str, Any]:
    return {"text": plain(_(RECIPIENT_FILTER_LABELS[choice])), "value": str(choice)}


def _controls(details: TaskDetails) -> Blocks:
    search: dict[str, Any] = {"type": "plain_text_input", "action_id": ActionId.DETAILS_SEARCH_INPUT,
                              "max_length": 4, "placeholder": plain(_("e.g. 8000")),
                              "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]}}
    if details.search:
        search["initial_value"] = details.search
    return [
        {"type": "input", "block_id": BlockId.DETAILS_FILTER, "dispatch_action": True, "label": plain(_("Show")),
         "element": {"type": "static_select", "action_id": ActionId.DETAILS_FILTER_SELECT,
                     "options": [_option(choice) for choice in RecipientFilter],
                     "initial_option": _option(details.filter)}},
        {"type": "input", "block_id": BlockId.DETAILS_SEARCH, "dispatch_action": True, "optional": True,
         "label": plain(_("Last digits of the number")), "element": search,
         "hint": plain(_("Up to 4 digits; press Enter or Search."))},
    ]


def _no_recipients(details: TaskDetails) -> str:
    """None match the filter and search: which were looked for."""
    if details.filter is RecipientFilter.ALL:
        return (_("No recipients ending in {digits}.", digits=details.search) if details.search
                else _("No recipients."))
    wanted = _(RECIPIENT_FILTER_LABELS[details.filter]).lower()
    return (_("No {which} recipients ending in {digits}.", which=wanted, digits=details.search) if details.search
            else _("No {which} recipients.", which=wanted))


def _recipient_rows(details: TaskDetails) -> Blocks:
    page = details.page
    if not details.lines:
        return [{"type": "section", "text": mrkdwn(_no_recipients(details))}]
    blocks = _message_sections(details) if details.with_messages else _row_sections(details)
    first, last = page.offset + 1, page.offset + len(details.lines)
    numbers = (_("numbers, in the texts too, are shown by their last four digits only") if details.with_messages
               else _("numbers are shown by their last four digits only"))
    blocks.append({"type": "context", "elements": [mrkdwn(_(
        "{first}–{last} of {total} · page {page} of {pages} · {numbers}", first=number(first), last=number(last),
        total=number(page.total), page=page.number + 1, pages=page.pages, numbers=numbers))]})
    return blocks


def _row_sections(details: TaskDetails) -> Blocks:
    return [{"type": "section", "block_id": f"{BlockId.DETAILS_ROWS}:{start // ROWS_PER_SECTION}",
             "text": mrkdwn("\n".join(_row(line) for line in details.lines[start:start + ROWS_PER_SECTION]))}
            for start in range(0, len(details.lines), ROWS_PER_SECTION)]


def _message_sections(details: TaskDetails) -> Blocks:
    """One section a recipient: a page holds 10, far from a modal's 100 blocks."""
    return [{"type": "section", "block_id": f"{BlockId.DETAILS_MESSAGE}:{n}", "text": mrkdwn(_message_row(line))}
            for n, line in enumerate(details.lines)]


def _navigation(details: TaskDetails) -> dict[str, Any]:
    """Previous and Next as the page allows, and Refresh: the same page read again."""
    elements = navigation_buttons(details.page, ActionId.DETAILS_PREVIOUS, ActionId.DETAILS_NEXT,
                                  lambda page: str(page))
    elements.append({"type": "button", "action_id": ActionId.DETAILS_REFRESH, "text": plain(_("Refresh")),
                     "value": "refresh"})
    return {"type": "actions", "block_id": BlockId.DETAILS_NAV, "elements": elements}


def _results(details: TaskDetails, notice: str | None) -> Blocks:
    """What the modal shows under the totals: why there are no rows, or the controls and a page."""
    task = details.task
    if task.details_purged_at is not None:
        return [{"type": "section", "text": mrkdwn(_(
            ":wastebasket: Per-recipient details were purged {time}, after the retention period. The totals above "
            "are kept.", time=slack_time(task.details_purged_at)))}]
    if not task.started:
        return [{"type": "section", "text": mrkdwn(_(
            "This task has not started sending, so it has no per-recipient results yet."))}, _navigation(details)]
    blocks = _controls(details)
    if notice:
        blocks.append({"type": "context", "elements": [mrkdwn(f":warning: {notice}")]})
    return [*blocks, {"type": "divider"}, *_recipient_rows(details), _navigation(details)]


def build_details_modal(details: TaskDetails, *, notice: str | None = None) -> dict[str, Any]:
    """`notice`: why the last search was not taken, in mrkdwn (`error_mrkdwn`)."""
    task = details.task
    blocks: Blocks = [
        {"type": "header", "text": plain(_("Send task: {name}", name=task.name)[:150])},
        _totals(details),
        {"type": "context", "elements": [mrkdwn(_(
            "Task #{id} · requested by {person} · send time {time}", id=task.id, person=mention(task.created_by),
            time=slack_time(task.send_at)))]},
        *_results(details, notice),
    ]
    view: dict[str, Any] = {
        "type": "modal", "callback_id": CallbackId.TASK_DETAILS, "title": plain(_("Task details")),
        "close": plain(_("Close")),
        "private_metadata": DetailsState(task_id=task.id, filter=str(details.filter), search=details.search,
                                         page=details.page.number).dump(),
        "blocks": blocks,
    }
    if task.details_purged_at is None and task.started:
        view["submit"] = plain(_("Search"))
    return view


def _lookup_row(line: LookupLine) -> str:
    row = _("• *{name}* (#{id}, {task_status}): *{status}* · submitted {submitted} · receipt {receipt}",
            name=escape(line.task_name), id=line.task_id, task_status=status_label(line.task_status),
            status=recipient_status_label(line.status), submitted=when(line.submitted_at),
            receipt=when(line.receipt_at))
    return row + (" · " + escape(_(line.reason)[:REASON_SHOWN]) if line.reason else "")


def build_lookup_message(shown: str, lines: list[LookupLine]) -> tuple[str, Blocks]:
    if not lines:
        text = _("{number} is not among the recipients of this channel's tasks (tasks whose details were purged "
                 "are not searched).", number=shown)
        return text, [{"type": "section", "text": mrkdwn(text)}]
    rows = [_lookup_row(line) for line in lines]
    text = _("{number} in {count} of this channel's tasks", number=shown, count=number(len(lines)))
    blocks: Blocks = [{"type": "section", "text": mrkdwn(_("*{number}* in this channel's tasks, newest first:",
                                                           number=shown))}]
    for start in range(0, len(rows), 10):
        blocks.append({"type": "section", "text": mrkdwn("\n".join(rows[start:start + 10]))})
    return text, blocks
