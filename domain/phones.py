"""Normalise raw recipient cells to E.164, with a reason for every rejection. Pure: no I/O,
and nothing here logs a number.

`normalize_full` runs every candidate through `phonenumbers.parse` and `is_valid_number`.
`PhoneNormalizer.normalize` shares its cleaning and region rules, then answers "+CC..."
candidates from compiled copies of phonenumbers' own metadata patterns, but only where
parse would keep the digits as they are; every other case goes to the full path. The
tests hold the two to identical answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import StrEnum
from functools import cache, partial
from typing import NamedTuple

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, NumberParseException, PhoneMetadata
from phonenumbers import PhoneNumber, ValidationResult

from domain.i18n import N_, _

RawCell = str | int | float | None


class InvalidReason(StrEnum):
    """Why a cell is not a number: kept in English (an import's invalid rows), translated where
    shown (`invalid_reason_for_reader`)."""

    EMPTY = N_("empty")
    NOT_A_NUMBER = N_("not a number")
    SCIENTIFIC_NOTATION = N_("scientific notation (digits lost)")
    TOO_SHORT = N_("too short")
    TOO_LONG = N_("too long")
    NO_COUNTRY_CODE = N_("no country code")
    NOT_VALID_FOR_REGION = N_("not valid for its region")


NOT_VALID_FOR = N_("not valid for {region}")  # NOT_VALID_FOR_REGION, where the region is known
_NOT_VALID_FOR_STORED = re.compile(r"not valid for ([A-Z0-9]{2,3})")


class Normalized(NamedTuple):
    e164: str | None
    reason: InvalidReason | None = None
    region: str | None = None  # only with NOT_VALID_FOR_REGION, when phonenumbers knows it

    @property
    def message(self) -> str:
        """Why, in English, as an import's invalid rows keep it (`invalid_reason_for_reader` says it)."""
        if self.reason is InvalidReason.NOT_VALID_FOR_REGION and self.region:
            return NOT_VALID_FOR.format(region=self.region)
        return str(self.reason) if self.reason else "valid"


def invalid_reason_for_reader(reason: str) -> str:
    """A number's reason kept in English (`Normalized.message`, or another marked with `N_`, such
    as an application's refusal), in the reader's language."""
    if not reason:
        return reason
    if region := _NOT_VALID_FOR_STORED.fullmatch(reason):
        return _(NOT_VALID_FOR, region=region[1])
    return _(reason)


_REJECTED = {reason: Normalized(None, reason) for reason in InvalidReason}

# Everything people (and spreadsheets) put between digits; removed before any rule applies.
_SEPARATORS = (
    " \t\r\n\u00a0\u2007\u2009\u202f\u3000\u200b\ufeff"  # spaces, incl. invisible ones
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"  # dashes and minus signs
    ".\uff0e/\uff0f()[]\uff08\uff09\uff3b\uff3d"
)
_FULL_WIDTH = {chr(0xFF10 + digit): str(digit) for digit in range(10)} | {"\uff0b": "+"}
_CLEANUP = str.maketrans(dict.fromkeys(_SEPARATORS) | _FULL_WIDTH)
_PLUS_AND_DIGITS = re.compile(r"\+?[0-9]+")
# "13800138000.0": a numeric column exported to CSV as floats, not a dotted number.
_FLOAT_EXPORT = re.compile(r"(\+?[0-9]+)\.0+")
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")

_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: InvalidReason.NO_COUNTRY_CODE,
    # Our candidates are always "+"/digits, so "not a number" from parse means too few digits.
    NumberParseException.NOT_A_NUMBER: InvalidReason.TOO_SHORT,
    NumberParseException.TOO_SHORT_AFTER_IDD: InvalidReason.TOO_SHORT,
    NumberParseException.TOO_SHORT_NSN: InvalidReason.TOO_SHORT,
    NumberParseException.TOO_LONG: InvalidReason.TOO_LONG,
}
_IMPOSSIBLE = {
    ValidationResult.TOO_SHORT: InvalidReason.TOO_SHORT,
    ValidationResult.TOO_LONG: InvalidReason.TOO_LONG,
    ValidationResult.INVALID_COUNTRY_CODE: InvalidReason.NO_COUNTRY_CODE,
}


class _Rejected(Exception):
    """Its one argument is the InvalidReason."""


def _checked_region(region: str) -> str:
    code = region.upper() if isinstance(region, str) else ""
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown region code: {region!r}")
    return code


