"""Block Kit for the send modal: the form, rebuilt from its own state on every choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from domain.content import Purpose, TemplateKind
from domain.i18n import N_, _, n_, number
from domain.recipient_import import MAX_PASTED_NUMBERS
from domain.segments import MAX_MESSAGE_CHARACTERS
from domain.send_words import in_turn, purpose_word
from domain.tasks import TASK_NAME_MAX, ContentChoice, Fallback, Preview, TaskField, fallback_fits
from handlers.block_kit import MODAL_UPLOAD_HINT, escape, plain, quoted
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import SendModalState

Blocks = list[dict[str, Any]]
MAX_OPTIONS = 100

FIELD_BLOCKS = {
    TaskField.NAME: BlockId.SEND_NAME, TaskField.RECIPIENTS: BlockId.SEND_RECIPIENTS,
    TaskField.SIGNATURE: BlockId.SEND_SIGNATURE, TaskField.TEMPLATE: BlockId.SEND_TEMPLATE,
    TaskField.FALLBACK_TEMPLATE: BlockId.SEND_FALLBACK_TEMPLATE, TaskField.DEFAULT_LINK: BlockId.SEND_DEFAULT_LINK,
    TaskField.SEND_AT: BlockId.SEND_DATE,
}


@dataclass(frozen=True)
class RecipientOption:
    value: str  # "list:<id>"
    label: str


@dataclass
class SendForm:
    """What the person has chosen so far; the modal is a function of it."""

    name: str = ""
    recipients: str | None = None  # "list:<id>"
    pasted: str = ""
    file_id: str | None = None
    file_name: str = ""
    purpose: Purpose | None = None  # the template's; only a crafted payload names another
    kind: TemplateKind = TemplateKind.TEXT
    signature_id: int | None = None
    template_id: int | None = None
    fallback: Fallback = Fallback.NONE
    fallback_template_id: int | None = None
    default_link: str = ""
    send_date: date | None = None
    send_time: time | None = None
    skip_too_long: bool = False
    recipient_options: list[RecipientOption] = field(default_factory=list)


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label[:75]), "value": value[:150]}


def _select(action_id: str, options: list[dict], selected: str | None, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id,
                               "placeholder": plain(placeholder), "options": options[:MAX_OPTIONS]}
    chosen = next((o for o in options if o["value"] == selected), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _input(block_id: str, label: str, element: dict, *, optional: bool = False, dispatch: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional}
    if dispatch:
        block["dispatch_action"] = True
    if hint:
        block["hint"] = plain(hint)
    return block


def _content_options(choices: Sequence[ContentChoice]) -> list[dict[str, Any]]:
    return [_option(str(c.id), c.name) for c in choices]


def _template_options(templates: Sequence[ContentChoice]) -> list[dict[str, Any]]:
    """Each template with its purpose: choosing the template chooses the task's purpose. (A
    static select shows no option descriptions, so the purpose is part of the label.)"""
    return [_option(str(t.id), f"{t.name[:55]} · {purpose_word(t.purpose)}") for t in templates]


PURPOSE_RULES = {
    Purpose.NOTIFICATION: N_("Notification (the template's purpose): sent as written."),
    Purpose.PROMOTIONAL: N_("Promotional (the template's purpose): ends with the opt-out hint; numbers on the "
                            "opt-out list and those messaged too often lately are skipped."),
}


def _recipients(count: int) -> str:
    return n_("{count} recipient", "{count} recipients", count)


def _facts(preview: Preview) -> str:
    """`160 characters · GSM-7 · 1 segment · 2 recipients · est. CNY 0.09`"""
    return " · ".join([
        n_("{count} character", "{count} characters", preview.characters, count=str(preview.characters)),
        preview.encoding, n_("{count} segment", "{count} segments", preview.segments),
        _recipients(preview.recipients), _("est. {cost}", cost=preview.cost)])


def build_preview_blocks(preview: Preview | None, problem: str | None = None,
                         block_id: str = BlockId.SEND_PREVIEW) -> Blocks:
    """`block_id`: unique in its view (the Home tab shows several)."""
    if preview is None:
        text = problem or _("Choose recipients, a signature and a template to see the message.")
        return [{"type": "context", "block_id": block_id, "elements": [{"type": "mrkdwn", "text": text}]}]
    text = "\n".join([_("*Preview* (first recipient)"), quoted(preview.text), _facts(preview)])
    if preview.routes:
        parts = in_turn([_("{application}: {recipients} · {cost}", application=escape(part.application),
                           recipients=_recipients(part.recipients), cost=_("est. {cost}", cost=part.cost))
                         for part in preview.routes])
        text += "\n" + _("*Sent through* {parts}", parts=parts)
    if preview.longest:
        text += "\n" + n_("*Longest message* ({count} character)", "*Longest message* ({count} characters)",
                          len(preview.longest)) + f"\n{quoted(preview.longest)}"
    if preview.too_long:
        text += "\n:warning: " + n_(
            "{count} recipient's message is over {limit} characters: shorten the template, or tick the box below to "
            "skip them.",
            "{count} recipients' messages are over {limit} characters: shorten the template, or tick the box below to "
            "skip them.", preview.too_long, limit=MAX_MESSAGE_CHARACTERS)
    return [{"type": "section", "block_id": block_id, "text": {"type": "mrkdwn", "text": text[:3000]}}]


def _skip_too_long_block(form: SendForm) -> dict[str, Any]:
    option = {"text": plain(_("Skip recipients whose message is over {limit} characters",
                              limit=MAX_MESSAGE_CHARACTERS)),
              "value": "skip",
              "description": plain(_("They are counted as skipped instead of the task being refused."))}
    element: dict[str, Any] = {"type": "checkboxes", "action_id": ActionId.SEND_FIELD, "options": [option]}
    if form.skip_too_long:
        element["initial_options"] = [option]
    return _input(BlockId.SEND_SKIP_TOO_LONG, _("Messages over the limit"), element, optional=True)


def build_send_modal(state: SendModalState, form: SendForm, *, signatures: Sequence[ContentChoice],
                     templates: Sequence[ContentChoice], preview_blocks: Blocks, editing: bool = False,
                     notice: str | None = None) -> dict:
    """`notice`: what went wrong after the modal was submitted (too late for inline errors), in
    mrkdwn (`error_mrkdwn`, `import_failed_notice`)."""
    blocks: Blocks = [
        {"type": "section", "block_id": BlockId.SEND_NOTICE, "text": {"type": "mrkdwn", "text": f":x: {notice}"[:3000]}},
    ] if notice else []
    blocks.append(_input(BlockId.SEND_NAME, _("Task name"), {"type": "plain_text_input",
                                                             "action_id": ActionId.SEND_FIELD,
                                                             "max_length": TASK_NAME_MAX,  # Slack counts as you type
                                                             **({"initial_value": form.name} if form.name else {})},
                         hint=_("Up to {limit} characters.", limit=TASK_NAME_MAX)))
    blocks += _recipient_blocks(state, form)
    blocks += _content_blocks(form, signatures, templates)
    if form.kind is TemplateKind.CARD:
        blocks += _card_blocks(form, templates)
    blocks += [*_schedule_blocks(form), {"type": "divider"}, *preview_blocks, _skip_too_long_block(form)]
    return {
        "type": "modal",
        "callback_id": CallbackId.SEND_SUBMIT,
        "private_metadata": state.dump(),
        "title": plain(_("Edit send task") if editing else _("New send task")),
        "submit": plain(_("Save for approval") if editing else _("Submit for approval")),
        "close": plain(_("Cancel")),
        "blocks": blocks,
    }


def _recipient_blocks(state: SendModalState, form: SendForm) -> Blocks:
    """Fixed to the import the modal came from, or a choice, pasted numbers or a file."""
    if state.list_id is not None:
        return [{"type": "section", "block_id": BlockId.SEND_RECIPIENTS, "text": {"type": "mrkdwn", "text": escape(
                 next((o.label for o in form.recipient_options if o.value == f"list:{state.list_id}"),
                      _("Recipients: the import this task came from")))}}]
    options = [_option(o.value, o.label) for o in form.recipient_options]
    element = (_select(ActionId.SEND_REFRESH, options, form.recipients, _("An import or an audience")) if options else
               {"type": "static_select", "action_id": ActionId.SEND_REFRESH, "placeholder": plain(_("None yet")),
                "options": [_option("none", _("No imports or audiences yet"))]})
    return [
        _input(BlockId.SEND_RECIPIENTS, _("Recipients"), element, optional=True, dispatch=True,
               hint=_("Your recent imports in this channel and the saved audiences.")),
        _input(BlockId.SEND_PASTE, _("…or paste numbers"),
               {"type": "plain_text_input", "action_id": ActionId.SEND_FIELD, "multiline": True,
                **({"initial_value": form.pasted} if form.pasted else {})},
               optional=True, hint=_("One per line, or separated by commas. Up to {limit}.",
                                     limit=number(MAX_PASTED_NUMBERS))),
        _input(BlockId.SEND_FILE, _("…or upload a recipient file"),
               {"type": "file_input", "action_id": ActionId.SEND_FIELD, "filetypes": ["xlsx", "csv"], "max_files": 1},
               optional=True, hint=_(MODAL_UPLOAD_HINT)),
    ]


def _signature_block(form: SendForm, signatures: Sequence[ContentChoice], template: ContentChoice | None) -> dict:
    """`signatures`: the approved ones the chosen template allows (all of them before one is chosen)."""
    bound = template is not None and bool(template.only_with)
    hint = _("Only the signatures “{name}” may be sent with.", name=template.name) if bound else None
    if not signatures:
        missing = (_("None of this template's signatures is approved") if bound else
                   _("No approved signature yet: /sms signature add"))
        element = {"type": "plain_text_input", "action_id": ActionId.SEND_FIELD, "placeholder": plain(missing)}
        return _input(BlockId.SEND_SIGNATURE, _("Signature"), element, hint=hint)
    element = _select(ActionId.SEND_REFRESH, _content_options(signatures),
                      str(form.signature_id) if form.signature_id else None, _("An approved signature"))
    return _input(BlockId.SEND_SIGNATURE, _("Signature"), element, dispatch=True, hint=hint)


# The words of each message type, where the modal names one: its option, its template input's
# label, and that input's placeholder with and without templates to choose.
KIND_OPTIONS = {TemplateKind.TEXT: N_("Text"), TemplateKind.DIGITAL: N_("Digital"), TemplateKind.CARD: N_("Card")}
TEMPLATE_LABELS = {TemplateKind.TEXT: N_("Template (text)"), TemplateKind.DIGITAL: N_("Template (digital)"),
                   TemplateKind.CARD: N_("Template (card)")}
FALLBACK_LABELS = {Fallback.TEXT: N_("Fallback template (text)"), Fallback.DIGITAL: N_("Fallback template (digital)")}
APPROVED_OF_KIND = {TemplateKind.TEXT: N_("An approved text template"),
                    TemplateKind.DIGITAL: N_("An approved digital template"),
                    TemplateKind.CARD: N_("An approved card template")}
NONE_OF_KIND = {TemplateKind.TEXT: N_("No approved text template yet"),
                TemplateKind.DIGITAL: N_("No approved digital template yet"),
                TemplateKind.CARD: N_("No approved card template yet")}
FALLBACK_OPTIONS = {Fallback.NONE: N_("No fallback"), Fallback.TEXT: N_("Text SMS"),
                    Fallback.DIGITAL: N_("Digital SMS")}


def _template_select(action_id: str, templates: Sequence[ContentChoice], chosen: int | None,
                     kind: TemplateKind) -> dict[str, Any]:
    """The approved templates of a kind to choose from, or an input that says there are none."""
    if not templates:
        return {"type": "plain_text_input", "action_id": ActionId.SEND_FIELD,
                "placeholder": plain(_(NONE_OF_KIND[kind]))}
    return _select(action_id, _template_options(templates), str(chosen) if chosen else None, _(APPROVED_OF_KIND[kind]))


def _content_blocks(form: SendForm, signatures: Sequence[ContentChoice], templates: Sequence[ContentChoice]) -> Blocks:
    kinds = [_option(k, _(KIND_OPTIONS[k])) for k in TemplateKind]
    of_kind = [t for t in templates if t.kind == form.kind]
    chosen = next((t for t in of_kind if t.id == form.template_id), None)
    blocks = [
        _input(BlockId.SEND_KIND, _("Message type"),
               _select(ActionId.SEND_REFRESH, kinds, form.kind, _("Message type")), dispatch=True),
        _signature_block(form, signatures, chosen),
        _input(BlockId.SEND_TEMPLATE, _(TEMPLATE_LABELS[form.kind]),
               _template_select(ActionId.SEND_REFRESH, of_kind, form.template_id, form.kind), dispatch=bool(of_kind)),
    ]
    if chosen is not None:
        blocks.append({"type": "context", "block_id": BlockId.SEND_PURPOSE,
                       "elements": [plain(_(PURPOSE_RULES[Purpose(chosen.purpose)]))]})
    return blocks


def _card_blocks(form: SendForm, templates: Sequence[ContentChoice]) -> Blocks:
    """A card's fallback, its template, and the default link."""
    fallbacks = [_option(f, _(FALLBACK_OPTIONS[f])) for f in Fallback]
    blocks = [_input(BlockId.SEND_FALLBACK, _("If the phone can't show cards"),
                     _select(ActionId.SEND_REFRESH, fallbacks, form.fallback, _("Fallback")), dispatch=True)]
    if form.fallback is not Fallback.NONE:
        main = next((t for t in templates if t.id == form.template_id), None)
        purpose = Purpose(main.purpose) if main is not None and main.purpose else None
        # The fallback goes out under the task's signature: templates bound to others are not offered.
        fallback_templates = [t for t in templates if t.kind == form.fallback.value and fallback_fits(t, purpose)
                              and (form.signature_id is None or t.allows(form.signature_id))]
        blocks.append(_input(BlockId.SEND_FALLBACK_TEMPLATE, _(FALLBACK_LABELS[form.fallback]), _template_select(
            ActionId.SEND_FIELD, fallback_templates, form.fallback_template_id, TemplateKind(form.fallback.value))))
    blocks.append(_input(BlockId.SEND_DEFAULT_LINK, _("Default link"),
                         {"type": "plain_text_input", "action_id": ActionId.SEND_FIELD,
                          **({"initial_value": form.default_link} if form.default_link else {})},
                         hint=_("https:// only: where the card leads when it can't be shown.")))
    return blocks


