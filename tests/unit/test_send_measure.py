"""Every recipient's message measured (domain/send_measure.py): against the limit, in segments."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.content import Purpose
from domain.dispatch import MessagePlan
from domain.segments import MAX_MESSAGE_CHARACTERS, SignatureStyle, measure
from domain.send_measure import check_send_measure, measure_send
from domain.tasks import TaskField, TaskInvalid

PLAN = MessagePlan("Hi ${name}, code ${code}", "Acme", Purpose.PROMOTIONAL, SignatureStyle.BRACKETS,
                   "Reply T to stop", ["name", "code"])


@given(st.lists(st.tuples(st.text(max_size=300), st.text(max_size=300)), max_size=30))
def test_the_measure_is_every_message_composed_as_the_dispatcher_sends_it(values):
    rows = [(index + 2, list(pair), "+8613800138000" if index % 3 else "+14155550100")
            for index, pair in enumerate(values)]
    measured = measure_send(PLAN, rows)
    texts = [PLAN.text_for(row) for _, row, _ in rows]
    fitting = [text for text in texts if len(text) <= MAX_MESSAGE_CHARACTERS]
    assert measured.recipients == len(rows)
    assert measured.too_long == len(texts) - len(fitting)
    assert measured.segments == sum(measure(text).segments for text in fitting)
    assert list(measured.too_long_rows) == [row for (row, _, _), text in zip(rows, texts)
                                            if len(text) > MAX_MESSAGE_CHARACTERS][:10]
    mainland = [text for (_, _, phone), text in zip(rows, texts) if phone.startswith("+86")]
    assert measured.mainland == (len(mainland), sum(measure(text).segments for text in mainland
                                                    if len(text) <= MAX_MESSAGE_CHARACTERS))
    if rows:
        assert measured.first == texts[0] and len(measured.longest) == max(map(len, texts))


def test_a_card_whose_fallback_is_too_long_counts_as_too_long():
    card = MessagePlan("Hi ${name}", "Acme", Purpose.NOTIFICATION, SignatureStyle.BRACKETS, "", ["name"],
                       kind="card", fallback_body="Dear ${name}, " + "x" * 480)
    measured = measure_send(card, [(2, ["Li"], "+8613800138000"), (3, ["Han" * 10], "+8613800138001")])
    assert (measured.too_long, measured.too_long_rows) == (1, (3,))


def rows_of(*names: str):
    return [(index + 2, [name, "1"], "+8613800138000") for index, name in enumerate(names)]


def test_too_long_messages_are_refused_with_their_rows_unless_skipped():
    measured = measure_send(PLAN, rows_of("Li", "x" * 600, "Han", "y" * 700))
    with pytest.raises(TaskInvalid) as refused:
        check_send_measure(measured, skip_too_long=False)
    assert refused.value.problems[TaskField.TEMPLATE].startswith(
        "2 recipients' messages are over 500 characters, signature and opt-out hint included (rows 3, 5; "
        "the longest, row 5, has 733)")
    check_send_measure(measured, skip_too_long=True)  # skipped and counted instead


def test_skipping_cannot_leave_nobody_to_send_to():
    measured = measure_send(PLAN, rows_of("x" * 600))
    with pytest.raises(TaskInvalid) as refused:
        check_send_measure(measured, skip_too_long=True)
    assert "Every recipient's message is over 500 characters" in refused.value.problems[TaskField.TEMPLATE]


def test_a_refusal_names_ten_rows_and_says_there_are_more():
    measured = measure_send(PLAN, rows_of(*["x" * 600] * 12, "Li"))
    with pytest.raises(TaskInvalid) as refused:
        check_send_measure(measured, skip_too_long=False)
    assert "(rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …;" in refused.value.problems[TaskField.TEMPLATE]
