"""Storage tests: units of work on a fresh, migrated database of each kind."""

import pytest

from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork


@pytest.fixture
def uow_factory(migrated_database_url):
    """A new unit of work on the test's database at each call, as the bot's use cases get them."""
    engine = make_engine(migrated_database_url)
    factory = make_session_factory(engine)
    yield lambda: SqlUnitOfWork(factory)
    engine.dispose()
