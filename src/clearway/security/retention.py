"""Retention: the consignee's personal data of closed shipments goes after N days.

A shipment is closed once released, returned, seized or refused; its age is counted from its last state
change. What goes: the sealed consignee and the blind keys derived from the identity (the shipment's
consignee key and the consignee's party key). What stays: the declaration with its masked consignee,
duties, decisions and events — the legal and statistical record carries no personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, ScalarSelect, and_, delete, func, select, update

from clearway.declarations.tables import parties, shipments
from clearway.security import audit
from clearway.security.tables import personal_data

CLOSED_STATES = ("released", "returned", "seized", "refused")
PURGED_KEY = "purged"


@dataclass(frozen=True, slots=True)
class PurgeResult:
    shipments: int  # shipments whose personal data was removed
    cutoff: dt.datetime
    dry_run: bool


def _due(cutoff: dt.datetime) -> ScalarSelect[Any]:
    return (
        select(shipments.c.id)
        .where(shipments.c.state.in_(CLOSED_STATES), shipments.c.updated_at < cutoff)
        .scalar_subquery()
    )


def purge(
    conn: Connection, retention_days: int, now: dt.datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Remove the personal data of shipments closed more than retention_days ago, in three statements."""
    if retention_days < 0:
        raise ValueError("retention_days: must be 0 or more")
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - dt.timedelta(days=retention_days)
    due = _due(cutoff)
    if dry_run:
        count = conn.execute(
            select(func.count()).select_from(personal_data).where(personal_data.c.shipment_id.in_(due))
        ).scalar_one()
        return PurgeResult(int(count), cutoff, True)
    removed = conn.execute(delete(personal_data).where(personal_data.c.shipment_id.in_(due))).rowcount
    conn.execute(
        update(shipments)
        .where(shipments.c.id.in_(_due(cutoff)), shipments.c.consignee_key != PURGED_KEY)
        .values(consignee_key=PURGED_KEY)
    )
    conn.execute(
        update(parties)
        .where(and_(parties.c.role == "consignee", parties.c.shipment_id.in_(_due(cutoff))))
        .values(name_key=PURGED_KEY, tin=None)
    )
    audit.append(
        conn,
        None,
        [
            audit.Entry(
                "privacy.purge",
                None,
                {"shipments": removed, "retention_days": retention_days, "cutoff": cutoff.isoformat()},
            )
        ],
        now,
    )
    return PurgeResult(removed, cutoff, False)
