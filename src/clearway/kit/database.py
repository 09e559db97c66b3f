"""Engines for SQLite (embedded default) and PostgreSQL, and the unit of work (one transaction
per entrypoint)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from clearway.kit.bulk import json_serializer


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a batch is being written; NORMAL is durable at each commit in WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # SQLAlchemy, not the driver, starts transactions (`_sqlite_begin`), so that a writing unit of work
    # can take the write lock up front.
    dbapi_connection.isolation_level = None


_WRITES = "clearway_writes"


def _sqlite_begin(conn: Connection) -> None:
    """A unit of work that writes starts with BEGIN IMMEDIATE: it queues for the write lock (within
    busy_timeout) instead of reading first and then failing at once with "database is locked" when
    another writer got there in between (a deferred transaction cannot wait to upgrade its lock)."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITES) else "BEGIN")


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, json_serializer=json_serializer
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=json_serializer)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """The unit of work of one entrypoint (request, page, command, stream message batch): one connection,
    one transaction, committed when the block ends normally and rolled back on any exception. Services and
    repositories take the connection and never open a transaction of their own (docs/adr/0001)."""
    with engine.connect() as conn, conn.execution_options(**{_WRITES: True}).begin():
        yield conn
