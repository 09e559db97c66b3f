"""Bulk inserts: COPY on PostgreSQL, executemany on SQLite. No per-row round trips either way."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert


class RawJson(str):
    """A JSON document already serialised (e.g. by pydantic), written as is instead of encoded again."""


def _json_default(value: Any) -> str:
    return str(value)


def _sqlite_value(value: Any) -> Any:
    # SQLAlchemy's JSON type encodes what it is given, so hand it the document, not its text.
    return json.loads(value) if isinstance(value, RawJson) else value


def _pg_json(value: Any) -> str:
    return value if isinstance(value, RawJson) else json.dumps(value, default=_json_default)


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    if conn.dialect.name != "postgresql":
        if json_columns:
            rows = [{k: _sqlite_value(v) if k in json_columns else v for k, v in row.items()} for row in rows]
        conn.execute(insert(table), list(rows))
        return
    names = ", ".join(f'"{c}"' for c in columns)
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    with dbapi.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c], default=_json_default) if c in json_columns else row[c] for c in columns]
            )
