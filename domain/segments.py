"""Length, encoding, segments and cost of an SMS. Pure: no I/O.

Encoding: a message is GSM-7 when every character is in the GSM 03.38 basic table
(1 septet) or extension table (ESC + char, 2 septets); one character outside both
(backtick, Chinese, emoji, the 【】 of a bracketed signature...) makes the whole
message UCS-2, counted in UTF-16 code units (2 for a non-BMP character such as
most emoji).

Segments: a message that fits the single limit (160 septets / 70 units) is one
segment. Otherwise it is packed greedily into parts of 153 septets / 67 units, and
a character never straddles two parts: an ESC pair or a surrogate pair that would
not fit ends the part one unit early. `split_parts` returns those parts and
`measure(...).segments == len(split_parts(...))`. The empty text has 0 segments.

Characters (`SegmentInfo.characters`, `check_length`): Python code points, i.e.
`len(text)`. An emoji is 1 character (2 UCS-2 units); an emoji built from several
code points (skin tone, ZWJ sequence, flag) counts each code point.

Money: `estimate_cost` keeps the exact Decimal product (no quantizing; Decimal's
default 28 significant digits are far beyond any real bill); `format_money`
rounds half-up to 2 decimal places for display only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError
from domain.i18n import N_, _, money

# PROVIDERS.md section 3, in table order. ESC (0x1B) is not a character of its own.
GSM_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION: frozenset[str] = frozenset("^{}\\[~]|€\f")

GSM_SINGLE = 160
GSM_PER_PART = 153
UCS2_SINGLE = 70
UCS2_PER_PART = 67

MAX_MESSAGE_CHARACTERS = 500


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


class SignatureStyle(StrEnum):
    BRACKETS = "brackets"  # 【Acme】body
    COLON = "colon"  # Acme: body


@dataclass(frozen=True)
class SegmentInfo:
    encoding: Encoding
    characters: int  # code points: len(text)
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # 0 for the empty text
    per_segment: int  # the limit used: 160/70 when single, 153/67 when multipart


class MessageTooLong(DomainError):
    def __init__(self, characters: int, limit: int = MAX_MESSAGE_CHARACTERS) -> None:
        self.characters = characters
        self.limit = limit
        super().__init__(_("The message is {characters} characters long, signature and opt-out hint included; the "
                           "limit is {limit}. Shorten it by {over}.", characters=characters, limit=limit,
                           over=characters - limit))


GSM_ALL: frozenset[str] = GSM_BASIC | GSM_EXTENSION
# Why a recipient is skipped when its message is over the limit: stored in English, shown with _().
MESSAGE_TOO_LONG = N_("message too long")


def encoding_of(text: str) -> Encoding:
    # A set operation runs in C: this is measured for every recipient of a send.
    return Encoding.GSM7 if GSM_ALL.issuperset(text) else Encoding.UCS2


def _unit_cost(char: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return 2 if char in GSM_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def count_units(text: str, encoding: Encoding) -> int:
    """Septets or UTF-16 units of `text` in `encoding` (GSM-7 assumes `text` fits it)."""
    if encoding is Encoding.UCS2:
        return len(text.encode("utf-16-le")) // 2
    return len(text) + sum(text.count(char) for char in GSM_EXTENSION if char in text)


def _limits(encoding: Encoding) -> tuple[int, int]:
    if encoding is Encoding.GSM7:
        return GSM_SINGLE, GSM_PER_PART
    return UCS2_SINGLE, UCS2_PER_PART


def _pack(text: str, encoding: Encoding, units: int) -> tuple[list[int], int]:
    """Part start offsets (code points) and the per-part limit used."""
    if not text:
        return [], _limits(encoding)[0]
    single, per_part = _limits(encoding)
    if units <= single:
        return [0], single
    if units == len(text):  # every character costs one unit: no pair can straddle two parts
        return list(range(0, len(text), per_part)), per_part
    starts = [0]
    used = 0
    for index, char in enumerate(text):
        cost = _unit_cost(char, encoding)
        if used + cost > per_part:
            starts.append(index)
            used = 0
        used += cost
    return starts, per_part


def measure(text: str) -> SegmentInfo:
    encoding = encoding_of(text)
    units = count_units(text, encoding)
    starts, per_segment = _pack(text, encoding, units)
    return SegmentInfo(
        encoding=encoding,
        characters=len(text),
        units=units,
        segments=len(starts),
        per_segment=per_segment,
    )


def segment_count(text: str) -> int:
    """`measure(text).segments` alone: counted for every row of a million-row export."""
    encoding = encoding_of(text)
    return len(_pack(text, encoding, count_units(text, encoding))[0])


def split_parts(text: str) -> list[str]:
    """The parts the message is sent as; `"".join(parts) == text`. [] for ""."""
    encoding = encoding_of(text)
    starts, _per_part = _pack(text, encoding, count_units(text, encoding))
    ends = starts[1:] + [len(text)]
    return [text[start:end] for start, end in zip(starts, ends)]


def compose(
    body: str,
    *,
    signature: str | None,
    signature_style: SignatureStyle,
    optout_hint: str | None,
) -> str:
    """The full text as sent: signature prefix, body, opt-out hint on its own line.

    An empty or None signature or hint is left out. Nothing is trimmed or escaped.
    """
    text = body
    if signature:
        if signature_style is SignatureStyle.BRACKETS:
            text = f"【{signature}】{text}"
        elif signature_style is SignatureStyle.COLON:
            text = f"{signature}: {text}"
        else:  # pragma: no cover - exhaustive over the enum
            raise ValueError(f"unknown signature style {signature_style!r}")
    if optout_hint:
        text = f"{text}\n{optout_hint}"
    return text


def over_limit(text: str | None) -> bool:
    """Whether a message (None: none to send) is longer than any message may be."""
    return text is not None and len(text) > MAX_MESSAGE_CHARACTERS


def check_length(text: str) -> None:
    """Raise `MessageTooLong` if the full text (as from `compose`) is over 500 characters."""
    if len(text) > MAX_MESSAGE_CHARACTERS:
        raise MessageTooLong(len(text))


def estimate_cost(segments: int, recipients: int, price_per_segment: Decimal) -> Decimal:
    """segments x recipients x price, exact (not quantized)."""
    if not isinstance(price_per_segment, Decimal):
        raise TypeError("price_per_segment must be a Decimal")
    if not price_per_segment.is_finite() or price_per_segment < 0:
        raise ValueError("price_per_segment must be a finite, non-negative Decimal")
    if segments < 0 or recipients < 0:
        raise ValueError("segments and recipients cannot be negative")
    return price_per_segment * (segments * recipients)


def format_money(amount: Decimal, currency: str) -> str:
    """`CNY 1,234.50` (`¥1,234.50` for a Chinese reader): thousands separators, 2 decimals rounded half-up."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    if not amount.is_finite():
        raise ValueError("amount must be finite")
    return money(amount, currency)
