"""Signatures and templates: what makes them well formed, and how a template is filled. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from domain.errors import DomainError
from domain.i18n import N_, _
from domain.text_rules import TEMPLATE_BODY_MAX, has_control_characters, printable_lines, too_long

SIGNATURE_MIN, SIGNATURE_MAX = 2, 12
TEMPLATE_NAME_MAX = 40
MAX_CARD_BUTTONS = 4
MAX_MEDIA_URLS = 10
PLACEHOLDER = re.compile(r"\$\{([^\s${}]+)\}")
_SIGNATURE_FORBIDDEN = set("【】[]:：")


class ContentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISABLED = "disabled"


class TemplateKind(StrEnum):
    TEXT = "text"
    DIGITAL = "digital"
    CARD = "card"


class Purpose(StrEnum):
    NOTIFICATION = "notification"
    PROMOTIONAL = "promotional"


#: How a status reads in a sentence, in English: shown with `_()` (`status_word` does it).
STATUS_WORDS: dict[ContentStatus, str] = {
    ContentStatus.PENDING: N_("pending"),
    ContentStatus.APPROVED: N_("approved"),
    ContentStatus.REJECTED: N_("rejected"),
    ContentStatus.DISABLED: N_("disabled"),
}
PURPOSE_WORDS: dict[Purpose, str] = {
    Purpose.NOTIFICATION: N_("notification"),
    Purpose.PROMOTIONAL: N_("promotional"),
}


def status_word(status: ContentStatus | str) -> str:
    """How a content status reads in a sentence, in the reader's language."""
    return _(STATUS_WORDS[ContentStatus(status)])


def purpose_word(purpose: Purpose | str) -> str:
    return _(PURPOSE_WORDS[Purpose(purpose)])


class ContentError(DomainError):
    """Content that can't be registered as written; the message says what to fix."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field  # which input the message belongs to, for inline modal errors


def not_named(kind: str, name: str) -> ContentError:
    """No signature (or template) has this name."""
    shown = " ".join(name.split())
    if kind == "signature":
        return ContentError(_("No signature is named “{name}”. `/sms signature list` shows them all.", name=shown))
    return ContentError(_("No template is named “{name}”. `/sms template list` shows them all.", name=shown))


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def check_signature_name(raw: str) -> str:
    name = " ".join(raw.split())
    if has_control_characters(raw):
        raise ContentError(_("A signature is one word of text, without control characters."), "name")
    if not SIGNATURE_MIN <= len(name) <= SIGNATURE_MAX:
        raise ContentError(_("A signature has {min}–{max} characters; “{name}” has {length}.", min=SIGNATURE_MIN,
                             max=SIGNATURE_MAX, name=name, length=len(name)), "name")
    if _SIGNATURE_FORBIDDEN & set(name):
        raise ContentError(_("Write the signature without brackets or a colon: smsbot adds them in the configured "
                             "style."), "name")
    return name


# Each link's refusal, by what the link is (`check_https`'s `what`).
HTTPS_REFUSALS = {
    "media URL": N_("The media URL must be an https:// link."),
    "image URL": N_("The image URL must be an https:// link."),
    "default link": N_("The default link must be an https:// link."),
    "link": N_("The link must be an https:// link."),
}


def check_https(url: str, what: str, field_name: str, *, refusal: str | None = None) -> str:
    """`what`: one of HTTPS_REFUSALS; `refusal`: another, already in the reader's language."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ContentError(refusal or _(HTTPS_REFUSALS.get(what, HTTPS_REFUSALS["link"])), field_name)
    return url


# Alibaba's codes start with a letter (SMS_123456789); Huawei's template ids are 32 hex digits,
# which may not. A letter somewhere still tells a code from a stray number.
_PROVIDER_CODE = re.compile(r"^(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{3,40}$")


def check_provider_code(code: str) -> str | None:
    """A template's code at the provider (Alibaba Cloud: SMS_123456789; Huawei Cloud: a 32-hex-digit
    template id); "none" clears it."""
    code = code.strip()
    if code.lower() == "none":
        return None
    if not _PROVIDER_CODE.match(code):
        raise ContentError(_("“{code}” is not a provider template code: letters, digits and _ (3–40 characters, at "
                             "least one letter), like SMS_123456789.", code=code[:40]))
    return code


