"""SMS length rules (PROVIDERS.md section 3): encoding, units, segments by packing,
compose + the 500-character limit, and cost arithmetic."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.segments import (
    GSM_BASIC,
    GSM_EXTENSION,
    MAX_MESSAGE_CHARACTERS,
    Encoding,
    MessageTooLong,
    SegmentInfo,
    SignatureStyle,
    check_length,
    compose,
    estimate_cost,
    format_money,
    measure,
    segment_count,
    split_parts,
)

SOME = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

# The GSM 03.38 default alphabet by code, 0x00-0x7F; 0x1B is ESC (None).
CODE_PAGE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
EXTENSION = "^{}\\[~]|€\f"

BASIC_CHARS = sorted(GSM_BASIC)
EXT_CHARS = sorted(GSM_EXTENSION)
NON_GSM = ["`", "中", "文", "\u0303", "ç", "á", "Ж", "【", "】", "\t", "😀", "👍", "𝄞", "\U0010ffff"]
NON_BMP = ["😀", "👍", "🎉", "𝄞", "\U0001f600", "\U0010ffff"]

gsm_char = st.sampled_from(BASIC_CHARS * 4 + EXT_CHARS)  # mostly 1-septet characters
gsm_text = st.text(alphabet=gsm_char, max_size=400)
any_char = st.one_of(gsm_char, st.sampled_from(NON_GSM), st.characters(codec="utf-8"))
any_text = st.one_of(gsm_text, st.text(alphabet=any_char, max_size=400))


def units_of(text: str, encoding: Encoding) -> int:
    """Counted independently of the module: septets, or UTF-16 code units."""
    if encoding is Encoding.GSM7:
        return sum(2 if ch in EXTENSION else 1 for ch in text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --- the tables ---------------------------------------------------------------------------


def test_tables_are_exactly_gsm_03_38():
    assert len(CODE_PAGE) == 128
    assert GSM_BASIC == set(CODE_PAGE) - {"\x1b"}
    assert GSM_EXTENSION == set(EXTENSION)
    assert not GSM_BASIC & GSM_EXTENSION


@pytest.mark.parametrize("char", BASIC_CHARS)
def test_basic_character_is_one_septet(char):
    assert measure(char) == SegmentInfo(Encoding.GSM7, 1, 1, 1, 160)


@pytest.mark.parametrize("char", EXT_CHARS)
def test_extension_character_counts_two(char):
    assert measure(char) == SegmentInfo(Encoding.GSM7, 1, 2, 1, 160)
    assert measure("a" + char + "b").units == 4


@given(gsm_text)
@SOME
def test_gsm_units_are_characters_plus_extensions(text):
    info = measure(text)
    assert info.encoding is Encoding.GSM7
    assert info.characters == len(text)
    assert info.units == len(text) + sum(ch in EXTENSION for ch in text)


@pytest.mark.parametrize("char", NON_GSM)
def test_one_non_gsm_character_flips_the_whole_message(char):
    text = "Hello {world} €5" + char + "a" * 100
    info = measure(text)
    assert info.encoding is Encoding.UCS2
    assert info.units == units_of(text, Encoding.UCS2)  # "{", "}", "€" now 1 unit each
    assert measure(text.replace(char, "")).encoding is Encoding.GSM7


@given(gsm_text, st.sampled_from(NON_GSM), st.data())
@SOME
def test_non_gsm_anywhere_makes_ucs2(text, char, data):
    at = data.draw(st.integers(0, len(text)))
    mixed = text[:at] + char + text[at:]
    info = measure(mixed)
    assert info.encoding is Encoding.UCS2
    assert info.units == units_of(mixed, Encoding.UCS2)


@pytest.mark.parametrize("emoji", NON_BMP)
def test_emoji_is_one_character_and_two_units(emoji):
    assert measure(emoji) == SegmentInfo(Encoding.UCS2, 1, 2, 1, 70)
    assert measure(emoji * 35).segments == 1  # 70 units
    assert measure(emoji * 36).segments == 2  # 72 units: 33 + 3 emoji
    assert [len(part) for part in split_parts(emoji * 36)] == [33, 3]


def test_empty_text():
    assert measure("") == SegmentInfo(Encoding.GSM7, 0, 0, 0, 160)
    assert split_parts("") == []


# --- segment boundaries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments", "per_segment"),
    [
        ("a" * 160, Encoding.GSM7, 160, 1, 160),
        ("a" * 161, Encoding.GSM7, 161, 2, 153),
        ("€" * 80, Encoding.GSM7, 160, 1, 160),
        ("€" * 80 + "a", Encoding.GSM7, 161, 2, 153),
        ("a" * 306, Encoding.GSM7, 306, 2, 153),
        ("a" * 307, Encoding.GSM7, 307, 3, 153),
        ("中" * 70, Encoding.UCS2, 70, 1, 70),
        ("中" * 71, Encoding.UCS2, 71, 2, 67),
        ("中" * 134, Encoding.UCS2, 134, 2, 67),
        ("中" * 135, Encoding.UCS2, 135, 3, 67),
        ("`" + "a" * 69, Encoding.UCS2, 70, 1, 70),
        ("`" + "a" * 70, Encoding.UCS2, 71, 2, 67),
        ("中" * 160, Encoding.UCS2, 160, 3, 67),  # 67 + 67 + 26
    ],
)
def test_single_and_multipart_limits(text, encoding, units, segments, per_segment):
    assert measure(text) == SegmentInfo(encoding, len(text), units, segments, per_segment)


@given(st.sampled_from(BASIC_CHARS), st.integers(1, 160))
@SOME
def test_160_septets_is_one_segment_and_161_is_two(char, n):
    assert measure(char * n).segments == 1
    assert measure(char * 160 + char).segments == 2


def test_esc_pair_at_the_boundary_moves_to_the_next_part():
    fits = "a" * 151 + "€" + "b" * 10  # € takes septets 152-153: fits
    assert [len(p) for p in split_parts(fits)] == [152, 10]
    straddles = "a" * 152 + "€" + "b" * 10  # € would take 153-154: moves
    parts = split_parts(straddles)
    assert parts == ["a" * 152, "€" + "b" * 10]
    assert measure(straddles).segments == 2
    # 459 septets = 3 x 153, but the first part can only hold 152: 4 parts, not 3
    packed = "a" * 152 + "€" + "a" * 151 + "€" + "a" * 152
    assert measure(packed).units == 459
    assert measure(packed).segments == 4
    assert [units_of(p, Encoding.GSM7) for p in split_parts(packed)] == [152, 153, 153, 1]


def test_surrogate_pair_at_the_boundary_moves_to_the_next_part():
    text = "中" * 66 + "😀" + "中" * 10  # 78 units, multipart
    parts = split_parts(text)
    assert parts == ["中" * 66, "😀" + "中" * 10]
    assert measure(text).segments == 2
    # 67 + 67 = 134 units, but an emoji at units 67-68 pushes a third part
    text = "中" * 66 + "😀" + "中" * 66
    assert measure(text).units == 134
    assert measure(text).segments == 3


@given(any_text, any_text)
@SOME
def test_segments_are_monotonic_in_appended_characters(text, more):
    before = measure(text).segments
    for i in range(1, min(len(more), 40) + 1):
        after = measure(text + more[:i]).segments
        assert after >= before
        before = after


@given(any_text)
@SOME
def test_packing_reproduces_the_text_within_the_limit(text):
    info = measure(text)
    parts = split_parts(text)
    assert "".join(parts) == text
    assert len(parts) == info.segments
    assert info.units == units_of(text, info.encoding)
    assert info.characters == len(text)
    assert all(parts)
    sizes = [units_of(p, info.encoding) for p in parts]
    assert all(size <= info.per_segment for size in sizes)
    if len(parts) == 1:
        assert info.per_segment == (160 if info.encoding is Encoding.GSM7 else 70)
    if len(parts) > 1:
        assert info.per_segment == (153 if info.encoding is Encoding.GSM7 else 67)
        # greedy: no part could have taken the first character of the next one
        for size, following in zip(sizes, parts[1:]):
            assert size + units_of(following[0], info.encoding) > info.per_segment
        # parts are code-point slices, so an ESC pair or a surrogate pair is never split
        assert sum(sizes) == info.units


# --- compose and the 500-character limit ---------------------------------------------------


@pytest.mark.parametrize(
    ("signature", "style", "hint", "expected"),
    [
        ("Acme", SignatureStyle.BRACKETS, None, "【Acme】Your code is 1234"),
        ("Acme", SignatureStyle.COLON, None, "Acme: Your code is 1234"),
        (None, SignatureStyle.BRACKETS, None, "Your code is 1234"),
        ("", SignatureStyle.COLON, None, "Your code is 1234"),
        ("Acme", SignatureStyle.COLON, "Reply STOP to opt out", "Acme: Your code is 1234\nReply STOP to opt out"),
        ("阿里", SignatureStyle.BRACKETS, "回T退订", "【阿里】Your code is 1234\n回T退订"),
        (None, SignatureStyle.COLON, "Reply STOP to opt out", "Your code is 1234\nReply STOP to opt out"),
        ("Acme", SignatureStyle.COLON, "", "Acme: Your code is 1234"),
    ],
)
def test_compose(signature, style, hint, expected):
    assert compose("Your code is 1234", signature=signature, signature_style=style, optout_hint=hint) == expected


def test_signature_style_values():
    assert SignatureStyle("brackets") is SignatureStyle.BRACKETS
    assert SignatureStyle("colon") is SignatureStyle.COLON
    assert Encoding("GSM-7") is Encoding.GSM7 and Encoding("UCS-2") is Encoding.UCS2


def test_signature_is_counted_and_brackets_force_ucs2():
    body = "a" * 150
    colon = compose(body, signature="Acme", signature_style=SignatureStyle.COLON, optout_hint=None)
    assert measure(body).segments == 1
    assert measure(colon) == SegmentInfo(Encoding.GSM7, 156, 156, 1, 160)
    brackets = compose(body, signature="Acme", signature_style=SignatureStyle.BRACKETS, optout_hint=None)
    assert measure(brackets) == SegmentInfo(Encoding.UCS2, 156, 156, 3, 67)


def test_check_length_accepts_500_characters():
    check_length("a" * MAX_MESSAGE_CHARACTERS)
    check_length("中" * 500)
    check_length("😀" * 500)  # characters, not units
    check_length("")


def test_check_length_rejects_501_naming_count_and_limit():
    with pytest.raises(MessageTooLong) as caught:
        check_length("a" * 501)
    assert isinstance(caught.value, DomainError)
    assert caught.value.characters == 501
    assert caught.value.limit == 500
    assert "501" in str(caught.value) and "500" in str(caught.value)


def test_signature_and_hint_count_towards_the_limit():
    body = "a" * 480
    check_length(body)
    text = compose(body, signature="Acme", signature_style=SignatureStyle.BRACKETS, optout_hint="Reply STOP to opt out")
    assert len(text) == 480 + 6 + 1 + 21
    with pytest.raises(MessageTooLong, match="508"):
        check_length(text)


# --- cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segments", "recipients", "price", "expected"),
    [
        (1, 1, "0.045", "0.045"),
        (3, 1000, "0.045", "135.000"),
        (2, 12345, "0.0375", "925.875"),
        (0, 1000, "0.045", "0"),
        (4, 0, "0.045", "0"),
        (1, 3, "0.1", "0.3"),  # exact, unlike float 0.30000000000000004
        (5, 200_000, "0.0001", "100.0000"),
    ],
)
def test_estimate_cost(segments, recipients, price, expected):
    cost = estimate_cost(segments, recipients, Decimal(price))
    assert isinstance(cost, Decimal)
    assert cost == Decimal(expected)


@given(st.integers(0, 10), st.integers(0, 10**6), st.decimals(min_value=0, max_value=10, places=4))
@SOME
def test_estimate_cost_is_exact(segments, recipients, price):
    assert estimate_cost(segments, recipients, price) == price * segments * recipients


def test_estimate_cost_rejects_bad_input():
    with pytest.raises(TypeError):
        estimate_cost(1, 1, 0.045)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        estimate_cost(-1, 1, Decimal("0.045"))
    with pytest.raises(ValueError):
        estimate_cost(1, -1, Decimal("0.045"))
    with pytest.raises(ValueError):
        estimate_cost(1, 1, Decimal("-0.01"))
    with pytest.raises(ValueError):
        estimate_cost(1, 1, Decimal("NaN"))


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1234.5", "CNY", "CNY 1,234.50"),
        ("0", "CNY", "CNY 0.00"),
        ("135.000", "CNY", "CNY 135.00"),
        ("0.005", "USD", "USD 0.01"),  # half-up
        ("0.0049", "USD", "USD 0.00"),
        ("-0.001", "USD", "USD 0.00"),
        ("1234567.891", "CNY", "CNY 1,234,567.89"),
        ("999.995", "CNY", "CNY 1,000.00"),
    ],
)
def test_format_money(amount, currency, expected):
    assert format_money(Decimal(amount), currency) == expected


def test_preview_example():
    text = compose("您的验证码是1234", signature="Acme", signature_style=SignatureStyle.BRACKETS, optout_hint=None)
    info = measure(text)
    cost = estimate_cost(info.segments, 2500, Decimal("0.045"))
    assert (info.characters, info.segments) == (16, 1)
    assert format_money(cost, "CNY") == "CNY 112.50"


@SOME
@given(any_text)
def test_segment_count_alone_is_the_measures(text):
    assert segment_count(text) == measure(text).segments == len(split_parts(text))
