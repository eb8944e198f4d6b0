"""The delivery chart posted in a task's thread when it completes: delivered, failed and
awaiting receipt over time, stacked, so the top edge is every message sent so far. Pure: a
timeline in, PNG bytes out.

Drawn with Pillow rather than matplotlib: one 7 MB wheel with no dependencies, against 42 MB
of wheels for matplotlib (numpy, fonttools, kiwisolver… and Pillow itself), for a chart this
simple, drawn in ~0.1 s. Its bundled FreeType font keeps text crisp at any size, and drawing
at twice the size then scaling down smooths the edges. Pillow is imported on first use, so a
process that never completes a task never loads it. No task name is written on the chart:
the thread says which task it is.

Its labels are in the workspace's language. Pillow's bundled font has no CJK glyphs, so Chinese
is drawn with a CJK font installed on the machine (Debian: fonts-noto-cjk, fonts-wqy-microhei
or fonts-wqy-zenhei); where there is none, the labels are drawn in English: never as boxes."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from contextlib import nullcontext
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.i18n import ENGLISH, _, current_language, moment, number, speaking
from domain.timeline import Timeline

log = logging.getLogger(__name__)

WIDTH, HEIGHT, SCALE = 1000, 520, 2
LEFT, RIGHT, TOP, BOTTOM = 84, 32, 86, 96
COLOURS = {"delivered": (46, 182, 125), "failed": (224, 30, 90), "awaiting": (236, 178, 46)}
INK, MUTED, GRID, PAPER = (29, 28, 29), (97, 96, 97), (226, 226, 226), (255, 255, 255)
# Where Debian's CJK font packages put their files (noto-cjk, wqy-microhei, wqy-zenhei, droid,
# arphic), looked for before asking fontconfig.
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@cache
def cjk_font_file() -> str | None:
    """A font file with Chinese glyphs on this machine, or None."""
    for path in CJK_FONT_FILES:
        if Path(path).is_file():
            return path
    if shutil.which("fc-list") is None:
        return None
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.strip().rstrip(":") for line in listed.splitlines() if line.strip())
    return files[0] if files else None


def _fonts(sizes: tuple[int, ...]) -> tuple[list, bool]:
    """The chart's fonts at `sizes`, and whether its labels must be in English (Chinese wanted,
    no font to draw it)."""
    from PIL import ImageFont

    if current_language() == ENGLISH:
        return [ImageFont.load_default(size=size) for size in sizes], False
    path = cjk_font_file()
    if path is None:
        log.warning("no CJK font is installed (fonts-noto-cjk or fonts-wqy-microhei): the delivery chart's "
                    "labels are drawn in English")
        return [ImageFont.load_default(size=size) for size in sizes], True
    return [ImageFont.truetype(path, size=size) for size in sizes], False


def _nice_step(top: int, ticks: int = 5) -> int:
    raw = max(top / ticks, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if magnitude * factor >= raw:
            return max(int(magnitude * factor), 1)
    return int(magnitude * 10)


def _time_format(span_seconds: float, labels: int) -> str:
    """Seconds shown when labels are less than a minute apart, the day when over a day."""
    if span_seconds / max(labels - 1, 1) < 60:
        return "%H:%M:%S"
    return "%H:%M" if span_seconds < 86_400 else "%m-%d %H:%M"


def render_delivery_chart(timeline: Timeline, tz: str) -> bytes:
    """In the current language (the workspace's), or in English where no font can draw it."""
    fonts, in_english = _fonts(tuple(n * SCALE for n in (24, 15, 13)))
    with speaking(ENGLISH) if in_english else nullcontext():
        return _render(timeline, tz, *fonts)


def _render(timeline: Timeline, tz: str, title, text, small) -> bytes:
    from PIL import Image, ImageDraw

    zone = ZoneInfo(tz)
    s = SCALE
    image = Image.new("RGB", (WIDTH * s, HEIGHT * s), PAPER)
    draw = ImageDraw.Draw(image)
    x0, x1, y0, y1 = LEFT * s, (WIDTH - RIGHT) * s, TOP * s, (HEIGHT - BOTTOM) * s

    as_of = timeline.as_of.astimezone(zone)
    draw.text((x0, 18 * s), _("Delivery over time"), font=title, fill=INK)
    draw.text((x0, 52 * s), _("As of {time} ({zone}) · receipts may still arrive", time=moment(as_of), zone=tz),
              font=text, fill=MUTED)

    top = max(max(timeline.sent), 1)
    step = _nice_step(top)
    y_max = -(-top // step) * step
    points = len(timeline.sent)
    span = timeline.width * (points - 1)

    def x(i: int) -> float:
        return x0 + (x1 - x0) * (i / (points - 1) if points > 1 else 0)

    def y(value: float) -> float:
        return y1 - (y1 - y0) * value / y_max

    for value in range(0, y_max + 1, step):
        draw.line([(x0, y(value)), (x1, y(value))], fill=GRID, width=s)
        label = number(value)
        draw.text((x0 - 10 * s, y(value)), label, font=small, fill=MUTED, anchor="rm")

    awaiting = timeline.awaiting
    layers = [("delivered", timeline.delivered), ("failed", timeline.failed), ("awaiting", awaiting)]
    below = [0] * points
    for name, values in layers:
        above = [b + v for b, v in zip(below, values)]
        outline = [(x(i), y(above[i])) for i in range(points)] + [(x(i), y(below[i])) for i in reversed(range(points))]
        if points == 1:  # one moment: a bar of some width
            outline = [(x0, y(above[0])), (x1, y(above[0])), (x1, y(below[0])), (x0, y(below[0]))]
        draw.polygon(outline, fill=COLOURS[name])
        below = above
    draw.line([(x0, y1), (x1, y1)], fill=INK, width=s)

    times = timeline.times
    labels = min(6, points)
    fmt = _time_format(span, labels)
    for n in range(labels):
        i = round(n * (points - 1) / (labels - 1)) if labels > 1 else 0
        local = times[i].astimezone(zone)
        anchor = "la" if n == 0 else ("ra" if n == labels - 1 and labels > 1 else "ma")
        draw.line([(x(i), y1), (x(i), y1 + 6 * s)], fill=INK, width=s)
        draw.text((x(i), y1 + 10 * s), f"{local:{fmt}}", font=small, fill=MUTED, anchor=anchor)

    _draw_legend(draw, timeline, x0, text)
    image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_legend(draw, timeline: Timeline, left: float, font) -> None:
    """Each layer's colour and its final count, in a row under the chart."""
    s = SCALE
    legend_y = (HEIGHT - 34) * s
    cursor = left
    finals = {"delivered": timeline.delivered[-1], "failed": timeline.failed[-1], "awaiting": timeline.awaiting[-1]}
    captions = {"delivered": _("Delivered {count}", count=number(finals["delivered"])),
                "failed": _("Failed {count}", count=number(finals["failed"])),
                "awaiting": _("Awaiting receipt {count}", count=number(finals["awaiting"]))}
    for name, caption in captions.items():
        draw.rectangle([cursor, legend_y, cursor + 14 * s, legend_y + 14 * s], fill=COLOURS[name])
        draw.text((cursor + 22 * s, legend_y + 7 * s), caption, font=font, fill=INK, anchor="lm")
        cursor += 22 * s + draw.textlength(caption, font=font) + 34 * s


def chart_alt_text(timeline: Timeline, as_of: datetime) -> str:
    when = as_of.strftime("%Y-%m-%d %H:%M")
    return _("Delivery over time: {delivered} delivered, {failed} failed, {awaiting} awaiting receipt of {sent} "
             "sent, as of {time} UTC.", delivered=number(timeline.delivered[-1]), failed=number(timeline.failed[-1]),
             awaiting=number(timeline.awaiting[-1]), sent=number(timeline.sent[-1]),
             time=when)
