"""What one recipient was sent (domain/recipient_messages.py): the dispatcher's text, or a card's
fallback when it went as one, measured as the send was, and as Slack may show it."""

from hypothesis import given
from hypothesis import strategies as st

from domain.content import Purpose
from domain.dispatch import MessagePlan
from domain.recipient_messages import RecipientMessage, as_slack_shows, message_for
from domain.segments import SignatureStyle, measure

PLAN = MessagePlan("Hi ${name}, code ${code}", "Acme", Purpose.PROMOTIONAL, SignatureStyle.BRACKETS,
                   "Reply T to stop", ["name", "code"])
CARD = MessagePlan("Hi ${name}", "Acme", Purpose.NOTIFICATION, SignatureStyle.COLON, "Reply T to stop", ["name"],
                   kind="card", fallback_body="Dear ${name}, see the card online")


def test_the_text_is_composed_as_the_dispatcher_composes_it_and_measured():
    message = message_for(PLAN, ["Li", "42"])
    assert message == RecipientMessage("【Acme】Hi Li, code 42\nReply T to stop", 36, 1)
    long = message_for(PLAN, ["x" * 200, "1"])  # UCS-2 (the brackets): 67 units a segment past 70
    assert (long.characters, long.segments) == (len(long.text), -(-len(long.text) // 67))


def test_a_card_that_fell_back_shows_the_fallback_sms_it_went_as():
    assert message_for(CARD, ["Li"]) == RecipientMessage("Acme: Hi Li", 11, 1)
    assert message_for(CARD, ["Li"], fell_back=True) == RecipientMessage(
        "Acme: Dear Li, see the card online", 34, 1, fallback=True)
    assert message_for(PLAN, ["Li", "1"], fell_back=True).fallback is False  # no fallback to go as


def test_missing_values_compose_as_the_dispatcher_does():
    assert message_for(PLAN, ["Li"]).text == PLAN.text_for(["Li"]) == "【Acme】Hi Li, code ${code}\nReply T to stop"


@given(st.lists(st.text(max_size=120), min_size=2, max_size=2), st.booleans())
def test_any_values_give_the_dispatchers_text_and_its_measure(values, fell_back):
    message = message_for(PLAN, values, fell_back=fell_back)
    info = measure(PLAN.text_for(values))
    assert (message.text, message.characters, message.segments) == (PLAN.text_for(values), info.characters,
                                                                     info.segments)


def test_slack_is_shown_numbers_by_their_last_four_digits_and_the_measure_of_what_was_sent():
    sent = message_for(PLAN, ["Li", "13800138000"])
    shown = as_slack_shows(sent)
    assert shown.text == "【Acme】Hi Li, code •••8000\nReply T to stop"
    assert (shown.characters, shown.segments) == (sent.characters, sent.segments) == (len(sent.text), 1)
