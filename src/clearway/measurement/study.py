"""Time Release Study runs: computed from the milestones on the shipments, stored with their scope so
that successive runs can be compared side by side (TRS Guide v3, Phase IV monitoring)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select

from clearway.measurement import trs
from clearway.measurement.errors import UnknownDimension
from clearway.measurement.scope import Scope, aggregate, check_found, scoped
from clearway.measurement.sources import Tables
from clearway.measurement.tables import study_runs

RELEASED_WITHIN_HOURS = (1, 2, 4, 8, 12, 24, 48, 72)


# Milestone column -> expression on the shipments table, in the order `milestones` gives them.
_MILESTONES: dict[str, pl.Expr] = {
    "shipment_id": pl.col("id"),
    "lane": pl.col("lane"),
    "irg_category": pl.col("irg_category"),
    "transport_mode": pl.col("transport_mode"),
    "channel": pl.col("channel"),
    "office": pl.col("office_of_entry"),
    "collection_model": pl.col("collection_model"),
    # Agency involvement and AEO status are not recorded yet (no agency holds, no AEO registry).
    "agency_involvement": pl.lit(False),
    "aeo": pl.lit(False),
    "arrived_at": pl.col("arrived_at"),
    "lodged_at": pl.col("lodged_at"),
    "accepted_at": pl.col("received_at"),
    "inspected_at": pl.col("inspected_at"),
    "paid_at": pl.col("paid_at"),
    "released_at": pl.col("released_at"),
}
_TIMES = ("arrived_at", "lodged_at", "accepted_at", "inspected_at", "paid_at", "released_at")


def milestones(shipments: pl.DataFrame) -> pl.LazyFrame:
    """One row per shipment with the columns the study reads. Agency involvement and AEO status are
    not recorded yet (no agency holds, no AEO registry in this version), so they are false for all."""
    return shipments.lazy().select(expr.alias(name) for name, expr in _MILESTONES.items())


def _study_query(tables: Tables, scope: Scope, by: str | None) -> pl.LazyFrame:
    """The milestones of the scoped shipments with their intervals, as a query: each statistic below
    collects only the columns it reads (the two milestones of an interval, the arrival and release
    times), and memory one of them frees serves the next. Reading a column again from the source costs
    less than holding all six times and six intervals of every shipment at once. The ids and the other
    dimensions are left out: the statistics never read them."""
    names = [*_TIMES, *([by] if by in _MILESTONES else [])]
    return trs.with_intervals(scoped(tables, scope).select(_MILESTONES[name].alias(name) for name in names))


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts()


def run_study(
    tables: Tables, scope: Scope, by: str | None = None, mode_bin_hours: float = 1.0
) -> dict[str, Any]:
    if by is not None and by not in trs.DIMENSIONS:
        raise UnknownDimension(by, trs.DIMENSIONS, "TRS")
    frame = _study_query(tables, scope, by)
    counts = (
        frame.select(
            pl.len().alias("shipments"),
            pl.col("arrived_at").is_not_null().sum().alias("arrived"),
            pl.col("released_at").is_not_null().sum().alias("released"),
            pl.col("pre_arrival").sum().alias("pre_arrival"),
        )
        .pipe(aggregate)
        .to_dicts()[0]
    )
    check_found(tables, scope, counts["shipments"])
    # The three parts release the GIL in their work over rows: side by side they keep both cores busy
    # where one after the other they would mostly use one.
    with ThreadPoolExecutor(max_workers=3) as pool:
        patterns = pool.submit(trs.time_patterns, frame)
        described = pool.submit(trs.interval_statistics, frame, by, mode_bin_hours)
        within = pool.submit(trs.released_within, frame, RELEASED_WITHIN_HOURS, by)
        hours, weekdays = patterns.result()
    return {
        "scope": {**scope.as_dict(), "by": by},
        "percentile_definition": trs.PERCENTILE_DEFINITION,
        "outlier_rule": trs.OUTLIER_RULE,
        "mode_bin_hours": mode_bin_hours,
        "unit": "hours",
        **counts,
        "intervals": _rows(described.result()),
        "released_within": _rows(within.result()),
        "hour_of_day": _rows(hours),
        "day_of_week": _rows(weekdays),
    }


def save_run(conn: Connection, name: str, result: dict[str, Any], now: dt.datetime | None = None) -> int:
    created = now or dt.datetime.now(dt.UTC)
    row = conn.execute(
        insert(study_runs)
        .values(name=name, created_at=created, scope=result["scope"], results=result)
        .returning(study_runs.c.id)
    ).scalar_one()
    return int(row)


def list_runs(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(study_runs.c.id, study_runs.c.name, study_runs.c.created_at, study_runs.c.scope).order_by(
            study_runs.c.id
        )
    )
    return [
        {"id": r.id, "name": r.name, "created_at": r.created_at.isoformat(), "scope": r.scope} for r in rows
    ]


def get_runs(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    rows = conn.execute(select(study_runs).where(study_runs.c.id.in_(ids)).order_by(study_runs.c.id))
    return [{"id": r.id, "name": r.name, "created_at": r.created_at.isoformat(), **r.results} for r in rows]


def compare(runs: list[dict[str, Any]], interval: str = "arrival_to_release") -> list[dict[str, Any]]:
    """Side by side: per run, the overall statistics of one interval and the share released in 24 h."""
    out = []
    for run in runs:
        stats = next(
            (r for r in run["intervals"] if r["interval"] == interval and not run["scope"].get("by")), None
        )
        within = {r["hours"]: r["share"] for r in run["released_within"] if not run["scope"].get("by")}
        out.append(
            {
                "id": run["id"],
                "name": run["name"],
                "scope": run["scope"],
                "shipments": run["shipments"],
                "n": stats["n"] if stats else 0,
                "mean": stats["mean"] if stats else None,
                "median": stats["median"] if stats else None,
                "p90": stats["p90"] if stats else None,
                "released_within_24h": within.get(24),
            }
        )
    return out
