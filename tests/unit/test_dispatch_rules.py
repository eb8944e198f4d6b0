import random
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.dispatch import MAX_ATTEMPTS, MessagePlan, Progress, backoff, judge
from storage.statuses import INTERRUPTED
from domain.content import Purpose
from domain.segments import SignatureStyle

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def verdict(status, attempts=1, retry_after=None):
    return judge(status, attempts=attempts, now=NOW, error="why", retry_after=retry_after, rng=random.Random(1))


def test_what_each_provider_answer_means():
    assert verdict("accepted").status == "submitted"
    assert verdict("rejected") .status == "failed"
    assert verdict("unknown").reason == INTERRUPTED  # never resent on its own
    transient = verdict("transient")
    assert transient.status == "pending" and NOW < transient.retry_at <= NOW + timedelta(seconds=2)
    assert verdict("transient", attempts=MAX_ATTEMPTS).status == "failed"


def test_throttling_waits_as_asked_and_never_gives_up_on_a_number():
    throttled = verdict("throttled", attempts=50, retry_after=7)
    assert throttled.status == "pending" and throttled.retry_at == NOW + timedelta(seconds=7)


def test_backoff_grows_and_is_capped():
    rng = random.Random(3)
    assert all(backoff(1, rng) <= 2 for _ in range(100))
    assert all(backoff(30, rng) <= 300 for _ in range(100))
    assert max(backoff(8, rng) for _ in range(200)) > 100


def test_message_plan_renders_each_recipient_with_signature_and_hint():
    plan = MessagePlan("Hi ${name}", "Acme", Purpose.PROMOTIONAL, SignatureStyle.COLON, "Reply STOP", ["name"])
    assert plan.text_for(["Li"]) == "Acme: Hi Li\nReply STOP"


def test_progress_totals():
    progress = Progress.from_counts({"pending": 1, "submitted": 2, "delivered": 3, "failed": 4, "skipped": 5})
    assert (progress.total, progress.sent_to_carrier, progress.done) == (15, 9, False)


@settings(max_examples=300, deadline=None, database=None)
@given(
    pieces=st.lists(st.one_of(st.text(alphabet="ab {}$【】\n", max_size=6),
                              st.sampled_from(["${name}", "${code}", "${unknown}", "${"])), max_size=8),
    values=st.lists(st.text(alphabet="xy{}$0", max_size=5), min_size=2, max_size=2),
    purpose=st.sampled_from(list(Purpose)),
    style=st.sampled_from(list(SignatureStyle)),
)
def test_the_fast_message_pattern_says_exactly_what_rendering_says(pieces, values, purpose, style):
    body = "".join(pieces)
    plan = MessagePlan(body, "Ac{me}", purpose, style, "Reply {STOP}", ["name", "code"], fallback_body=body + "!")
    assert plan.text_for(values) == plan._compose(body, values)
    assert plan.fallback_for(values) == plan._compose(body + "!", values)
    assert plan.text_for(values[:1]) == plan._compose(body, values[:1])  # a short row falls back to rendering
