from __future__ import annotations

import pytest

from domain.i18n import ENGLISH, set_deployment_language

from storage.migrate import upgrade
from tests.databases import fresh_database

DATABASE_KINDS = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request, tmp_path):
    """An empty database, on SQLite and on PostgreSQL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def migrated_database_url(database_url):
    upgrade(database_url)
    return database_url


@pytest.fixture(autouse=True)
def deployment_language_restored():
    """A runtime sets the process's deployment language from its settings; the next test starts in English."""
    yield
    set_deployment_language(ENGLISH)
