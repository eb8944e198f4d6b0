"""Signatures and templates (domain/content.py): what is refused, on which field, and how a body is filled."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.content import (
    PLACEHOLDER, CardButton, ContentError, Purpose, TemplateDraft, TemplateKind, check_https, check_provider_code,
    check_signature_name,
    check_template, missing_variables, name_key, parse_buttons, render, template_variables,
)

SOME = settings(max_examples=200, deadline=None, database=None)


def refusal(call, *args) -> ContentError:
    with pytest.raises(ContentError) as caught:
        call(*args)
    return caught.value


def draft(kind=TemplateKind.TEXT, **changes) -> TemplateDraft:
    fields = dict(name="  Spring   sale ", kind=kind, purpose=Purpose.PROMOTIONAL, body="  Hi ${name}  ")
    return TemplateDraft(**fields | changes)


def test_name_key_folds_case_and_whitespace():
    assert name_key("  Spring \t SALE ") == name_key("spring sale") == "spring sale"


def test_signature_is_normalized_and_length_bounded():
    assert check_signature_name("  Acme   Co ") == "Acme Co"
    assert check_signature_name("Ab") == "Ab" and check_signature_name("x" * 12) == "x" * 12
    for bad, length in (("A", 1), ("x" * 13, 13), ("   ", 0)):
        error = refusal(check_signature_name, bad)
        assert error.field == "name" and f"has {length}." in str(error) and "2–12" in str(error)


@pytest.mark.parametrize("name", ["【Acme】", "[Acme]", "Acme:", "Acme："])
def test_signature_without_brackets_or_colon(name):
    error = refusal(check_signature_name, name)
    assert error.field == "name" and "without brackets or a colon" in str(error)


def test_check_https():
    assert check_https("  https://example.com/a  ", "link", "f") == "https://example.com/a"
    for bad in ("http://example.com", "https://", "example.com", "ftp://example.com", ""):
        error = refusal(check_https, bad, "media URL", "media_urls")
        assert (str(error), error.field) == ("The media URL must be an https:// link.", "media_urls")


def test_variables_render_and_missing():
    body = "${b} and ${a}, again ${b}; ${ x} ${} $a {c}"
    assert template_variables(body) == ["b", "a"]
    assert render(body, {"a": "1"}) == "${b} and 1, again ${b}; ${ x} ${} $a {c}"
    assert missing_variables(body, ["a", "c"]) == ["b"]
    assert missing_variables(body, ("a", "b")) == []


def test_text_template_is_trimmed_and_drops_other_kinds_fields():
    checked = check_template(draft(subject="S", media_urls=["https://x.io/a"], title="T", default_link="https://x.io"))
    assert (checked.name, checked.body) == ("Spring sale", "Hi ${name}")
    assert (checked.subject, checked.media_urls, checked.title, checked.buttons, checked.default_link) == (
        None, [], None, [], None)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": "   "}, "name", "A template name has 1–40 characters."),
    ({"name": "n" * 41}, "name", "A template name has 1–40 characters."),
    ({"body": " \n "}, "body", "Write the message text."),
    ({"body": "Hi ${first name}"}, "body", "A variable is written ${name}, with no spaces, $, { or } inside."),
    ({"body": "Hi ${}"}, "body", "A variable is written ${name}, with no spaces, $, { or } inside."),
])
def test_template_refusals(changes, field, message):
    error = refusal(check_template, draft(**changes))
    assert (error.field, str(error)) == (field, message)


def test_digital_template():
    ok = check_template(draft(TemplateKind.DIGITAL, subject="  New  ", media_urls=[" https://x.io/1.png "]))
    assert (ok.subject, ok.media_urls) == ("New", ["https://x.io/1.png"])
    base = dict(subject="S", media_urls=["https://x.io/1.png"])
    for changes, field, message in [
        ({"subject": "  "}, "subject", "A digital message needs a subject."),
        ({"media_urls": []}, "media_urls", "A digital message needs at least one media URL."),
        ({"media_urls": ["https://x.io"] * 11}, "media_urls", "At most 10 media URLs."),
        ({"media_urls": ["http://x.io/1.png"]}, "media_urls", "The media URL must be an https:// link."),
    ]:
        error = refusal(check_template, draft(TemplateKind.DIGITAL, **base | changes))
        assert (error.field, str(error)) == (field, message)
    assert len(check_template(draft(TemplateKind.DIGITAL, subject="S", media_urls=["https://x.io"] * 10)).media_urls) == 10


def test_card_template():
    buttons = [CardButton(" Buy ", " https://x.io/buy ")]
    ok = check_template(draft(TemplateKind.CARD, title=" T ", image_url="", buttons=buttons, default_link="https://x.io"))
    assert (ok.title, ok.image_url, ok.buttons, ok.default_link) == (
        "T", None, [CardButton("Buy", "https://x.io/buy")], "https://x.io")
    base = dict(title="T", buttons=[], default_link="https://x.io")
    for changes, field, message in [
        ({"title": None}, "title", "A card needs a title."),
        ({"buttons": [CardButton("b", "https://x.io")] * 5}, "buttons", "A card has at most 4 buttons."),
        ({"image_url": "http://x.io/i.png"}, "image_url", "The image URL must be an https:// link."),
        ({"buttons": [CardButton("Buy", "x.io")]}, "buttons", "The link of button “Buy” must be an https:// link."),
        ({"default_link": None}, "default_link", "The default link must be an https:// link."),
    ]:
        error = refusal(check_template, draft(TemplateKind.CARD, **base | changes))
        assert (error.field, str(error)) == (field, message)


def test_parse_buttons():
    assert parse_buttons("\n Buy | https://x.io/b \n\n Help|https://x.io/h?a=1|2\n") == [
        CardButton("Buy", "https://x.io/b"), CardButton("Help", "https://x.io/h?a=1|2")]
    assert parse_buttons("  \n") == []
    for bad in ("Buy https://x.io", " | https://x.io"):
        error = refusal(parse_buttons, bad)
        assert error.field == "buttons" and "`Label | https://link`" in str(error)


NAMES = st.text(st.characters(blacklist_characters="${}", blacklist_categories=("Zs", "Cc", "Zl", "Zp", "Cs")),
                min_size=1, max_size=5).filter(lambda n: not any(c.isspace() for c in n))
FRAGMENTS = st.text(alphabet="ab ${}\n", max_size=6)


@SOME
@given(st.lists(st.tuples(FRAGMENTS, NAMES), max_size=6), FRAGMENTS, st.data())
def test_render_fills_every_variable_of_an_accepted_body(parts, tail, data):
    body = "".join(f"{text}${{{name}}}" for text, name in parts) + tail + "."
    try:
        body = check_template(draft(body=body)).body
    except ContentError:
        return  # only the bodies a template can hold
    values = {name: data.draw(st.text(alphabet="xyz 09", max_size=4)) for name in template_variables(body)}
    rendered = render(body, values)
    assert PLACEHOLDER.search(rendered) is None and "${" not in rendered


@SOME
@given(st.lists(NAMES, max_size=8), st.sampled_from([" ", "", "-$", "}{", "$ {"]))
def test_template_variables_each_once_in_order_of_first_appearance(names, separator):
    body = separator.join(f"${{{name}}}" for name in names)
    assert template_variables(body) == list(dict.fromkeys(names))


def test_provider_codes():
    assert check_provider_code(" SMS_123456789 ") == "SMS_123456789"
    assert check_provider_code("NONE") is None
    # Huawei Cloud's template ids are hex and may begin with a digit.
    assert check_provider_code("771c1b9ae8c44e0a9b33bb2d5c8b468e") == "771c1b9ae8c44e0a9b33bb2d5c8b468e"
    for bad in ("SMS 1", "12345", "S", "SMS-1", "x" * 41, "1" * 32):
        with pytest.raises(ContentError, match="is not a provider template code"):
            check_provider_code(bad)
