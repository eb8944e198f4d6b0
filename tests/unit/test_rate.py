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
