"""SMS applications: named sending profiles (a provider, its sender, the numbers it takes) and
which one each number goes through. Pure.

As in Huawei Cloud's console, a Chinese-mainland application and an international one each
send their own numbers with their own registrations. A number goes to the application whose
rule names its kind (mainland or international) before one that takes any number; among
equals, the default wins, then the oldest. Only the kind of a number matters, so a whole
send routes by two answers: where mainland numbers go and where the others go.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError
from domain.i18n import N_, _

MAINLAND_PREFIX = "+86"
APPLICATION_NAME_MAX = 20
PROVIDERS = ("simulator", "twilio", "alibaba", "huawei", "ucloud")
# They send templates registered with them, filled with each recipient's values, not our text:
# every template sent through them needs its code there.
RENDERS_TEMPLATES = ("alibaba", "huawei", "ucloud")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class ApplicationError(DomainError):
    pass


# A number's skip reason, stored in English: translated where it is shown, with `_()`.
NO_MAINLAND_APPLICATION = N_("no SMS application sends to mainland numbers")
NO_INTERNATIONAL_APPLICATION = N_("no SMS application sends to international numbers")


class NumberRule(StrEnum):
    ANY = "any"
    MAINLAND = "mainland"  # +86 numbers only
    INTERNATIONAL = "international"  # every number but +86, written with its +CC


def is_mainland(phone: str) -> bool:
    """`phone`: E.164. Hong Kong, Macao and Taiwan numbers are international, as the consoles count them."""
    return phone.startswith(MAINLAND_PREFIX)


@dataclass(frozen=True)
class Application:
    id: int
    name: str
    provider: str
    numbers: NumberRule
    sender: str | None = None  # the channel number or sender id; None: the provider's setting
    price_per_segment: Decimal | None = None  # None: SMSBOT_PRICE_PER_SEGMENT
    is_default: bool = False
    # Messages a second its provider account takes; None: it shares the deployment's
    # SMSBOT_SEND_RATE (an application without its own credentials sends through that account).
    send_rate: float | None = None

    def accepts_mainland(self, mainland: bool) -> bool:
        return self.numbers is NumberRule.ANY or (self.numbers is NumberRule.MAINLAND) == mainland

    @property
    def renders_templates(self) -> bool:
        return self.provider in RENDERS_TEMPLATES

    @property
    def label(self) -> str:
        return f"{self.name} ({self.provider})"


def _preference(app: Application) -> tuple[int, int, int]:
    return (app.numbers is NumberRule.ANY, not app.is_default, app.id)


@dataclass(frozen=True)
class Routing:
    """Where a send's numbers go: mainland ones and the others. None: no application takes them."""

    mainland: Application | None
    international: Application | None

    def for_phone(self, phone: str) -> Application | None:
        return self.mainland if is_mainland(phone) else self.international

    def refusal(self, phone: str) -> str | None:
        """Why no application sends to this number, or None if one does."""
        if self.for_phone(phone) is not None:
            return None
        return NO_MAINLAND_APPLICATION if is_mainland(phone) else NO_INTERNATIONAL_APPLICATION

    @property
    def takes_every_number(self) -> bool:
        return self.mainland is not None and self.international is not None

    @property
    def applications(self) -> list[Application]:
        """Each application this routing uses once, mainland first."""
        return list({a.id: a for a in (self.mainland, self.international) if a is not None}.values())


def routing(applications: Sequence[Application]) -> Routing:
    def best(mainland: bool) -> Application | None:
        takers = [a for a in applications if a.accepts_mainland(mainland)]
        return min(takers, key=_preference) if takers else None

    return Routing(best(True), best(False))


def check_application_name(raw: str) -> str:
    name = raw.strip()
    if not _NAME.match(name) or len(name) > APPLICATION_NAME_MAX:
        raise ApplicationError(_("An application's name is one word of letters, digits, - or _ (up to {max} "
                                 "characters, starting with a letter), like mainland or intl.",
                                 max=APPLICATION_NAME_MAX))
    return name


def check_provider(raw: str) -> str:
    provider = raw.strip().lower()
    if provider not in PROVIDERS:
        raise ApplicationError(_("The provider is one of {providers}.", providers=", ".join(PROVIDERS)))
    return provider


def check_number_rule(raw: str) -> NumberRule:
    try:
        return NumberRule(raw.strip().lower())
    except ValueError:
        raise ApplicationError(_("The numbers an application takes are mainland, international or any.")) from None


def check_price(raw: str) -> Decimal:
    try:
        price = Decimal(raw.strip())
    except ArithmeticError:
        price = Decimal(-1)
    if not price.is_finite() or price < 0 or price > 100:
        raise ApplicationError(_("A price per segment is a number from 0 to 100, like 0.045."))
    return price


SEND_RATE_MAX = 10_000.0


def check_send_rate(raw: str) -> float:
    try:
        rate = float(raw.strip().removesuffix("/s"))
    except ValueError:
        rate = -1.0
    if not 0.1 <= rate <= SEND_RATE_MAX:  # also refuses nan and inf
        raise ApplicationError(_("A sending rate is the messages a second the provider account takes, from 0.1 to "
                                 "10000, like 50."))
    return rate


@dataclass(frozen=True)
class RouteShare:
    """One application's part of a send: its recipients and their messages' segments."""

    application: Application
    recipients: int
    segments: int

    def cost(self, default_price: Decimal) -> Decimal:
        price = self.application.price_per_segment
        return (default_price if price is None else price) * self.segments


def shares(routes: Routing, *, mainland: tuple[int, int], international: tuple[int, int]) -> list[RouteShare]:
    """(recipients, segments) of a send's mainland and international numbers, per application
    (one share when one application takes both). Numbers no application takes have none."""
    found: dict[int, RouteShare] = {}
    for app, (recipients, segments) in ((routes.mainland, mainland), (routes.international, international)):
        if app is None or recipients == 0:
            continue
        earlier = found.get(app.id)
        found[app.id] = RouteShare(app, recipients + (earlier.recipients if earlier else 0),
                                   segments + (earlier.segments if earlier else 0))
    return list(found.values())


def shares_of_split(split: Sequence[dict], applications: Sequence[Application]) -> list[RouteShare]:
    """A task's split as it was submitted (each kind of number's application, recipients and
    segments), per application."""
    by_id = {app.id: app for app in applications}
    found: dict[int, RouteShare] = {}
    for part in split:
        app = by_id.get(part["application_id"])
        if app is None:
            continue
        earlier = found.get(app.id)
        found[app.id] = RouteShare(app, part["recipients"] + (earlier.recipients if earlier else 0),
                                   part["segments"] + (earlier.segments if earlier else 0))
    return list(found.values())


def worth_showing(parts: Sequence[RouteShare]) -> bool:
    """A send through the default application alone says nothing new: as before applications."""
    return len(parts) > 1 or any(not part.application.is_default for part in parts)
