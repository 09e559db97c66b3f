"""Bulk inserts: COPY on PostgreSQL, executemany on SQLite. No per-row round trips either way."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy.exc import IntegrityError


class RawJson(str):
    """A JSON document already serialised (e.g. by pydantic), written as is instead of encoded again."""


def _json_default(value: Any) -> str:
    return str(value)


def json_serializer(value: Any) -> str:
    """The engines' JSON encoder (`database.make_engine`): `RawJson` is a document already and is
    written as it is, on SQLite as on PostgreSQL; anything else is encoded as SQLAlchemy would."""
    return value if isinstance(value, RawJson) else json.dumps(value)


def _pg_json(value: Any) -> str:
    return value if isinstance(value, RawJson) else json.dumps(value, default=_json_default)


def _with_json_text(row: Sequence[Any], json_at: Sequence[int]) -> Sequence[Any]:
    if all(isinstance(row[i], str) for i in json_at):
        return row
    out = list(row)
    for i in json_at:
        out[i] = _pg_json(out[i])
    return out


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows given as tuples in `columns` order. JSON values may be `RawJson` text or objects."""
    rows = list(rows)
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    names = ", ".join(f'"{c}"' for c in columns)
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    try:
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(_with_json_text(row, json_at) if json_at else row)
    except psycopg.errors.IntegrityError as exc:
        # COPY runs on the driver's cursor, below SQLAlchemy: raise what SQLAlchemy raises for a
        # constraint, so that callers (the intake's duplicate retry) handle both paths alike.
        raise IntegrityError(statement, None, exc) from exc


def insert_dicts(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Convenience for small inserts: rows as dicts with the same keys."""
    if rows:
        columns = list(rows[0])
        insert_rows(conn, table, columns, [[row[c] for c in columns] for row in rows])
