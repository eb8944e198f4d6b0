import json

import pytest

from storage.engine import make_engine, make_session_factory
from storage.errors import AlreadyExists
from storage.tables import Audience, RecipientList
from storage.uow import SqlUnitOfWork


@pytest.fixture
def uow(migrated_database_url):
    engine = make_engine(migrated_database_url)
    yield SqlUnitOfWork(make_session_factory(engine))
    engine.dispose()


def new_list(**fields) -> RecipientList:
    defaults = {"created_by": "U0SENDER01", "channel_id": "C0GENERAL1", "source": "file", "variables": ["name", "城市"]}
    return RecipientList(**(defaults | fields))


def test_a_list_and_its_recipients_are_stored_in_bulk_with_unicode_variables(uow):
    rows = [(n, f"+86138{n:08d}", json.dumps([f"name {n}", "北京"], ensure_ascii=False)) for n in range(2, 45_002)]
    with uow:
        list_id = uow.recipient_lists.add(new_list(imported_count=len(rows)), rows).id
        uow.commit()
    with uow:
        assert uow.recipient_lists.count_recipients(list_id) == 45_000
        first = uow.recipient_lists.recipients(list_id, limit=2)
        streamed = sum(1 for _ in uow.recipient_lists.iter_recipients(list_id, batch=7_000))
    assert [(r.row_number, r.phone, r.variables) for r in first] == [
        (2, "+8613800000002", ["name 2", "北京"]), (3, "+8613800000003", ["name 3", "北京"])]
    assert streamed == 45_000


def test_nothing_is_kept_without_commit(uow):
    with uow:
        uow.recipient_lists.add(new_list(), [(2, "+8613800138000", "[]")])
    with uow:
        assert uow.recipient_lists.latest() == []


def test_a_slack_file_is_stored_once_per_sharer_and_channel(uow):
    with uow:
        uow.recipient_lists.add(new_list(slack_file_id="F0FILE0001"), [])
        uow.commit()
    with uow:
        with pytest.raises(AlreadyExists):
            uow.recipient_lists.add(new_list(slack_file_id="F0FILE0001"), [])
    with uow:  # shared again by someone else, and elsewhere: each its own import
        uow.recipient_lists.add(new_list(slack_file_id="F0FILE0001", created_by="U0MEMBER01"), [])
        uow.recipient_lists.add(new_list(slack_file_id="F0FILE0001", channel_id="C0OTHER001"), [])
        uow.commit()
    with uow:
        first = uow.recipient_lists.by_slack_file("F0FILE0001", "U0SENDER01", "C0GENERAL1")
        again = uow.recipient_lists.by_slack_file("F0FILE0001", "U0MEMBER01", "C0GENERAL1")
        assert first is not None and again is not None and first.id != again.id
        assert uow.recipient_lists.by_slack_file("F0FILE0001", "U0MEMBER01", "C0OTHER001") is None
        assert len(uow.recipient_lists.latest()) == 3


def test_audience_names_are_unique_and_listed_with_their_list(uow):
    with uow:
        recipient_list = uow.recipient_lists.add(new_list(imported_count=3), [])
        uow.audiences.add(Audience(name="VIP", name_key="vip", list_id=recipient_list.id, created_by="U0SENDER01"))
        uow.commit()
    with uow:
        with pytest.raises(AlreadyExists):
            uow.audiences.add(Audience(name="vip", name_key="vip", list_id=recipient_list.id, created_by="U0X"))
    with uow:
        [(audience, listed)] = uow.audiences.all_with_lists()
        assert (audience.name, listed.imported_count) == ("VIP", 3)
        uow.audiences.delete(uow.audiences.by_name("vip"))
        uow.commit()
    with uow:
        assert uow.audiences.all_with_lists() == []
