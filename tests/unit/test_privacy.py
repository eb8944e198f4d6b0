import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.privacy import last_four, mask_numbers_in_text, mask_phone_numbers, redact_secrets
from tests.slack_calls import whole_numbers_in


@pytest.mark.parametrize("number", ["+8613800138000", "13800138000", "+1 555-867-5310", "008613800138000"])
def test_phone_numbers_are_masked_to_their_last_four_digits(number):
    masked = mask_phone_numbers(f"sent to {number} ok")
    digits = "".join(ch for ch in number if ch.isdigit())
    assert digits[:-4] not in masked.replace(" ", "")
    assert masked == f"sent to •••{digits[-4:]} ok"


def test_dates_ports_and_slack_timestamps_are_left_alone():
    text = "2026-11-23 at 127.0.0.1:5432 ts=1763900000.000100 task 42"
    assert mask_phone_numbers(text) == text


def test_last_four():
    assert last_four("+86 138 0013 8000") == "•••8000"
    assert last_four("") == "•••"


def test_secrets_and_slack_tokens_are_redacted():
    text = redact_secrets("secret s3cr3t-value token xoxb-123-456-abc app xapp-1-A1-2-f", ["s3cr3t-value"])
    assert "s3cr3t-value" not in text and "xoxb-" not in text and "xapp-" not in text
    assert text.count("[redacted]") == 3


@pytest.mark.parametrize(("text", "shown"), [
    ("Hi Li, call 13800138000", "Hi Li, call •••8000"),
    ("id:+8613800138000!", "id:•••8000!"),
    ("x+8613800138000abc", "x•••8000abc"),  # inside a word too: a value may be glued to anything
    ("13800138000x and 008613800138000", "•••8000x and •••8000"),
    ("dial +86 138-0013-8000 now", "dial •••8000 now"),
    ("code 123456, 2026-11-23 10:00, CNY 1,234.50, 400-820-8820", "code 123456, 2026-11-23 10:00, CNY 1,234.50, "
                                                                 "400-820-8820"),
])
def test_a_messages_text_shows_any_long_number_by_its_last_four_digits(text, shown):
    assert mask_numbers_in_text(text) == shown


@given(st.text(alphabet="0123456789+ -abc,.", max_size=80))
def test_no_whole_number_survives_in_a_messages_text(text):
    assert whole_numbers_in(mask_numbers_in_text(text)) == []
