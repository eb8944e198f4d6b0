"""Block Kit for signatures and templates: lists, the template modal, approval requests."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from domain.text_rules import TEMPLATE_BODY_MAX
from domain.content import MAX_CARD_BUTTONS, TEMPLATE_NAME_MAX, ContentStatus, Purpose, TemplateKind
from domain.use_cases.content import ContentKind, ContentView
from handlers.block_kit import channel_link, escape, mention, plain, quoted, section
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import ContentRef, ContentRejectState, TemplateModalState
from handlers.status_blocks import escape

Blocks = list[dict[str, Any]]
MAX_LISTED = 40
MAX_SIGNATURE_OPTIONS = 100  # Slack's limit for a select's options
STATUS_MARK = {
    ContentStatus.PENDING: ":hourglass_flowing_sand: pending",
    ContentStatus.APPROVED: ":white_check_mark: approved",
    ContentStatus.REJECTED: ":x: rejected",
    ContentStatus.DISABLED: ":no_entry_sign: disabled",
}


# How to use each subcommand, escaped: its placeholders (`<name>`) would be links in mrkdwn.
SIGNATURE_USAGE = escape(f"`{SLASH_COMMAND} signature add <name> [purpose]`, `{SLASH_COMMAND} signature list`, "
                         f"`{SLASH_COMMAND} signature disable <name>`.")
TEMPLATE_USAGE = escape(f"`{SLASH_COMMAND} template add`, `{SLASH_COMMAND} template list`, "
                        f"`{SLASH_COMMAND} template show <name>`, `{SLASH_COMMAND} template edit <name>`, "
                        f"`{SLASH_COMMAND} template disable <name>`, `{SLASH_COMMAND} template code <name> <code>`.")


def _option(value: str, label: str | None = None) -> dict[str, Any]:
    return {"text": plain(label or value.capitalize()), "value": value}


def describe(view: ContentView, *, signature_prefix=None, optout_hint: str | None = None) -> str:
    """The content as an approver needs to judge it, in mrkdwn: every word of it as typed."""
    if view.kind is ContentKind.SIGNATURE:
        shown = signature_prefix(view.name) if signature_prefix else view.name
        note = view.detail.get("purpose_note") or "no purpose given"
        where = view.detail.get("registrations")
        return f"*Signature* `{escape(shown)}` — {escape(note)}" + (f"\nApplications: {registered_for(where)}" if where else "")
    d = view.detail
    lines = [f"*Template* “{escape(view.name)}” — {d['kind']}, {d['purpose']}"]
    lines += [f"{label}: {escape(d[key])}" for key, label in (("subject", "Subject"), ("title", "Title")) if d.get(key)]
    lines.append(quoted(d["body"]))
    if d["purpose"] == Purpose.PROMOTIONAL and optout_hint:
        lines.append(f">_{escape(optout_hint)}_ (added to every promotional message)")
    lines += [f"Media: {escape(url)}" for url in d.get("media_urls") or []]
    if d.get("image_url"):
        lines.append(f"Image: {escape(d['image_url'])}")
    lines += [f"Button “{escape(b['text'])}” → {escape(b['url'])}" for b in d.get("buttons") or []]
    if d.get("default_link"):
        lines.append(f"Default link: {escape(d['default_link'])}")
    if d.get("variables"):
        lines.append("Variables: " + ", ".join(f"`${{{escape(v)}}}`" for v in d["variables"]))
    if d.get("registrations"):
        lines.append(f"Applications: {registered_for(d['registrations'])}")
    lines.append(f"Signatures: only {_names(d['signatures'])}" if d.get("signatures") else
                 "Signatures: any approved one")
    return "\n".join(lines)


def _names(signatures: dict[int, str]) -> str:
    return ", ".join(escape(name) for name in signatures.values())


def build_approval_request(view: ContentView, description: str) -> tuple[str, Blocks]:
    ref = ContentRef(kind=view.kind, id=view.id).dump()
    text = f"Approval needed: {view.kind} “{escape(view.name)}” from {mention(view.created_by)}"
    return text, [
        {"type": "header", "text": plain(f"Approval needed: {view.kind}")},
        section(f"{description}\n\nRequested by {mention(view.created_by)}", BlockId.APPROVAL_SUMMARY),
        {"type": "actions", "block_id": BlockId.APPROVAL_ACTIONS, "elements": [
            {"type": "button", "action_id": ActionId.CONTENT_APPROVE, "style": "primary", "text": plain("Approve"),
             "value": ref},
            {"type": "button", "action_id": ActionId.CONTENT_REJECT, "style": "danger", "text": plain("Reject"),
             "value": ref},
        ]},
    ]


def build_decided_request(view: ContentView, description: str) -> tuple[str, Blocks]:
    """The request once decided: the same content, the decision, no buttons."""
    decision = STATUS_MARK[view.status] + (f" by {mention(view.decided_by)}" if view.decided_by else "")
    if view.reject_reason:
        decision += f": {escape(view.reject_reason)}"
    text = f"{view.kind} “{escape(view.name)}” {view.status}"
    return text, [
        {"type": "header", "text": plain(f"{view.kind.capitalize()} {view.status}")},
        section(f"{description}\n\nRequested by {mention(view.created_by)}", BlockId.APPROVAL_SUMMARY),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": decision[:3000]}]},
    ]


def build_decision_reply(view: ContentView) -> str:
    who, what = mention(view.decided_by), f"{view.kind} “{escape(view.name)}”"
    if view.status is ContentStatus.APPROVED:
        return f"{who} approved {what}. It can be used in sends now."
    return f"{who} rejected {what}: {escape(view.reject_reason or '')}"


def build_template_details(view: ContentView, description: str) -> tuple[str, Blocks]:
    """`/sms template show`: `description` is `describe`'s."""
    return f"Template {escape(view.name)} ({view.status})", [
        section(description),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Status: {view.status}"}]},
    ]


