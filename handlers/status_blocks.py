"""Block Kit for status and reporting: the `/sms list` message, the task details modal and the
`/sms lookup` answer. Numbers arrive here by their last four digits only (in a message's text
too: the use case masks them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.status import (
    RECIPIENT_FILTER_LABELS,
    RECIPIENT_STATUS_LABELS,
    ListScope,
    RecipientFilter,
)
from domain.task_state import STATUS_LABELS
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
    return (f"Sent to carrier {p.sent_to_carrier:,} · Delivered {p.delivered:,} · Failed {p.failed:,} · "
            f"Awaiting receipt {p.submitted:,} · Skipped {p.skipped:,}")


def details_button(task: TaskSummary) -> dict[str, Any]:
    return {"type": "button", "action_id": ActionId.TASK_DETAILS, "text": plain("Details"),
            "value": TaskRef(id=task.id, version=task.version).dump()}


def task_line(task: TaskSummary, thread: str | None = None) -> str:
    """A task in a list: its name (a link to its thread), status, send time and counts."""
    name = link(thread, task.name) if thread else f"*{escape(task.name)}*"
    cause = f": {escape(task.cause)}" if task.cause else ""
    line = (f"{name} · #{task.id} · *{STATUS_LABELS[task.status]}*{cause}\n"
            f"Send time: {slack_time(task.send_at)} · requested by {mention(task.created_by)}")
    if task.started or task.progress.total:
        line += "\n" + counts_line(task)
    else:
        line += f"\n{task.recipient_count:,} recipients"
    return line


def _which(state: TaskListState) -> str:
    """The filters a list was asked for, after its count: the name as typed, escaped."""
    where = "in this channel" if state.scope == ListScope.CHANNEL else "you can see"
    named = f" whose name contains “{escape(state.name)}”" if state.name else ""
    return f"{named} {where}"


def build_task_list(page: TaskPage, state: TaskListState, links: dict[int, str]) -> tuple[str, Blocks]:
    status, which = (f" {state.status}" if state.status else ""), _which(state)
    if not page.tasks:
        text = f"No{status} tasks{which}."
        return text, [{"type": "section", "text": mrkdwn(text)}]
    shown = page.page
    first, last = shown.offset + 1, shown.offset + len(page.tasks)
    noun = "task" if shown.total == 1 else "tasks"
    text = f"{shown.total:,}{status} {noun}{which}: {first}–{last}"
    blocks: Blocks = [{"type": "context", "elements": [mrkdwn(
        f"*{shown.total:,}*{status} {noun}{which} · {first}–{last}, page {shown.number + 1} of {shown.pages}")]}]
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
        elements.append({"type": "button", "action_id": previous_id, "text": plain("Previous"),
                         "value": value(page.number - 1)})
    if page.has_next:
        elements.append({"type": "button", "action_id": next_id, "text": plain("Next"),
                         "value": value(page.number + 1)})
    return elements


def _totals(details: TaskDetails) -> dict[str, Any]:
    task, p = details.task, details.task.progress
    figures = [("Status", STATUS_LABELS[task.status]), ("Recipients", f"{p.total or task.recipient_count:,}"),
               ("Sent to carrier", f"{p.sent_to_carrier:,}"), ("Delivered", f"{p.delivered:,}"),
               ("Failed", f"{p.failed:,}"), ("Awaiting receipt", f"{p.submitted:,}"),
               ("Skipped", f"{p.skipped:,}"), ("Not yet sent", f"{p.pending + p.in_flight:,}")]
    return {"type": "section", "block_id": BlockId.DETAILS_TOTALS,
            "fields": [mrkdwn(f"*{label}*\n{value}") for label, value in figures]}


def _row(line: RecipientLine) -> str:
    text = (f"`{line.shown}` · row {line.row_number:,} · *{RECIPIENT_STATUS_LABELS.get(line.status, line.status)}*"
            f" · submitted {when(line.submitted_at)} · receipt {when(line.receipt_at)}")
    if line.application:
        text += f" · via {escape(line.application)}"
    if line.reason:
        reason = line.reason if len(line.reason) <= REASON_SHOWN else line.reason[:REASON_SHOWN - 1] + "…"
        text += f" · {escape(reason)}"
    return text


def _message_row(line: RecipientLine) -> str:
    """A recipient as its requester and the approvers see it: the row, its SMS ID, the length
    and segments of its message, and the message quoted (cut with "…" past a section's limit)."""
    message = line.message
    sms_id = escape(line.provider_id[:SMS_ID_SHOWN]) if line.provider_id else "—"
    facts = (f"SMS ID {sms_id} · {message.characters:,} characters · {message.segments} "
             f"segment{'s' if message.segments != 1 else ''}")
    if message.fallback:
        facts += " · sent as the card's fallback SMS"
    head = f"{_row(line)}\n{facts}\n"
    return head + quoted_within(message.text, SECTION_TEXT_LIMIT - len(head))


def _option(choice: RecipientFilter) -> dict[str, Any]:
    return {"text": plain(RECIPIENT_FILTER_LABELS[choice]), "value": str(choice)}


def _controls(details: TaskDetails) -> Blocks:
    search: dict[str, Any] = {"type": "plain_text_input", "action_id": ActionId.DETAILS_SEARCH_INPUT,
                              "max_length": 4, "placeholder": plain("e.g. 8000"),
                              "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]}}
    if details.search:
        search["initial_value"] = details.search
    return [
        {"type": "input", "block_id": BlockId.DETAILS_FILTER, "dispatch_action": True, "label": plain("Show"),
         "element": {"type": "static_select", "action_id": ActionId.DETAILS_FILTER_SELECT,
                     "options": [_option(choice) for choice in RecipientFilter],
                     "initial_option": _option(details.filter)}},
        {"type": "input", "block_id": BlockId.DETAILS_SEARCH, "dispatch_action": True, "optional": True,
         "label": plain("Last digits of the number"), "element": search,
         "hint": plain("Up to 4 digits; press Enter or Search.")},
    ]


def _recipient_rows(details: TaskDetails) -> Blocks:
    page = details.page
    if not details.lines:
        wanted = "" if details.filter is RecipientFilter.ALL else f" {RECIPIENT_FILTER_LABELS[details.filter].lower()}"
        ending = f" ending in {details.search}" if details.search else ""
        return [{"type": "section", "text": mrkdwn(f"No{wanted} recipients{ending}.")}]
    blocks = _message_sections(details) if details.with_messages else _row_sections(details)
    first, last = page.offset + 1, page.offset + len(details.lines)
    numbers = ("numbers, in the texts too, are shown by their last four digits only" if details.with_messages
               else "numbers are shown by their last four digits only")
    blocks.append({"type": "context", "elements": [mrkdwn(
        f"{first:,}–{last:,} of {page.total:,} · page {page.number + 1} of {page.pages} · {numbers}")]})
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
                                  lambda number: str(number))
    elements.append({"type": "button", "action_id": ActionId.DETAILS_REFRESH, "text": plain("Refresh"),
                     "value": "refresh"})
    return {"type": "actions", "block_id": BlockId.DETAILS_NAV, "elements": elements}


def build_details_modal(details: TaskDetails, *, notice: str | None = None) -> dict[str, Any]:
    """`notice`: why the last search was not taken, in mrkdwn (`error_mrkdwn`)."""
    task = details.task
    blocks: Blocks = [
        {"type": "header", "text": plain(f"Send task: {task.name}"[:150])},
        _totals(details),
        {"type": "context", "elements": [mrkdwn(
            f"Task #{task.id} · requested by {mention(task.created_by)} · send time {slack_time(task.send_at)}")]},
    ]
    view: dict[str, Any] = {
        "type": "modal", "callback_id": CallbackId.TASK_DETAILS, "title": plain("Task details"),
        "close": plain("Close"),
        "private_metadata": DetailsState(task_id=task.id, filter=str(details.filter), search=details.search,
                                         page=details.page.number).dump(),
    }
    if task.details_purged_at is not None:
        blocks.append({"type": "section", "text": mrkdwn(
            f":wastebasket: Per-recipient details were purged {slack_time(task.details_purged_at)}, after the "
            "retention period. The totals above are kept.")})
    elif not task.started:
        blocks.append({"type": "section", "text": mrkdwn(
            "This task has not started sending, so it has no per-recipient results yet.")})
        blocks.append(_navigation(details))
    else:
        blocks += _controls(details)
        if notice:
            blocks.append({"type": "context", "elements": [mrkdwn(f":warning: {notice}")]})
        blocks.append({"type": "divider"})
        blocks += _recipient_rows(details)
        blocks.append(_navigation(details))
        view["submit"] = plain("Search")
    view["blocks"] = blocks
    return view


def build_lookup_message(shown: str, lines: list[LookupLine]) -> tuple[str, Blocks]:
    if not lines:
        text = (f"{shown} is not among the recipients of this channel's tasks "
                "(tasks whose details were purged are not searched).")
        return text, [{"type": "section", "text": mrkdwn(text)}]
    rows = [f"• *{escape(line.task_name)}* (#{line.task_id}, {STATUS_LABELS[line.task_status]}): "
            f"*{RECIPIENT_STATUS_LABELS.get(line.status, line.status)}* · submitted {when(line.submitted_at)} · "
            f"receipt {when(line.receipt_at)}" + (f" · {escape(line.reason[:REASON_SHOWN])}" if line.reason else "")
            for line in lines]
    text = f"{shown} in {len(lines)} of this channel's tasks"
    blocks: Blocks = [{"type": "section", "text": mrkdwn(f"*{shown}* in this channel's tasks, newest first:")}]
    for start in range(0, len(rows), 10):
        blocks.append({"type": "section", "text": mrkdwn("\n".join(rows[start:start + 10]))})
    return text, blocks
