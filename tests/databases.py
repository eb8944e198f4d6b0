"""Fresh, migrated databases for tests: a SQLite file, or a new PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.engine import normalize_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    return normalize_url(os.environ.get("SMSBOT_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """Yields the URL of an empty database of that kind, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'smsbot.db'}"
        return
    admin_url = postgres_admin_url()
    name = f"smsbot_test_{uuid.uuid4().hex[:12]}"
    # Unreachable PostgreSQL is a failure, never a skip: the suite promises both databases.
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
