"""Recording lifecycle events: read the shipment, apply the pure transition, write it conditionally.

The update is conditional on the version read, so of two conflicting transitions at the same time
exactly one succeeds and the other raises `StaleVersion` with the state it lost to. The events, the
holds and the notifications (outbox) of a transition are written in the same transaction: a change
that rolls back leaves nothing to send.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from clearway.clearance import agencies as agency_rules
from clearway.clearance.lifecycle import (
    AnyEvent,
    Arrival,
    Current,
    HoldKind,
    LiftHold,
    NewHold,
    OpenHold,
    Outcome,
    Payment,
    PlaceHold,
    State,
    apply,
)
from clearway.clearance.outbox import shipment_messages, write_outbox
from clearway.declarations.tables import events, holds, shipments
from clearway.kit.bulk import insert_dicts
from clearway.revenue.accounts import on_account_at
from clearway.revenue.collection import post_transition


class ShipmentNotFound(LookupError):
    pass


class NotPermitted(PermissionError):
    """The caller may not do this to this shipment (e.g. an agency lifting another agency's hold)."""


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


def _secured_on_account(
    conn: Connection, shipment_id: uuid.UUID, row: Any, at: dt.datetime, arriving: bool
) -> bool:
    """Whether revenue is secured without payment at the border (an intermediary's deferred account):
    charged to the account at arrival while its credit limit allows (clearway.revenue.accounts)."""
    return row.collection_model == "intermediary" and on_account_at(conn, shipment_id, at, secure=arriving)


def _refund(conn: Connection, shipment_id: uuid.UUID, amount_minor: int, at: dt.datetime) -> None:
    """Pay back what was collected on a returned shipment. The refund event is already in the trail;
    the revenue ledger posts its entries here when present."""
    post_transition(conn, shipment_id, "return", amount_minor, at)


def _check_permitted(event: AnyEvent, current: Current, acting_agency: str | None) -> None:
    if acting_agency is None:
        return
    if isinstance(event, PlaceHold):
        if event.kind != "agency" or event.agency != acting_agency:
            raise NotPermitted(f"agency {acting_agency} may only place its own agency holds")
        return
    if isinstance(event, LiftHold):
        hold = next((h for h in current.holds if h.id == event.hold_id), None)
        if hold is not None and hold.agency != acting_agency:
            raise NotPermitted(f"hold {event.hold_id} is not a hold of agency {acting_agency}")
        return
    raise NotPermitted(f"an agency may place and lift holds, not record '{event.type}'")


def _open_holds(conn: Connection, shipment_id: uuid.UUID) -> tuple[OpenHold, ...]:
    return tuple(
        OpenHold(r.id, HoldKind(r.kind), r.agency)
        for r in conn.execute(
            select(holds.c.id, holds.c.kind, holds.c.agency)
            .where(holds.c.shipment_id == shipment_id, holds.c.closed_at.is_(None))
            .order_by(holds.c.id)
        )
    )


def _hold_rows(
    shipment_id: uuid.UUID, new: list[NewHold] | tuple[NewHold, ...], at: dt.datetime
) -> list[dict[str, Any]]:
    return [
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
    ]


def record_event(
    engine: Engine,
    shipment_id: uuid.UUID,
    event: AnyEvent,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
    acting_agency: str | None = None,
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
                shipments.c.filer,
                shipments.c.lrn,
                shipments.c.house_waybill,
            ).where(shipments.c.id == shipment_id)
        ).first()
        if row is None:
            raise ShipmentNotFound(str(shipment_id))
        if expected_version is not None and expected_version != row.version:
            raise StaleVersion(shipment_id, row.state, row.version)
        prior: list[dict[str, Any]] = []
        if isinstance(event, Arrival) and row.state == State.ASSESSED:
            # Agencies that asked to see the goods hold them from arrival: release waits for them.
            present = {h.agency for h in _open_holds(conn, shipment_id)}
            asked = [h for h in agency_rules.arrival_holds(conn, shipment_id) if h.agency not in present]
            insert_dicts(conn, holds, _hold_rows(shipment_id, asked, at))
            prior = [
                _event_row(shipment_id, "hold", None, at, h.agency or "agency", h.text, State.ASSESSED,
                           {"kind": "agency", "reason_code": h.reason_code, "agency": h.agency or ""})
                for h in asked
            ]  # fmt: skip
        open_now = _open_holds(conn, shipment_id)
        current = Current(
            state=State(row.state),
            lane=row.lane,
            due_minor=row.due_at_border_minor,
            paid_minor=row.paid_minor,
            on_account=_secured_on_account(conn, shipment_id, row, at, isinstance(event, Arrival)),
            open_holds=frozenset(h.kind for h in open_now),
            holds=open_now,
        )
        _check_permitted(event, current, acting_agency)
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
        if outcome.close_ids:
            conn.execute(
                update(holds)
                .where(holds.c.shipment_id == shipment_id, holds.c.id.in_(sorted(outcome.close_ids)))
                .values(closed_at=at)
            )
        insert_dicts(conn, holds, _hold_rows(shipment_id, outcome.open, at))
        rows = prior + [
            _event_row(shipment_id, type_, wco_id, at, event.actor, event.reason, state, outcome.data)
            for type_, wco_id, state in outcome.events
        ]
        insert_dicts(conn, events, rows)
        write_outbox(conn, shipment_messages(shipment_id, row.filer, row.lrn, row.house_waybill, rows), now)
        if outcome.refund_minor or event.type == "return":  # on account: nothing paid, charge reversed
            _refund(conn, shipment_id, outcome.refund_minor, at)
        if isinstance(event, Payment):
            post_transition(conn, shipment_id, "payment", event.amount_minor, at)
    return outcome.state


def _event_row(
    shipment_id: uuid.UUID,
    type_: str,
    wco_id: str | None,
    at: dt.datetime,
    actor: str,
    reason: str | None,
    state: State,
    data: dict[str, str],
) -> dict[str, Any]:
    return {
        "shipment_id": shipment_id,
        "type": type_,
        "wco_id": wco_id,
        "at": at,
        "actor": actor,
        "reason": reason,
        "state_after": state.value,
        "data": data,
    }
