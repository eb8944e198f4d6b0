"""Recipient number normalisation: the product's rules, one reason per rejection, and the
fast path held to exactly the answers of the full phonenumbers path."""

import math
import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import phones
from domain.phones import InvalidReason, Normalized, PhoneNormalizer, normalize_full

REGIONS = ["CN", "US", "GB", "DE", "IN", "BR", "AR", "JP"]  # BR, AR, JP rewrite prefixes
NORMALIZERS = {region: PhoneNormalizer(region) for region in REGIONS}
# phonenumbers accepts a few numbers longer than E.164's 15 digits (German 0800 ranges).
E164 = re.compile(r"\+[1-9][0-9]{1,19}")

MANY = settings(max_examples=2000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
SOME = settings(MANY, max_examples=600)


def normalized(raw, region="CN") -> Normalized:
    """Both paths, which must agree; the test then checks the (shared) answer."""
    fast = NORMALIZERS[region].normalize(raw)
    assert fast == normalize_full(raw, region)
    assert (fast.e164 is None) != (fast.reason is None)
    if fast.e164 is not None:
        assert E164.fullmatch(fast.e164)
    return fast


# --- the product's rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000", " 13800138000 ", "138 0013 8000", "138-0013-8000", "138.0013.8000",
        "(138) 0013/8000", "[138]00138000", "+86 138 0013 8000", "+86-138-0013-8000",
        "+86(138)00138000", "8613800138000", "86 138 0013 8000", "008613800138000",
        "0086 138 0013 8000", "\u00a0138\u00a00013\u00a08000\u3000", "138\u20130013\u20148000",
        "１３８００１３８０００", "＋８６ １３８－００１３－８０００", "＋86\u3000138 0013 8000",
        "13800138000.0", "+8613800138000.00",
    ],
)  # fmt: skip
def test_mainland_shapes_become_e164(raw):
    assert normalized(raw) == Normalized("+8613800138000")


@pytest.mark.parametrize("cell", [13800138000, 13800138000.0, 8613800138000, 8613800138000.0])
def test_numeric_cells_keep_every_digit_and_no_float_artefacts(cell):
    assert normalized(cell).e164 == "+8613800138000"


@pytest.mark.parametrize(
    "cell", [13800138000.5, math.nan, math.inf, -math.inf, -13800138000, -13800138000.0, True]
)
def test_numeric_cells_that_are_not_numbers(cell):
    assert normalized(cell).reason is InvalidReason.NOT_A_NUMBER


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, InvalidReason.EMPTY),
        ("", InvalidReason.EMPTY),
        ("   ", InvalidReason.EMPTY),
        ("\u3000\u00a0", InvalidReason.EMPTY),
        ("--", InvalidReason.EMPTY),
        ("abc", InvalidReason.NOT_A_NUMBER),
        ("138abc00138000", InvalidReason.NOT_A_NUMBER),
        ("138 0013 8000 ext. 12", InvalidReason.NOT_A_NUMBER),
        ("13800138000#", InvalidReason.NOT_A_NUMBER),
        ("+", InvalidReason.NOT_A_NUMBER),
        ("86+13800138000", InvalidReason.NOT_A_NUMBER),
        ("٣٨٠٠١٣٨٠٠٠١", InvalidReason.NOT_A_NUMBER),  # Arabic-Indic digits are not tolerated
        ("1.38E+10", InvalidReason.SCIENTIFIC_NOTATION),
        ("8.6138E+12", InvalidReason.SCIENTIFIC_NOTATION),
        (" 1.3800138e10 ", InvalidReason.SCIENTIFIC_NOTATION),
        ("1380013800", InvalidReason.TOO_SHORT),
        ("138", InvalidReason.TOO_SHORT),
        ("+86 138", InvalidReason.TOO_SHORT),
        ("+1", InvalidReason.TOO_SHORT),
        ("138001380001", InvalidReason.TOO_LONG),
        ("+86 1380013800012345", InvalidReason.TOO_LONG),
        ("+1 201 555 01234", InvalidReason.TOO_LONG),
        ("010 1234 5678", InvalidReason.NO_COUNTRY_CODE),
        ("2015550123", InvalidReason.NO_COUNTRY_CODE),
        ("86 138 0013 800", InvalidReason.NO_COUNTRY_CODE),
        ("+999 1234 5678", InvalidReason.NO_COUNTRY_CODE),
    ],
)
def test_each_rejection_has_its_reason(raw, reason):
    assert normalized(raw) == Normalized(None, reason)


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("+86 123 4567 8901", "CN"),
        ("12345678901", "CN"),  # 11 digits starting with 1, but no such mobile range
        ("17951234567", "CN"),  # 17951 is a carrier prefix: digits must not be dropped
        ("+1 (555) 867-5310", "US"),
        ("+44 1632 960000", "GB"),  # Ofcom's range for drama, under a shared country code
    ],
)
def test_numbers_not_valid_for_their_region_name_it(raw, region):
    result = normalized(raw)
    assert result == Normalized(None, InvalidReason.NOT_VALID_FOR_REGION, region)
    assert result.message == f"not valid for {region}"


