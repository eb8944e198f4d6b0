from sqlalchemy import inspect

from storage.engine import make_engine
from storage.migrate import current_revision, head_revision, upgrade


def test_migrations_apply_from_empty_to_head(database_url):
    assert current_revision(database_url) is None
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    engine = make_engine(database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("audit_log")}
    finally:
        engine.dispose()
    assert {"id", "at", "actor", "action", "target_type", "target_id", "detail"} <= columns


def test_upgrade_twice_is_harmless(database_url):
    upgrade(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()


def test_migrations_match_the_tables(migrated_database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import storage.tables  # noqa: F401

    engine = make_engine(migrated_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()
