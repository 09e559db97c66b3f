"""Reads of shipments as stored, by whole batches: a fixed number of statements per batch."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select

from clearway.declarations import trail
from clearway.declarations.tables import decisions, events, holds, shipments, tax_lines
from clearway.kit.bulk import insert_rows
from clearway.reference.money import format_minor

# Placeholders per statement stay far below SQLite's limit of 32,766 host parameters.
_CHUNK = 4000
T = TypeVar("T")


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def existing_keys(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[uuid.UUID, str]]:
    """Stored (id, content hash) per (filer, LRN). A batch has few filers, so filter by filer and LRN
    lists (served by the unique index) and keep exact pairs here; row-value IN lists plan badly."""
    wanted = set(keys)
    found: dict[tuple[str, str], tuple[uuid.UUID, str]] = {}
    filers = sorted({f for f, _ in wanted})
    for chunk in _chunks(sorted({lrn for _, lrn in wanted})):
        rows = conn.execute(
            select(shipments.c.filer, shipments.c.lrn, shipments.c.id, shipments.c.content_hash).where(
                shipments.c.filer.in_(filers), shipments.c.lrn.in_(chunk)
            )
        )
        for filer, lrn, shipment_id, content_hash in rows:
            if (filer, lrn) in wanted:
                found[(filer, lrn)] = (shipment_id, content_hash)
    return found


def consignee_totals(
    conn: Connection, keys: Collection[str], since: dt.datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Value (minor units of the jurisdiction currency) and count of consignments per consignee since."""
    values: dict[str, int] = {}
    counts: dict[str, int] = {}
    for chunk in _chunks(sorted(keys)):
        rows = conn.execute(
            select(shipments.c.consignee_key, func.sum(shipments.c.value_minor), func.count())
            .where(shipments.c.consignee_key.in_(chunk), shipments.c.lodged_at >= since)
            .group_by(shipments.c.consignee_key)
        )
        for key, total, count in rows:
            values[key], counts[key] = int(total), int(count)
    return values, counts


# The trail ---------------------------------------------------------------------------------------

EVENT_COLUMNS = (
    "shipment_id", "type", "wco_id", "at", "actor", "reason", "state_after", "data", "stated_at", "stated_by",
    "chain",
)  # fmt: skip
# Who records what the service decides on its own (assessment, automatic release, arrival holds of agencies).
SYSTEM_ACTOR = "system"


def event_row(
    shipment_id: uuid.UUID,
    type_: str,
    wco_id: str | None,
    at: dt.datetime,
    actor: str,
    state_after: str,
    data: Any,
    *,
    reason: str | None = None,
    stated_at: dt.datetime | None = None,
    stated_by: str | None = None,
) -> dict[str, Any]:
    """The one builder of `events` rows. `actor` is the authenticated principal (or the system); a time or
    a name the caller stated is kept apart in `stated_at` / `stated_by`, never in place of them."""
    return {
        "shipment_id": shipment_id,
        "type": type_,
        "wco_id": wco_id,
        "at": at,
        "actor": actor[:70],
        "reason": reason,
        "state_after": state_after,
        "data": data,
        "stated_at": stated_at,
        "stated_by": stated_by[:70] if stated_by else None,
    }


def insert_events(conn: Connection, rows: Sequence[dict[str, Any]], *, new_shipments: bool = False) -> None:
    """Append events, each linked to the previous event of its shipment (`declarations.trail`).
    `new_shipments`: the shipments have no stored event yet (the intake's batch), so nothing is read."""
    last = {} if new_shipments else last_chains(conn, {r["shipment_id"] for r in rows})
    out = []
    for r in rows:
        chained = trail.link(last.get(r["shipment_id"], trail.GENESIS), r)
        last[r["shipment_id"]] = chained
        out.append(tuple(chained if c == "chain" else r[c] for c in EVENT_COLUMNS))
    insert_rows(conn, events, EVENT_COLUMNS, out)


