"""Send tasks (domain/tasks.py): every problem of a draft at once, on its field, and the message preview."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.applications import Application, NumberRule
from domain.content import Purpose, TemplateKind
from domain.schedule import SendWindow
from domain.segments import SignatureStyle, measure
from domain.tasks import (
    ContentChoice, Fallback, RecipientsSummary, TaskDraft, TaskField, TaskInvalid, check_draft, kept_signature,
    preview_message, sent_as, signatures_allowed,
)

NOW = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
WINDOW = SendWindow.parse("08:00-22:00", "Asia/Shanghai")
SIGNATURE = ContentChoice(1, "Acme", "approved")
TEXT = ContentChoice(2, "Hello", "approved", "text", "promotional", "Hi ${name}")
CARD = ContentChoice(3, "Offer", "approved", "card", "promotional", "Hi ${name}")
DIGITAL = ContentChoice(4, "Pics", "approved", "digital", "promotional", "Look")
LIST = RecipientsSummary(2, ["phone", "name"])
DRAFT = TaskDraft("  Spring   push ", Purpose.PROMOTIONAL, TemplateKind.TEXT, 7, 1, 2)
CARD_DRAFT = replace(DRAFT, kind=TemplateKind.CARD, template_id=3, fallback=Fallback.TEXT, fallback_template_id=2,
                     default_link=" https://x.io/offer ")


def check(draft=DRAFT, **given):
    context = dict(recipients=LIST, signature=SIGNATURE, template=CARD if draft.kind == "card" else TEXT,
                   fallback_template=TEXT, now=NOW, window=WINDOW)
    return check_draft(draft, **context | given)


def problems(draft=DRAFT, **given) -> dict:
    with pytest.raises(TaskInvalid) as caught:
        check(draft, **given)
    return caught.value.problems


def test_a_good_text_draft_drops_card_only_fields():
    checked = check(replace(DRAFT, fallback=Fallback.DIGITAL, fallback_template_id=4, default_link="not a link"))
    assert checked.name == "Spring push"
    assert (checked.fallback, checked.fallback_template_id, checked.default_link) == (Fallback.NONE, None, None)
    assert check(replace(DRAFT, kind=TemplateKind.DIGITAL), template=DIGITAL).default_link is None


def test_a_good_card_draft_keeps_its_fallback_and_trimmed_link():
    checked = check(CARD_DRAFT)
    assert (checked.fallback, checked.fallback_template_id, checked.default_link) == (
        Fallback.TEXT, 2, "https://x.io/offer")
    no_fallback = check(replace(CARD_DRAFT, fallback=Fallback.NONE), fallback_template=None)
    assert (no_fallback.fallback, no_fallback.fallback_template_id) == (Fallback.NONE, None)


def test_every_problem_is_reported_at_once_on_its_field():
    draft = replace(CARD_DRAFT, name="  ", fallback=Fallback.DIGITAL, default_link="http://x.io",
                    send_at=NOW - timedelta(hours=1))
    found = problems(draft, recipients=None, signature=None, template=None, fallback_template=None)
    assert found == {
        TaskField.NAME: "Give the task a name.",
        TaskField.RECIPIENTS: "Choose recipients: an import, a file, pasted numbers or an audience.",
        TaskField.SIGNATURE: "Choose an approved signature.",
        TaskField.TEMPLATE: "Choose an approved template.",
        TaskField.FALLBACK_TEMPLATE: "A digital fallback needs an approved digital template.",
        TaskField.DEFAULT_LINK: "The default link must be an https:// link.",
        TaskField.SEND_AT: found[TaskField.SEND_AT],
    }
    assert found[TaskField.SEND_AT].startswith("That time has passed")


@pytest.mark.parametrize(("draft", "given", "field", "message"), [
    (replace(DRAFT, name="x" * 31), {}, TaskField.NAME, "A task name has at most 30 characters; this one has 31."),
    (DRAFT, {"recipients": RecipientsSummary(0, ["phone", "name"])}, TaskField.RECIPIENTS, "Choose recipients"),
    (DRAFT, {"signature": replace(SIGNATURE, status="pending")}, TaskField.SIGNATURE, "Choose an approved signature."),
    (DRAFT, {"template": replace(TEXT, status="rejected")}, TaskField.TEMPLATE, "Choose an approved template."),
    (DRAFT, {"template": CARD}, TaskField.TEMPLATE, "“Offer” is a card template; choose a text one."),
    (DRAFT, {"template": replace(TEXT, body="${name} ${code} ${shop} ${code}"), "recipients": LIST},
     TaskField.TEMPLATE, "The recipient list has no column for ${code}, ${shop}. Add the column or pick another template."),
    (CARD_DRAFT, {"fallback_template": replace(TEXT, status="disabled")}, TaskField.FALLBACK_TEMPLATE,
     "A text fallback needs an approved text template."),
    (CARD_DRAFT, {"fallback_template": DIGITAL}, TaskField.FALLBACK_TEMPLATE, "“Pics” is not a text template."),
    (replace(CARD_DRAFT, default_link=None), {}, TaskField.DEFAULT_LINK, "The default link must be an https:// link."),
    (replace(DRAFT, send_at=NOW + timedelta(days=32)), {}, TaskField.SEND_AT, "Too far ahead"),
    (replace(DRAFT, send_at=NOW + timedelta(hours=12)), {}, TaskField.SEND_AT, "Outside the sending window"),
])
def test_each_problem_alone(draft, given, field, message):
    found = problems(draft, **given)
    assert list(found) == [field] and found[field].startswith(message)


def test_send_time_inside_the_rules_and_the_grace():
    assert check(replace(DRAFT, send_at=NOW + timedelta(hours=2))).send_at == NOW + timedelta(hours=2)
    assert check(replace(DRAFT, send_at=NOW - timedelta(seconds=60))).send_at is not None


def preview(**changes):
    arguments = dict(body="Hi ${name}, code ${code}", signature="Acme", purpose=Purpose.NOTIFICATION,
                     style=SignatureStyle.BRACKETS, optout_hint="Reply T to stop",
                     first_recipient={"name": "Ann", "code": "42"}, recipients=1000,
                     price_per_segment=Decimal("0.045"), currency="CNY")
    return preview_message(**arguments | changes)


def test_preview_of_a_notification_has_no_hint():
    shown = preview()
    assert shown.text == "【Acme】Hi Ann, code 42"
    assert (shown.characters, shown.encoding, shown.segments, shown.recipients) == (21, "UCS-2", 1, 1000)
    assert (shown.cost, shown.too_long) == ("CNY 45.00", False)


def test_preview_of_a_promotional_message_adds_the_hint_and_uses_the_colon_style():
    shown = preview(purpose=Purpose.PROMOTIONAL, style=SignatureStyle.COLON)
    assert shown.text == "Acme: Hi Ann, code 42\nReply T to stop"
    assert (shown.encoding, shown.segments) == ("GSM-7", 1)


def test_preview_cost_is_segments_times_recipients_times_price():
    shown = preview(body="${name} " + "é" * 200, signature=None, recipients=3, price_per_segment=Decimal("0.1"))
    assert shown.segments == measure("Ann " + "é" * 200).segments == 2
    assert shown.cost == "CNY 0.60"
    big = preview(body="x" * 600, signature=None, recipients=1234, price_per_segment=Decimal("0.05"), currency="USD")
    assert big.too_long and big.segments == 4 and big.cost == "USD 246.80"


DEFAULT_APP = Application(1, "default", "alibaba", NumberRule.ANY, is_default=True)
INTL_APP = Application(2, "intl", "twilio", NumberRule.INTERNATIONAL)


def registered(content: ContentChoice, **codes: str | None) -> ContentChoice:
    """Registered for the default application (`default=`) and/or the international one (`intl=`)."""
    ids = {"default": DEFAULT_APP.id, "intl": INTL_APP.id}
    return replace(content, registered={ids[name]: code for name, code in codes.items()})


def test_a_provider_of_registered_templates_needs_each_templates_code():
    card = registered(CARD, default="CARD_SMS_1")
    signature = registered(SIGNATURE, default=None)
    found = problems(CARD_DRAFT, template=card, fallback_template=registered(TEXT, default=None),
                     signature=signature, routes=[DEFAULT_APP])
    assert found == {TaskField.FALLBACK_TEMPLATE: (
        "default (alibaba) sends only templates registered with its provider, and “Hello” has no provider code "
        "there yet: an approver sets it with /sms template code Hello <code>.")}
    assert check(CARD_DRAFT, template=card, fallback_template=registered(TEXT, default="SMS_2"), signature=signature,
                 routes=[DEFAULT_APP]).template_id == 3
    assert TaskField.TEMPLATE in problems(DRAFT, template=registered(TEXT, default=None), signature=signature,
                                          routes=[DEFAULT_APP])
    assert check(DRAFT).template_id == 2  # no application named: nothing to register


def test_content_goes_through_an_application_only_once_registered_for_it():
    signature, template = registered(SIGNATURE, default=None), registered(TEXT, default="SMS_1")
    found = problems(DRAFT, signature=signature, template=template, routes=[DEFAULT_APP, INTL_APP])
    assert found[TaskField.SIGNATURE].startswith("“Acme” is not registered for the intl application, which sends "
                                                 "to some of these numbers: an approver registers it with "
                                                 "/sms app register intl signature Acme")
    assert found[TaskField.TEMPLATE].startswith("“Hello” is not registered for the intl application")
    # Twilio sends our own text: registered there, a template needs no code.
    both = check(DRAFT, signature=registered(SIGNATURE, default=None, intl=None),
                 template=registered(TEXT, default="SMS_1", intl=None), routes=[DEFAULT_APP, INTL_APP])
    assert both.template_id == 2


def test_a_test_send_takes_a_few_usable_numbers_and_names_a_bad_one_by_its_last_digits():
    from domain.errors import DomainError
    from domain.phones import PhoneNormalizer
    from domain.tasks import MAX_TEST_NUMBERS, check_test_numbers

    normalizer = PhoneNormalizer("CN")
    assert check_test_numbers("13800138000, +1 201 555 0123", normalizer) == ["+8613800138000", "+12015550123"]
    for text, reason in (("", "at least one"), ("13800138000\n" * (MAX_TEST_NUMBERS + 1), "at most"),
                         ("12345678", "5678 is not usable")):
        with pytest.raises(DomainError, match=reason):
            check_test_numbers(text, normalizer)


NOTICE = ContentChoice(5, "Notice", "approved", "text", "notification", "Hi ${name}")


def test_the_task_takes_its_templates_purpose():
    assert check(replace(DRAFT, purpose=None)).purpose is Purpose.PROMOTIONAL
    assert check(replace(DRAFT, purpose=None), template=NOTICE).purpose is Purpose.NOTIFICATION


@pytest.mark.parametrize(("purpose", "template"), [(Purpose.NOTIFICATION, TEXT), (Purpose.PROMOTIONAL, NOTICE)])
def test_a_purpose_other_than_the_templates_is_refused(purpose, template):
    found = problems(replace(DRAFT, purpose=purpose), template=template)
    assert f"cannot be sent as {purpose}" in found[TaskField.TEMPLATE]


def test_a_notification_card_cannot_fall_back_to_a_promotional_template():
    notice_card = ContentChoice(6, "Notice card", "approved", "card", "notification", "Hi ${name}")
    found = problems(replace(CARD_DRAFT, purpose=None), template=notice_card, fallback_template=TEXT)
    assert "is promotional" in found[TaskField.FALLBACK_TEMPLATE]
    # a notification's words may stand in for a promotional card
    assert check(replace(CARD_DRAFT, purpose=None), fallback_template=NOTICE).fallback_template_id == 2


@pytest.mark.parametrize(("task", "templates", "expected"), [
    ("notification", ("notification",), Purpose.NOTIFICATION),
    ("notification", ("promotional",), Purpose.PROMOTIONAL),
    ("notification", ("notification", "promotional"), Purpose.PROMOTIONAL),
    ("promotional", ("notification",), Purpose.PROMOTIONAL),
])
def test_a_send_is_held_to_promotional_if_any_part_of_it_is(task, templates, expected):
    assert sent_as(task, *templates) is expected


OTHER = ContentChoice(8, "Beta", "approved")
THIRD = ContentChoice(9, "Gamma", "approved")


def test_a_template_bound_to_other_signatures_refuses_the_chosen_one_on_the_signature_field():
    bound = replace(TEXT, only_with={8: "Beta", 9: "Gamma"})
    assert problems(template=bound) == {
        TaskField.SIGNATURE: "“Hello” may be sent only with the signatures Beta, Gamma."}
    assert problems(template=replace(TEXT, only_with={8: "Beta"})) == {
        TaskField.SIGNATURE: "“Hello” may be sent only with the signature Beta."}
    assert check(signature=OTHER, template=bound).signature_id == 1  # the draft's own ids are not rewritten
    assert check(template=replace(TEXT, only_with={1: "Acme", 8: "Beta"})).template_id == 2
    assert check(template=TEXT).template_id == 2  # bound to none: any signature


def test_an_unapproved_signature_is_refused_as_such_whatever_the_binding():
    found = problems(signature=replace(SIGNATURE, status="disabled"), template=replace(TEXT, only_with={8: "Beta"}))
    assert found == {TaskField.SIGNATURE: "Choose an approved signature."}


def test_a_cards_fallback_goes_out_under_the_tasks_signature_too():
    found = problems(CARD_DRAFT, fallback_template=replace(TEXT, only_with={8: "Beta"}))
    assert found == {TaskField.FALLBACK_TEMPLATE: "“Hello” may be sent only with the signature Beta."}
    assert check(CARD_DRAFT, fallback_template=replace(TEXT, only_with={1: "Acme"})).fallback_template_id == 2


def test_once_a_template_is_chosen_only_its_signatures_are_offered_and_a_lone_one_is_chosen():
    every = [SIGNATURE, OTHER, THIRD]
    assert signatures_allowed(None, every) == every
    assert signatures_allowed(TEXT, every) == every
    assert signatures_allowed(replace(TEXT, only_with={9: "Gamma", 8: "Beta"}), every) == [OTHER, THIRD]
    assert signatures_allowed(replace(TEXT, only_with={7: "Gone"}), every) == []
    assert kept_signature(8, [OTHER, THIRD]) == 8
    assert kept_signature(1, [OTHER, THIRD]) is None  # no longer offered, and no lone one to take its place
    assert kept_signature(1, [THIRD]) == kept_signature(None, [THIRD]) == 9
    assert kept_signature(None, []) is None


@pytest.mark.parametrize("name", ["Weekly\x00", "Two\nlines"])
def test_a_task_name_with_a_control_character_is_refused(name):
    assert "without control characters" in problems(replace(DRAFT, name=name))[TaskField.NAME]
