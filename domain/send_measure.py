"""Every recipient's message of a send, measured when it is submitted: each against the length
limit, the segments of all of them (the exact cost), and the two worth showing, the first and
the longest. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.applications import Routing, is_mainland, shares
from domain.dispatch import MessagePlan
from domain.i18n import _, n_, number
from domain.segments import MAX_MESSAGE_CHARACTERS, estimate_cost, format_money, measure, over_limit
from domain.send_words import listed
from domain.tasks import Preview, TaskField, TaskInvalid, route_parts

ROWS_NAMED = 10  # a refusal names this many rows of recipients whose message is too long


@dataclass(frozen=True)
class SendMeasure:
    recipients: int
    segments: int  # of the messages that go out: those over the limit are not sent
    too_long: int  # recipients whose message (or card fallback) is over the limit
    too_long_rows: tuple[int, ...]  # the first ROWS_NAMED of them, by row number
    first: str
    longest: str
    longest_row: int | None
    # Of mainland numbers (the rest are international): (recipients, segments), that each
    # application's part of the send can be told apart.
    mainland: tuple[int, int] = (0, 0)

    @property
    def international(self) -> tuple[int, int]:
        return self.recipients - self.mainland[0], self.segments - self.mainland[1]

    def cost(self, price_per_segment: Decimal, currency: str) -> str:
        return cost_of(self.segments, price_per_segment, currency)


def cost_of(segments: int, price_per_segment: Decimal, currency: str) -> str:
    """What a send's segments cost, every message's counted."""
    return format_money(estimate_cost(segments, 1, price_per_segment), currency)


def preview_of(measured: SendMeasure, price_per_segment: Decimal, currency: str,
               routes: Routing | None = None) -> Preview:
    """The modal's preview: the first message, the longest if it is another, the exact cost,
    and each application's part when `routes` split it."""
    first = measure(measured.first)
    split = shares(routes, mainland=measured.mainland, international=measured.international) if routes else []
    parts, total = route_parts(split, price_per_segment, currency)
    return Preview(measured.first, first.characters, str(first.encoding), first.segments, measured.recipients,
                   total or measured.cost(price_per_segment, currency), measured.too_long,
                   longest=measured.longest if measured.longest != measured.first else None, routes=parts)


def measure_send(plan: MessagePlan, rows: Iterable[tuple[int, Sequence[str], str]]) -> SendMeasure:
    """`rows`: (row number, variable values, phone) of every recipient, in the list's order."""
    count = segments = too_long = mainland_count = mainland_segments = 0
    too_long_rows: list[int] = []
    first, longest, longest_row = None, "", None
    text_for, fallback_for = plan.text_for, plan.fallback_for
    for row_number, values, phone in rows:
        count += 1
        text = text_for(values)
        if first is None:
            first = text
        if len(text) > len(longest):
            longest, longest_row = text, row_number
        mainland = is_mainland(phone)
        mainland_count += mainland
        if over_limit(text) or over_limit(fallback_for(values)):
            too_long += 1
            if len(too_long_rows) < ROWS_NAMED:
                too_long_rows.append(row_number)
            continue
        message_segments = measure(text).segments
        segments += message_segments
        if mainland:
            mainland_segments += message_segments
    return SendMeasure(count, segments, too_long, tuple(too_long_rows), first or "", longest, longest_row,
                       (mainland_count, mainland_segments))


def check_send_measure(measured: SendMeasure, *, skip_too_long: bool) -> None:
    """Refused while any message is over the limit, unless the requester chose to skip those
    recipients (and some are left to send to)."""
    if measured.too_long == 0 or (skip_too_long and measured.too_long < measured.recipients):
        return
    limit, longest = MAX_MESSAGE_CHARACTERS, number(len(measured.longest))
    if measured.too_long == measured.recipients:
        message = _("Every recipient's message is over {limit} characters, signature and opt-out hint included (the "
                    "longest has {longest}). Shorten the template.", limit=limit, longest=longest)
    else:
        rows = listed([number(row) for row in measured.too_long_rows])
        if measured.too_long > len(measured.too_long_rows):
            rows = _("{rows}, …", rows=rows)
        message = n_("{count} recipient's message is over {limit} characters, signature and opt-out hint included "
                     "(row {rows}; the longest, row {row}, has {longest}). Shorten the template or those values, or "
                     "choose to skip them.",
                     "{count} recipients' messages are over {limit} characters, signature and opt-out hint included "
                     "(rows {rows}; the longest, row {row}, has {longest}). Shorten the template or those values, or "
                     "choose to skip them.", measured.too_long, limit=limit, rows=rows,
                     row=number(measured.longest_row), longest=longest)
    raise TaskInvalid({TaskField.TEMPLATE: message})
