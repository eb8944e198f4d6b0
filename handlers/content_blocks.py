"""Block Kit for signatures and templates: lists, the template modal, approval requests."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from domain.text_rules import TEMPLATE_BODY_MAX
from domain.content import (
    MAX_CARD_BUTTONS, TEMPLATE_NAME_MAX, ContentStatus, Purpose, TemplateKind, purpose_word, status_word,
)
from domain.i18n import N_, _, n_, number
from domain.use_cases.content import ContentKind, ContentView
from handlers.block_kit import channel_link, escape, listing, mention, plain, quoted, section
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import ContentRef, ContentRejectState, TemplateModalState

Blocks = list[dict[str, Any]]
MAX_LISTED = 40
MAX_SIGNATURE_OPTIONS = 100  # Slack's limit for a select's options
STATUS_EMOJI = {
    ContentStatus.PENDING: ":hourglass_flowing_sand:",
    ContentStatus.APPROVED: ":white_check_mark:",
    ContentStatus.REJECTED: ":x:",
    ContentStatus.DISABLED: ":no_entry_sign:",
}
KIND_OPTIONS = {TemplateKind.TEXT: N_("Text"), TemplateKind.DIGITAL: N_("Digital"), TemplateKind.CARD: N_("Card")}
PURPOSE_OPTIONS = {Purpose.NOTIFICATION: N_("Notification"), Purpose.PROMOTIONAL: N_("Promotional")}
KIND_AND_PURPOSE = {
    TemplateKind.TEXT: N_("text, {purpose}"),
    TemplateKind.DIGITAL: N_("digital, {purpose}"),
    TemplateKind.CARD: N_("card, {purpose}"),
}
# The sentences that name a kind of content, one for each kind: Chinese words them differently.
SAID_OF: dict[str, dict[ContentKind, str]] = {
    "approval_text": {ContentKind.SIGNATURE: N_("Approval needed: signature “{name}” from {person}"),
                      ContentKind.TEMPLATE: N_("Approval needed: template “{name}” from {person}")},
    "approval_header": {ContentKind.SIGNATURE: N_("Approval needed: signature"),
                        ContentKind.TEMPLATE: N_("Approval needed: template")},
    "decided_text": {ContentKind.SIGNATURE: N_("signature “{name}” {status}"),
                     ContentKind.TEMPLATE: N_("template “{name}” {status}")},
    "decided_header": {ContentKind.SIGNATURE: N_("Signature {status}"),
                       ContentKind.TEMPLATE: N_("Template {status}")},
    "approved_reply": {ContentKind.SIGNATURE: N_("{person} approved signature “{name}”. It can be used in sends now."),
                       ContentKind.TEMPLATE: N_("{person} approved template “{name}”. It can be used in sends now.")},
    "rejected_reply": {ContentKind.SIGNATURE: N_("{person} rejected signature “{name}”: {reason}"),
                       ContentKind.TEMPLATE: N_("{person} rejected template “{name}”: {reason}")},
    "waiting": {ContentKind.SIGNATURE: N_("Signature *{name}* is waiting for approval in {channel}."),
                ContentKind.TEMPLATE: N_("Template *{name}* is waiting for approval in {channel}.")},
    "disabled": {ContentKind.SIGNATURE: N_("Signature *{name}* is disabled; sends can no longer use it."),
                 ContentKind.TEMPLATE: N_("Template *{name}* is disabled; sends can no longer use it.")},
    "reject_question": {
        ContentKind.SIGNATURE: N_("Reject signature “{name}”? The requester sees your reason in the thread."),
        ContentKind.TEMPLATE: N_("Reject template “{name}”? The requester sees your reason in the thread.")},
    "none_yet": {ContentKind.SIGNATURE: N_("No signatures yet. Add one with `{command} signature add`."),
                 ContentKind.TEMPLATE: N_("No templates yet. Add one with `{command} template add`.")},
    "list_header": {ContentKind.SIGNATURE: N_("*Signatures*"), ContentKind.TEMPLATE: N_("*Templates*")},
}


def said_of(kind: ContentKind | str, sentence: str, **params: object) -> str:
    """`sentence` (a key of SAID_OF) about a signature or a template, in the reader's language."""
    return _(SAID_OF[sentence][ContentKind(kind)], **params)