def _cell_digits(raw: object) -> str:
    """The cell as ASCII digits, maybe after a '+'; raises _Rejected otherwise."""
    if not isinstance(raw, str):
        if raw is None:
            raise _Rejected(InvalidReason.EMPTY)
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return str(raw)
        # is_integer() is False for NaN and inf; str(int()) avoids "1.38e+10" and ".0".
        if isinstance(raw, float) and raw.is_integer() and raw >= 0:
            return str(int(raw))
        raise _Rejected(InvalidReason.NOT_A_NUMBER)
    text = raw.strip()
    if "." in text and (exported := _FLOAT_EXPORT.fullmatch(text)):
        return exported[1]
    cleaned = text.translate(_CLEANUP)
    if _PLUS_AND_DIGITS.fullmatch(cleaned):
        return cleaned
    if not cleaned:
        raise _Rejected(InvalidReason.EMPTY)
    if _SCIENTIFIC.fullmatch(text):
        raise _Rejected(InvalidReason.SCIENTIFIC_NOTATION)
    raise _Rejected(InvalidReason.NOT_A_NUMBER)


def _candidate(digits: str, region: str) -> str:
    """What to hand to phonenumbers: "+CC..." or, outside CN, a national number."""
    if digits[0] == "+" or region != "CN":
        return digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits[0] == "1":  # reads as a mainland mobile, so say what is wrong with it
        if len(digits) == 11:
            return "+86" + digits
        raise _Rejected(InvalidReason.TOO_SHORT if len(digits) < 11 else InvalidReason.TOO_LONG)
    if len(digits) == 13 and digits.startswith("86"):
        return "+" + digits
    raise _Rejected(InvalidReason.NO_COUNTRY_CODE)