def template_variables(body: str) -> list[str]:
    """The ${name} placeholders of a body, each once, in order of appearance."""
    return list(dict.fromkeys(PLACEHOLDER.findall(body)))


def render(body: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def missing_variables(body: str, columns: Sequence[str]) -> list[str]:
    return [name for name in template_variables(body) if name not in set(columns)]


@dataclass(frozen=True)
class CardButton:
    text: str
    url: str


@dataclass
class TemplateDraft:
    """A template as typed into the modal, before it is checked."""

    name: str
    kind: TemplateKind
    purpose: Purpose
    body: str
    subject: str | None = None
    media_urls: list[str] = field(default_factory=list)
    title: str | None = None
    image_url: str | None = None
    buttons: list[CardButton] = field(default_factory=list)
    default_link: str | None = None
    signature_ids: list[int] = field(default_factory=list)  # sent only with these; none: with any


def check_template(draft: TemplateDraft) -> TemplateDraft:
    """Raises ContentError naming the field at fault."""
    name = " ".join(draft.name.split())
    if has_control_characters(draft.name):
        raise ContentError(_("A template name is one line of text, without control characters."), "name")
    if not name or len(name) > TEMPLATE_NAME_MAX:
        raise ContentError(_("A template name has 1–{max} characters.", max=TEMPLATE_NAME_MAX), "name")
    body = printable_lines(draft.body).strip()
    if not body:
        raise ContentError(_("Write the message text."), "body")
    if problem := too_long(body, TEMPLATE_BODY_MAX):
        raise ContentError(_("The message text is too long. {problem}", problem=problem), "body")
    if "${" in PLACEHOLDER.sub("", body):
        raise ContentError(_("A variable is written {variable}, with no spaces, $, {{ or }} inside.",
                                 variable="${name}"), "body")
    checked = TemplateDraft(name=name, kind=draft.kind, purpose=draft.purpose, body=body,
                            signature_ids=list(dict.fromkeys(draft.signature_ids)))
    if draft.kind is TemplateKind.DIGITAL:
        _check_digital(draft, checked)
    if draft.kind is TemplateKind.CARD:
        _check_card(draft, checked)
    return checked


def _check_digital(draft: TemplateDraft, checked: TemplateDraft) -> None:
    if not (draft.subject or "").strip():
        raise ContentError(_("A digital message needs a subject."), "subject")
    if not draft.media_urls:
        raise ContentError(_("A digital message needs at least one media URL."), "media_urls")
    if len(draft.media_urls) > MAX_MEDIA_URLS:
        raise ContentError(_("At most {max} media URLs.", max=MAX_MEDIA_URLS), "media_urls")
    checked.subject = draft.subject.strip()
    checked.media_urls = [check_https(url, "media URL", "media_urls") for url in draft.media_urls]


def _check_card(draft: TemplateDraft, checked: TemplateDraft) -> None:
    if not (draft.title or "").strip():
        raise ContentError(_("A card needs a title."), "title")
    if len(draft.buttons) > MAX_CARD_BUTTONS:
        raise ContentError(_("A card has at most {max} buttons.", max=MAX_CARD_BUTTONS), "buttons")
    checked.title = draft.title.strip()
    checked.image_url = check_https(draft.image_url, "image URL", "image_url") if draft.image_url else None
    checked.buttons = [CardButton(b.text.strip(), check_https(
        b.url, "link", "buttons", refusal=_("The link of button “{label}” must be an https:// link.", label=b.text)))
        for b in draft.buttons]
    checked.default_link = check_https(draft.default_link or "", "default link", "default_link")


def parse_buttons(text: str) -> list[CardButton]:
    """One button a line, `Label | https://link`."""
    buttons = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, separator, url = line.partition("|")
        if not separator or not label.strip():
            raise ContentError(_("Write each button on its own line as `Label | https://link`."), "buttons")
        buttons.append(CardButton(label.strip(), url.strip()))
    return buttons