def _schedule_blocks(form: SendForm) -> Blocks:
    date_picker: dict[str, Any] = {"type": "datepicker", "action_id": ActionId.SEND_FIELD}
    if form.send_date:
        date_picker["initial_date"] = form.send_date.isoformat()
    time_picker: dict[str, Any] = {"type": "timepicker", "action_id": ActionId.SEND_FIELD}
    if form.send_time:
        time_picker["initial_time"] = form.send_time.strftime("%H:%M")
    return [
        _input(BlockId.SEND_DATE, _("Send on (empty: as soon as approved)"), date_picker, optional=True,
               hint=_("Within one month, in your own time zone.")),
        _input(BlockId.SEND_TIME, _("At"), time_picker, optional=True),
    ]


def problems_notice(problems: Sequence[str]) -> str:
    """What the form got wrong, told once it was submitted (the domain's words, which quote names)."""
    return escape(" ".join(problems))


def import_failed_notice(file_name: str, reason: str) -> str:
    """`reason`: mrkdwn (`error_mrkdwn`)."""
    return _("{file} was not imported: {reason}", file=escape(file_name), reason=reason)


def importing_text(file_name: str) -> str:
    return _("Importing {file}…", file=escape(file_name))


def task_waiting_text(task_name: str, summary: str, file_name: str) -> str:
    return _("*{name}* is waiting for approval: {summary} from {file}.", name=escape(task_name), summary=summary,
             file=escape(file_name))


def list_task_waiting_text(task_name: str, recipients: int) -> str:
    return n_("*{name}* is waiting for approval: {count} recipient.",
              "*{name}* is waiting for approval: {count} recipients.", recipients, name=escape(task_name))


def build_working_view(message: str) -> dict[str, Any]:
    """Shown while a submitted send imports its file: longer than Slack waits for an answer.
    `message` is mrkdwn (`importing_text`), as is `build_done_view`'s."""
    return {"type": "modal", "title": plain(_("New send task")), "close": plain(_("Close")),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f":hourglass_flowing_sand: {message}"[:3000]}}]}


def build_done_view(message: str) -> dict[str, Any]:
    return {"type": "modal", "title": plain(_("New send task")), "close": plain(_("Done")),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f":white_check_mark: {message}"[:3000]}}]}
