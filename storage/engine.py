"""Engines and sessions for SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import re

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_CHECKPOINT_PAGES = 10_000  # about 40 MB of WAL
# A host that drops packets, or answers the handshake and then nothing, fails the connection
# then, not after the TCP timeout's minutes, or never.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10


def normalize_url(url: str) -> str:
    """PostgreSQL always goes through psycopg 3, whatever driver the URL names."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


# Every claim reads each recipient's variables back from JSON: orjson does it several times faster.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **_JSON
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         connect_args=_postgres_connect_args(url), **_JSON)


def _postgres_connect_args(url: str) -> dict:
    """The URL's own `connect_timeout`, if it has one, is the operator's choice."""
    if "connect_timeout" in make_url(url).query:
        return {}
    return {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS}


def _configure_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the one writer; the busy timeout makes a second
    # writer wait instead of failing at once; SQLite leaves foreign keys off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A send rewrites each recipient's row three times within seconds (claim, result, receipt):
    # checkpointing less often writes those pages to the database once instead of three times
    # (measured with bench/dispatch.py).
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


def ping(engine: Engine) -> None:
    """Raise if the database does not answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


class DatabaseUnavailable(Exception):
    """The database cannot be opened or written. `url` is fit to print (its password masked),
    `reason` is the driver's, on one line; the command line says them in its language."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


# A password in the authority (up to its last @: an unencoded one may hold / or @) or the query.
_AUTHORITY_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*:).*@")
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)
# Without an @, "user:secret/db" (its host left out) reads as a host and a port that is no number.
_NOT_A_PORT = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/?#\[\]]*:)(?![0-9]*(?:[/?#]|$))[^/?#]*")


def printable_url(url: str) -> str:
    """`url` with its password, if any, replaced by ***."""
    url = _AUTHORITY_PASSWORD.sub(r"\1***@", url) if "@" in url else _NOT_A_PORT.sub(r"\1***", url)
    return _QUERY_PASSWORD.sub(r"\1***", url)


def check_database(url: str) -> None:
    """Open the database once (on SQLite, with a write rolled back), so that a process that
    cannot use it stops at start-up, saying why, instead of at its first query. Raises
    DatabaseUnavailable."""
    password = _AUTHORITY_PASSWORD.match(url)
    if password and password.group(0).count("@") > 1:
        # SQLAlchemy would end the password at its first @ and take the rest for the host,
        # which the driver's reason then repeats.
        raise DatabaseUnavailable(printable_url(url), "an @ in its password must be written %40")
    try:
        engine = make_engine(url)
    except ArgumentError as error:  # an unknown driver, no URL at all
        raise DatabaseUnavailable(printable_url(url), _one_line(error)) from None
    except ValueError:  # the port is no number; int()'s own message would repeat it, maybe a password
        raise DatabaseUnavailable(printable_url(url), "its port is not a number") from None
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # A read-only file opens, reads and, in WAL mode, even takes the write lock:
                # only a write (rolled back, so nothing changes) shows it cannot be written.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                connection.exec_driver_sql("CREATE TABLE main.smsbot_write_probe (x)")
                connection.exec_driver_sql("ROLLBACK")
            else:
                connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        raise DatabaseUnavailable(printable_url(url), _one_line(error.orig)) from None
    finally:
        engine.dispose()


def _one_line(error: BaseException) -> str:
    # psycopg's reasons run over several lines (a hint, one line per address tried).
    return " ".join(str(error).split())


def deadlocks(database_url: str) -> int | None:
    """Deadlocks PostgreSQL detected in the database (each a `deadlock detected` in its log);
    a backend reports its counts as it ends, so read it once the processes that wrote are
    gone. None on SQLite, which has one writer at a time."""
    engine = make_engine(database_url)
    try:
        if engine.dialect.name != "postgresql":
            return None
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).scalar_one()
    finally:
        engine.dispose()
