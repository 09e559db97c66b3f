"""Read models of the workflow: the officers' queue of held shipments and an agency's shipments.

The queue is ordered by priority — recognised AEOs first when `aeo_queue_priority` is on (their
release is expedited), then red, yellow, other lanes — and then by the age of the oldest open
hold. One statement each, whatever the queue length.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, exists, func, literal, or_, select

from clearway.clearance.aeo import OWN_ADMINISTRATIONS
from clearway.clearance.agencies import visible
from clearway.clearance.tables import aeo, mra_partners
from clearway.config import Settings
from clearway.declarations.tables import holds, parties, shipments
from clearway.reference.money import format_minor


def _as_utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def hold_view(h: Any) -> dict[str, Any]:
    return {
        "id": h.id,
        "kind": h.kind,
        "reason_code": h.reason_code,
        "text": h.text,
        "agency": h.agency,
        "opened_at": _as_utc(h.opened_at).isoformat(),
        "closed_at": _as_utc(h.closed_at).isoformat() if h.closed_at else None,
    }


def is_aeo(on: dt.date) -> ColumnElement[bool]:
    """SQL predicate on `shipments`: a party (other than the consignee) holds a recognised AEO status."""
    partner = select(mra_partners.c.country).where(
        mra_partners.c.since <= on, or_(mra_partners.c.until.is_(None), mra_partners.c.until >= on)
    )
    authorised = select(aeo.c.tin).where(
        aeo.c.status == "active",
        aeo.c.valid_from <= on,
        or_(aeo.c.valid_to.is_(None), aeo.c.valid_to >= on),
        or_(aeo.c.issuing_country.in_(sorted(OWN_ADMINISTRATIONS)), aeo.c.issuing_country.in_(partner)),
    )
    return exists().where(
        parties.c.shipment_id == shipments.c.id,
        parties.c.role != "consignee",
        parties.c.tin.in_(authorised),
    )


def held(conn: Connection, now: dt.datetime, settings: Settings, limit: int = 200) -> list[dict[str, Any]]:
    since = func.min(holds.c.opened_at)
    lane = case(
        (shipments.c.lane == "red", 0),
        (shipments.c.lane == "yellow", 1),
        else_=2,
    )
    aeo_flag = case((is_aeo(now.date()), 1), else_=0)
    first = (1 - aeo_flag) if settings.aeo_queue_priority else literal(0)
    columns = (
        shipments.c.id,
        shipments.c.lrn,
        shipments.c.filer,
        shipments.c.lane,
        shipments.c.irg_category,
        shipments.c.value_minor,
        shipments.c.revenue_currency,
        shipments.c.version,
    )
    rows = conn.execute(
        select(
            *columns, since.label("since"), aeo_flag.label("aeo"), func.count(holds.c.id).label("open_holds")
        )
        .join(holds, holds.c.shipment_id == shipments.c.id)
        .where(shipments.c.state == "held", holds.c.closed_at.is_(None))
        .group_by(*columns)
        .order_by(first, lane, since, shipments.c.id)
        .limit(limit)
    ).all()
    kinds: dict[Any, list[str]] = {}
    if rows:
        for sid, kind in conn.execute(
            select(holds.c.shipment_id, holds.c.kind)
            .where(holds.c.shipment_id.in_([r.id for r in rows]), holds.c.closed_at.is_(None))
            .order_by(holds.c.id)
        ):
            kinds.setdefault(sid, []).append(kind)
    return [
        {
            "id": str(r.id),
            "lrn": r.lrn,
            "filer": r.filer,
            "lane": r.lane,
            "category": r.irg_category,
            "value": format_minor(r.value_minor, r.revenue_currency),
            "currency": r.revenue_currency,
            "since": _as_utc(r.since),
            "age_hours": round((now - _as_utc(r.since)).total_seconds() / 3600, 1),
            "open_holds": r.open_holds,
            "kinds": kinds.get(r.id, []),
            "aeo": bool(r.aeo),
            "version": r.version,
        }
        for r in rows
    ]


def for_agency(conn: Connection, agency: str, limit: int = 200) -> list[dict[str, Any]]:
    """The agency's shipments, newest first, each with the agency's own open holds."""
    rows = conn.execute(
        select(
            shipments.c.id,
            shipments.c.lrn,
            shipments.c.filer,
            shipments.c.state,
            shipments.c.lane,
            shipments.c.received_at,
            shipments.c.version,
        )
        .where(visible(agency))
        .order_by(shipments.c.received_at.desc(), shipments.c.id)
        .limit(limit)
    ).all()
    own: dict[Any, list[dict[str, Any]]] = {}
    if rows:
        for h in conn.execute(
            select(holds).where(
                holds.c.shipment_id.in_([r.id for r in rows]),
                and_(holds.c.agency == agency, holds.c.closed_at.is_(None)),
            )
        ):
            own.setdefault(h.shipment_id, []).append(hold_view(h))
    return [
        {
            "id": str(r.id),
            "lrn": r.lrn,
            "filer": r.filer,
            "state": r.state,
            "lane": r.lane,
            "received_at": _as_utc(r.received_at).isoformat(),
            "version": r.version,
            "holds": own.get(r.id, []),
        }
        for r in rows
    ]