def status_mark(status: ContentStatus | str) -> str:
    return f"{STATUS_EMOJI[ContentStatus(status)]} {status_word(status)}"


def kind_and_purpose(detail: dict) -> str:
    """"text, notification": a template's kind and purpose."""
    return _(KIND_AND_PURPOSE[TemplateKind(detail["kind"])], purpose=purpose_word(detail["purpose"]))


# How to use each subcommand, escaped: its placeholders (`<name>`) would be links in mrkdwn.
def signature_usage() -> str:
    return escape(_("`{command} signature add <name> [purpose]`, `{command} signature list`, "
                    "`{command} signature disable <name>`.", command=SLASH_COMMAND))


def template_usage() -> str:
    return escape(_("`{command} template add`, `{command} template list`, `{command} template show <name>`, "
                    "`{command} template edit <name>`, `{command} template disable <name>`, "
                    "`{command} template code <name> <code>`.", command=SLASH_COMMAND))


def _option(value: str, label: str | None = None) -> dict[str, Any]:
    return {"text": plain(label or value.capitalize()), "value": value}


def describe(view: ContentView, *, signature_prefix=None, optout_hint: str | None = None) -> str:
    """The content as an approver needs to judge it, in mrkdwn: every word of it as typed."""
    if view.kind is ContentKind.SIGNATURE:
        return _describe_signature(view, signature_prefix)
    d = view.detail
    lines = [_("*Template* “{name}” — {kind_and_purpose}", name=escape(view.name),
               kind_and_purpose=kind_and_purpose(d))]
    if d.get("subject"):
        lines.append(_("Subject: {subject}", subject=escape(d["subject"])))
    if d.get("title"):
        lines.append(_("Title: {title}", title=escape(d["title"])))
    lines.append(quoted(d["body"]))
    if d["purpose"] == Purpose.PROMOTIONAL and optout_hint:
        lines.append(_(">_{hint}_ (added to every promotional message)", hint=escape(optout_hint)))
    lines += [_("Media: {url}", url=escape(url)) for url in d.get("media_urls") or []]
    if d.get("image_url"):
        lines.append(_("Image: {url}", url=escape(d["image_url"])))
    lines += [_("Button “{label}” → {url}", label=escape(b["text"]), url=escape(b["url"]))
              for b in d.get("buttons") or []]
    if d.get("default_link"):
        lines.append(_("Default link: {url}", url=escape(d["default_link"])))
    if d.get("variables"):
        lines.append(_("Variables: {variables}", variables=listing(f"`${{{escape(v)}}}`" for v in d["variables"])))
    if d.get("registrations"):
        lines.append(_("Applications: {applications}", applications=registered_for(d["registrations"])))
    lines.append(_("Signatures: only {names}", names=_names(d["signatures"])) if d.get("signatures") else
                 _("Signatures: any approved one"))
    return "\n".join(lines)


def _describe_signature(view: ContentView, signature_prefix) -> str:
    shown = signature_prefix(view.name) if signature_prefix else view.name
    note = view.detail.get("purpose_note") or _("no purpose given")
    text = _("*Signature* `{signature}` — {note}", signature=escape(shown), note=escape(note))
    if where := view.detail.get("registrations"):
        text += "\n" + _("Applications: {applications}", applications=registered_for(where))
    return text


def _names(signatures: dict[int, str]) -> str:
    return listing(escape(name) for name in signatures.values())


def _requested_by(description: str, view: ContentView) -> str:
    return f"{description}\n\n" + _("Requested by {person}", person=mention(view.created_by))


def build_approval_request(view: ContentView, description: str) -> tuple[str, Blocks]:
    """Posted where approvers look: built `in_public()`."""
    ref = ContentRef(kind=view.kind, id=view.id).dump()
    text = said_of(view.kind, "approval_text", name=escape(view.name), person=mention(view.created_by))
    return text, [
        {"type": "header", "text": plain(said_of(view.kind, "approval_header"))},
        section(_requested_by(description, view), BlockId.APPROVAL_SUMMARY),
        {"type": "actions", "block_id": BlockId.APPROVAL_ACTIONS, "elements": [
            {"type": "button", "action_id": ActionId.CONTENT_APPROVE, "style": "primary", "text": plain(_("Approve")),
             "value": ref},
            {"type": "button", "action_id": ActionId.CONTENT_REJECT, "style": "danger", "text": plain(_("Reject")),
             "value": ref},
        ]},
    ]


