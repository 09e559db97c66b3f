"""Queries of the clearance workflow on the shipment record: the state a transition reads, its conditional
update, holds opened and closed. Events are written through `declarations.repository.insert_events`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, func, select, update

from clearway.clearance.lifecycle import NewHold, OpenHold
from clearway.declarations.tables import events, holds, shipments
from clearway.declarations.vocabulary import HoldKind
from clearway.kit.bulk import insert_dicts

# Event types that mark a Time Release Study milestone, and the shipment column keeping its first time.
MILESTONES = {
    "arrival": "arrived_at",
    "inspection_result": "inspected_at",
    "payment": "paid_at",
    "released": "released_at",
}


def shipment_for_transition(conn: Connection, shipment_id: uuid.UUID) -> Any:
    return conn.execute(
        select(
            shipments.c.state,
            shipments.c.lane,
            shipments.c.version,
            shipments.c.due_at_border_minor,
            shipments.c.paid_minor,
            shipments.c.collection_model,
            shipments.c.filer,
            shipments.c.lrn,
            shipments.c.house_waybill,
            shipments.c.lodged_at,
        ).where(shipments.c.id == shipment_id)
    ).first()


def state_and_version(conn: Connection, shipment_id: uuid.UUID) -> Any:
    return conn.execute(
        select(shipments.c.state, shipments.c.version).where(shipments.c.id == shipment_id)
    ).first()


def open_holds(conn: Connection, shipment_id: uuid.UUID) -> tuple[OpenHold, ...]:
    return tuple(
        OpenHold(r.id, HoldKind(r.kind), r.agency)
        for r in conn.execute(
            select(holds.c.id, holds.c.kind, holds.c.agency)
            .where(holds.c.shipment_id == shipment_id, holds.c.closed_at.is_(None))
            .order_by(holds.c.id)
        )
    )


def all_holds(conn: Connection, shipment_id: uuid.UUID) -> list[Any]:
    return list(conn.execute(select(holds).where(holds.c.shipment_id == shipment_id).order_by(holds.c.id)))


def advance(
    conn: Connection,
    shipment_id: uuid.UUID,
    from_version: int,
    *,
    state: str,
    paid_minor: int,
    now: dt.datetime,
    milestones: Collection[str],
    at: dt.datetime,
) -> bool:
    """The conditional update of a transition: applied only if the shipment is still at `from_version`.
    Milestone columns keep their first time."""
    first_times = {MILESTONES[t]: func.coalesce(shipments.c[MILESTONES[t]], at) for t in milestones}
    changed = conn.execute(
        update(shipments)
        .where(shipments.c.id == shipment_id, shipments.c.version == from_version)
        .values(state=state, version=from_version + 1, paid_minor=paid_minor, updated_at=now, **first_times)
    ).rowcount
    return changed == 1


def close_holds(
    conn: Connection,
    shipment_id: uuid.UUID,
    kinds: Collection[HoldKind],
    ids: Collection[int],
    at: dt.datetime,
) -> None:
    if kinds:
        conn.execute(
            update(holds)
            .where(
                holds.c.shipment_id == shipment_id,
                holds.c.closed_at.is_(None),
                holds.c.kind.in_(sorted(k.value for k in kinds)),
            )
            .values(closed_at=at)
        )
    if ids:
        conn.execute(
            update(holds)
            .where(holds.c.shipment_id == shipment_id, holds.c.id.in_(sorted(ids)))
            .values(closed_at=at)
        )


def open_new_holds(conn: Connection, shipment_id: uuid.UUID, new: Sequence[NewHold], at: dt.datetime) -> None:
    insert_dicts(
        conn,
        holds,
        [
            {
                "shipment_id": shipment_id,
                "kind": h.kind.value,
                "reason_code": h.reason_code,
                "text": h.text,
                "opened_at": at,
                "closed_at": None,
                "agency": h.agency,
            }
            for h in new
        ],
    )


def payment_references(conn: Connection, shipment_id: uuid.UUID) -> set[str]:
    """The references of the payments recorded on a shipment (a handful at most)."""
    rows = conn.execute(
        select(events.c.data).where(events.c.shipment_id == shipment_id, events.c.type == "payment")
    )
    return {str(d["reference"]) for (d,) in rows if isinstance(d, dict) and d.get("reference")}
