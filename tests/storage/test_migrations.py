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


def test_0010_moves_who_ended_a_task_out_of_its_reason(migrated_database_url):
    """Tasks canceled or stopped before 0010 kept Slack markup in their reason."""
    from alembic import command
    from sqlmodel import Session, select

    from storage.migrate import alembic_config
    from storage.tables import RecipientList, Signature, Task, Template

    engine = make_engine(migrated_database_url)
    try:
        with Session(engine) as session:
            recipients = RecipientList(created_by="U1", channel_id="C1", source="file", variables=[])
            signature = Signature(name="Acme", name_key="acme", status="approved", created_by="U1")
            template = Template(name="T", name_key="t", kind="text", purpose="notification", body="Hi",
                                status="approved", created_by="U1")
            session.add_all([recipients, signature, template])
            session.flush()
            for status, reason in (("canceled", "stopped by <@W0GRID001>"), ("rejected", "not <@U1>, as typed")):
                session.add(Task(name=status, status=status, purpose="notification", kind="text", reason=reason,
                                 signature_id=signature.id, template_id=template.id,
                                 recipient_list_id=recipients.id, created_by="U1", origin_channel="C1"))
            session.commit()
        command.stamp(alembic_config(migrated_database_url), "0009")
        command.upgrade(alembic_config(migrated_database_url), "0010")
        with Session(engine) as session:
            tasks = {t.name: (t.decided_by, t.reason) for t in session.exec(select(Task))}
    finally:
        engine.dispose()
    assert tasks["canceled"] == ("W0GRID001", None)
    assert tasks["rejected"] == (None, "not <@U1>, as typed")  # a person's own words stay as written


def test_0011_makes_a_task_sent_with_a_promotional_template_promotional(migrated_database_url):
    """Before 0011 the send modal let a promotional template go out as a notification."""
    from alembic import command
    from sqlmodel import Session, select

    from storage.migrate import alembic_config
    from storage.tables import RecipientList, Signature, Task, Template

    engine = make_engine(migrated_database_url)
    try:
        with Session(engine) as session:
            recipients = RecipientList(created_by="U1", channel_id="C1", source="file", variables=[])
            signature = Signature(name="Acme", name_key="acme", status="approved", created_by="U1")
            templates = {purpose: Template(name=purpose, name_key=purpose, kind="text", purpose=purpose, body="Hi",
                                           status="approved", created_by="U1")
                         for purpose in ("notification", "promotional")}
            session.add_all([recipients, signature, *templates.values()])
            session.flush()
            for name, template in (("coupon as notice", "promotional"), ("receipt", "notification")):
                session.add(Task(name=name, status="scheduled", purpose="notification", kind="text",
                                 signature_id=signature.id, template_id=templates[template].id,
                                 recipient_list_id=recipients.id, created_by="U1", origin_channel="C1"))
            session.commit()
        command.stamp(alembic_config(migrated_database_url), "0010")
        command.upgrade(alembic_config(migrated_database_url), "0011")
        with Session(engine) as session:
            purposes = {t.name: t.purpose for t in session.exec(select(Task))}
    finally:
        engine.dispose()
    assert purposes == {"coupon as notice": "promotional", "receipt": "notification"}


def test_0013_leaves_templates_made_before_free_to_go_with_any_signature(database_url):
    """A template's signatures came with 0013: the ones made before name none, so any is allowed."""
    from alembic import command
    from sqlalchemy import text
    from sqlmodel import Session

    from storage.migrate import alembic_config
    from storage.tables import Template

    upgrade(database_url, "0012")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO template (name, name_key, kind, purpose, body, media_urls, buttons, status, created_by,"
                " created_at) VALUES ('Old', 'old', 'text', 'notification', 'Hi', '[]', '[]', 'approved', 'U1',"
                " CURRENT_TIMESTAMP)"))
        upgrade(database_url)
        with Session(engine) as session:
            old = session.get(Template, 1)
            assert old.signature_ids == []
            old.signature_ids = [3, 1]
            session.commit()
        with Session(engine) as session:
            assert session.get(Template, 1).signature_ids == [3, 1]
        command.downgrade(alembic_config(database_url), "0012")
        columns = {c["name"] for c in inspect(engine).get_columns("template")}
    finally:
        engine.dispose()
    assert "signature_ids" not in columns and "provider_code" in columns
