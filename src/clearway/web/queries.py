"""Read models of the dashboard: aggregate queries, one statement each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select

from clearway.declarations.tables import shipments, tax_lines
from clearway.reference.money import format_minor


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
