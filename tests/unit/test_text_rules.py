"""What typed text may hold, whatever a client sent (domain/text_rules.py and the checks using it)."""

import pytest

from domain.content import ContentError, Purpose, TemplateDraft, TemplateKind, check_signature_name, check_template
from domain.text_rules import has_control_characters, printable_lines, rejection_reason


@pytest.mark.parametrize("name", ["Weekly\x00", "Week\nly", "Tab\there", "Esc\x1b[31m", "C1\x85", "DEL\x7f"])
def test_a_name_with_a_control_character_is_refused(name):
    assert has_control_characters(name)
    with pytest.raises(ContentError, match="without control characters"):
        check_template(TemplateDraft(name=name, kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION, body="Hi"))
    with pytest.raises(ContentError, match="without control characters"):
        check_signature_name(name)


def test_names_people_type_pass():
    assert not has_control_characters("春季促销 — Spring sale 2026")


def test_a_template_body_keeps_its_lines_loses_other_control_characters_and_has_a_limit():
    checked = check_template(TemplateDraft(name="T", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION,
                                           body="Line one\n\tLine two\x00\x07"))
    assert checked.body == "Line one\n\tLine two"
    with pytest.raises(ContentError, match="At most 1,000 characters; this has 5,000") as refused:
        check_template(TemplateDraft(name="T", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION, body="x" * 5000))
    assert refused.value.field == "body"


def test_a_rejection_reason_is_kept_printable_and_at_most_500_characters():
    assert rejection_reason("  Not this week\x00\n ") == ("Not this week", None)
    assert rejection_reason("\x00 ")[1] == "Give a reason for the rejection."
    assert "At most 500 characters; this has 600" in rejection_reason("x" * 600)[1]
    assert printable_lines("a\r\nb\x1bc") == "a\r\nbc"