def _judge(candidate: str, region: str) -> Normalized:
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException as error:
        return _REJECTED[_PARSE_ERRORS.get(error.error_type, InvalidReason.NOT_A_NUMBER)]
    # is_valid_number, without looking the region up twice (costly for +1's 25 regions).
    where = phonenumbers.region_code_for_number(number)
    if phonenumbers.is_valid_number_for_region(number, where):
        return Normalized(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return _invalid(
        phonenumbers.is_possible_number_with_reason(number),
        where or phonenumbers.region_code_for_country_code(number.country_code),
    )


def _invalid(possibility: int, region: str) -> Normalized:
    reason = _IMPOSSIBLE.get(possibility)
    if reason is not None:
        return _REJECTED[reason]
    named = region if region not in ("ZZ", "001") else None  # unknown, non-geographic
    return Normalized(None, InvalidReason.NOT_VALID_FOR_REGION, named)


def normalize_full(raw: RawCell, default_region: str = "CN") -> Normalized:
    """The reference: same cleaning and rules as PhoneNormalizer, always through parse."""
    region = _checked_region(default_region)
    try:
        candidate = _candidate(_cell_digits(raw), region)
    except _Rejected as rejected:
        return _REJECTED[rejected.args[0]]
    return _judge(candidate, region)


# --- proving validity without parse -------------------------------------------------------

# _number_type_helper's descs. Their order there decides the type, not validity, so the
# likeliest (mobile, fixed line) go first: the regex stops at the first that matches.
_TYPE_DESCS = (
    "fixed_line", "premium_rate", "toll_free", "shared_cost", "voip",
    "personal_number", "pager", "uan", "voicemail",
)  # fmt: skip


def _admits(desc, length: int) -> bool:
    """phonenumbers' _is_number_matching_desc, minus the pattern match itself."""
    if desc is None or not desc.national_number_pattern:
        return False
    return not desc.possible_length or length in desc.possible_length


def _validity_source(metadata: PhoneMetadata, length: int) -> str | None:
    """A regex that fullmatches a `length`-digit national number exactly when
    _number_type_helper finds a type for it (None: no number of that length is valid)."""
    if not _admits(metadata.general_desc, length):
        return None
    # With the same pattern the helper never tries mobile: its possible lengths don't count.
    names = _TYPE_DESCS if metadata.same_mobile_and_fixed_line_pattern else ("mobile", *_TYPE_DESCS)
    types = [getattr(metadata, name) for name in names]
    alternatives = [f"(?:{d.national_number_pattern})" for d in types if _admits(d, length)]
    if not alternatives:
        return None
    general = metadata.general_desc.national_number_pattern
    return f"(?=(?:{general})\\Z)(?:{'|'.join(alternatives)})"


@cache
def _validity_pattern(region: str, length: int) -> re.Pattern[str] | None:
    source = _validity_source(PhoneMetadata.metadata_for_region(region), length)
    # ASCII: metadata's \d would otherwise accept any Unicode digit.
    return re.compile(source, re.ASCII) if source else None


def _valid_in(region: str, national: str) -> bool:
    pattern = _validity_pattern(region, len(national))
    return pattern is not None and pattern.fullmatch(national) is not None


class _CountryCode:
    """What parse and is_valid_number make of "+<code><national>", precomputed."""

    def __init__(self, code: int) -> None:
        region_codes = COUNTRY_CODE_TO_REGION_CODE[code]
        self.main_region = region_codes[0]
        # parse strips a national prefix (or carrier code) even after "+CC", using the
        # main region's metadata, and keeps the result if its length is possible.
        main = PhoneMetadata.metadata_for_region(self.main_region)
        prefix = main.national_prefix_for_parsing
        self.prefix = re.compile(prefix) if prefix else None
        self.prefix_transforms = bool(main.national_prefix_transform_rule)
        # is_possible_number_with_reason depends on the length of the number alone (and an
        # empty rest after a prefix is too short for every region).
        self.possibility = [ValidationResult.TOO_SHORT] + [
            phonenumbers.is_possible_number_with_reason(PhoneNumber(code, int("1" * length)))
            for length in range(1, _MAX_NATIONAL + 1)
        ]
        # region_code_for_number: the first region whose leading digits match, or, for
        # regions without them, the first where the number is valid.
        self.regions: list[tuple[re.Pattern[str] | None, str]] = []
        for region in region_codes:
            if (metadata := PhoneMetadata.metadata_for_region(region)) is not None:
                leading = metadata.leading_digits
                self.regions.append((re.compile(leading) if leading is not None else None, region))

    def _kept_as_is(self, national: str) -> bool:
        found = self.prefix.match(national) if self.prefix else None
        return found is None or not (
            self.prefix_transforms
            or self.possibility[len(national) - found.end()] in _STRIPPED_WHEN
        )

    def judge(self, candidate: str, national: str) -> Normalized | None:
        """_judge's answer for candidate = "+<code><national>", or None when unsure."""
        if not (_MIN_NATIONAL <= len(national) <= _MAX_NATIONAL and self._kept_as_is(national)):
            return None
        where = self.main_region
        for leading, region in self.regions:
            if leading is None:
                if _valid_in(region, national):
                    return _new_normalized((candidate, None, None))
            elif leading.match(national):
                if _valid_in(region, national):
                    return _new_normalized((candidate, None, None))
                where = region
                break
        return _invalid(self.possibility[len(national)], where)


@cache
def _country_code(code: str) -> _CountryCode | None:
    known = int(code)
    # Non-geographic codes (+800...) are rare enough to leave to parse.
    return _CountryCode(known) if COUNTRY_CODE_TO_REGION_CODE[known][0] != "001" else None


_MIN_NATIONAL, _MAX_NATIONAL = 2, 17  # parse refuses national numbers outside these lengths
_STRIPPED_WHEN = (ValidationResult.IS_POSSIBLE, ValidationResult.TOO_LONG)
_COUNTRY_CODES = {str(code) for code in COUNTRY_CODE_TO_REGION_CODE}
_new_normalized = partial(tuple.__new__, Normalized)  # skips NamedTuple's Python __new__


def _judge_international(candidate: str) -> Normalized | None:
    # As phonenumbers' _extract_country_code: the first known 1-3 digit prefix wins.
    if len(candidate) < 5 or candidate[1] == "0":
        return None
    for end in (2, 3, 4):
        if (code := candidate[1:end]) in _COUNTRY_CODES:
            plan = _country_code(code)
            return plan.judge(candidate, candidate[end:]) if plan else None
    return None


class PhoneNormalizer:
    """Normalises cells for one default region; reuse one instance for a whole file."""

    def __init__(self, default_region: str = "CN") -> None:
        self.default_region = _checked_region(default_region)
        self._plain_mainland_mobile = None
        if self.default_region == "CN":
            # One regex for the commonest cells: an 11-digit "1..." number, bare or after
            # +86/0086/86, that parse would keep as is (no carrier-code-like prefix, such as
            # 179xx, which all prove invalid anyway) and that is valid. +86 is CN's alone.
            mainland = PhoneMetadata.metadata_for_region("CN")
            prefix = mainland.national_prefix_for_parsing
            pattern = r"(?:\+86|0086|86)?(?=1[0-9]{10}\Z)" + (f"(?!{prefix})" if prefix else "")
            if validity := _validity_source(mainland, 11):
                self._plain_mainland_mobile = re.compile(pattern + validity, re.ASCII).fullmatch

    def normalize(self, raw: RawCell) -> Normalized:
        plain_mainland_mobile = self._plain_mainland_mobile
        if plain_mainland_mobile is not None:
            kind = type(raw)
            if kind is str:
                text = raw
            elif kind is int:
                text = str(raw)  # negative cells get a "-" and fail the pattern
            else:
                text = str(int(raw)) if kind is float and raw.is_integer() else ""
            if plain_mainland_mobile(text):
                return _new_normalized(("+86" + text[-11:], None, None))
        try:
            digits = _cell_digits(raw)
            if plain_mainland_mobile is not None and plain_mainland_mobile(digits):
                return _new_normalized(("+86" + digits[-11:], None, None))  # "138 0013 8000"
            candidate = _candidate(digits, self.default_region)
        except _Rejected as rejected:
            return _REJECTED[rejected.args[0]]
        if candidate[0] == "+" and (judged := _judge_international(candidate)) is not None:
            return judged
        return _judge(candidate, self.default_region)

    def normalize_many(self, values: Iterable[RawCell]) -> Iterator[Normalized]:
        return map(self.normalize, values)