def last_chains(conn: Connection, shipment_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The chain of each shipment's latest event."""
    if not shipment_ids:
        return {}
    latest = (
        select(func.max(events.c.id))
        .where(events.c.shipment_id.in_(sorted(shipment_ids)))
        .group_by(events.c.shipment_id)
    )
    rows = conn.execute(select(events.c.shipment_id, events.c.chain).where(events.c.id.in_(latest)))
    return {sid: chain or trail.GENESIS for sid, chain in rows}


def verify_trail(conn: Connection) -> tuple[int, str | None]:
    """(events checked, the first broken link or None). Events stored before chaining existed
    (migration 0011) have no chain and start their shipment's chain afresh."""
    columns = [events.c[c] for c in ("id", *EVENT_COLUMNS)]
    query = select(*columns).order_by(events.c.shipment_id, events.c.id)
    previous: dict[uuid.UUID, str] = {}
    checked = 0
    for row in conn.execution_options(yield_per=5000).execute(query).mappings():
        checked += 1
        if row["chain"] is None:
            continue
        expected = trail.link(previous.get(row["shipment_id"], trail.GENESIS), dict(row))
        if expected != row["chain"]:
            where = f"event {row['id']} of shipment {row['shipment_id']} ({row['type']})"
            return checked, f"{where} does not match its chain"
        previous[row["shipment_id"]] = row["chain"]
    return checked, None


# Views -------------------------------------------------------------------------------------------


def _revenue_view(currency: str, due: int, lines: Sequence[Any]) -> dict[str, Any]:
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        if line.collection != "relieved":
            totals[str(line.tax_type)] += line.amount_minor
    return {
        "currency": currency,
        "due_at_border": format_minor(due, currency),
        "totals": {k: format_minor(v, currency) for k, v in sorted(totals.items())},
        "lines": [
            {
                "item": line.item_seq,
                "type": str(line.tax_type),
                "base": format_minor(line.base_minor, currency),
                "rate": str(Decimal(line.rate).normalize()),
                "amount": format_minor(line.amount_minor, currency),
                "collection": str(line.collection),
                "legal_basis": line.legal_basis,
                "note": line.note,
            }
            for line in lines
        ],
    }


def summary_view(
    shipment_id: uuid.UUID,
    state: str,
    lane: str,
    irg_category: int,
    decision: Any,
    revenue_currency: str,
    due_minor: int,
    lines: Sequence[Any],
) -> dict[str, Any]:
    """The result of one shipment as the API returns it; `decision` and `lines` are rows or domain objects."""
    return {
        "id": str(shipment_id),
        "state": state,
        "lane": lane,
        "irg_category": irg_category,
        "score": decision.score if decision else None,
        "reasons": decision.reasons if decision else [],
        "control_sample": decision.control_sample if decision else False,
        "rule_set_version": decision.rule_set_version if decision else None,
        "revenue": _revenue_view(revenue_currency, due_minor, lines),
    }


def summaries(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """Result view of stored shipments: three queries per chunk of ids."""
    out: dict[uuid.UUID, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        ship = conn.execute(
            select(
                shipments.c.id,
                shipments.c.state,
                shipments.c.lane,
                shipments.c.irg_category,
                shipments.c.revenue_currency,
                shipments.c.due_at_border_minor,
            ).where(shipments.c.id.in_(chunk))
        ).all()
        latest: dict[uuid.UUID, Any] = {}
        for r in conn.execute(
            select(decisions).where(decisions.c.shipment_id.in_(chunk)).order_by(decisions.c.id)
        ):
            latest[r.shipment_id] = r
        lines: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for r in conn.execute(
            select(tax_lines).where(tax_lines.c.shipment_id.in_(chunk)).order_by(tax_lines.c.id)
        ):
            lines[r.shipment_id].append(r)
        for s in ship:
            out[s.id] = summary_view(
                s.id,
                s.state,
                s.lane,
                s.irg_category,
                latest.get(s.id),
                s.revenue_currency,
                s.due_at_border_minor,
                lines[s.id],
            )
    return out


def _as_utc(value: dt.datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def shipment_detail(conn: Connection, shipment_id: uuid.UUID) -> dict[str, Any] | None:
    s = conn.execute(select(shipments).where(shipments.c.id == shipment_id)).first()
    if s is None:
        return None
    detail = summaries(conn, [shipment_id])[shipment_id]
    detail.update(
        {
            "filer": s.filer,
            "lrn": s.lrn,
            "version": s.version,
            "house_waybill": s.house_waybill,
            "paid": format_minor(s.paid_minor, s.revenue_currency),
            "lodged_at": _as_utc(s.lodged_at),
            "warnings": s.warnings,
            "declaration": s.declaration,
            "holds": [
                {
                    "kind": h.kind,
                    "reason_code": h.reason_code,
                    "text": h.text,
                    "opened_at": _as_utc(h.opened_at),
                    "closed_at": _as_utc(h.closed_at) if h.closed_at else None,
                }
                for h in conn.execute(
                    select(holds).where(holds.c.shipment_id == shipment_id).order_by(holds.c.id)
                )
            ],
            "events": [
                {
                    "type": e.type,
                    "wco_id": e.wco_id,
                    "at": _as_utc(e.at),
                    "actor": e.actor,
                    "reason": e.reason,
                    "state_after": e.state_after,
                    "data": e.data,
                }
                for e in conn.execute(
                    select(events).where(events.c.shipment_id == shipment_id).order_by(events.c.id)
                )
            ],
        }
    )
    return detail
