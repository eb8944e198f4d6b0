"""The account's rate in one row every process shares (storage/rates.py, `reserve_sending`)."""

from concurrent.futures import ThreadPoolExecutor

from domain.use_cases.dispatch import reserve_sending


def test_takers_of_the_shared_bucket_queue_behind_each_other(uow_factory):
    assert reserve_sending(uow_factory(), 100, 100.0, now=1000.0) == 0.0  # full at first: a second's worth
    assert reserve_sending(uow_factory(), 100, 100.0, now=1000.0) == 1.0
    assert reserve_sending(uow_factory(), 50, 100.0, now=1000.5) == 1.0  # 50 came back, 150 owed


def test_takers_at_once_are_counted_once_each(uow_factory):
    with ThreadPoolExecutor(8) as pool:
        waits = sorted(pool.map(lambda _: reserve_sending(uow_factory(), 10, 10.0, now=5000.0), range(8)))
    assert waits == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]  # never two of them with the same tokens
