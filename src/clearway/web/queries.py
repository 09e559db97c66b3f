"""Read models of the dashboard: aggregate queries, one statement each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, case, func, select

from clearway.revenue.money import format_minor
from clearway.storage.repository import holds, shipments, tax_lines


def overview(conn: Connection, today: dt.date) -> dict[str, Any]:
    by_state: dict[str, int] = dict(
        conn.execute(select(shipments.c.state, func.count()).group_by(shipments.c.state)).all()
    )
    by_lane: dict[str, int] = dict(
        conn.execute(select(shipments.c.lane, func.count()).group_by(shipments.c.lane)).all()
    )
    start = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    revenue_rows = conn.execute(
        select(
            tax_lines.c.tax_type,
            tax_lines.c.collection,
            tax_lines.c.currency,
            func.sum(tax_lines.c.amount_minor),
        )
        .join(shipments, shipments.c.id == tax_lines.c.shipment_id)
        .where(shipments.c.received_at >= start, tax_lines.c.collection != "relieved")
        .group_by(tax_lines.c.tax_type, tax_lines.c.collection, tax_lines.c.currency)
        .order_by(tax_lines.c.tax_type, tax_lines.c.collection)
    ).all()
    revenue = [
        {"type": t, "collection": c, "currency": cur, "amount": format_minor(int(a or 0), cur)}
        for t, c, cur, a in revenue_rows
    ]
    return {
        "total": sum(by_state.values()),
        "by_state": by_state,
        "by_lane": by_lane,
        "revenue": revenue,
        "today": today.isoformat(),
    }


def held_queue(conn: Connection, limit: int = 200) -> list[dict[str, Any]]:
    """Held shipments by priority (red, yellow, then others) and age of the oldest open hold."""
    since = func.min(holds.c.opened_at)
    priority = case((shipments.c.lane == "red", 0), (shipments.c.lane == "yellow", 1), else_=2)
    rows = conn.execute(
        select(
            shipments.c.id,
            shipments.c.lrn,
            shipments.c.filer,
            shipments.c.lane,
            shipments.c.irg_category,
            shipments.c.value_minor,
            shipments.c.revenue_currency,
            since.label("since"),
            func.count(holds.c.id).label("open_holds"),
        )
        .join(holds, holds.c.shipment_id == shipments.c.id)
        .where(shipments.c.state == "held", holds.c.closed_at.is_(None))
        .group_by(
            shipments.c.id,
            shipments.c.lrn,
            shipments.c.filer,
            shipments.c.lane,
            shipments.c.irg_category,
            shipments.c.value_minor,
            shipments.c.revenue_currency,
        )
        .order_by(priority, since)
        .limit(limit)
    ).all()
    return [
        {
            "id": str(r.id),
            "lrn": r.lrn,
            "filer": r.filer,
            "lane": r.lane,
            "category": r.irg_category,
            "value": format_minor(r.value_minor, r.revenue_currency),
            "currency": r.revenue_currency,
            "since": r.since,
            "open_holds": r.open_holds,
        }
        for r in rows
    ]
