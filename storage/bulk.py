"""Bulk UPDATEs of many rows, each with its own values, as fast as each database allows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, BindParameter, Connection, Text, Update, func, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.visitors import replacement_traverse


def executemany(connection: Connection, statement: Update, rows: list[dict[str, Any]]) -> int:
    """`statement` for each row (its per-row values named by the rows' keys); returns the
    rows changed. Measured with bench/dispatch.py: on SQLite, SQLAlchemy's conversion of every
    parameter of every row cost more than SQLite's own work, so the values bound once are
    converted once and the rows' plain ids and strings go straight to the driver; on
    PostgreSQL, one UPDATE a row kept the server busiest, so all rows go in one statement."""
    if connection.dialect.name == "postgresql":
        return update_from_arrays(connection, statement, rows)
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    once = {}
    for name, value in compiled.params.items():
        if name not in rows[0]:
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            once[name] = processor(value) if processor is not None and value is not None else value
    if dialect.positional:
        order = compiled.positiontup
        parameters = [tuple(row[name] if name in row else once[name] for name in order) for row in rows]
    else:
        parameters = [once | row for row in rows]
    return max(connection.exec_driver_sql(compiled.string, parameters).rowcount, 0)


def update_from_arrays(connection: Connection, statement: Update, rows: list[dict[str, Any]]) -> int:
    """UPDATE ... FROM unnest(array, array, ...): each per-row parameter becomes a column of
    the unnested arrays, zipped row by row."""
    keys = list(rows[0])
    arrays = [literal([row[key] for row in rows], ARRAY(element_type(row[key] for row in rows))) for key in keys]
    values = func.unnest(*arrays).table_valued(*keys).render_derived()

    def per_row_column(element, **_kw):
        if isinstance(element, BindParameter) and element.key in values.c:
            return values.c[element.key]
        return None

    return max(connection.execute(replacement_traverse(statement, {}, per_row_column)).rowcount, 0)


def element_type(values: Iterable[Any]):
    return BigInteger() if any(isinstance(value, int) for value in values) else Text()
