"""Rates in rows every process shares (storage/rates.py, domain/use_cases/sending_rate.py)."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from domain.approvers import Actor
from domain.rate import ACCOUNT_BUCKET, Bucket
from domain.use_cases.applications import add_application, change_application
from domain.use_cases.sending_rate import reserve_sending, sending_lanes

from storage.tables import RecipientList, Signature, Task, Template

ACCOUNT = Bucket(ACCOUNT_BUCKET, 100.0)


@pytest.fixture
def approver():
    return Actor("UAPPROVER", is_approver=True)


@pytest.fixture
def sending_task(uow_factory, approver):
    """(id, the international application's id) of a sending task split between the default
    application (mainland numbers) and `intl` (the others)."""
    international = add_application(uow_factory(), approver, name="intl", provider="simulator",
                                    numbers="international").id
    with uow_factory() as work:
        recipients = work.recipient_lists.add(
            RecipientList(created_by="U1", channel_id="C1", source="file", variables=[]),
            [(2, "+8613800000001", json.dumps([])), (3, "+14155550100", json.dumps([]))])
        signature = work.signatures.add(Signature(name="Acme", name_key="acme", status="approved", created_by="U1"))
        template = work.templates.add(Template(name="T", name_key="t", kind="text", purpose="notification",
                                               body="Hi", status="approved", created_by="U1"))
        task = work.tasks.add(Task(
            name="t", status="sending", purpose="notification", kind="text", signature_id=signature.id,
            template_id=template.id, recipient_list_id=recipients.id, created_by="U1", origin_channel="C1",
            split=[{"numbers": "mainland", "application_id": 1, "recipients": 1, "segments": 1},
                   {"numbers": "international", "application_id": international, "recipients": 1, "segments": 1}]))
        work.commit()
        return task.id, international


def test_takers_of_the_shared_bucket_take_turns(uow_factory):
    assert reserve_sending(uow_factory(), ACCOUNT, 100, now=1000.0) == 0.0  # full at first: a second's worth
    assert reserve_sending(uow_factory(), ACCOUNT, 100, now=1000.0) == 1.0  # empty, not owed: waits its second
    assert reserve_sending(uow_factory(), ACCOUNT, 50, now=1000.5) is None  # 50 still owed to the one waiting
    assert reserve_sending(uow_factory(), ACCOUNT, 50, now=1001.0) == 0.5  # that one has gone: this one is next


def test_takers_at_once_are_counted_once_each(uow_factory):
    bucket = Bucket(ACCOUNT_BUCKET, 10.0)
    with ThreadPoolExecutor(8) as pool:
        waits = list(pool.map(lambda _: reserve_sending(uow_factory(), bucket, 10, now=5000.0), range(8)))
    # Never two of them with the same tokens: one takes the full bucket, one waits its second, the rest go on.
    assert sorted(w for w in waits if w is not None) == [0.0, 1.0] and waits.count(None) == 6


def test_an_application_with_its_own_rate_takes_from_its_own_bucket(uow_factory):
    own = Bucket("application:7", 10.0)
    assert reserve_sending(uow_factory(), ACCOUNT, 200, now=1000.0) == 1.0  # the account waits a second
    assert reserve_sending(uow_factory(), own, 10, now=1000.0) == 0.0  # which this one does not wait for
    assert reserve_sending(uow_factory(), own, 10, now=1000.0) == 1.0


def test_a_task_sends_in_one_lane_per_application_once_one_has_its_own_rate(uow_factory, approver, sending_task):
    """`sending_task`: a sending task split to the default application and to `intl`."""
    task_id, international = sending_task
    [lane] = [lane for lane in sending_lanes(uow_factory(), 50.0) if lane.task_id == task_id]
    assert (lane.application_id, lane.bucket) == (None, Bucket(ACCOUNT_BUCKET, 50.0))
    change_application(uow_factory(), approver, "intl", "simulator", rate="5")
    lanes = {lane.application_id: lane.bucket for lane in sending_lanes(uow_factory(), 50.0) if lane.task_id == task_id}
    assert lanes == {1: Bucket(ACCOUNT_BUCKET, 50.0), international: Bucket(f"application:{international}", 5.0)}
