"""The reader's language: catalogs, plural forms, and numbers, money and times per locale."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.i18n import (
    CHINESE,
    ENGLISH,
    _,
    current_language,
    in_public,
    language_of_slack_locale,
    moment,
    money,
    n_,
    number,
    set_deployment_language,
    speaking,
)
from tests.catalogs import catalog_entries, formatted_msgids, marked_strings, missing, placeholders

REMOVED = ("{count} duplicate removed", "{count} duplicates removed")


def test_every_marked_string_has_its_chinese():
    assert [f"{m.where}: {m.id!r}" for m in missing()] == []


def test_a_translation_keeps_the_placeholders_of_its_english():
    entries = catalog_entries()
    wrong = []
    for message_id, (filename, translation) in entries.items():
        english = message_id if isinstance(message_id, tuple) else (message_id,)
        translations = translation if isinstance(translation, tuple) else (translation,)
        wanted = set().union(*(placeholders(text) for text in english))
        wrong += [f"{filename}: {message_id!r}" for text in translations if text and placeholders(text) != wanted]
    assert wrong == []


def test_no_message_id_is_made_at_run_time():
    assert formatted_msgids() == []


def test_the_catalogs_hold_only_what_the_source_marks():
    """A catalog entry no string in the source uses any more is a translation left behind."""
    marked = {m.id for m in marked_strings()}
    assert sorted(str(key) for key in catalog_entries() if key not in marked) == []


@pytest.mark.parametrize("count, english, chinese", [
    (0, "0 duplicates removed", "已去除 0 个重复号码"),
    (1, "1 duplicate removed", "已去除 1 个重复号码"),
    (2, "2 duplicates removed", "已去除 2 个重复号码"),
    (1234567, "1,234,567 duplicates removed", "已去除 1,234,567 个重复号码"),
])
def test_plural_forms_in_both_languages(count, english, chinese):
    assert n_(*REMOVED, count) == english
    with speaking(CHINESE):
        assert n_(*REMOVED, count) == chinese


def test_a_string_is_in_the_language_of_its_context():
    text = "Choose the language smsbot speaks to you in"
    assert _(text) == text
    with speaking(CHINESE):
        assert _(text) == "选择 smsbot 与你交流的语言"
        with in_public():  # what many read: the deployment's language
            assert _(text) == text
    assert current_language() == ENGLISH


def test_the_deployments_language_is_what_public_messages_are_in():
    set_deployment_language(CHINESE)
    try:
        with speaking(ENGLISH), in_public():
            assert current_language() == CHINESE
    finally:
        set_deployment_language(ENGLISH)


def test_an_unknown_string_falls_back_to_its_english():
    with speaking(CHINESE):
        assert _("No such string {x}", x=1) == "No such string 1"
        assert n_("{count} thing", "{count} things", 3) == "3 things"


def test_numbers_money_and_times_in_the_readers_locale():
    at = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (number(1234567), money(Decimal("2.605"), "CNY"), moment(at)) == ("1,234,567", "CNY 2.61", "2026-12-04 10:00")
    with speaking(CHINESE):
        assert (number(1234567), money(Decimal("2.605"), "CNY"), moment(at)) == ("1,234,567", "¥2.61", "2026年12月4日 10:00")
        assert money(Decimal("-0.001"), "USD") == "US$0.00"


@pytest.mark.parametrize("locale, language", [
    ("zh-CN", CHINESE), ("zh-TW", CHINESE), ("en-US", ENGLISH), ("en-GB", ENGLISH), ("ja-JP", None), (None, None),
])
def test_a_slack_locale_is_one_of_our_languages_or_none(locale, language):
    assert language_of_slack_locale(locale) == language
