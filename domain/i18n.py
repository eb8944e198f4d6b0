"""The reader's language: every user-facing string comes from a message catalog, with real
plural forms, and numbers, money and times are written for the reader's locale.

English is the source language: a message's id is its English text, so English needs no
catalog of its own. Simplified Chinese comes from gettext catalogs, `.po` files read with
Babel at first use (several files, one per part of the product, merged).

Which language a string is rendered in is the context's: `speaking(language)` sets it for a
block of code (and the asyncio tasks and worker threads it starts); outside any, it is the
deployment's (`SMSBOT_LANGUAGE`), the language of the channel and thread messages that many
read. A person's own replies, modals, DMs and Home are rendered in theirs.

    _("Task {name} approved.", name=escape(task.name))
    n_("{count} duplicate removed", "{count} duplicates removed", removed)
    NOTE = N_("Paused: …")   # a module constant, extracted; translated where it is used: _(NOTE)
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

ENGLISH, CHINESE = "en", "zh"
LANGUAGES = (ENGLISH, CHINESE)
LOCALES = {ENGLISH: "en_US", CHINESE: "zh_CN"}  # the catalog and the formats of each language
LANGUAGE_NAMES = {ENGLISH: "English", CHINESE: "简体中文"}
CATALOGS = Path(__file__).parent / "locale"
MOMENT_FORMATS = {ENGLISH: "yyyy-MM-dd HH:mm", CHINESE: "yyyy年M月d日 HH:mm"}

_current: ContextVar[str | None] = ContextVar("smsbot_language", default=None)
_deployment = [ENGLISH]  # SMSBOT_LANGUAGE, set once at start


def set_deployment_language(language: str) -> None:
    """The language of messages many read (channels, threads) and of anything not said to one person."""
    _deployment[0] = check_language(language)


def deployment_language() -> str:
    return _deployment[0]


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    return language


def current_language() -> str:
    return _current.get() or _deployment[0]


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Strings made inside are in `language` (None: the deployment's)."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def speak_from_now(language: str | None) -> None:
    """`language` for the rest of the current asyncio task (and what it starts): for a request's
    task, whose listener runs after the middleware that knows the reader has returned."""
    _current.set(language)


def in_public() -> AbstractContextManager[None]:
    """For a message many read (a channel or a thread): the deployment's language."""
    return speaking(None)


def language_of_slack_locale(locale: str | None) -> str | None:
    """A Slack locale (`users.info` with `include_locale`: "zh-CN", "en-US", …) as one of ours;
    None for a language we do not speak (the deployment's is used then). Chinese in any script
    reads Simplified Chinese better than English."""
    if not locale:
        return None
    prefix = locale.replace("_", "-").split("-")[0].lower()
    return prefix if prefix in LANGUAGES else None


def N_(message: str) -> str:
    """Marks a module constant for the catalogs; translate it where it is used, with `_`."""
    return message


@cache
def _catalog(language: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """msgid (or (singular, plural)) -> translation, from every `.po` file of the language."""
    merged: dict = {}
    folder = CATALOGS / LOCALES[language] / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as file:
            for message in read_po(file, locale=LOCALES[language]):
                if message.id and message.string and not message.fuzzy:
                    merged[message.id] = message.string
    return merged


@cache
def _plural_index(language: str):
    if language == ENGLISH:
        return lambda count: 0 if count == 1 else 1
    from babel.messages.plurals import get_plural
    return gettext.c2py(get_plural(LOCALES[language]).plural_expr)


def _(message: str, /, **params: object) -> str:
    """`message` in the current language, its `{name}` placeholders filled with `params`."""
    language = current_language()
    text = message if language == ENGLISH else _catalog(language).get(message, message)
    return text.format(**params) if params else text


def n_(singular: str, plural: str, count: int, /, **params: object) -> str:
    """The plural form for `count` (a `{count}` placeholder is filled with it, written for the locale)."""
    language = current_language()
    params.setdefault("count", number(count))
    forms = (singular, plural) if language == ENGLISH else _catalog(language).get((singular, plural))
    if not forms:
        forms = (singular, plural)
        language = ENGLISH
    index = min(_plural_index(language)(abs(count)), len(forms) - 1)
    return forms[index].format(**params)


def babel_locale(language: str | None = None) -> Locale:
    return Locale.parse(LOCALES[language or current_language()])


def number(value: int | float | Decimal) -> str:
    """`1,234,567`, with the reader's separators."""
    return format_decimal(value, locale=LOCALES[current_language()])


def money(amount: Decimal, currency: str) -> str:
    """`CNY 1,234.50` in English (as the consoles and invoices write it), `¥1,234.50` in Chinese."""
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    language = current_language()
    if language == ENGLISH:
        return f"{currency} {rounded:,.2f}"
    return format_currency(rounded, currency, locale=LOCALES[language])


def moment(instant: datetime) -> str:
    """A time already in the reader's zone: `2026-12-04 10:00` / `2026年12月4日 10:00`."""
    language = current_language()
    return format_datetime(instant, MOMENT_FORMATS[language], tzinfo=instant.tzinfo, locale=LOCALES[language])
