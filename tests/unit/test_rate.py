import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.applications import Application, ApplicationError, NumberRule, check_send_rate
from domain.rate import ACCOUNT_BUCKET, Bucket, Lane, TokenBucket, lanes_of

MAINLAND = Application(1, "default", "alibaba", NumberRule.MAINLAND, is_default=True)
ABROAD = Application(2, "abroad", "twilio", NumberRule.INTERNATIONAL)


def test_a_burst_goes_at_once_then_the_rate_holds():
    bucket = TokenBucket(100, now=0)
    assert bucket.wait_for(100, now=0) == 0
    assert bucket.wait_for(50, now=0) == pytest.approx(0.5)
    assert bucket.wait_for(100, now=1.0) == pytest.approx(0.5)  # 50 in the bucket by then, 50 more to wait for


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=50))
def test_sending_as_told_never_exceeds_the_rate(batches):
    rate = 200.0
    bucket, now, sent = TokenBucket(rate, now=0), 0.0, 0
    for size in batches:
        now += bucket.wait_for(size, now)
        sent += size
    assert sent <= bucket.capacity + rate * now + 1e-6


def test_a_taker_goes_on_to_other_work_while_the_bucket_is_owed():
    bucket = TokenBucket(100, now=0)
    assert bucket.wait_unless_owed(150, now=0) == 0.5  # 100 now, 50 owed: wait for them
    assert bucket.wait_unless_owed(10, now=0.25) is None  # 25 of the 50 came back: still owed
    assert bucket.state == (-25.0, 0.25)  # took nothing
    assert bucket.wait_unless_owed(100, now=0.5) == 1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=500), st.floats(min_value=0, max_value=2)),
                min_size=1, max_size=50))
def test_takers_that_skip_while_owed_never_exceed_the_rate(turns):
    """Takers come at any moment; those told to wait go when told, those owed skip their turn."""
    rate = 200.0
    bucket, now, sent, last_sent_at = TokenBucket(rate, now=0), 0.0, 0, 0.0
    for size, pause in turns:
        now += pause
        wait = bucket.wait_unless_owed(size, now)
        if wait is not None:
            sent += size
            last_sent_at = max(last_sent_at, now + wait)
    assert sent <= bucket.capacity + rate * last_sent_at + 1e-6


def test_a_bucket_kept_elsewhere_goes_on_from_where_it_stood():
    first = TokenBucket(100, now=0)
    assert first.wait_for(150, now=0) == 0.5  # 100 taken at once, 50 owed
    tokens, at = first.state
    again = TokenBucket(100, now=at, tokens=tokens)
    assert again.wait_for(100, now=0.25) == 1.25  # 25 came back; 125 owed now


def test_a_claim_is_about_a_seconds_worth_at_the_rate():
    from domain.rate import claim_size

    assert [claim_size(1000, rate) for rate in (0, 5, 200, 5000)] == [1000, 10, 200, 1000]


def test_a_task_sends_in_one_lane_while_its_applications_share_the_deployments_rate():
    apps = {1: MAINLAND, 2: ABROAD}
    assert lanes_of(9, [1, 2], apps, 50.0) == [Lane(9, None, Bucket(ACCOUNT_BUCKET, 50.0))]
    assert lanes_of(9, [], apps, 0.0) == [Lane(9, None, Bucket(ACCOUNT_BUCKET, 0.0))]  # split before applications


def test_an_application_with_its_own_rate_sends_in_its_own_lane_and_bucket():
    apps = {1: MAINLAND, 2: Application(2, "abroad", "twilio", NumberRule.INTERNATIONAL, send_rate=5.0)}
    assert lanes_of(9, [1, 2, 2], apps, 50.0) == [Lane(9, 1, Bucket(ACCOUNT_BUCKET, 50.0)),
                                                Lane(9, 2, Bucket("application:2", 5.0))]


@pytest.mark.parametrize("raw, rate", [("50", 50.0), ("0.5", 0.5), ("150/s", 150.0), (" 10000 ", 10000.0)])
def test_a_sending_rate_is_messages_a_second(raw, rate):
    assert check_send_rate(raw) == rate


@pytest.mark.parametrize("raw", ["0", "-5", "0.01", "10001", "nan", "inf", "fast", ""])
def test_a_sending_rate_outside_what_a_provider_takes_is_refused(raw):
    with pytest.raises(ApplicationError, match="messages a second"):
        check_send_rate(raw)
