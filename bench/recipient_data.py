"""Seeded generator of realistic recipient files (CSV and XLSX) for the import benchmark and tests.

Rows are ``(phone, name, coupon)``. The phone column mixes the shapes senders paste in:

- ~82% mainland China mobiles, bare ``13800138000`` (the most common), ``138 0013 8000``,
  ``138-0013-8000``, ``+8613800138000``, ``8613800138000``, ``+86 138 0013 8000`` and a
  few with stray surrounding spaces;
- ~8% international numbers (US, UK, SG), valid for ``phonenumbers``, as E.164 or spaced;
- ~5% invalid: too short or long, letters, empty, 11 digits not valid in CN (``12...``),
  spreadsheet scientific notation (``1.38E+10``);
- ~5% duplicates of an earlier number written in another shape, so that they only show up
  after normalisation.

Numbers are unique by construction apart from the planted duplicates, so the expected
result of an import is exact: see :func:`generate_records` (``status`` and ``e164`` per row)
and :func:`expected_counts`. Everything is deterministic for a seed.

    python bench/recipient_data.py csv /tmp/r.csv --rows 1000000 --seed 1 [--encoding gb18030]
    python bench/recipient_data.py xlsx /tmp/r.xlsx --seed 1 [--target-bytes 12582912]
"""

from __future__ import annotations

import argparse
import csv
import random
import time
import zipfile
import zlib
from collections.abc import Iterator
from typing import NamedTuple
from xml.sax.saxutils import escape

HEADER = ("phone", "name", "coupon")

VALID = "valid"
INVALID = "invalid"
DUPLICATE = "duplicate"

# Share of rows per kind; the rest are mainland China mobiles.
INVALID_SHARE = 0.05
DUPLICATE_SHARE = 0.05
INTERNATIONAL_SHARE = 0.08

XLSX_LIMIT = 12 * 1024 * 1024


class Record(NamedTuple):
    phone: str
    name: str
    coupon: str
    status: str  # VALID, INVALID or DUPLICATE (of an earlier VALID row)
    e164: str | None  # expected normalised number, None when invalid


# --- mainland China -------------------------------------------------------------------

# Three-digit mobile prefixes for which every 8-digit suffix is valid in phonenumbers'
# metadata (checked by sampling), weighted towards the common 13x/15x/18x ranges.
_CN_PREFIXES = (
    [str(p) for p in range(130, 140)] * 3
    + [str(p) for p in (150, 151, 152, 153, 155, 156, 157, 158, 159)] * 2
    + [str(p) for p in range(180, 190)] * 2
    + [str(p) for p in (145, 147, 162, 165, 166, 167, 170, 171, 172, 173, 175, 176, 177, 178)]
    + [str(p) for p in (190, 191, 192, 193, 195, 196, 197, 198, 199)]
)


def _cn_bare(n: str) -> str:
    return n


def _cn_spaced(n: str) -> str:
    return f"{n[:3]} {n[3:7]} {n[7:]}"


def _cn_dashed(n: str) -> str:
    return f"{n[:3]}-{n[3:7]}-{n[7:]}"


def _cn_plus(n: str) -> str:
    return "+86" + n


def _cn_cc(n: str) -> str:
    return "86" + n


def _cn_plus_spaced(n: str) -> str:
    return f"+86 {n[:3]} {n[3:7]} {n[7:]}"


def _cn_padded(n: str) -> str:
    return f" {n} "


# (shape, weight in %). Bare and 86-prefixed digits (62%) become numeric cells in XLSX.
_CN_SHAPES = (
    (_cn_bare, 55),
    (_cn_spaced, 9),
    (_cn_dashed, 7),
    (_cn_plus, 12),
    (_cn_cc, 7),
    (_cn_plus_spaced, 8),
    (_cn_padded, 2),
)
_CN_SHAPE_TABLE = tuple(shape for shape, weight in _CN_SHAPES for _ in range(weight))
assert len(_CN_SHAPE_TABLE) == 100


