from datetime import datetime, timezone

import pytest

from domain.optout import DEFAULT_KEYWORDS, FatiguePolicy, is_opt_out


@pytest.mark.parametrize("text", ["STOP", " stop ", "Stop.", "ＳＴＯＰ", "TD", "退订", "unsubscribe!",
                                  "R", "r"])  # R: Huawei Cloud's "拒收请回复R"
def test_a_single_opt_out_word_opts_out(text):
    assert is_opt_out(text, DEFAULT_KEYWORDS)


@pytest.mark.parametrize("text", ["STOP PLEASE", "stopped", "hello", ""])
def test_anything_else_does_not(text):
    assert not is_opt_out(text, DEFAULT_KEYWORDS)


def test_fatigue_window():
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    assert FatiguePolicy(3, 7).since(now) == datetime(2026, 11, 16, tzinfo=timezone.utc)