def test_messages_read_well_in_a_report():
    assert normalized("1.38E+10").message == "scientific notation (digits lost)"
    assert normalized(None).message == "empty"
    assert normalized("13800138000").message == "valid"
    unnamed = Normalized(None, InvalidReason.NOT_VALID_FOR_REGION)
    assert unnamed.message == "not valid for its region"
    assert normalized("+882 1234 5678").region is None  # non-geographic: no region to name


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+1 201-555-0123", "+12015550123"),
        ("+1 650 253 0000", "+16502530000"),
        ("+44 20 7946 0000", "+442079460000"),
        ("+44 7911 123456", "+447911123456"),  # Guernsey, under +44
        ("+65 9123 4567", "+6591234567"),
        ("+81 90-1234-5678", "+819012345678"),
        ("+86 10 1234 5678", "+861012345678"),  # Beijing landline
        ("+86 (0)10 1234 5678", "+861012345678"),  # parse drops the trunk 0
        ("0044 20 7946 0000", "+442079460000"),
        ("00 1 201 555 0123", "+12015550123"),
        ("00 86 138 0013 8000", "+8613800138000"),
        ("+800 1234 5678", "+80012345678"),
    ],
)
def test_international_numbers_and_the_00_prefix(raw, e164):
    assert normalized(raw).e164 == e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(201) 555-0123", "+12015550123"),
        ("201.555.0123", "+12015550123"),
        ("1-201-555-0123", "+12015550123"),
        (2015550123, "+12015550123"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("011 86 138 0013 8000", "+8613800138000"),  # the US international prefix
    ],
)
def test_another_default_region_accepts_its_national_format(raw, e164):
    assert normalized(raw, "US").e164 == e164


def test_mainland_rules_apply_only_with_the_cn_default():
    assert normalized("13800138000", "US").reason is InvalidReason.NOT_VALID_FOR_REGION
    assert normalized("0044 20 7946 0000", "US").reason is InvalidReason.TOO_LONG


def test_region_codes_are_checked():
    assert PhoneNormalizer("cn").default_region == "CN"
    for bad in ("XX", "ZZ", "001", "", "China"):
        with pytest.raises(ValueError):
            PhoneNormalizer(bad)
        with pytest.raises(ValueError):
            normalize_full("13800138000", bad)


def test_normalize_many_keeps_order():
    cells = ["13800138000", None, 8613900139000, "1.38E+10", "+1 201 555 0123"]
    results = list(NORMALIZERS["CN"].normalize_many(cells))
    assert results == [normalize_full(cell) for cell in cells]
    assert [r.e164 for r in results] == [
        "+8613800138000", None, "+8613900139000", None, "+12015550123"
    ]


def test_common_shapes_never_reach_parse(monkeypatch):
    def no_parse(*args, **kwargs):
        raise AssertionError("parse called")

    monkeypatch.setattr(phones.phonenumbers, "parse", no_parse)
    normalizer = PhoneNormalizer()
    cells = [13800138000, 13800138000.0, "13800138000", "+86 138 0013 8000", "008613800138000",
             "+1 201 555 0123", "+44 20 7946 0000", "+86 123 4567 8901"]  # fmt: skip
    for raw in cells:
        assert normalizer.normalize(raw).reason in (None, InvalidReason.NOT_VALID_FOR_REGION)


# --- the fast path gives exactly the full path's answers -----------------------------------

SEPARATORS = [" ", "-", ".", "/", "(", ")", "[", "]", "\u00a0", "\u3000", "\u2013", "\uff0d"]
FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


