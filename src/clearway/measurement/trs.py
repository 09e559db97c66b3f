"""Time Release Study (WCO TRS Guide v3) statistics over the shipment milestone table.

The input is one row per shipment with the milestone timestamps arrival → lodgement → acceptance →
inspection → payment → release (``pl.Datetime("us", "UTC")``, null when the milestone did not happen).
Everything here is a vectorised Polars query, so the same code serves a 50-row test and a 10-million-row
continuous study.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

__all__ = [
    "DIMENSIONS",
    "INTERVALS",
    "OUTLIER_RULE",
    "PERCENTILE_DEFINITION",
    "UnknownDimension",
    "interval_statistics",
    "released_within",
    "time_patterns",
    "with_intervals",
]

PERCENTILE_DEFINITION: str = (
    "linear interpolation between closest ranks (Hyndman & Fan type 7; numpy default, Excel PERCENTILE.INC): "
    "for sorted x[0..n-1], h = (n - 1) p, value = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])"
)
OUTLIER_RULE: str = "Tukey: below Q1 - 1.5 IQR or above Q3 + 1.5 IQR"

INTERVALS: tuple[tuple[str, str, str], ...] = (
    ("arrival_to_lodgement", "arrived_at", "lodged_at"),
    ("lodgement_to_acceptance", "lodged_at", "accepted_at"),
    ("acceptance_to_inspection", "accepted_at", "inspected_at"),
    ("inspection_to_payment", "inspected_at", "paid_at"),
    ("payment_to_release", "paid_at", "released_at"),
    ("arrival_to_release", "arrived_at", "released_at"),
)
DIMENSIONS: tuple[str, ...] = (
    "lane",
    "irg_category",
    "transport_mode",
    "channel",
    "office",
    "agency_involvement",
    "aeo",
    "collection_model",
    "pre_arrival",
)

NULL_GROUP_LABEL = "(none)"

_TOTAL_INTERVAL = "arrival_to_release"
_PRE_ARRIVAL_INTERVAL = "arrival_to_lodgement"
_MICROSECONDS_PER_HOUR = 3_600_000_000
_PERCENTILES: tuple[tuple[str, float], ...] = (
    ("p10", 0.10),
    ("p25", 0.25),
    ("median", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
)
_TUKEY_K = 1.5
# Separates interval name and statistic in the wide intermediate frame; interval names never contain it.
_SEP = "__"


class UnknownDimension(ValueError):
    """A breakdown dimension that the study does not define."""

    def __init__(self, dimension: str) -> None:
        self.dimension = dimension
        super().__init__(
            f"unknown TRS dimension {dimension!r}; valid dimensions are: {', '.join(DIMENSIONS)}"
        )


Milestones = pl.LazyFrame | pl.DataFrame


def _lazy(milestones: Milestones) -> pl.LazyFrame:
    # The loader may hand over either form; accepting both costs nothing and spares callers a `.lazy()`.
    return milestones.lazy() if isinstance(milestones, pl.DataFrame) else milestones


def _check_dimension(by: str | None) -> None:
    if by is not None and by not in DIMENSIONS:
        raise UnknownDimension(by)


def _hours_between(start: str, end: str) -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_microseconds().cast(pl.Float64) / _MICROSECONDS_PER_HOUR


def with_intervals(milestones: Milestones) -> pl.LazyFrame:
    """Add one Float64 column per interval (hours, ``to - from``) and the ``pre_arrival`` flag.

    An interval is null when either end is null. Negative values are kept as they are: a declaration
    lodged before the goods arrive is exactly the pre-arrival processing the TRS wants to make visible.
    """
    return _lazy(milestones).with_columns(
        *(_hours_between(start, end).alias(name) for name, start, end in INTERVALS),
        (pl.col("lodged_at") < pl.col("arrived_at")).fill_null(False).alias("pre_arrival"),
    )


def _interval_aggregations(name: str, mode_bin_hours: float) -> list[pl.Expr]:
    value = pl.col(name)
    q1 = value.quantile(0.25, interpolation="linear")
    q3 = value.quantile(0.75, interpolation="linear")
    iqr = q3 - q1
    # The bin index is an integer so the mode is found by hashing integers, not floats; `min` resolves
    # ties towards the lowest bin, which keeps the answer deterministic.
    mode_bin = (value / mode_bin_hours).floor().drop_nulls().cast(pl.Int64).mode().min()
    exprs = [
        value.count().cast(pl.Int64).alias("n"),
        value.mean().alias("mean"),
        value.std(ddof=1).alias("std"),
        value.min().alias("min"),
        *(value.quantile(p, interpolation="linear").alias(label) for label, p in _PERCENTILES),
        value.max().alias("max"),
        (mode_bin.cast(pl.Float64) * mode_bin_hours).alias("mode_bin_start"),
        (value < q1 - _TUKEY_K * iqr).sum().cast(pl.Int64).alias("outliers_low"),
        (value > q3 + _TUKEY_K * iqr).sum().cast(pl.Int64).alias("outliers_high"),
        (
            (value < 0).sum().cast(pl.Int64)
            if name == _PRE_ARRIVAL_INTERVAL
            # A negative later step is a data problem, not pre-arrival processing, so it is not counted here.
            else pl.lit(None, dtype=pl.Int64)
        ).alias("n_pre_arrival"),
    ]
    return [expr.name.prefix(f"{name}{_SEP}") for expr in exprs]


_STAT_COLUMNS: tuple[str, ...] = (
    "n",
    "mean",
    "std",
    "min",
    *(label for label, _ in _PERCENTILES),
    "max",
    "mode_bin_start",
    "mode_bin_end",
    "outliers_low",
    "outliers_high",
    "n_pre_arrival",
)


def _group_label(by: str) -> pl.Expr:
    return pl.col(by).cast(pl.String).fill_null(NULL_GROUP_LABEL).alias(by)


def interval_statistics(
    milestones: Milestones, by: str | None = None, mode_bin_hours: float = 1.0
) -> pl.DataFrame:
    """Descriptive statistics of every interval, overall or per value of one dimension (long format).

    Columns: [``by``], interval, n, mean, std, min, p10, p25, median, p75, p90, p95, max, mode_bin_start,
    mode_bin_end, outliers_low, outliers_high, n_pre_arrival. Percentiles follow `PERCENTILE_DEFINITION`,
    outliers `OUTLIER_RULE`; ``n_pre_arrival`` (negative values) is filled on the arrival_to_lodgement rows
    only. Groups are ordered by their native value with null last, then intervals in `INTERVALS` order;
    rows with n = 0 are left out.
    """
    _check_dimension(by)
    if not (math.isfinite(mode_bin_hours) and mode_bin_hours > 0):
        raise ValueError(f"mode_bin_hours must be a positive finite number, got {mode_bin_hours!r}")

    frame = with_intervals(milestones)
    aggs = [expr for name, _, _ in INTERVALS for expr in _interval_aggregations(name, mode_bin_hours)]
    wide = (frame.group_by(by).agg(aggs) if by is not None else frame.select(aggs)).collect()

    group_cols = [by] if by is not None else []
    parts = []
    for position, (name, _, _) in enumerate(INTERVALS):
        prefix = f"{name}{_SEP}"
        parts.append(
            wide.select(
                *group_cols,
                pl.lit(position, dtype=pl.Int32).alias("_position"),
                pl.lit(name).alias("interval"),
                *(
                    pl.col(column).alias(column.removeprefix(prefix))
                    for column in wide.columns
                    if column.startswith(prefix)
                ),
            )
        )
    long = pl.concat(parts, how="vertical").filter(pl.col("n") > 0)
    # Sorting on the native value (not its label) keeps numeric categories in numeric order.
    long = long.sort([*group_cols, "_position"], nulls_last=True)
    return long.select(
        *(_group_label(column) for column in group_cols),
        "interval",
        *(
            (pl.col("mode_bin_start") + mode_bin_hours).alias("mode_bin_end")
            if column == "mode_bin_end"
            else pl.col(column)
            for column in _STAT_COLUMNS
        ),
    )


def released_within(
    milestones: Milestones,
    hours: Sequence[float] = (1, 2, 4, 8, 12, 24, 48, 72),
    by: str | None = None,
) -> pl.DataFrame:
    """Cumulative share of arrived shipments released within each threshold of hours after arrival.

    Columns: [``by``], hours, released, arrived, share. The denominator is every shipment that arrived,
    including those not released yet: they have not been released within any threshold so far. A release
    at or before arrival counts as within every threshold. Without ``by`` there is one row per threshold
    even when nothing arrived (share null); with ``by``, only groups that have arrivals appear.
    """
    _check_dimension(by)
    thresholds = [float(h) for h in hours]
    for threshold in thresholds:
        if math.isnan(threshold):
            raise ValueError("hours thresholds must not be NaN")

    frame = with_intervals(milestones).filter(pl.col("arrived_at").is_not_null())
    total = pl.col(_TOTAL_INTERVAL)
    aggs = [
        pl.len().cast(pl.Int64).alias("arrived"),
        # Positional aliases so that a repeated threshold cannot collide with itself.
        *(
            (total <= threshold).sum().cast(pl.Int64).alias(f"_within_{i}")
            for i, threshold in enumerate(thresholds)
        ),
    ]
    wide = (frame.group_by(by).agg(aggs) if by is not None else frame.select(aggs)).collect()

    group_cols = [by] if by is not None else []
    parts = [
        wide.select(
            *group_cols,
            pl.lit(i, dtype=pl.Int32).alias("_position"),
            pl.lit(threshold, dtype=pl.Float64).alias("hours"),
            pl.col(f"_within_{i}").alias("released"),
            "arrived",
        )
        for i, threshold in enumerate(thresholds)
    ]
    schema = {
        **{column: wide.schema[column] for column in group_cols},
        "_position": pl.Int32,
        "hours": pl.Float64,
        "released": pl.Int64,
        "arrived": pl.Int64,
    }
    long = pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema=schema)
    long = long.sort([*group_cols, "_position"], nulls_last=True)
    return long.select(
        *(_group_label(column) for column in group_cols),
        "hours",
        "released",
        "arrived",
        pl.when(pl.col("arrived") > 0)
        .then(pl.col("released").cast(pl.Float64) / pl.col("arrived"))
        .otherwise(None)
        .alias("share"),
    )


def _pattern(frame: pl.LazyFrame, key: str, part: pl.Expr, values: range) -> pl.LazyFrame:
    scaffold = pl.LazyFrame({key: list(values)}, schema={key: pl.Int32})
    counts = frame.group_by(part.cast(pl.Int32).alias(key)).agg(
        pl.len().cast(pl.Int64).alias("arrivals"),
        pl.col("released_at").is_not_null().sum().cast(pl.Int64).alias("released"),
        pl.col(_TOTAL_INTERVAL).median().alias("median_arrival_to_release_hours"),
    )
    return (
        scaffold.join(counts, on=key, how="left")
        .with_columns(pl.col("arrivals", "released").fill_null(0))
        .sort(key)
    )


def time_patterns(milestones: Milestones, time_zone: str = "UTC") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Arrivals, releases and median arrival-to-release time by hour of day and by ISO weekday of arrival.

    Returns ``(by_hour, by_weekday)`` with columns hour (0-23) | weekday (1 = Monday … 7 = Sunday),
    arrivals, released, median_arrival_to_release_hours; every hour and weekday is present, with zero
    counts and a null median where nothing arrived. ``time_zone`` sets the clock the hour and weekday are
    read on: staffing patterns follow the office's local time, not UTC.
    """
    frame = with_intervals(milestones).filter(pl.col("arrived_at").is_not_null())
    arrival = pl.col("arrived_at").dt.convert_time_zone(time_zone)
    by_hour, by_weekday = pl.collect_all(
        [
            _pattern(frame, "hour", arrival.dt.hour(), range(24)),
            _pattern(frame, "weekday", arrival.dt.weekday(), range(1, 8)),
        ]
    )
    return by_hour, by_weekday
