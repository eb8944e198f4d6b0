"""Use cases for SMS applications: add, change, list, and register signatures and templates
for one. Approvers only: an application spends the account's money under its sender.

What is secret (credentials) never passes through Slack: it comes from the environment of the
processes that send (`SMSBOT_APP_<NAME>_*`, see docs/providers.md). Everything else is chosen
here, so that a team sees and changes it where it works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from domain.applications import (
    Application,
    ApplicationError,
    NumberRule,
    Routing,
    check_application_name,
    check_number_rule,
    check_price,
    check_provider,
    check_send_rate,
    routing,
)
from domain.approvers import Actor
from domain.content import check_provider_code, name_key, not_named
from domain.i18n import _, n_
from domain.policy import check_approver
from domain.send_measure import SendMeasure
from domain.tasks import TaskField, TaskInvalid
from storage.errors import AlreadyExists
from storage.tables import AuditEntry, SmsApplication
from storage.uow import SqlUnitOfWork as UnitOfWork

# Providers whose sends carry a sender of ours (the others send under the account's own).
SENDER_PROVIDERS = ("twilio", "huawei")
CONTENT_KINDS = ("signature", "template")


def application_of(row: SmsApplication, configured_provider: str) -> Application:
    """`configured_provider`: SMSBOT_PROVIDER, for the application that sends through it."""
    return Application(row.id, row.name, row.provider or configured_provider, NumberRule(row.numbers), row.sender,
                       Decimal(row.price_per_segment) if row.price_per_segment is not None else None, row.is_default,
                       row.send_rate)


def applications(uow: UnitOfWork, configured_provider: str = "") -> list[Application]:
    """Inside an open unit of work. Without `configured_provider`, the default application's
    provider is unknown here (its registrations still are)."""
    return [application_of(row, configured_provider) for row in uow.applications.all()]


def read_applications(uow: UnitOfWork, configured_provider: str) -> list[Application]:
    with uow:
        return applications(uow, configured_provider)


def current_routing(uow: UnitOfWork, configured_provider: str = "") -> Routing:
    """Inside an open unit of work: where a send's numbers go now (without `configured_provider`,
    for the rules alone)."""
    return routing(applications(uow, configured_provider))


def read_routing(uow: UnitOfWork, configured_provider: str = "") -> Routing:
    """Without `configured_provider`, for the rules alone (which numbers go where)."""
    with uow:
        return current_routing(uow, configured_provider)


def check_routable(routes: Routing, *, mainland: int, international: int) -> None:
    """A send goes only to numbers some application takes (an import made before the
    applications changed may hold others)."""
    if mainland and routes.mainland is None:
        raise TaskInvalid({TaskField.RECIPIENTS: n_(
            "{count} of these numbers is mainland, and no SMS application sends to mainland numbers: an approver "
            "adds one with /sms app add, or choose other recipients.",
            "{count} of these numbers are mainland, and no SMS application sends to mainland numbers: an approver "
            "adds one with /sms app add, or choose other recipients.", mainland)})
    if international and routes.international is None:
        raise TaskInvalid({TaskField.RECIPIENTS: n_(
            "{count} of these numbers is international, and no SMS application sends to international numbers: an "
            "approver adds one with /sms app add, or choose other recipients.",
            "{count} of these numbers are international, and no SMS application sends to international numbers: an "
            "approver adds one with /sms app add, or choose other recipients.", international)})


def split_of(routes: Routing, measured: SendMeasure) -> list[dict]:
    """Each kind of number's part of a send, and the application it goes through: what the
    task keeps, so that it is sent as it was approved whatever changes after."""
    return [{"numbers": kind, "application_id": app.id, "recipients": recipients, "segments": segments}
            for kind, app, (recipients, segments) in (("mainland", routes.mainland, measured.mainland),
                                                      ("international", routes.international, measured.international))
            if app is not None and recipients]


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    signatures: list[str]  # registered for it, by name
    templates: list[tuple[str, str | None]]  # (name, provider code)


def _audit(uow: UnitOfWork, actor: Actor, action: str, application_id: int, **detail) -> None:
    uow.audit.add(AuditEntry(actor=actor.user_id, action=f"application.{action}", target_type="application",
                             target_id=str(application_id), detail=detail))


def _check_sender(provider: str, sender: str | None) -> str | None:
    if sender is None:
        return None
    sender = sender.strip()
    if provider not in SENDER_PROVIDERS:
        raise ApplicationError(_("{provider} sends under the account's own sender: leave sender out.",
                                 provider=provider))
    if not 1 <= len(sender) <= 32 or not sender.replace("+", "").isalnum():
        raise ApplicationError(_("A sender is a channel number, a phone number in E.164 or a sender ID."))
    return sender


def add_application(uow: UnitOfWork, actor: Actor, *, name: str, provider: str, numbers: str,
                    sender: str | None = None, price: str | None = None, rate: str | None = None,
                    check: Callable[[Application], str | None] = lambda application: None) -> Application:
    """`check`: what the application's provider lacks to send (its settings, from the
    environment), if anything; then nothing is stored."""
    check_approver(actor, _("add an SMS application"))
    name, provider, rule = check_application_name(name), check_provider(provider), check_number_rule(numbers)
    sender = _check_sender(provider, sender)
    price_text = str(check_price(price)) if price is not None else None
    send_rate = check_send_rate(rate) if rate is not None else None
    if problem := check(Application(0, name, provider, rule, sender)):
        raise ApplicationError(_("{name} cannot send through {provider} yet: {problem}", name=name, provider=provider,
                                 problem=problem))
    with uow:
        try:
            row = uow.applications.add(SmsApplication(name=name, name_key=name.casefold(), provider=provider,
                                                      numbers=rule, sender=sender, price_per_segment=price_text,
                                                      send_rate=send_rate,
                                                      created_by=actor.user_id))
        except AlreadyExists:
            raise ApplicationError(_("An application named {name} already exists.", name=name)) from None
        _audit(uow, actor, "added", row.id, name=name, provider=provider, numbers=str(rule), sender=sender,
               send_rate=send_rate)
        uow.commit()
        return application_of(row, provider)


def _named(uow: UnitOfWork, name: str) -> SmsApplication:
    row = uow.applications.by_name(name.strip().casefold())
    if row is None:
        raise ApplicationError(_("No application is named {name}. `/sms app list` shows them.",
                                 name=name.strip()[:20]))
    return row


def change_application(uow: UnitOfWork, actor: Actor, name: str, configured_provider: str, *,
                       numbers: str | None = None, sender: str | None = None, price: str | None = None,
                       rate: str | None = None, make_default: bool = False) -> Application:
    """Sends already submitted keep the routing they were split by; new ones take the change. A
    rate applies at once, to sends under way too ("none": the deployment's)."""
    check_approver(actor, _("change an SMS application"))
    with uow:
        row = _named(uow, name)
        fields: dict[str, object] = {}
        if numbers is not None:
            fields["numbers"] = str(check_number_rule(numbers))
        if sender is not None:
            fields["sender"] = _check_sender(row.provider or configured_provider, sender) if sender != "none" else None
        if price is not None:
            fields["price_per_segment"] = str(check_price(price)) if price != "none" else None
        if rate is not None:
            fields["send_rate"] = check_send_rate(rate) if rate != "none" else None
        if fields:
            uow.applications.update(row.id, **fields)
        if make_default:
            uow.applications.make_default(row.id)
        _audit(uow, actor, "changed", row.id, name=row.name, default=make_default or None,
               **{key: str(value) if value is not None else None for key, value in fields.items()})
        uow.commit()
        return application_of(_named(uow, name), configured_provider)


def list_applications(uow: UnitOfWork, configured_provider: str) -> list[ApplicationView]:
    with uow:
        signatures = {s.id: s.name for s in uow.signatures.all()}
        templates = {t.id: t.name for t in uow.templates.all()}
        signed = uow.applications.registrations("signature")
        coded = uow.applications.registrations("template")
        return [ApplicationView(
            app,
            sorted(signatures[i] for i, apps in signed.items() if app.id in apps and i in signatures),
            sorted((templates[i], apps[app.id]) for i, apps in coded.items() if app.id in apps and i in templates),
        ) for app in applications(uow, configured_provider)]


def _content_id(uow: UnitOfWork, kind: str, content_name: str) -> tuple[int, str]:
    if kind not in CONTENT_KINDS:
        raise ApplicationError(_("Register a signature or a template: `/sms app register <app> signature <name>`."))
    repository = uow.signatures if kind == "signature" else uow.templates
    row = repository.by_name(name_key(content_name))
    if row is None:
        raise not_named(kind, content_name)
    return row.id, row.name


def register_content(uow: UnitOfWork, actor: Actor, app_name: str, kind: str, content_name: str,
                     code: str | None = None) -> tuple[str, str]:
    """Makes the signature or template sendable through the application (with its template code
    there, for a provider that sends registered templates). Returns (application, content) names."""
    check_approver(actor, _("register content for an SMS application"))
    provider_code = check_provider_code(code) if code else None
    if provider_code and kind != "template":
        raise ApplicationError(_("Only a template has a provider code."))
    with uow:
        app = _named(uow, app_name)
        content_id, name = _content_id(uow, kind, content_name)
        uow.applications.register(kind, content_id, app.id, provider_code)
        _audit(uow, actor, "registered", app.id, kind=kind, content=name, code=provider_code)
        uow.commit()
        return app.name, name


def unregister_content(uow: UnitOfWork, actor: Actor, app_name: str, kind: str, content_name: str) -> tuple[str, str]:
    check_approver(actor, _("unregister content from an SMS application"))
    with uow:
        app = _named(uow, app_name)
        content_id, name = _content_id(uow, kind, content_name)
        if not uow.applications.unregister(kind, content_id, app.id):
            raise ApplicationError(_("“{name}” is not registered for {application}.", name=name, application=app.name))
        _audit(uow, actor, "unregistered", app.id, kind=kind, content=name)
        uow.commit()
        return app.name, name
