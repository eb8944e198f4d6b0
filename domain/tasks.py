"""What makes a send task well formed, and the preview of its message. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.applications import Application, RouteShare, worth_showing
from domain.content import ContentStatus, Purpose, TemplateKind, check_https, missing_variables, render
from domain.errors import DomainError
from domain.i18n import N_, _, n_
from domain.phones import PhoneNormalizer, invalid_reason_for_reader
from domain.privacy import last_four
from domain.recipient_import import split_pasted_numbers
from domain.schedule import ScheduleError, SendWindow, check_send_time
from domain.send_words import (
    A_KIND_ONE, A_KIND_TEMPLATE, FALLBACK_NEEDS, NOT_OF_KIND, in_turn, listed, purpose_word,
)
from domain.text_rules import has_control_characters
from domain.segments import (
    MAX_MESSAGE_CHARACTERS,
    SignatureStyle,
    compose,
    estimate_cost,
    format_money,
    measure,
)

TASK_NAME_MAX = 30


class Fallback(StrEnum):
    NONE = "none"
    TEXT = "text"
    DIGITAL = "digital"


class TaskField(StrEnum):
    """The inputs of the send modal a problem can belong to."""

    NAME = "name"
    RECIPIENTS = "recipients"
    SIGNATURE = "signature"
    TEMPLATE = "template"
    FALLBACK_TEMPLATE = "fallback_template"
    DEFAULT_LINK = "default_link"
    SEND_AT = "send_at"


class TaskFieldError(DomainError):
    def __init__(self, field: TaskField, message: str) -> None:
        super().__init__(message)
        self.field = field


class TaskInvalid(DomainError):
    """Several fields at once: a modal shows every problem, not just the first."""

    def __init__(self, problems: dict[TaskField, str]) -> None:
        super().__init__(in_turn(list(problems.values())))
        self.problems = problems


@dataclass(frozen=True)
class ContentChoice:
    """A signature or template as a send sees it."""

    id: int
    name: str
    status: str
    kind: str | None = None
    purpose: str | None = None
    body: str = ""
    # The applications it is registered for, by id, with its provider code in each.
    registered: Mapping[int, str | None] = field(default_factory=dict, hash=False)
    # A template's signatures, when it may be sent only with them: their names by id. Empty: any.
    only_with: Mapping[int, str] = field(default_factory=dict, hash=False)

    def allows(self, signature_id: int) -> bool:
        """Whether a send of this template may go out under that signature."""
        return not self.only_with or signature_id in self.only_with


def signatures_allowed(template: ContentChoice | None, signatures: Sequence[ContentChoice]) -> list[ContentChoice]:
    """The signatures a send may choose among once its template is chosen (before: all of them)."""
    return [s for s in signatures if template is None or template.allows(s.id)]


def kept_signature(signature_id: int | None, offered: Sequence[ContentChoice]) -> int | None:
    """The chosen signature while it is offered; else the only one offered, chosen for the person."""
    if any(s.id == signature_id for s in offered):
        return signature_id
    return offered[0].id if len(offered) == 1 else None


def binding_problem(template: ContentChoice, signature: ContentChoice) -> str | None:
    """A template bound to some signatures goes out under no other."""
    if template.allows(signature.id):
        return None
    return n_("“{template}” may be sent only with the signature {names}.",
              "“{template}” may be sent only with the signatures {names}.", len(template.only_with),
              template=template.name, names=listed(list(template.only_with.values())))


@dataclass(frozen=True)
class TaskDraft:
    name: str
    # The template's purpose decides the task's: a draft that names another is refused, and
    # None (the send modal has no purpose of its own) takes the template's.
    purpose: Purpose | None
    kind: TemplateKind
    recipient_list_id: int | None
    signature_id: int | None
    template_id: int | None
    fallback: Fallback = Fallback.NONE
    fallback_template_id: int | None = None
    default_link: str | None = None
    send_at: datetime | None = None  # None: as soon as it is approved
    # Recipients whose message is over the limit are skipped (and counted) instead of the
    # task being refused: the requester's choice.
    skip_too_long: bool = False


@dataclass(frozen=True)
class RecipientsSummary:
    count: int
    columns: Sequence[str]


RECIPIENT_SOURCES = (N_("a chosen import or audience"), N_("pasted numbers"), N_("an uploaded file"))


def check_one_recipient_source(*, chosen: bool, pasted: bool, uploaded: bool) -> None:
    """A send goes to exactly one list: two sources at once would silently drop one of them."""
    given = [_(name) for name, is_given in zip(RECIPIENT_SOURCES, (chosen, pasted, uploaded)) if is_given]
    if len(given) > 1:
        sources = given[0]
        for source in given[1:]:
            sources = _("{sources} and {source}", sources=sources, source=source)
        raise TaskFieldError(TaskField.RECIPIENTS, _("Choose one source of recipients: this form has {sources}. "
                                                     "Clear all but one.", sources=sources))


def unregistered(template_name: str, application: Application) -> str:
    if application.is_default:
        return _("{application} sends only templates registered with its provider, and “{template}” has no provider "
                 "code there yet: an approver sets it with /sms template code {template} <code>.",
                 application=application.label, template=template_name)
    return _("{application} sends only templates registered with its provider, and “{template}” has no provider code "
             "there yet: an approver sets it with /sms app register {name} template {template} code=<code>.",
             application=application.label, name=application.name, template=template_name)


def _not_registered(content: ContentChoice, kind: str, application: Application) -> str:
    if kind == "signature":
        return _("“{name}” is not registered for the {application} application, which sends to some of these numbers: "
                 "an approver registers it with /sms app register {application} signature {name}, or choose another "
                 "signature.", name=content.name, application=application.name)
    return _("“{name}” is not registered for the {application} application, which sends to some of these numbers: an "
             "approver registers it with /sms app register {application} template {name}, or choose another template.",
             name=content.name, application=application.name)


def registration_problem(content: ContentChoice, kind: str, routes: Sequence[Application]) -> str | None:
    """Content goes out through an application only once registered for it (with its code
    there, for a template through a provider that sends registered templates)."""
    for application in routes:
        if application.id not in content.registered:
            return _not_registered(content, kind, application)
        if kind == "template" and application.renders_templates and not content.registered[application.id]:
            return unregistered(content.name, application)
    return None


def check_draft(
    draft: TaskDraft, *, recipients: RecipientsSummary | None, signature: ContentChoice | None,
    template: ContentChoice | None, fallback_template: ContentChoice | None, now: datetime, window: SendWindow,
    routes: Sequence[Application] = (),
) -> TaskDraft:
    """Every problem of the draft at once, each on its field. `routes`: the applications its
    recipients are sent through."""
    problems: dict[TaskField, str] = {}
    name = " ".join(draft.name.split())
    if problem := _name_problem(draft.name, name):
        problems[TaskField.NAME] = problem
    if recipients is None or recipients.count == 0:
        problems[TaskField.RECIPIENTS] = _("Choose recipients: an import, a file, pasted numbers or an audience.")
    if problem := _signature_problem(signature, template, routes):
        problems[TaskField.SIGNATURE] = problem
    if problem := _template_problem(draft, template, recipients, routes):
        problems[TaskField.TEMPLATE] = problem
    purpose = Purpose(template.purpose) if template is not None and template.purpose else draft.purpose
    default_link = None
    if draft.kind is TemplateKind.CARD:
        if problem := _fallback_problem(draft, fallback_template, purpose, signature, routes):
            problems[TaskField.FALLBACK_TEMPLATE] = problem
        try:
            default_link = check_https(draft.default_link or "", "default link", TaskField.DEFAULT_LINK)
        except DomainError as error:
            problems[TaskField.DEFAULT_LINK] = str(error)
    if draft.send_at is not None:
        try:
            check_send_time(draft.send_at, now, window)
        except ScheduleError as error:
            problems[TaskField.SEND_AT] = str(error)
    if problems:
        raise TaskInvalid(problems)
    fallback = draft.fallback if draft.kind is TemplateKind.CARD else Fallback.NONE
    return replace(draft, name=name, purpose=purpose, default_link=default_link, fallback=fallback,
                   fallback_template_id=draft.fallback_template_id if fallback is not Fallback.NONE else None)


def _name_problem(typed: str, name: str) -> str | None:
    """`name`: `typed` with its runs of spaces made one."""
    if has_control_characters(typed):
        return _("A task name is one line of text, without control characters.")
    if not name:
        return _("Give the task a name.")
    if len(name) > TASK_NAME_MAX:
        return _("A task name has at most {limit} characters; this one has {count}.", limit=TASK_NAME_MAX,
                 count=len(name))
    return None


def _signature_problem(signature: ContentChoice | None, template: ContentChoice | None,
                       routes: Sequence[Application]) -> str | None:
    if signature is None or signature.status != ContentStatus.APPROVED:
        return _("Choose an approved signature.")
    return ((binding_problem(template, signature) if template is not None else None)
            or registration_problem(signature, "signature", routes))


def _template_problem(draft: TaskDraft, template: ContentChoice | None, recipients: RecipientsSummary | None,
                      routes: Sequence[Application]) -> str | None:
    if template is None or template.status != ContentStatus.APPROVED:
        return _("Choose an approved template.")
    if template.kind != draft.kind:
        return _("“{name}” is {kind}; choose {wanted}.", name=template.name,
                 kind=_(A_KIND_TEMPLATE[TemplateKind(template.kind)]), wanted=_(A_KIND_ONE[draft.kind]))
    if recipients is not None and (missing := missing_variables(template.body, recipients.columns)):
        names = listed([f"${{{name}}}" for name in missing])
        return _("The recipient list has no column for {names}. Add the column or pick another template.", names=names)
    if problem := registration_problem(template, "template", routes):
        return problem
    if draft.purpose is not None and draft.purpose != template.purpose:
        return _("“{name}” is a {purpose} template, so the task is {purpose}: it cannot be sent as {asked}.",
                 name=template.name, purpose=purpose_word(template.purpose), asked=purpose_word(draft.purpose))
    return None



def _fallback_problem(draft: TaskDraft, fallback_template: ContentChoice | None, purpose: Purpose | None,
                      signature: ContentChoice | None, routes: Sequence[Application]) -> str | None:
    if draft.fallback is Fallback.NONE:
        return None
    wanted = TemplateKind(draft.fallback.value)
    if fallback_template is None or fallback_template.status != ContentStatus.APPROVED:
        return _(FALLBACK_NEEDS[wanted])
    if fallback_template.kind != wanted:
        return _(NOT_OF_KIND[wanted], name=fallback_template.name)
    if problem := registration_problem(fallback_template, "template", routes):
        return problem
    if not fallback_fits(fallback_template, purpose):
        return _("“{name}” is promotional: a {purpose} card cannot fall back to it.", name=fallback_template.name,
                 purpose=purpose_word(purpose))
    # The fallback goes out under the task's signature too.
    return binding_problem(fallback_template, signature) if signature is not None else None


def fallback_fits(fallback_template: ContentChoice, purpose: Purpose | None) -> bool:
    """A notification's words may stand in for a promotional card, never the other way round:
    a promotional fallback would reach people without the opt-out rules."""
    return fallback_template.purpose != Purpose.PROMOTIONAL or purpose is Purpose.PROMOTIONAL


def sent_as(task_purpose: str, *template_purposes: str | None) -> Purpose:
    """The purpose a send is held to: promotional if the task or any template it sends is.
    Checked again at send time, whatever door the task came through."""
    if Purpose.PROMOTIONAL in (task_purpose, *template_purposes):
        return Purpose.PROMOTIONAL
    return Purpose.NOTIFICATION


@dataclass(frozen=True)
class Composition:
    """How messages are put together in this workspace."""

    style: SignatureStyle
    optout_hint: str
    # SMSBOT_PROVIDER: the provider of the application that names none of its own.
    provider: str = "simulator"


@dataclass(frozen=True)
class RoutePart:
    """One SMS application's part of a send, as the preview and the card show it."""

    application: str  # its label: name (provider)
    recipients: int
    cost: str