@st.composite
def mainland_like_cells(draw):
    length = draw(st.integers(9, 15))
    # Whole 1xx range, with the carrier-code-like 179xx, 11xxx and 12xxx well represented.
    head = draw(st.sampled_from(["1", "179", "1795", "11", "12", "13", "15", "17", "18", "19"]))
    tail = draw(st.text("0123456789", min_size=length - len(head), max_size=length - len(head)))
    digits = draw(st.sampled_from(["", "+86", "86", "0086", "+", "00", "0", "+860"])) + head + tail
    kind = draw(st.sampled_from(["str", "str", "int", "float"]))
    if kind != "str" and not digits.startswith("+"):
        return int(digits) if kind == "int" else float(int(digits))
    text = list(digits)
    for _ in range(draw(st.integers(0, 4))):
        text.insert(draw(st.integers(0, len(text))), draw(st.sampled_from(SEPARATORS)))
    text = "".join(text)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", ".0"]))


@MANY
@given(mainland_like_cells())
def test_fast_path_matches_full_path_on_mainland_shapes(cell):
    normalized(cell, "CN")


@st.composite
def international_cells(draw):
    code = draw(st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)))
    national = draw(st.text("0123456789", min_size=1, max_size=17))
    return draw(st.sampled_from(["+", "00", "+ "])) + str(code) + national


@MANY
@given(international_cells(), st.sampled_from(REGIONS))
def test_fast_path_matches_full_path_on_international_numbers(cell, region):
    normalized(cell, region)


@SOME
@given(st.text(max_size=30), st.sampled_from(REGIONS))
def test_fast_path_matches_full_path_on_any_text(cell, region):
    normalized(cell, region)


@SOME
@given(st.text("0123456789+-.() eE,０１８＋\u00a0\u3000x#", max_size=24), st.sampled_from(REGIONS))
def test_fast_path_matches_full_path_on_number_like_text(cell, region):
    normalized(cell, region)


@SOME
@given(st.one_of(st.integers(-10, 10**16), st.floats(allow_nan=True), st.none()))
def test_fast_path_matches_full_path_on_numeric_cells(cell):
    normalized(cell, "CN")


def _variants(national: str):
    yield national
    yield national[:-1]
    yield national + "5"
    yield national[:-1] + str((int(national[-1]) + 1) % 10)
    yield "0" + national


def test_fast_path_matches_full_path_on_every_regions_example_numbers():
    """Example numbers of every type in every region, and near misses: this covers the
    metadata corners (shared country codes, leading digits, prefix rewriting)."""
    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in range(12):
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is None:
                continue
            national = phonenumbers.national_significant_number(example)
            for variant in _variants(national):
                normalized(f"+{example.country_code}{variant}", "CN")
                checked += 1
    assert checked > 5000


# Synthetic metadata reaches the corners that today's real metadata never does (a type whose
# pattern outruns its possible lengths, mobile sharing fixed-line's pattern but not its
# lengths, a type pattern wider than the general one); there, the compiled regex must still
# agree with phonenumbers' own _number_type_helper.
PATTERNS = ["", r"\d{3,5}", r"1\d{2,4}", r"[12]\d{3}", r"2\d\d", r"[13]\d{2,3}", r"\d{4}"]
LENGTHS = st.sampled_from([(), (-1,), (3,), (4,), (5,), (3, 4), (4, 5), (3, 4, 5)])
TYPE_NAMES = ["fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip",
              "personal_number", "pager", "uan", "voicemail"]  # fmt: skip


def desc(pattern=st.sampled_from(PATTERNS)):
    return st.builds(phonenumbers.PhoneNumberDesc, national_number_pattern=pattern,
                     possible_length=LENGTHS)  # fmt: skip


@st.composite
def synthetic_metadata(draw):
    types = {name: draw(st.one_of(st.none(), st.none(), desc())) for name in TYPE_NAMES}
    if types["fixed_line"] is not None and draw(st.booleans()):
        same = st.just(types["fixed_line"].national_number_pattern)
        types["mobile"] = draw(desc(same))
    return phonenumbers.PhoneMetadata("XX", general_desc=draw(desc()), register=False, **types)


@MANY
@given(synthetic_metadata(), st.text("0123", min_size=3, max_size=5))
def test_validity_regex_agrees_with_phonenumbers_type_helper(metadata, national):
    expected = phonenumbers.phonenumberutil._number_type_helper(national, metadata)
    source = phones._validity_source(metadata, len(national))
    matched = source is not None and re.fullmatch(source, national) is not None
    assert matched == (expected != phonenumbers.PhoneNumberType.UNKNOWN)
