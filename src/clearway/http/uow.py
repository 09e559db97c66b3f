"""The request's unit of work: one transaction for the change a request makes and its audit entry.

Every API route and page that reads or writes opens `unit_of_work(request)` once and passes the
connection to the services. For a write (POST, PUT, PATCH, DELETE) by an authenticated caller, the audit
entry of the change (who, which route, on what) is written in the same transaction just before it
commits: a change is never stored without its audit entry, and a refused one (any exception) leaves
neither. Authentication itself reads the caller's key in a short read of its own before the route runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy import Connection

from clearway.kit.database import transaction
from clearway.security import audit

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def change_entry(request: Request) -> audit.Entry | None:
    """The audit entry of a write request by an authenticated caller; None for reads and anonymous calls."""
    principal = getattr(request.state, "principal", None)
    if principal is None or request.method in _SAFE_METHODS:
        return None
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    params = request.scope.get("path_params") or {}
    subject = str(next(iter(params.values())))[:64] if params else None
    return audit.Entry("api.change", subject, {"method": request.method, "route": path})


def record_change(conn: Connection, request: Request) -> None:
    """Write the request's audit entry on `conn` (inside the request's transaction)."""
    entry = change_entry(request)
    if entry is not None:
        audit.append(conn, request.state.principal, [entry])


@contextmanager
def unit_of_work(request: Request) -> Iterator[Connection]:
    with transaction(request.app.state.engine) as conn:
        yield conn
        record_change(conn, request)