def build_decided_request(view: ContentView, description: str) -> tuple[str, Blocks]:
    """The request once decided: the same content, the decision, no buttons."""
    decision = status_mark(view.status)
    if view.decided_by:
        decision = _("{status} by {person}", status=decision, person=mention(view.decided_by))
    if view.reject_reason:
        decision = _("{decision}: {reason}", decision=decision, reason=escape(view.reject_reason))
    text = said_of(view.kind, "decided_text", name=escape(view.name), status=status_word(view.status))
    return text, [
        {"type": "header", "text": plain(said_of(view.kind, "decided_header", status=status_word(view.status)))},
        section(_requested_by(description, view), BlockId.APPROVAL_SUMMARY),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": decision[:3000]}]},
    ]


def build_decision_reply(view: ContentView) -> str:
    who, name = mention(view.decided_by), escape(view.name)
    if view.status is ContentStatus.APPROVED:
        return said_of(view.kind, "approved_reply", person=who, name=name)
    return said_of(view.kind, "rejected_reply", person=who, name=name, reason=escape(view.reject_reason or ""))


def build_template_details(view: ContentView, description: str) -> tuple[str, Blocks]:
    """`/sms template show`: `description` is `describe`'s."""
    status = status_word(view.status)
    return _("Template {name} ({status})", name=escape(view.name), status=status), [
        section(description),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _("Status: {status}", status=status)}]},
    ]


def content_waiting_text(kind: ContentKind, name: str, channel_id: str) -> str:
    return said_of(kind, "waiting", name=escape(name), channel=channel_link(channel_id))


def disabled_text(kind: ContentKind, name: str) -> str:
    return said_of(kind, "disabled", name=escape(name))


def registered_for(registrations: dict[str, str | None]) -> str:
    """The applications content is registered for, each with its provider code if it has one."""
    return listing(f"{escape(app)} (`{escape(code)}`)" if code else escape(app) for app, code in registrations.items())


def code_text(name: str, code: str | None) -> str:
    if code:
        return _("Template *{name}* is sent as `{code}` by providers that send registered templates.",
                 name=escape(name), code=escape(code))
    return _("Template *{name}* has no provider code now.", name=escape(name))


def template_changed_note(name: str, user_id: str) -> str:
    """Told in the thread of each task that used the template: built `in_public()`."""
    return _("Template “{name}” was changed by {person}: this task needs a new approval, once the template is "
             "approved again.", name=escape(name), person=mention(user_id))


def build_reject_modal(kind: str, content_id: int, channel_id: str, message_ts: str, name: str, *,
                       from_home: bool = False) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.CONTENT_REJECT,
        "private_metadata": ContentRejectState(kind=kind, id=content_id, channel_id=channel_id,
                                               message_ts=message_ts, from_home=from_home or None).dump(),
        "title": plain(_("Reject")),
        "submit": plain(_("Reject")),
        "close": plain(_("Cancel")),
        "blocks": [
            section(said_of(kind, "reject_question", name=escape(name))),
            {"type": "input", "block_id": BlockId.APPROVAL_REASON, "label": plain(_("Reason")),
             "element": {"type": "plain_text_input", "action_id": ActionId.APPROVAL_REASON_INPUT, "multiline": True,
                         "max_length": 500}},
        ],
    }


def build_content_list(kind: ContentKind, views: Sequence[ContentView]) -> tuple[str, Blocks]:
    if not views:
        text = said_of(kind, "none_yet", command=SLASH_COMMAND)
        return text, [section(text)]
    lines = []
    for view in views[:MAX_LISTED]:
        extra = f" — {kind_and_purpose(view.detail)}" if kind is ContentKind.TEMPLATE else ""
        if view.detail.get("signatures"):
            extra += " — " + _("only with {names}", names=_names(view.detail["signatures"]))
        lines.append(f"• *{escape(view.name)}*{extra} — {status_mark(view.status)}")
    if len(views) > MAX_LISTED:
        lines.append(_("…and {count} more.", count=number(len(views) - MAX_LISTED)))
    if kind is ContentKind.SIGNATURE:
        counted = n_("{count} signature", "{count} signatures", len(views))
    else:
        counted = n_("{count} template", "{count} templates", len(views))
    return counted, [section(said_of(kind, "list_header") + "\n" + "\n".join(lines))]


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict:
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
                               "placeholder": plain(_("Any signature")), "options": options}
    if chosen := [o for o in options if int(o["value"]) in bound]:
        element["initial_options"] = chosen
    return _input(BlockId.TEMPLATE_SIGNATURES, _("Only with these signatures"), element, optional=True,
                  hint=_("None: any approved signature. Sends of this template offer only the ones chosen here."))


