"""Use cases of the measurement feature on the entrypoint's connection."""

from __future__ import annotations

from sqlalchemy import Connection

from clearway.measurement.scope import Scope
from clearway.measurement.sources import Tables, from_database


def tables_for(conn: Connection, scope: Scope | None = None) -> Tables:
    """The measured tables, read for the scope's period only when one is given."""
    if scope is None:
        return from_database(conn)
    return from_database(conn, scope.date_from, scope.date_to)
