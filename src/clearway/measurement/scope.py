"""What a study or a statistic covers: a period of lodgement dates and optionally some offices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from clearway.measurement.errors import EmptyScope
from clearway.measurement.sources import SHIPMENT_ROW, Tables


@dataclass(frozen=True, slots=True)
class Scope:
    date_from: dt.date | None = None  # first lodgement day included
    date_to: dt.date | None = None  # last lodgement day included
    offices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the period starts ({self.date_from}) after it ends ({self.date_to})")

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "offices": list(self.offices),
        }

    def describe(self) -> str:
        period = f"lodged {self.date_from or 'from the start'} to {self.date_to or 'today'}"
        return period + (f" at office(s) {', '.join(self.offices)}" if self.offices else "")


def _in_period(scope: Scope) -> pl.Expr | None:
    condition = None
    if scope.date_from:
        condition = pl.col("lodged_at").dt.date() >= scope.date_from
    if scope.date_to:
        before_end = pl.col("lodged_at").dt.date() <= scope.date_to
        condition = before_end if condition is None else condition & before_end
    return condition


def _in_scope(scope: Scope) -> pl.Expr | None:
    condition = _in_period(scope)
    if scope.offices:
        at_office = pl.col("office_of_entry").is_in(scope.offices)
        condition = at_office if condition is None else condition & at_office
    return condition


def _period(tables: Tables, scope: Scope) -> pl.LazyFrame:
    condition = _in_period(scope)
    return tables.shipments if condition is None else tables.shipments.filter(condition)


def scoped(tables: Tables, scope: Scope) -> pl.LazyFrame:
    """The scoped shipments as a query: nothing is read until it is collected, and the filters reach the
    scan, so a collect reads only the columns it selects. An empty result is not checked here: pair it
    with `check_found` (or use `shipments_in`)."""
    in_period = _period(tables, scope)
    return in_period.filter(pl.col("office_of_entry").is_in(scope.offices)) if scope.offices else in_period


def aggregate(query: pl.LazyFrame) -> pl.DataFrame:
    """Collect a query that reads many rows and returns few (an aggregation, or a narrow selection)
    with Polars' streaming engine. It reads the source piece by piece and reuses their memory, where
    the in-memory engine first takes fresh memory for every column it reads in full: at ten million
    shipments the page faults of that fresh memory cost as much as the work itself."""
    return query.collect(engine="streaming")


def check_found(tables: Tables, scope: Scope, shipments: int) -> None:
    """Raise EmptyScope, naming what was asked and what exists, when a scope holds no shipment."""
    if shipments:
        return
    if scope.offices:
        known = (
            _period(tables, scope)
            .select(pl.col("office_of_entry").drop_nulls().unique().sort())
            .collect()
            .to_series()
        )
        if known.len():
            raise EmptyScope(
                f"no shipments {scope.describe()}; offices with shipments in that period: "
                + ", ".join(known.head(20).to_list())
            )
    raise EmptyScope(f"no shipments {scope.describe()}")


def shipments_in(tables: Tables, scope: Scope) -> pl.DataFrame:
    """The scoped shipments, or EmptyScope naming what was asked and what exists."""
    frame = scoped(tables, scope).collect()
    check_found(tables, scope, frame.height)
    return frame


@dataclass(frozen=True, slots=True)
class ByRow:
    """Some columns of every shipment, in `row` order (shipment `row` i at position i), and which of them
    the scope holds: what the goods items and tax lines reach by their `shipment_row`."""

    frame: pl.DataFrame
    mask: pl.Series | None  # None when the scope holds every shipment

    def of(self, column: str) -> pl.Expr:
        """For each goods item or tax line, its shipment's `column`: a gather, not a join."""
        return pl.lit(self.frame.get_column(column)).gather(pl.col(SHIPMENT_ROW))

    def rows_in(self, rows: pl.LazyFrame) -> pl.LazyFrame:
        """The goods items or tax lines of the scoped shipments."""
        return rows if self.mask is None else rows.filter(pl.lit(self.mask).gather(pl.col(SHIPMENT_ROW)))

    def scoped(self) -> pl.DataFrame:
        """The columns of the scoped shipments only."""
        return self.frame if self.mask is None else self.frame.filter(self.mask)


def scope_mask(tables: Tables, scope: Scope) -> pl.Series | None:
    """Which shipments, in `row` order, the scope holds (None when it holds every shipment), or
    EmptyScope: what goods items and tax lines are filtered by, through their `shipment_row`."""
    condition = _in_scope(scope)
    if condition is None:
        check_found(tables, scope, tables.shipments.select(pl.len()).collect().item())
        return None
    mask = tables.shipments.select(condition.fill_null(False)).collect().to_series()
    check_found(tables, scope, int(mask.sum()))
    return mask


def by_row(tables: Tables, scope: Scope, *columns: str | pl.Expr) -> ByRow:
    """The named columns (or expressions) of every shipment in `row` order with the scope as a mask, or
    EmptyScope. Reading every row costs little more than reading the scoped ones (a Parquet file has
    no index to skip by), and it lets items and lines find their shipment by position."""
    condition = _in_scope(scope)
    if condition is None:
        frame = tables.shipments.select(columns).collect()
        check_found(tables, scope, frame.height)
        return ByRow(frame, None)
    frame = tables.shipments.select(*columns, condition.fill_null(False).alias("_in_scope")).collect()
    mask = frame.get_column("_in_scope")
    check_found(tables, scope, int(mask.sum()))
    return ByRow(frame.drop("_in_scope"), mask)
