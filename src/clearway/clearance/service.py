"""Recording lifecycle events: read the shipment, apply the pure transition, write it conditionally.

The update is conditional on the version read, so of two conflicting transitions at the same time
exactly one succeeds and the other raises `StaleVersion` with the state it lost to.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select, update

from clearway.clearance.lifecycle import (
    Arrival,
    Current,
    HoldKind,
    InspectionResult,
    Outcome,
    Payment,
    Return,
    State,
    apply,
)
from clearway.storage.bulk import insert_dicts
from clearway.storage.repository import events, holds, shipments


class ShipmentNotFound(LookupError):
    pass


@dataclass
class StaleVersion(Exception):
    shipment_id: uuid.UUID
    state: str
    version: int


# Event types that mark a Time Release Study milestone, and the shipment column keeping its first time.
MILESTONES = {
    "arrival": "arrived_at",
    "inspection_result": "inspected_at",
    "payment": "paid_at",
    "released": "released_at",
}


def _milestones(outcome: Outcome, at: dt.datetime) -> dict[str, Any]:
    return {
        MILESTONES[type_]: func.coalesce(shipments.c[MILESTONES[type_]], at)
        for type_, _, _ in outcome.events
        if type_ in MILESTONES
    }


def record_event(
    engine: Engine,
    shipment_id: uuid.UUID,
    event: Arrival | InspectionResult | Payment | Return,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> State:
    now = now or dt.datetime.now(dt.UTC)
    at = event.at or now
    with engine.begin() as conn:
        row = conn.execute(
            select(
                shipments.c.state,
                shipments.c.lane,
                shipments.c.version,
                shipments.c.due_at_border_minor,
                shipments.c.paid_minor,
                shipments.c.collection_model,
            ).where(shipments.c.id == shipment_id)
        ).first()
        if row is None:
            raise ShipmentNotFound(str(shipment_id))
        if expected_version is not None and expected_version != row.version:
            raise StaleVersion(shipment_id, row.state, row.version)
        open_holds = frozenset(
            HoldKind(k)
            for (k,) in conn.execute(
                select(holds.c.kind).where(holds.c.shipment_id == shipment_id, holds.c.closed_at.is_(None))
            )
        )
        current = Current(
            state=State(row.state),
            lane=row.lane,
            due_minor=row.due_at_border_minor,
            paid_minor=row.paid_minor,
            on_account=row.collection_model == "intermediary",
            open_holds=open_holds,
        )
        outcome = apply(current, event)
        changed = conn.execute(
            update(shipments)
            .where(shipments.c.id == shipment_id, shipments.c.version == row.version)
            .values(
                state=outcome.state.value,
                version=row.version + 1,
                paid_minor=row.paid_minor + outcome.paid_minor,
                updated_at=now,
                **_milestones(outcome, at),
            )
        ).rowcount
        if changed != 1:
            fresh = conn.execute(
                select(shipments.c.state, shipments.c.version).where(shipments.c.id == shipment_id)
            ).one()
            raise StaleVersion(shipment_id, fresh.state, fresh.version)
        if outcome.close:
            conn.execute(
                update(holds)
                .where(
                    holds.c.shipment_id == shipment_id,
                    holds.c.closed_at.is_(None),
                    holds.c.kind.in_([k.value for k in outcome.close]),
                )
                .values(closed_at=at)
            )
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
                }
                for h in outcome.open
            ],
        )
        insert_dicts(
            conn,
            events,
            [
                {
                    "shipment_id": shipment_id,
                    "type": type_,
                    "wco_id": wco_id,
                    "at": at,
                    "actor": event.actor,
                    "reason": event.reason,
                    "state_after": state.value,
                    "data": outcome.data,
                }
                for type_, wco_id, state in outcome.events
            ],
        )
    return outcome.state
