"""Block Kit for the App Home tab: quick actions, the person's recent tasks and, for an
approver, what waits for a decision."""

from __future__ import annotations

from typing import Any

from domain.i18n import _, number
from domain.use_cases.status import Dashboard, PendingContent, PendingTask
from handlers.block_kit import escape, mention, plain, quoted, section
from handlers.ids import SLASH_COMMAND, ActionId, BlockId
from handlers.payloads import ContentRef, TaskRef
from handlers.send_blocks import build_preview_blocks
from handlers.status_blocks import details_button, task_line

Blocks = list[dict[str, Any]]
CONTENT_SHOWN = 300


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def _button(action_id: str, label: str, value: str | None = None, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(label)}
    if value is not None:
        button["value"] = value
    if style:
        button["style"] = style
    return button


def _quick_actions() -> dict[str, Any]:
    return {"type": "actions", "block_id": BlockId.HOME_ACTIONS, "elements": [
        _button(ActionId.HOME_NEW_SEND, _("New send"), style="primary"),
        _button(ActionId.HOME_UPLOAD, _("Upload recipients")),
        _button(ActionId.HOME_SAMPLE, _("Sample file")),
    ]}


def _recent(dashboard: Dashboard, links: dict[int, str]) -> Blocks:
    blocks: Blocks = [{"type": "header", "text": plain(_("Your recent tasks"))}]
    if not dashboard.recent:
        blocks.append(section(_("No send tasks yet. Press *New send* or run `{command} send`.",
                                command=SLASH_COMMAND)))
        return blocks
    for task in dashboard.recent:
        block = section(task_line(task, links.get(task.id)), f"{BlockId.HOME_RECENT}:{task.id}")
        if task.started:
            block["accessory"] = details_button(task)
        blocks.append(block)
    blocks.append(_context(_("`{command} list all` lists every task you asked for.", command=SLASH_COMMAND)))
    return blocks


def _pending_task(item: PendingTask, links: dict[int, str]) -> Blocks:
    """The task, the message it would send (as its card shows it), and the decision: three blocks."""
    task = item.task
    blocks = [section(task_line(task, links.get(task.id))),
              *build_preview_blocks(item.preview, _("The content of this task is no longer available."),
                                    block_id=f"{BlockId.HOME_PENDING_PREVIEW}:{task.id}")]
    if item.can_decide:
        value = TaskRef(id=task.id, version=task.version).dump()
        blocks.append({"type": "actions", "block_id": f"{BlockId.HOME_PENDING_TASK}:{task.id}", "elements": [
            _button(ActionId.TASK_APPROVE, _("Approve"), value, "primary"),
            _button(ActionId.TASK_REJECT, _("Reject"), value, "danger"),
        ]})
    else:
        blocks.append(_context(_("You asked for this one: another approver decides it.")))
    return blocks


def _pending_content(item: PendingContent) -> Blocks:
    summary = item.summary if len(item.summary) <= CONTENT_SHOWN else item.summary[:CONTENT_SHOWN - 1] + "…"
    said = (_("*Signature* “{name}” from {person}", name=escape(item.name), person=mention(item.created_by))
            if item.kind == "signature" else
            _("*Template* “{name}” from {person}", name=escape(item.name), person=mention(item.created_by)))
    blocks = [section(said + (f"\n{quoted(summary)}" if summary else ""))]
    if item.can_decide:
        value = ContentRef(kind=item.kind, id=item.id).dump()
        blocks.append({"type": "actions", "block_id": f"{BlockId.HOME_PENDING_CONTENT}:{item.kind}:{item.id}",
                       "elements": [_button(ActionId.CONTENT_APPROVE, _("Approve"), value, "primary"),
                                    _button(ActionId.CONTENT_REJECT, _("Reject"), value, "danger")]})
    else:
        blocks.append(_context(_("You asked for this one: another approver decides it.")))
    return blocks


def _approvals(dashboard: Dashboard, links: dict[int, str]) -> Blocks:
    blocks: Blocks = [{"type": "divider"}, {"type": "header", "text": plain(_("Waiting for your decision"))}]
    if not dashboard.pending_tasks and not dashboard.pending_content:
        blocks.append(section(_("Nothing is waiting for approval. :tada:")))
        return blocks
    if dashboard.pending_tasks:
        blocks.append(section(_("*Send tasks* ({count})", count=number(dashboard.pending_tasks_total))))
        for item in dashboard.pending_tasks:
            blocks += _pending_task(item, links)
        if dashboard.pending_tasks_total > len(dashboard.pending_tasks):
            blocks.append(_context(_("…and {count} more: `{command} list all moderating`.", command=SLASH_COMMAND,
                                     count=number(dashboard.pending_tasks_total - len(dashboard.pending_tasks)))))
    if dashboard.pending_content:
        blocks.append(section(_("*Signatures and templates* ({count})",
                                count=number(dashboard.pending_content_total))))
        for item in dashboard.pending_content:
            blocks += _pending_content(item)
        if dashboard.pending_content_total > len(dashboard.pending_content):
            blocks.append(_context(_("…and {count} more in the approvals channel.",
                                     count=number(dashboard.pending_content_total - len(dashboard.pending_content)))))
    return blocks


def build_home_view(*, is_approver: bool, dashboard: Dashboard | None = None,
                    links: dict[int, str] | None = None) -> dict[str, Any]:
    links = links or {}
    role = (
        _("You are an *approver*: send requests and new content wait for you here and in the approvals channel.")
        if is_approver
        else _("You can launch sends; an approver reviews each one before it goes out.")
    )
    steps = "\n".join(
        [
            _("1. Drop an XLSX or CSV with a `phone` column (and one column per template variable) into a channel."),
            _("2. Run `{command} send` and pick an approved signature and template.", command=SLASH_COMMAND),
            _("3. An approver approves it in the thread; progress is posted there as it sends."),
            _("Run `{command} help` for every command.", command=SLASH_COMMAND),
        ]
    )
    blocks: Blocks = [
        {"type": "header", "text": plain(_("smsbot: bulk SMS from Slack"))},
        {"type": "section", "block_id": BlockId.HOME_INTRO, "text": {"type": "mrkdwn", "text": _(
            "Send SMS to thousands of numbers from a spreadsheet, with every send reviewed by an "
            "approver and followed live in its thread. Numbers are shown by their last four digits only.")}},
        _quick_actions(),
    ]
    if dashboard is not None:
        blocks += [{"type": "divider"}, *_recent(dashboard, links)]
        if is_approver:
            blocks += _approvals(dashboard, links)
    blocks += [
        {"type": "divider"},
        {"type": "section", "block_id": BlockId.HOME_STEPS, "text": {"type": "mrkdwn",
                                                                      "text": _("*How to start*") + "\n" + steps}},
        {"type": "context", "block_id": BlockId.HOME_ROLE, "elements": [{"type": "mrkdwn", "text": role}]},
    ]
    return {"type": "home", "blocks": blocks}
