"""Backtest: what would this rule have hit over the shipments stored for a date range?

The stored declarations are turned into the same batch frame the pipeline evaluates (risk/language),
with the indicators recomputed from history: goods indicators from the items, split counts and totals
per consignee over a trailing window ``(t - window, t]``, the watch-list hit from the decision stored
at the time. The consignee's name, TIN and postcode are sealed at rest (only the country stays in
clear), so conditions on them never hit in a backtest.

Control outcomes come from inspection-result events: a shipment with any non-compliant result counts
as non-compliant, one with only compliant results as compliant.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, select

from clearway.declarations import tables
from clearway.declarations.model import Shipment
from clearway.risk.errors import EmptyRange
from clearway.risk.language.fields import GOODS
from clearway.risk.language.record import shipment_fields
from clearway.risk.rules import RiskItem, goods_indicators
from clearway.risk.ruleset import CompiledRuleSet


@dataclass(frozen=True, slots=True)
class BacktestResult:
    date_from: str
    date_to: str
    rule_set: str  # what was tested: the rule id or the condition
    shipments: int
    hits: int
    share_of_traffic: float  # hits / shipments
    controlled: int  # shipments with a recorded control result
    non_compliant: int
    hits_controlled: int
    hits_non_compliant: int
    hits_compliant: int
    hit_rate: float | None  # hits_non_compliant / hits_controlled
    baseline_hit_rate: float | None  # non_compliant / controlled over all traffic
    lift: float | None  # hit_rate / baseline_hit_rate

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 6) if b else None


def summarise(
    hits: list[bool], outcomes: list[str | None], date_from: dt.date, date_to: dt.date, what: str
) -> BacktestResult:
    """The numbers, from one hit flag and one outcome (None, compliant, non_compliant) per shipment."""
    n = len(hits)
    n_hits = sum(hits)
    controlled = sum(o is not None for o in outcomes)
    bad = sum(o == "non_compliant" for o in outcomes)
    h_controlled = sum(h and o is not None for h, o in zip(hits, outcomes, strict=True))
    h_bad = sum(h and o == "non_compliant" for h, o in zip(hits, outcomes, strict=True))
    hit_rate, baseline = _ratio(h_bad, h_controlled), _ratio(bad, controlled)
    return BacktestResult(
        date_from.isoformat(),
        date_to.isoformat(),
        what,
        n,
        n_hits,
        round(n_hits / n, 6) if n else 0.0,
        controlled,
        bad,
        h_controlled,
        h_bad,
        h_controlled - h_bad,
        hit_rate,
        baseline,
        round(hit_rate / baseline, 4) if hit_rate is not None and baseline else None,
    )


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(date_from, dt.time(), dt.UTC)
    return start, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), dt.UTC)


def load(
    conn: Connection, date_from: dt.date, date_to: dt.date, split_window_hours: int = 72
) -> tuple[pl.DataFrame, list[str | None]]:
    """The batch frame of the shipments lodged from ``date_from`` to ``date_to`` (inclusive, UTC days)
    and their control outcomes, in one pass of a few queries."""
    if date_to < date_from:
        raise ValueError(f"to: {date_to} is before from: {date_from}")
    start, end = _bounds(date_from, date_to)
    s, d, e = tables.shipments, tables.decisions, tables.events
    window = dt.timedelta(hours=split_window_hours)
    rows = conn.execute(
        select(s.c.id, s.c.jurisdiction, s.c.irg_category, s.c.lodged_at, s.c.consignee_key, s.c.declaration)
        .where(s.c.lodged_at >= start - window, s.c.lodged_at < end)
        .order_by(s.c.lodged_at, s.c.id)
    ).all()
    in_range = [start <= _utc(r.lodged_at) < end for r in rows]
    if not any(in_range):
        raise EmptyRange(f"no shipment lodged from {date_from} to {date_to}")
    watch: set[uuid.UUID] = set()
    for shipment_id, reasons in conn.execute(
        select(d.c.shipment_id, d.c.reasons)
        .join(s, s.c.id == d.c.shipment_id)
        .where(s.c.lodged_at >= start, s.c.lodged_at < end)
    ):
        if any(r.get("rule") == "R-WATCHLIST" for r in _json(reasons)):
            watch.add(shipment_id)
    outcome: dict[uuid.UUID, str] = {}
    for shipment_id, data in conn.execute(
        select(e.c.shipment_id, e.c.data)
        .join(s, s.c.id == e.c.shipment_id)
        .where(and_(e.c.type == "inspection_result", s.c.lodged_at >= start, s.c.lodged_at < end))
    ):
        result = _json(data).get("result")
        if result == "non_compliant" or (result == "compliant" and shipment_id not in outcome):
            outcome[shipment_id] = result

    records: list[dict[str, Any]] = []
    for r in rows:
        shipment = Shipment.model_validate(_json(r.declaration))
        lodged = _utc(r.lodged_at)
        fields = shipment_fields(
            shipment, jurisdiction=r.jurisdiction, irg_category=r.irg_category, lodged_at=lodged
        )
        items = [
            RiskItem(g["hs_code"], g["description"], Decimal(g["unit_value_eur"])) for g in fields[GOODS]
        ]
        fields.update(goods_indicators(items))
        fields["indicator.watchlist_hit"] = r.id in watch
        fields["_key"], fields["_at"], fields["_id"] = r.consignee_key, lodged, r.id
        records.append(fields)
    by_key = (
        pl.DataFrame(
            {
                "_key": [x["_key"] for x in records],
                "_at": [x["_at"] for x in records],
                "v": [float(x["consignment.total_value_eur"]) for x in records],
            },
            schema={"_key": pl.String, "_at": pl.Datetime("us", "UTC"), "v": pl.Float64},
        )
        .with_row_index("_i")
        .sort("_key", "_at")
    )
    # rolling() answers one row per input row, in the (sorted) input's order.
    window_stats = by_key.rolling(index_column="_at", period=f"{split_window_hours}h", group_by="_key").agg(
        pl.len().alias("n"), pl.col("v").sum().alias("total")
    )
    split = by_key.with_columns(window_stats["n"], window_stats["total"]).sort("_i")
    counts, totals = split["n"].to_list(), split["total"].to_list()
    kept: list[dict[str, Any]] = []
    for k, (x, flag) in enumerate(zip(records, in_range, strict=True)):
        if flag:
            x["indicator.split_count"], x["indicator.split_total_eur"] = counts[k], totals[k]
            kept.append(x)
    from clearway.risk.language import build_frame

    return build_frame(kept), [outcome.get(x["_id"]) for x in kept]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def backtest(
    conn: Connection,
    rules: CompiledRuleSet,
    date_from: dt.date,
    date_to: dt.date,
    split_window_hours: int = 72,
    label: str | None = None,
) -> BacktestResult:
    """Hits of any rule of ``rules`` (one rule in practice) against the recorded outcomes."""
    frame, outcomes = load(conn, date_from, date_to, split_window_hours)
    hits = [bool(h) for h in rules.evaluate(frame)]
    return summarise(hits, outcomes, date_from, date_to, label or ", ".join(r.id for r in rules.rules))
