"""What a study or a statistic covers: a period of lodgement dates and optionally some offices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from clearway.measurement.sources import Tables


class EmptyScope(LookupError):
    """Nothing to measure: said plainly rather than reported as zeros."""


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


def _period(tables: Tables, scope: Scope) -> pl.LazyFrame:
    condition = _in_period(scope)
    return tables.shipments if condition is None else tables.shipments.filter(condition)


def scoped(tables: Tables, scope: Scope) -> pl.LazyFrame:
    """The scoped shipments as a query: nothing is read until it is collected, and the filters reach the
    scan, so a collect reads only the columns it selects. An empty result is not checked here: pair it
    with `check_found` (or use `shipments_in` / `select_in`)."""
    in_period = _period(tables, scope)
    return in_period.filter(pl.col("office_of_entry").is_in(scope.offices)) if scope.offices else in_period


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


def select_in(tables: Tables, scope: Scope, *columns: str | pl.Expr) -> pl.DataFrame:
    """Only the named columns (or expressions) of the scoped shipments, or EmptyScope. Reading a few
    columns instead of all of them is most of the cost saved: the text ids alone outweigh the rest."""
    frame = scoped(tables, scope).select(columns).collect()
    check_found(tables, scope, frame.height)
    return frame


def shipments_in(tables: Tables, scope: Scope) -> pl.DataFrame:
    """The scoped shipments, or EmptyScope naming what was asked and what exists."""
    frame = scoped(tables, scope).collect()
    check_found(tables, scope, frame.height)
    return frame


def numbered(ships: pl.DataFrame) -> pl.DataFrame:
    """The shipments (with their `id`) numbered 0, 1, … in `_row`, with a 64-bit hash of the id in
    `_hash`: the keys `join_shipments` joins on."""
    return ships.with_row_index("_row").with_columns(pl.col("id").cast(pl.String).hash().alias("_hash"))


def join_shipments(rows: pl.LazyFrame, ships: pl.DataFrame, *columns: str) -> pl.LazyFrame:
    """The rows (goods items or tax lines, which name their shipment in `shipment_id`) of the `numbered`
    shipments, each with its shipment's `_row` and `columns`: an inner join on the id.

    Joining ten million text ids is the costliest step of every statistic, so the join is made on the
    hash of the id and every joined pair is then checked on the id itself: a hash collision costs one
    wasted pair, never a wrong one, and the result is exactly that of joining on the text."""
    ids = ships.get_column("id").cast(pl.String)
    return (
        rows.with_columns(pl.col("shipment_id").cast(pl.String).hash().alias("_hash"))
        .join(ships.lazy().select("_hash", "_row", *columns), on="_hash", how="inner")
        .filter(pl.col("shipment_id").cast(pl.String) == pl.lit(ids).gather(pl.col("_row")))
        .drop("_hash")
    )