def content_waiting_text(kind: ContentKind, name: str, channel_id: str) -> str:
    return f"{kind.capitalize()} *{escape(name)}* is waiting for approval in {channel_link(channel_id)}."


def disabled_text(kind: ContentKind, name: str) -> str:
    return f"{kind.capitalize()} *{escape(name)}* is disabled; sends can no longer use it."


def registered_for(registrations: dict[str, str | None]) -> str:
    """The applications content is registered for, each with its provider code if it has one."""
    return ", ".join(f"{escape(app)} (`{escape(code)}`)" if code else escape(app) for app, code in registrations.items())


def code_text(name: str, code: str | None) -> str:
    if code:
        return f"Template *{escape(name)}* is sent as `{escape(code)}` by providers that send registered templates."
    return f"Template *{escape(name)}* has no provider code now."


def template_changed_note(name: str, user_id: str) -> str:
    """Told in the thread of each task that used the template."""
    return (f"Template “{escape(name)}” was changed by {mention(user_id)}: "
            "this task needs a new approval, once the template is approved again.")


def build_reject_modal(kind: str, content_id: int, channel_id: str, message_ts: str, name: str, *,
                       from_home: bool = False) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.CONTENT_REJECT,
        "private_metadata": ContentRejectState(kind=kind, id=content_id, channel_id=channel_id,
                                               message_ts=message_ts, from_home=from_home or None).dump(),
        "title": plain("Reject"),
        "submit": plain("Reject"),
        "close": plain("Cancel"),
        "blocks": [
            section(f"Reject {kind} “{escape(name)}”? The requester sees your reason in the thread."),
            {"type": "input", "block_id": BlockId.APPROVAL_REASON, "label": plain("Reason"),
             "element": {"type": "plain_text_input", "action_id": ActionId.APPROVAL_REASON_INPUT, "multiline": True,
                         "max_length": 500}},
        ],
    }


def build_content_list(kind: ContentKind, views: Sequence[ContentView]) -> tuple[str, Blocks]:
    if not views:
        text = f"No {kind}s yet. Add one with `{SLASH_COMMAND} {kind} add`."
        return text, [section(text)]
    lines = []
    for view in views[:MAX_LISTED]:
        extra = f" — {view.detail['kind']}, {view.detail['purpose']}" if kind is ContentKind.TEMPLATE else ""
        if view.detail.get("signatures"):
            extra += f" — only with {_names(view.detail['signatures'])}"
        lines.append(f"• *{escape(view.name)}*{extra} — {STATUS_MARK[view.status]}")
    if len(views) > MAX_LISTED:
        lines.append(f"…and {len(views) - MAX_LISTED} more.")
    return f"{len(views)} {kind}s", [section(f"*{kind.capitalize()}s*\n" + "\n".join(lines))]


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


