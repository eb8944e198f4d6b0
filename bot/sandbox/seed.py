"""What a newcomer finds in a new sandbox: approved content made with the bot's own use cases,
two SMS applications (mainland numbers through the default one, the others through an
international one; the simulator stands in for both), and a recipient file to download and
drop into a channel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.sandbox.emulator.defaults import APPROVER_ID, SENDER_ID
from domain.approvers import Actor
from domain.content import CardButton, Purpose, TemplateDraft, TemplateKind, name_key
from domain.use_cases.applications import add_application, change_application, list_applications, register_content
from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content, list_content

SAMPLE_FILENAME = "sandbox-recipients.csv"
SAMPLE_ROWS = 60
SIGNATURE = "Acme"
TEMPLATES = (
    TemplateDraft(name="Order shipped", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION,
                  body="Hi ${name}, your order ${order} has shipped and arrives in 2 days."),
    TemplateDraft(name="Spring coupon", kind=TemplateKind.TEXT, purpose=Purpose.PROMOTIONAL,
                  body="Hi ${name}, spring is here: 20% off everything this week with code SPRING20."),
    TemplateDraft(name="Spring sale card", kind=TemplateKind.CARD, purpose=Purpose.PROMOTIONAL,
                  body="Hi ${name}, our spring sale starts today.", title="Spring sale",
                  image_url="https://shop.example.com/spring.png",
                  buttons=[CardButton("Shop now", "https://shop.example.com/spring")],
                  default_link="https://shop.example.com/spring"),
    # No variables: the one pasted numbers (which carry no names) can be sent with.
    TemplateDraft(name="Store notice", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION,
                  body="Our Nanjing Road store is closed on Monday for maintenance; orders ship as usual."),
)
NO_VARIABLES_TEMPLATE = TEMPLATES[-1].name
_NAMES = ("Li Wei", "Wang Fang", "Zhang Min", "Liu Yang", "Chen Jing", "Yang Tao", "Zhao Lei", "Huang Li",
          "Zhou Qiang", "Wu Na")


INTERNATIONAL_APP = "international"
INTERNATIONAL_PRICE = "0.35"  # per segment: dearer than the mainland's, as it is at every provider


@dataclass(frozen=True)
class Seeded:
    signatures: int
    templates: int
    applications: int = 2


def sample_recipients_csv() -> bytes:
    """`phone,name,order`: 60 rows in the shapes people type (bare 11 digits, +86, 86…, and a
    few US numbers), one number that is not a phone and one that repeats another once
    normalised, so the import summary has something to say."""
    rows = ["phone,name,order"]
    for n in range(SAMPLE_ROWS - 2):
        number = f"1380013{n:04d}"
        shape = (number, f"+86{number}", f"86{number}")[n % 3]
        if n % 10 == 9:  # a few abroad, sent through the international application
            shape = f"+1415555{n:04d}"
        rows.append(f"{shape},{_NAMES[n % len(_NAMES)]},A{1000 + n}")
    rows.append("12345,Not A Phone,A9998")
    rows.append("+8613800130000,Li Wei again,A9999")  # the first row's number, written otherwise
    return ("\n".join(rows) + "\n").encode()


def seed_content(uow: Callable[[], object], now: datetime) -> Seeded | None:
    """The signature and templates, asked for by the sender and approved by an approver, as
    the bot would record them, into a new sandbox. A kept sandbox gains only the seeded
    templates it lacks (one made before they were seeded: the guide's steps need them). None:
    nothing was missing."""
    sender, approver = Actor(SENDER_ID), Actor(APPROVER_ID, is_approver=True)

    def approve(kind: ContentKind, content_id: int) -> None:
        decide_content(uow(), kind, content_id, approver, approve=True, reason=None, allow_self_approval=False,
                       now=now)

    if list_content(uow(), ContentKind.SIGNATURE):
        return _seed_missing_templates(uow, sender, approver, approve)
    approve(ContentKind.SIGNATURE, add_signature(uow(), SIGNATURE, "Acme Shop, the sandbox's store", sender).id)
    for draft in TEMPLATES:
        approve(ContentKind.TEMPLATE, add_template(uow(), draft, sender).id)
    seed_applications(uow, approver)
    return Seeded(signatures=1, templates=len(TEMPLATES))


def _seed_missing_templates(uow: Callable[[], object], sender: Actor, approver: Actor,
                            approve: Callable[[ContentKind, int], None]) -> Seeded | None:
    """The seeded templates a kept sandbox has none of by name, approved and registered with
    the international application as a new sandbox's are."""
    present = {name_key(t.name) for t in list_content(uow(), ContentKind.TEMPLATE)}
    missing = [draft for draft in TEMPLATES if name_key(draft.name) not in present]
    if not missing:
        return None
    international = any(a.application.name == INTERNATIONAL_APP for a in list_applications(uow(), "simulator"))
    for draft in missing:
        approve(ContentKind.TEMPLATE, add_template(uow(), draft, sender).id)
        if international:
            register_content(uow(), approver, INTERNATIONAL_APP, "template", draft.name)
    return Seeded(signatures=0, templates=len(missing), applications=0)


def seed_applications(uow: Callable[[], object], approver: Actor) -> None:
    """The default application takes mainland numbers; an international one the others, with
    every seeded signature and template registered for it, as an approver would do it."""
    change_application(uow(), approver, "default", "simulator", numbers="mainland")
    add_application(uow(), approver, name=INTERNATIONAL_APP, provider="simulator", numbers="international",
                    price=INTERNATIONAL_PRICE)
    register_content(uow(), approver, INTERNATIONAL_APP, "signature", SIGNATURE)
    for draft in TEMPLATES:
        register_content(uow(), approver, INTERNATIONAL_APP, "template", draft.name)