def route_parts(shares: Sequence[RouteShare], default_price: Decimal,
                currency: str) -> tuple[tuple[RoutePart, ...], str | None]:
    """The parts worth showing, and the send's cost summed over its applications' prices (None
    when every part is priced the default way: the caller's own figure stands)."""
    if not shares:
        return (), None
    total = sum((share.cost(default_price) for share in shares), Decimal(0))
    parts = tuple(RoutePart(share.application.label, share.recipients, format_money(share.cost(default_price), currency))
                  for share in shares)
    return (parts if worth_showing(shares) else ()), format_money(total, currency)


@dataclass(frozen=True)
class Preview:
    text: str  # the first recipient's message as sent
    characters: int
    encoding: str
    segments: int  # of that message
    recipients: int
    cost: str
    too_long: int  # recipients whose message is over the limit
    longest: str | None = None  # the longest message, when it is not the first
    routes: tuple[RoutePart, ...] = ()  # each application's part, when there is more to say than "the default"


def preview_message(
    *, body: str, signature: str | None, purpose: Purpose, style: SignatureStyle, optout_hint: str,
    first_recipient: Mapping[str, str], recipients: int, price_per_segment: Decimal, currency: str,
    total_segments: int | None = None, too_long: int = 0,
) -> Preview:
    """The first recipient's message as sent, with its length and the send's cost: exact when
    every message's segments were counted (`total_segments`), else estimated from the first."""
    hint = optout_hint if purpose is Purpose.PROMOTIONAL else None
    text = compose(render(body, first_recipient), signature=signature, signature_style=style, optout_hint=hint)
    info = measure(text)
    if total_segments is None:
        cost = estimate_cost(info.segments, recipients, price_per_segment)
        too_long = recipients if info.characters > MAX_MESSAGE_CHARACTERS else 0
    else:
        cost = estimate_cost(total_segments, 1, price_per_segment)
    return Preview(text, info.characters, str(info.encoding), info.segments, recipients,
                   format_money(cost, currency), too_long)


MAX_TEST_NUMBERS = 5  # a test send goes to a few numbers, never a list


def check_test_numbers(text: str, normalizer: PhoneNormalizer) -> list[str]:
    """The numbers a test send goes to, in E.164; refused with the reason if any is unusable."""
    numbers = split_pasted_numbers(text)
    if not numbers:
        raise DomainError(_("Give at least one number."))
    if len(numbers) > MAX_TEST_NUMBERS:
        raise DomainError(n_("A test goes to at most {count} number.", "A test goes to at most {count} numbers.",
                             MAX_TEST_NUMBERS))
    phones = []
    for typed in numbers:
        result = normalizer.normalize(typed)
        if result.e164 is None:
            raise DomainError(_("{number} is not usable: {reason}.", number=last_four(typed),
                                reason=invalid_reason_for_reader(result.message)))
        phones.append(result.e164)
    return phones