def _digital_inputs(values: dict) -> Blocks:
    return [
        _input(BlockId.TEMPLATE_SUBJECT, _("Subject"), _plain(max_length=100, initial=values.get("subject"))),
        _input(BlockId.TEMPLATE_MEDIA_URLS, _("Media URLs"),
               _plain(multiline=True, initial="\n".join(values.get("media_urls") or []) or None),
               hint=_("One https:// link a line: images, audio or video, up to 10.")),
    ]


def _card_inputs(values: dict) -> Blocks:
    buttons = "\n".join(f"{b['text']} | {b['url']}" for b in values.get("buttons") or [])
    return [
        _input(BlockId.TEMPLATE_TITLE, _("Card title"), _plain(max_length=100, initial=values.get("title"))),
        _input(BlockId.TEMPLATE_IMAGE_URL, _("Image URL"), _plain(initial=values.get("image_url")), optional=True,
               hint=_("An https:// link.")),
        _input(BlockId.TEMPLATE_BUTTONS, _("Buttons"), _plain(multiline=True, initial=buttons or None), optional=True,
               hint=_("Up to {count}, one a line: Label | https://link", count=MAX_CARD_BUTTONS)),
        _input(BlockId.TEMPLATE_DEFAULT_LINK, _("Default link"), _plain(initial=values.get("default_link")),
               hint=_("Where the card leads when it can't be shown; https:// only.")),
    ]


def build_template_modal(channel_id: str, kind: TemplateKind = TemplateKind.TEXT, *,
                         template_id: int | None = None, initial: dict | None = None,
                         signatures: Sequence[ContentView] = ()) -> dict[str, Any]:
    """A new template, or (`template_id`, `initial`) a change to one; `signatures`: the approved
    ones it may be bound to."""
    values = initial or {}
    kinds = [_option(k, _(KIND_OPTIONS[k])) for k in TemplateKind]
    purposes = [_option(p, _(PURPOSE_OPTIONS[p])) for p in Purpose]
    purpose = next((o for o in purposes if o["value"] == values.get("purpose")), purposes[0])
    blocks: Blocks = [
        _input(BlockId.TEMPLATE_NAME, _("Name"), _plain(max_length=TEMPLATE_NAME_MAX, initial=values.get("name"))),
        {"type": "input", "block_id": BlockId.TEMPLATE_KIND, "label": plain(_("Message type")),
         "dispatch_action": True,
         "element": {"type": "static_select", "action_id": ActionId.TEMPLATE_KIND_SELECT, "options": kinds,
                     "initial_option": next(o for o in kinds if o["value"] == kind)}},
        _input(BlockId.TEMPLATE_PURPOSE, _("Purpose"), {"type": "static_select", "action_id": ActionId.TEMPLATE_FIELD,
                                                       "options": purposes, "initial_option": purpose}),
        _input(BlockId.TEMPLATE_BODY, _("Message text"),
               _plain(multiline=True, max_length=TEMPLATE_BODY_MAX, initial=values.get("body")),
               hint=_("Variables are written {variable}; each needs a column of that name in the recipient file.",
                      variable="${name}")),
    ]
    if kind is TemplateKind.DIGITAL:
        blocks += _digital_inputs(values)
    if kind is TemplateKind.CARD:
        blocks += _card_inputs(values)
    if signatures:  # a select needs at least one option
        blocks.append(_signatures_input(signatures, values.get("signatures") or {}))
    return {
        "type": "modal",
        "callback_id": CallbackId.TEMPLATE_ADD,
        "private_metadata": TemplateModalState(channel_id=channel_id, template_id=template_id).dump(),
        "title": plain(_("Change template") if template_id else _("New template")),
        "submit": plain(_("Submit for approval")),
        "close": plain(_("Cancel")),
        "blocks": blocks,
    }