# --- international ------------------------------------------------------------------

_US_AREAS = ("202", "206", "212", "213", "303", "305", "310", "312", "404", "408",
             "415", "503", "512", "612", "617", "646", "650", "702", "718", "917")


def _us(prefix: str, suffix: str) -> tuple[str, str]:  # prefix NPA+NXX, suffix 4 digits
    return f"+1{prefix}{suffix}", f"+1 {prefix[:3]}-{prefix[3:]}-{suffix}"


def _uk(prefix: str, suffix: str) -> tuple[str, str]:  # prefix 7xxx, suffix 6 digits
    return f"+44{prefix}{suffix}", f"+44 {prefix} {suffix}"


def _sg(prefix: str, suffix: str) -> tuple[str, str]:  # prefix 8xxx/9xxx, suffix 4 digits
    return f"+65{prefix}{suffix}", f"+65 {prefix} {suffix}"


def _international_prefixes(rng: random.Random) -> list[tuple[object, str, int]]:
    """(formatter, prefix, suffix digits): prefixes for which phonenumbers accepts any suffix as
    a number of the intended region (checked on every first and second suffix digit plus random
    samples). 200 prefixes x >= 10^4 suffixes: ~2M distinct numbers."""
    import phonenumbers

    def all_valid(fmt, region: str, prefix: str, digits: int) -> bool:
        samples = [rng.randrange(10**digits) for _ in range(5)]
        step = 10 ** (digits - 1)
        samples += [d * step + rng.randrange(step) for d in range(10)]
        samples += [rng.randrange(10) * step + d * step // 10 + rng.randrange(step // 10) for d in range(10)]
        for suffix in samples:
            number = phonenumbers.parse(fmt(prefix, f"{suffix:0{digits}d}")[0])
            if not (phonenumbers.is_valid_number(number)
                    and phonenumbers.region_code_for_number(number) == region):
                return False
        return True

    pools = []
    for fmt, region, count, digits, draw in (
        (_us, "US", 100, 4, lambda: rng.choice(_US_AREAS) + str(rng.randrange(200, 1000))),
        (_uk, "GB", 60, 6, lambda: "7" + str(rng.randrange(400, 1000))),
        (_sg, "SG", 40, 4, lambda: rng.choice("89") + f"{rng.randrange(1000):03d}"),
    ):
        seen: set[str] = set()
        while len(seen) < count:
            prefix = draw()
            if prefix not in seen and all_valid(fmt, region, prefix, digits):
                seen.add(prefix)
                pools.append((fmt, prefix, digits))
    rng.shuffle(pools)
    return pools


# --- invalid values -------------------------------------------------------------------


def _invalid(rng: random.Random) -> str:
    kind = rng.randrange(10)
    if kind == 0:  # too short
        return rng.choice(_CN_PREFIXES) + str(rng.randrange(10**3, 10**5))
    if kind == 1:  # too long
        return rng.choice(_CN_PREFIXES) + f"{rng.randrange(10**9):09d}"
    if kind in (2, 3):  # 11 digits, not a CN mobile range
        return rng.choice(("10", "11", "12")) + f"{rng.randrange(10**9):09d}"
    if kind == 4:
        return "12345678901"
    if kind == 5:  # the CSV of a column Excel displayed in scientific notation
        n = rng.choice(_CN_PREFIXES) + f"{rng.randrange(10**8):08d}"
        return f"{n[0]}.{n[1:rng.randrange(3, 7)].rstrip('0') or '0'}E+10"
    if kind == 6:
        return ""
    if kind == 7:  # letters (only two: phonenumbers would convert 3+ letters, vanity style)
        n = rng.choice(_CN_PREFIXES) + f"{rng.randrange(10**8):08d}"
        i = rng.randrange(3, 9)
        return n[:i] + "OO" + n[i + 2:]
    if kind == 8:
        return rng.choice(("N/A", "unknown", "无", "待补充", "-", "0", "tel", "#N/A"))
    return "+1 555 " + f"{rng.randrange(10**4):04d}"  # international, too short


# --- names and coupons ----------------------------------------------------------------

_CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_CN_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建新海波宁飞琳雪婷慧欣怡浩宇轩子涵梓睿博文晨阳思佳一诺俊峰"
_LATIN_FIRST = ("James", "Mary", "Wei", "Li", "Emily", "Michael", "Sarah", "David", "Anna", "Kevin",
                "Jessica", "Daniel", "Grace", "Ryan", "Olivia", "Jason", "Chloe", "Ethan", "Mia",
                "Lucas", "Sophie", "Tom", "Amelia", "Raj", "Priya", "Hiroshi", "Yuki", "José", "Zoë")
_LATIN_LAST = ("Smith", "Chen", "Wang", "Lee", "Tan", "Lim", "Brown", "Johnson", "Williams", "Ng",
               "Wong", "Garcia", "Müller", "O'Brien", "Patel", "Kumar", "Taylor", "Martin", "Liu",
               "Zhang", "Nguyen", "Kim", "Sato", "Davies", "Evans", "Goh", "Koh", "Huang", "Lin")
_CAMPAIGN_CODES = ("SPRING20", "VIP88", "NEWUSER", "618SALE", "DOUBLE11", "FREESHIP",
                   "WELCOME10", "BDAY50", "CNY2025", "LUCKY8", "SUMMER15", "BACK2U")
_COUPON_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, no 0/O/1/I


def _name_pool(rng: random.Random, size: int = 4096) -> list[str]:
    pool = []
    for _ in range(size):
        if rng.random() < 0.75:
            given = rng.choice(_CN_GIVEN) + (rng.choice(_CN_GIVEN) if rng.random() < 0.7 else "")
            pool.append(rng.choice(_CN_SURNAMES) + given)
        else:
            pool.append(f"{rng.choice(_LATIN_FIRST)} {rng.choice(_LATIN_LAST)}")
    return pool


# --- rows ---------------------------------------------------------------------------


def generate_records(count: int, seed: int) -> Iterator[Record]:
    """`count` rows with their expected import outcome. Deterministic for `seed`.

    Apart from the planted duplicates every valid number is distinct (for up to ~10^8 CN and
    ~2*10^6 international numbers, i.e. ~25M rows)."""
    rng = random.Random(seed)
    names = _name_pool(rng)
    intl = _international_prefixes(rng)
    a = _COUPON_ALPHABET
    campaign = _CAMPAIGN_CODES
    # Suffixes come from affine bijections of a counter, so numbers never repeat by chance.
    cn_mul, cn_add = rng.randrange(1, 10**8) | 1, rng.randrange(10**8)
    while cn_mul % 5 == 0:
        cn_mul += 2
    in_mul, in_add = rng.randrange(1, 10**4) | 1, rng.randrange(10**4)
    while in_mul % 5 == 0:
        in_mul += 2
    cn_count = in_count = 0
    # Earlier valid numbers that a duplicate may repeat: (CN shape, national, e164, None) or, for
    # international ones, (None, None, e164, the shape it was not written in).
    recent: list[tuple] = []
    recent_size = 1 << 16
    valid_count = 0
    random_ = rng.random
    getrandbits = rng.getrandbits
    cn_prefixes = _CN_PREFIXES
    n_prefixes = len(cn_prefixes)
    shapes = _CN_SHAPE_TABLE
    dup_at = INVALID_SHARE + DUPLICATE_SHARE
    intl_at = dup_at + INTERNATIONAL_SHARE

    for _ in range(count):
        c = getrandbits(48)
        name = names[c >> 30 & 4095]  # the pool has 4096 names
        if c >> 42 < 24:  # ~3/8 of the rows carry a campaign-wide code
            coupon = campaign[(c >> 42) % 12]
        else:  # the rest a personal 6-character code
            coupon = a[c & 31] + a[c >> 5 & 31] + a[c >> 10 & 31] + a[c >> 15 & 31] + a[c >> 20 & 31] + a[c >> 25 & 31]
        x = random_()
        if x < INVALID_SHARE:
            yield Record(_invalid(rng), name, coupon, INVALID, None)
            continue
        if x < dup_at and recent:
            shape, national, e164, spaced = recent[int(random_() * len(recent))]
            if shape is None:  # international: `spaced` holds the shape not used the first time
                phone = spaced
            else:
                other = shape
                while other is shape:
                    other = shapes[int(random_() * 100)]
                phone = other(national)
            yield Record(phone, name, coupon, DUPLICATE, e164)
            continue
        if dup_at <= x < intl_at:
            fmt, prefix, digits = intl[in_count % len(intl)]
            suffix = (in_mul * (in_count // len(intl)) + in_add) % 10**digits
            in_count += 1
            e164, spaced = fmt(prefix, f"{suffix:0{digits}d}")
            phone = e164 if random_() < 0.8 else spaced
            entry = (None, None, e164, spaced if phone == e164 else e164)
        else:
            national = cn_prefixes[int(random_() * n_prefixes)] + f"{(cn_mul * cn_count + cn_add) % 10**8:08d}"
            cn_count += 1
            shape = shapes[int(random_() * 100)]
            phone = shape(national)
            e164 = "+86" + national
            entry = (shape, national, e164, None)
        if valid_count < recent_size:
            recent.append(entry)
        else:
            recent[valid_count & (recent_size - 1)] = entry
        valid_count += 1
        yield Record(phone, name, coupon, VALID, e164)


def generate_rows(count: int, seed: int) -> Iterator[tuple[str, str, str]]:
    """`count` rows of (phone, name, coupon), all strings. Deterministic for `seed`."""
    for record in generate_records(count, seed):
        yield record[:3]


def expected_counts(count: int, seed: int) -> dict[str, int]:
    """{"valid": ..., "invalid": ..., "duplicate": ...} for the first `count` rows."""
    counts = {VALID: 0, INVALID: 0, DUPLICATE: 0}
    for record in generate_records(count, seed):
        counts[record.status] += 1
    return counts


# --- CSV ----------------------------------------------------------------------------


def write_csv(path, rows_count: int, seed: int, encoding: str = "utf-8") -> int:
    """A CSV with header `phone,name,coupon` (CRLF line ends, like Excel). Returns the row count.

    `encoding` may be "utf-8-sig" (Excel's "CSV UTF-8") or "gb18030" (Excel on Chinese Windows)."""
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(generate_rows(rows_count, seed))
    return rows_count


# --- XLSX ---------------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

_STATIC_PARTS = {
    "[Content_Types].xml": _XML_DECL
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
    "</Types>",
    "_rels/.rels": _XML_DECL
    + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/workbook.xml": _XML_DECL
    + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
    '<sheets><sheet name="Recipients" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": _XML_DECL
    + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>",
    "xl/styles.xml": _XML_DECL
    + f'<styleSheet xmlns="{_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: deterministic bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.items: list[str] = []  # XML of each <si>
        self.refs = 0

    def ref(self, value: str) -> int:
        self.refs += 1
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.items)
            space = ' xml:space="preserve"' if value != value.strip() else ""
            self.items.append(f"<si><t{space}>{escape(value)}</t></si>")
        return i

    def head(self) -> str:
        return f'{_XML_DECL}<sst xmlns="{_NS}" count="{self.refs}" uniqueCount="{len(self.items)}">'


def _sheet_head(rows: int | None) -> str:
    last = f"C{rows + 1}" if rows is not None else "C1048576"
    return (
        f'{_XML_DECL}<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}"><dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="18" customWidth="1"/></cols>'
        "<sheetData>"
    )


_SHEET_TAIL = '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'


def _sheet_chunks(seed: int, sst: _SharedStrings, limit: int | None) -> Iterator[tuple[int, str]]:
    """(data rows so far, XML) chunks of sheetData rows, header row included."""
    ref = sst.ref
    h = [ref(v) for v in HEADER]
    out = [f'<row r="1" spans="1:3"><c r="A1" t="s"><v>{h[0]}</v></c><c r="B1" t="s"><v>{h[1]}</v></c><c r="C1" t="s"><v>{h[2]}</v></c></row>']
    records = generate_rows(limit if limit is not None else 10**8, seed)
    r = 1
    for phone, name, coupon in records:
        r += 1
        if not phone:
            a = ""
        elif phone.isdigit() and phone.isascii():  # typed as a number: Excel stores a numeric cell
            a = f'<c r="A{r}"><v>{int(phone)}</v></c>'
        else:
            a = f'<c r="A{r}" t="s"><v>{ref(phone)}</v></c>'
        out.append(f'<row r="{r}" spans="1:3">{a}<c r="B{r}" t="s"><v>{ref(name)}</v></c><c r="C{r}" t="s"><v>{ref(coupon)}</v></c></row>')
        if len(out) >= 1000:
            yield r - 1, "".join(out)
            out = []
    yield r - 1, "".join(out)


def _rows_for_size(seed: int, budget: int) -> int:
    """Data rows whose sheet and shared strings compress to about `budget` bytes (dry run)."""
    sst = _SharedStrings()
    sheet_z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    sst_z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    sheet_bytes = len(sheet_z.compress(_sheet_head(400_000).encode()))
    sst_bytes = len(sst_z.compress(sst.head().encode()))
    sst_done = 0
    for rows, xml in _sheet_chunks(seed, sst, None):
        sheet_bytes += len(sheet_z.compress(xml.encode()))
        if len(sst.items) > sst_done:
            sst_bytes += len(sst_z.compress("".join(sst.items[sst_done:]).encode()))
            sst_done = len(sst.items)
        if sheet_bytes + sst_bytes >= budget:
            return rows
    raise AssertionError("unreachable")


def write_xlsx(path, target_bytes: int = XLSX_LIMIT, seed: int = 0) -> int:
    """An XLSX of a little under `target_bytes` (~1.5% under: ~11.84 MiB, ~423,000 rows for 12 MiB).

    One sheet, header `phone,name,coupon`, shared strings like Excel writes them; phones made of
    digits only (bare CN mobiles, 86-prefixed, invalid digit strings) are numeric cells, the rest
    strings; empty phones are absent cells. Returns the number of data rows (header excluded)."""
    # Compressor output lags its input by up to a block or so per stream; leave room for that,
    # the small parts and the zip directory.
    rows = _rows_for_size(seed, target_bytes - 192 * 1024)
    sst = _SharedStrings()
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in _STATIC_PARTS.items():
            zf.writestr(_zip_info(name), text)
        with zf.open(_zip_info("xl/worksheets/sheet1.xml"), "w") as f:
            f.write(_sheet_head(rows).encode())
            for _, xml in _sheet_chunks(seed, sst, rows):
                f.write(xml.encode())
            f.write(_SHEET_TAIL.encode())
        with zf.open(_zip_info("xl/sharedStrings.xml"), "w") as f:
            f.write(sst.head().encode())
            items = sst.items
            for i in range(0, len(items), 10_000):
                f.write("".join(items[i:i + 10_000]).encode())
            f.write(b"</sst>")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("csv", "xlsx"))
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV only")
    parser.add_argument("--encoding", default="utf-8", help="CSV only")
    parser.add_argument("--target-bytes", type=int, default=XLSX_LIMIT, help="XLSX only")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.kind == "csv":
        rows = write_csv(args.path, args.rows, args.seed, args.encoding)
    else:
        rows = write_xlsx(args.path, args.target_bytes, args.seed)
    import os

    print(f"{args.path}: {rows} rows, {os.path.getsize(args.path)} bytes, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