def _plain(multiline: bool = False, max_length: int | None = None, initial: str | None = None) -> dict[str, Any]:
    """A text input; `initial` prefills it when a template is changed."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ActionId.TEMPLATE_FIELD, "multiline": multiline}
    if max_length:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial
    return element


def _signatures_input(signatures: Sequence[ContentView], bound: Collection[int]) -> dict[str, Any]:
    options = [_option(str(s.id), s.name) for s in signatures[:MAX_SIGNATURE_OPTIONS]]
    element: dict[str, Any] = {"type": "multi_static_select", "action_id": ActionId.TEMPLATE_FIELD,
                               "placeholder": plain("Any signature"), "options": options}
    if chosen := [o for o in options if int(o["value"]) in bound]:
        element["initial_options"] = chosen
    return _input(BlockId.TEMPLATE_SIGNATURES, "Only with these signatures", element, optional=True,
                  hint="None: any approved signature. Sends of this template offer only the ones chosen here.")


def build_template_modal(channel_id: str, kind: TemplateKind = TemplateKind.TEXT, *,
                         template_id: int | None = None, initial: dict | None = None,
                         signatures: Sequence[ContentView] = ()) -> dict[str, Any]:
    """A new template, or (`template_id`, `initial`) a change to one; `signatures`: the approved
    ones it may be bound to."""
    values = initial or {}
    kinds = [_option(k) for k in TemplateKind]
    purposes = [_option(p) for p in Purpose]
    purpose = next((o for o in purposes if o["value"] == values.get("purpose")), purposes[0])
    buttons = "\n".join(f"{b['text']} | {b['url']}" for b in values.get("buttons") or [])
    blocks: Blocks = [
        _input(BlockId.TEMPLATE_NAME, "Name", _plain(max_length=TEMPLATE_NAME_MAX, initial=values.get("name"))),
        {"type": "input", "block_id": BlockId.TEMPLATE_KIND, "label": plain("Message type"), "dispatch_action": True,
         "element": {"type": "static_select", "action_id": ActionId.TEMPLATE_KIND_SELECT, "options": kinds,
                     "initial_option": _option(kind)}},
        _input(BlockId.TEMPLATE_PURPOSE, "Purpose", {"type": "static_select", "action_id": ActionId.TEMPLATE_FIELD,
                                                    "options": purposes, "initial_option": purpose}),
        _input(BlockId.TEMPLATE_BODY, "Message text", _plain(multiline=True, max_length=TEMPLATE_BODY_MAX, initial=values.get("body")),
               hint="Variables are written ${name}; each needs a column of that name in the recipient file."),
    ]
    if kind is TemplateKind.DIGITAL:
        blocks += [
            _input(BlockId.TEMPLATE_SUBJECT, "Subject", _plain(max_length=100, initial=values.get("subject"))),
            _input(BlockId.TEMPLATE_MEDIA_URLS, "Media URLs",
                   _plain(multiline=True, initial="\n".join(values.get("media_urls") or []) or None),
                   hint="One https:// link a line: images, audio or video, up to 10."),
        ]
    if kind is TemplateKind.CARD:
        blocks += [
            _input(BlockId.TEMPLATE_TITLE, "Card title", _plain(max_length=100, initial=values.get("title"))),
            _input(BlockId.TEMPLATE_IMAGE_URL, "Image URL", _plain(initial=values.get("image_url")), optional=True,
                   hint="An https:// link."),
            _input(BlockId.TEMPLATE_BUTTONS, "Buttons", _plain(multiline=True, initial=buttons or None), optional=True,
                   hint=f"Up to {MAX_CARD_BUTTONS}, one a line: Label | https://link"),
            _input(BlockId.TEMPLATE_DEFAULT_LINK, "Default link", _plain(initial=values.get("default_link")),
                   hint="Where the card leads when it can't be shown; https:// only."),
        ]
    if signatures:  # a select needs at least one option
        blocks.append(_signatures_input(signatures, values.get("signatures") or {}))
    return {
        "type": "modal",
        "callback_id": CallbackId.TEMPLATE_ADD,
        "private_metadata": TemplateModalState(channel_id=channel_id, template_id=template_id).dump(),
        "title": plain("Change template" if template_id else "New template"),
        "submit": plain("Submit for approval"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }
