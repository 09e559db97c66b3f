"""Reads for the indicators: stored shipments as indicator frames, and the history around a batch.

A fixed number of statements per batch (chunked IN lists), never one per shipment. The same reader
feeds retraining (a date range) and, for a batch just stored, `from_assessed` builds the same frames
from the pipeline's batch in memory with the same arithmetic, so that a model is trained on exactly
the features it is scored with.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from clearway.declarations.tables import events, goods_items, parties, shipments
from clearway.reference.rates import convert
from clearway.risk.indicators import (
    ENTITY_ROLES,
    IndicatorContext,
    UnitValueReference,
    learn_unit_values,
    route_key,
)

_CHUNK = 4000
UTC_TS = pl.Datetime("us", "UTC")
# Party roles in the declaration behind the indicator entity names.
_ROLE_OF = {"seller": "seller", "marketplace": "platform", "carrier": "carrier", "declarant": "declarant"}

BATCH_SCHEMA: dict[str, Any] = {
    "shipment_id": pl.String,
    "lodged_at": UTC_TS,
    "value_eur": pl.Float64,
    "consignee_key": pl.String,
    "departure_country": pl.String,
    "destination_country": pl.String,
    "transport_mode": pl.String,
    "channel": pl.String,
    "office": pl.String,
    "lane": pl.String,
    "state": pl.String,
    "items": pl.Int64,
    "hs2": pl.String,
    "filer": pl.String,
    **{r: pl.String for r in ("seller", "platform", "carrier", "declarant")},
}
ITEM_SCHEMA: dict[str, Any] = {
    "shipment_id": pl.String,
    "hs6": pl.String,
    "origin_country": pl.String,
    "description": pl.String,
    "unit_value_eur": pl.Float64,
}
OUTCOME_SCHEMA: dict[str, Any] = {
    "shipment_id": pl.String,
    "at": UTC_TS,
    "hit": pl.Int64,
    **{r: pl.String for r in ENTITY_ROLES},
}


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _eur_factor(currency: str, day: dt.date, cache: dict[tuple[str, dt.date], float]) -> float:
    key = (currency, day)
    if key not in cache:
        cache[key] = float(convert(Decimal(1), currency, "EUR", day))
    return cache[key]


@dataclass(frozen=True, slots=True)
class Stored:
    """Stored shipments as indicator frames."""

    batch: pl.DataFrame
    items: pl.DataFrame


def _party_keys(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, str]]:
    keys: dict[uuid.UUID, dict[str, str]] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(parties.c.shipment_id, parties.c.role, parties.c.tin, parties.c.name_key).where(
                parties.c.shipment_id.in_(chunk), parties.c.role.in_(list(_ROLE_OF))
            )
        )
        for sid, role, tin, name in rows:
            keys.setdefault(sid, {})[_ROLE_OF[role]] = tin or name
    return keys


def _load(
    conn: Connection, where: Callable[[Sequence[Any] | None], ColumnElement[bool]], ids: Sequence[Any] | None
) -> Stored:
    columns = (
        shipments.c.id, shipments.c.lodged_at, shipments.c.value_minor, shipments.c.revenue_currency,
        shipments.c.total_value_minor, shipments.c.consignee_key, shipments.c.departure_country,
        shipments.c.destination_country, shipments.c.transport_mode, shipments.c.channel,
        shipments.c.office_of_entry, shipments.c.lane, shipments.c.state, shipments.c.filer,
    )  # fmt: skip
    rows: list[Any] = []
    for chunk in _chunks(ids) if ids is not None else [None]:
        rows.extend(conn.execute(select(*columns).where(where(chunk))).all())
    sids = [r.id for r in rows]
    factors: dict[tuple[str, dt.date], float] = {}
    value_eur: dict[uuid.UUID, float] = {}
    total_minor: dict[uuid.UUID, int] = {}
    for r in rows:
        lodged = _utc(r.lodged_at)
        value_eur[r.id] = r.value_minor / 100.0 * _eur_factor(r.revenue_currency, lodged.date(), factors)
        total_minor[r.id] = r.total_value_minor
    item_rows: list[tuple[Any, ...]] = []
    first_hs: dict[uuid.UUID, str] = {}
    count: dict[uuid.UUID, int] = {}
    for chunk in _chunks(sids):
        for it in conn.execute(
            select(
                goods_items.c.shipment_id, goods_items.c.seq, goods_items.c.hs6, goods_items.c.origin_country,
                goods_items.c.description, goods_items.c.quantity, goods_items.c.value_minor,
            ).where(goods_items.c.shipment_id.in_(chunk))
        ):  # fmt: skip
            total = total_minor[it.shipment_id] or 1
            # The item's share of the consignment value, in EUR, per unit: no rate look-up per item.
            unit = it.value_minor / total * value_eur[it.shipment_id] / float(it.quantity or 1)
            item_rows.append((str(it.shipment_id), it.hs6, it.origin_country, it.description, unit))
            count[it.shipment_id] = count.get(it.shipment_id, 0) + 1
            if it.seq == 1:
                first_hs[it.shipment_id] = it.hs6[:2]
    keys = _party_keys(conn, sids)
    batch = pl.DataFrame(
        [
            (
                str(r.id),
                _utc(r.lodged_at),
                value_eur[r.id],
                r.consignee_key,
                r.departure_country,
                r.destination_country,
                r.transport_mode,
                r.channel,
                r.office_of_entry,
                r.lane,
                r.state,
                count.get(r.id, 0),
                first_hs.get(r.id),
                r.filer,
                keys.get(r.id, {}).get("seller"),
                keys.get(r.id, {}).get("platform"),
                keys.get(r.id, {}).get("carrier"),
                keys.get(r.id, {}).get("declarant") or r.filer,
            )
            for r in rows
        ],
        schema=BATCH_SCHEMA,
        orient="row",
    )
    items = pl.DataFrame(item_rows, schema=ITEM_SCHEMA, orient="row")
    return Stored(batch, items)


def from_assessed(batch: Sequence[Any]) -> Stored:
    """The frames `load_shipments` reads back, built from a batch just stored (`AssessedShipment`s of
    `intake.repository.insert_assessed`) without reading it: the same stored values, the same
    arithmetic, so that a model scores exactly what retraining will read.

    Times are taken in UTC (the instant, as PostgreSQL returns it).
    """
    from clearway.declarations.normalise import name_key, normalise_tin
    from clearway.reference.money import to_minor

    factors: dict[tuple[str, dt.date], float] = {}
    # Built column by column: Polars makes columns from lists much faster than frames from row tuples.
    columns: dict[str, list[Any]] = {name: [] for name in BATCH_SCHEMA}
    item_columns: dict[str, list[Any]] = {name: [] for name in ITEM_SCHEMA}
    appends = [columns[name].append for name in BATCH_SCHEMA]  # `row` below is in this order
    add_item = {name: item_columns[name].append for name in ITEM_SCHEMA}
    for a in batch:
        s = a.shipment
        sid = str(a.id)
        lodged = a.lodged_at.astimezone(dt.UTC) if a.lodged_at.tzinfo else _utc(a.lodged_at)
        value_eur = a.value_minor / 100.0 * _eur_factor(a.revenue.currency, lodged.date(), factors)
        total = to_minor(s.total_value, s.currency) or 1
        for g in s.goods:
            add_item["shipment_id"](sid)
            add_item["hs6"](g.hs_code[:6])
            add_item["origin_country"](g.origin_country)
            add_item["description"](g.description)
            add_item["unit_value_eur"](
                to_minor(g.value, s.currency) / total * value_eur / float(g.quantity or 1)
            )
        keys: dict[str, str] = {}
        for role, entity in _ROLE_OF.items():
            p = getattr(s.parties, role)
            if p is not None:
                keys[entity] = (normalise_tin(p.tin) if p.tin else None) or name_key(p.name)[:70]
        row = (
            sid, lodged, value_eur, a.consignee_key, s.departure_country, s.destination_country,
            s.transport_mode.value, s.channel.value, s.office_of_entry, a.risk.lane.label, "assessed",
            len(s.goods), s.goods[0].hs_code[:2] if s.goods else None, s.filer, keys.get("seller"),
            keys.get("platform"), keys.get("carrier"), keys.get("declarant") or s.filer,
        )  # fmt: skip
        for append, value in zip(appends, row, strict=True):
            append(value)
    return Stored(pl.DataFrame(columns, schema=BATCH_SCHEMA), pl.DataFrame(item_columns, schema=ITEM_SCHEMA))


def load_shipments(conn: Connection, ids: Sequence[uuid.UUID]) -> Stored:
    """The given stored shipments, in the order given."""
    stored = _load(conn, lambda chunk: shipments.c.id.in_(chunk or []), list(ids))
    order = pl.DataFrame({"shipment_id": [str(i) for i in ids]})
    return Stored(
        order.join(stored.batch, on="shipment_id", how="inner", maintain_order="left"), stored.items
    )


def day_bounds(
    date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.combine(date_from, dt.time(), dt.UTC) if date_from else None
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), dt.UTC) if date_to else None
    return start, end


def load_range(conn: Connection, date_from: dt.date | None, date_to: dt.date | None) -> Stored:
    """Shipments lodged from the first to the last day (inclusive, UTC), ordered by lodgement."""
    start, end = day_bounds(date_from, date_to)
    conditions: list[ColumnElement[bool]] = []
    if start:
        conditions.append(shipments.c.lodged_at >= start)
    if end:
        conditions.append(shipments.c.lodged_at < end)
    stored = _load(conn, lambda _chunk: and_(True, *conditions), None)
    return Stored(stored.batch.sort("lodged_at", "shipment_id"), stored.items)


def load_outcomes(
    conn: Connection, before: dt.datetime | None = None, after_event_id: int = 0
) -> tuple[pl.DataFrame, int]:
    """Control results (inspection-result events) with the entity keys of the controlled shipment.

    Returns the frame and the highest event id read, so that a caller can read only newer ones later.
    """
    query = (
        select(
            events.c.id,
            events.c.shipment_id,
            events.c.at,
            events.c.data,
            shipments.c.consignee_key,
            shipments.c.filer,
        )
        .join(shipments, shipments.c.id == events.c.shipment_id)
        .where(events.c.type == "inspection_result", events.c.id > after_event_id)
    )
    if before is not None:
        query = query.where(events.c.at < before)
    rows = conn.execute(query.order_by(events.c.id)).all()
    keys = _party_keys(conn, list({r.shipment_id for r in rows}))
    last = max((r.id for r in rows), default=after_event_id)
    frame = pl.DataFrame(
        [
            (
                str(r.shipment_id),
                _utc(r.at),
                1 if (r.data or {}).get("result") == "non_compliant" else 0,
                keys.get(r.shipment_id, {}).get("seller"),
                keys.get(r.shipment_id, {}).get("platform"),
                keys.get(r.shipment_id, {}).get("carrier"),
                r.consignee_key,
                keys.get(r.shipment_id, {}).get("declarant") or r.filer,
            )
            for r in rows
        ],
        schema=OUTCOME_SCHEMA,
        orient="row",
    )
    return frame, last


def load_split_history(conn: Connection, batch: pl.DataFrame, window_hours: int) -> pl.DataFrame:
    """Stored shipments of the batch's consignees in the window before it (the batch itself dropped)."""
    schema: dict[str, Any] = {
        "shipment_id": pl.String,
        "consignee_key": pl.String,
        "lodged_at": UTC_TS,
        "value_eur": pl.Float64,
    }
    if batch.height == 0:
        return pl.DataFrame(schema=schema)
    since = batch["lodged_at"].min() - dt.timedelta(hours=window_hours)  # type: ignore[operator]
    keys = batch["consignee_key"].unique().to_list()
    rows: list[tuple[Any, ...]] = []
    factors: dict[tuple[str, dt.date], float] = {}
    for chunk in _chunks(keys):
        for r in conn.execute(
            select(
                shipments.c.id,
                shipments.c.consignee_key,
                shipments.c.lodged_at,
                shipments.c.value_minor,
                shipments.c.revenue_currency,
            ).where(shipments.c.consignee_key.in_(chunk), shipments.c.lodged_at >= since)
        ):
            lodged = _utc(r.lodged_at)
            rows.append(
                (
                    str(r.id),
                    r.consignee_key,
                    lodged,
                    r.value_minor / 100.0 * _eur_factor(r.revenue_currency, lodged.date(), factors),
                )
            )
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.join(batch.select("shipment_id"), on="shipment_id", how="anti")


def load_first_seen(
    conn: Connection,
    batch: pl.DataFrame,
    known_routes: dict[str, dt.datetime] | None = None,
    known_sellers: dict[str, dt.datetime] | None = None,
) -> pl.DataFrame:
    """First stored lodgement per seller key, consignee key and route of the batch.

    A first sighting never moves once stored, so callers may keep the seller and route ones between
    batches (`known_*`, updated here) and only new keys are looked up: a large seller's history is
    aggregated once per process, not once per batch.
    """
    out: list[tuple[str, str, dt.datetime]] = []
    seen = known_sellers if known_sellers is not None else {}
    batch_sellers = batch["seller"].drop_nulls().unique().to_list()
    for chunk in _chunks([s for s in batch_sellers if s not in seen]):
        for tin, name, first in conn.execute(
            select(parties.c.tin, parties.c.name_key, func.min(shipments.c.lodged_at))
            .join(shipments, shipments.c.id == parties.c.shipment_id)
            .where(parties.c.role == "seller", or_(parties.c.tin.in_(chunk), parties.c.name_key.in_(chunk)))
            .group_by(parties.c.tin, parties.c.name_key)
        ):
            key, at = tin or name, _utc(first)
            seen[key] = min(at, seen.get(key, at))
    out.extend(("seller", s, seen[s]) for s in batch_sellers if s in seen)
    for chunk in _chunks(batch["consignee_key"].unique().to_list()):
        for key, first in conn.execute(
            select(shipments.c.consignee_key, func.min(shipments.c.lodged_at))
            .where(shipments.c.consignee_key.in_(chunk))
            .group_by(shipments.c.consignee_key)
        ):
            out.append(("consignee", key, _utc(first)))
    routes = known_routes if known_routes is not None else {}
    pairs = {
        (d, t): route_key(d, t)
        for d, t in batch.select("departure_country", "destination_country").unique().rows()
    }
    missing = [pair for pair, key in pairs.items() if key not in routes]
    if missing:
        for d, t, first in conn.execute(
            select(
                shipments.c.departure_country,
                shipments.c.destination_country,
                func.min(shipments.c.lodged_at),
            )
            .where(
                or_(
                    *(
                        and_(shipments.c.departure_country == d, shipments.c.destination_country == t)
                        for d, t in missing
                    )
                )
            )
            .group_by(shipments.c.departure_country, shipments.c.destination_country)
        ):
            routes[route_key(d, t)] = _utc(first)
    out.extend(("route", key, routes[key]) for key in pairs.values() if key in routes)
    frame = pl.DataFrame(out, schema={"kind": pl.String, "key": pl.String, "first_at": UTC_TS}, orient="row")
    return frame.group_by("kind", "key").agg(pl.col("first_at").min())


def load_reference(conn: Connection, since: dt.datetime | None, limit: int = 200_000) -> UnitValueReference:
    """Unit value reference learned from the most recent stored items (at most `limit`)."""
    query = (
        select(
            goods_items.c.hs6,
            goods_items.c.origin_country,
            goods_items.c.quantity,
            goods_items.c.value_minor,
            shipments.c.total_value_minor,
            shipments.c.value_minor.label("s_value"),
            shipments.c.revenue_currency,
            shipments.c.lodged_at,
        )
        .join(shipments, shipments.c.id == goods_items.c.shipment_id)
        .order_by(goods_items.c.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(shipments.c.lodged_at >= since)
    factors: dict[tuple[str, dt.date], float] = {}
    rows = [
        (
            r.hs6,
            r.origin_country,
            r.value_minor
            / (r.total_value_minor or 1)
            * r.s_value
            / 100.0
            * _eur_factor(r.revenue_currency, _utc(r.lodged_at).date(), factors)
            / float(r.quantity or 1),
        )
        for r in conn.execute(query)
    ]
    return learn_unit_values(
        pl.DataFrame(
            rows,
            schema={"hs6": pl.String, "origin_country": pl.String, "unit_value_eur": pl.Float64},
            orient="row",
        )
    )


def context_for(
    conn: Connection,
    batch: pl.DataFrame,
    reference: UnitValueReference,
    outcomes: pl.DataFrame,
    window_hours: int,
    known_routes: dict[str, dt.datetime] | None = None,
    known_sellers: dict[str, dt.datetime] | None = None,
) -> IndicatorContext:
    return IndicatorContext(
        reference=reference,
        split_history=load_split_history(conn, batch, window_hours),
        outcomes=outcomes,
        first_seen=load_first_seen(conn, batch, known_routes, known_sellers),
    )
