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


def _in_period(scope: Scope) -> pl.Expr:
    condition = pl.lit(True)
    if scope.date_from:
        condition &= pl.col("lodged_at").dt.date() >= scope.date_from
    if scope.date_to:
        condition &= pl.col("lodged_at").dt.date() <= scope.date_to
    return condition


def shipments_in(tables: Tables, scope: Scope) -> pl.DataFrame:
    """The scoped shipments, or EmptyScope naming what was asked and what exists."""
    in_period = tables.shipments.filter(_in_period(scope))
    chosen = in_period.filter(pl.col("office_of_entry").is_in(scope.offices)) if scope.offices else in_period
    frame = chosen.collect()
    if frame.height:
        return frame
    if scope.offices:
        known = in_period.select(pl.col("office_of_entry").drop_nulls().unique().sort()).collect().to_series()
        if known.len():
            raise EmptyScope(
                f"no shipments {scope.describe()}; offices with shipments in that period: "
                + ", ".join(known.head(20).to_list())
            )
    raise EmptyScope(f"no shipments {scope.describe()}")
