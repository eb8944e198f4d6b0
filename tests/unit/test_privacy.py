import pytest

from domain.privacy import last_four, mask_phone_numbers, redact_secrets


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
