import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.rate import TokenBucket


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


def test_a_bucket_kept_elsewhere_goes_on_from_where_it_stood():
    first = TokenBucket(100, now=0)
    assert first.wait_for(150, now=0) == 0.5  # 100 taken at once, 50 owed
    tokens, at = first.state
    again = TokenBucket(100, now=at, tokens=tokens)
    assert again.wait_for(100, now=0.25) == 1.25  # 25 came back; 125 owed now


def test_a_claim_is_about_a_seconds_worth_at_the_rate():
    from domain.rate import claim_size

    assert [claim_size(1000, rate) for rate in (0, 5, 200, 5000)] == [1000, 10, 200, 1000]
