"""The audit log: who did or read what, when — appended in bulk, never updated.

Decisions on shipments are also in `decisions` and `events` (with their actor); the audit log adds the
reads of personal data, the decisions taken through the API with the key that took them, key
management and retention purges, in one place an auditor can read from start to end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from clearway.kit.bulk import insert_rows
from clearway.security.roles import Principal
from clearway.security.tables import audit_log

SYSTEM = "system"


_COLUMNS = ("at", "actor", "role", "action", "subject", "detail")


@dataclass(frozen=True, slots=True)
class Entry:
    action: str  # e.g. personal_data.read, shipment.event, key.create, privacy.purge, pipeline.assess
    subject: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def append(
    conn: Connection, principal: Principal | None, entries: Sequence[Entry], at: dt.datetime | None = None
) -> None:
    """All entries in one bulk statement; `principal` None is the system (pipeline, scheduled purge)."""
    at = at or dt.datetime.now(dt.UTC)
    actor = principal.actor[:120] if principal else SYSTEM
    role = str(principal.role) if principal else None
    insert_rows(
        conn, audit_log, _COLUMNS, [(at, actor, role, e.action, e.subject, e.detail) for e in entries]
    )


def read(conn: Connection, limit: int = 100, subject: str | None = None) -> list[dict[str, Any]]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    return [
        {
            "at": (r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.UTC)).isoformat(),
            "actor": r.actor,
            "role": r.role,
            "action": r.action,
            "subject": r.subject,
            "detail": r.detail,
        }
        for r in conn.execute(query)
    ]
