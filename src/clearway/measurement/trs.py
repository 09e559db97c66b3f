"""Time Release Study (WCO TRS Guide v3) statistics over the shipment milestone table.

The input is one row per shipment with the milestone timestamps arrival → lodgement → acceptance →
inspection → payment → release (``pl.Datetime("us", "UTC")``, null when the milestone did not happen).
All work over rows is done by Polars; Python only loops over groups and intervals, so the same code
serves a 50-row test and a 10-million-row continuous study.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

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


_STATISTICS_SCHEMA: dict[str, pl.DataType] = {
    "interval": pl.String(),
    "n": pl.Int64(),
    "mean": pl.Float64(),
    "std": pl.Float64(),
    "min": pl.Float64(),
    **{label: pl.Float64() for label, _ in _PERCENTILES},
    "max": pl.Float64(),
    "mode_bin_start": pl.Float64(),
    "mode_bin_end": pl.Float64(),
    "outliers_low": pl.Int64(),
    "outliers_high": pl.Int64(),
    "n_pre_arrival": pl.Int64(),
}


def _group_label(by: str) -> pl.Expr:
    return pl.col(by).cast(pl.String).fill_null(NULL_GROUP_LABEL).alias(by)


def _describe(name: str, values: pl.Series, mode_bin_hours: float) -> dict[str, Any] | None:
    """The statistics of one interval within one group; None when nothing was measured.

    The values are sorted once, after which everything is cheap: Polars' `quantile` on a series flagged
    as sorted only indexes into it, min and max are its ends, and the Tukey and pre-arrival counts are
    binary searches (O(log n) Python steps per group and interval, never per row).
    """
    ordered = values.sort(nulls_last=True)
    ordered = ordered.head(ordered.len() - ordered.null_count())
    n = ordered.len()
    if n == 0:
        return None
    quantiles = {label: ordered.quantile(p, interpolation="linear") for label, p in _PERCENTILES}
    q1, q3 = quantiles["p25"], quantiles["p75"]
    assert q1 is not None and q3 is not None  # n > 0
    low_fence = q1 - _TUKEY_K * (q3 - q1)
    high_fence = q3 + _TUKEY_K * (q3 - q1)
    # Sorted values give sorted bins, so the fullest bin is the longest run; arg_max takes the first of
    # equal runs, which is the lowest bin.
    runs = (ordered / mode_bin_hours).floor().rle()
    mode_bin_start = runs.struct.field("value")[runs.struct.field("len").arg_max()] * mode_bin_hours
    return {
        "interval": name,
        "n": n,
        "mean": ordered.mean(),
        "std": ordered.std(ddof=1),
        "min": ordered[0],
        **quantiles,
        "max": ordered[-1],
        "mode_bin_start": mode_bin_start,
        "mode_bin_end": mode_bin_start + mode_bin_hours,
        "outliers_low": bisect.bisect_left(ordered, low_fence),
        "outliers_high": n - bisect.bisect_right(ordered, high_fence),
        # A negative later step is a data problem, not pre-arrival processing, so only the first counts.
        "n_pre_arrival": bisect.bisect_left(ordered, 0.0) if name == _PRE_ARRIVAL_INTERVAL else None,
    }


def interval_statistics(
    milestones: Milestones, by: str | None = None, mode_bin_hours: float = 1.0
) -> pl.DataFrame:
    """Descriptive statistics of every interval, overall or per value of one dimension (long format).

    Columns: [``by`` as a string, null shown as "(none)"], interval, n, mean, std, min, p10, p25, median,
    p75, p90, p95, max, mode_bin_start, mode_bin_end, outliers_low, outliers_high, n_pre_arrival.
    Percentiles follow `PERCENTILE_DEFINITION` and outliers `OUTLIER_RULE`, within each group and interval.
    The mode bin is ``[k w, (k + 1) w)`` with the most values (ties: lowest ``k``). ``n_pre_arrival``
    counts negative arrival_to_lodgement values and is null on the other intervals. Groups come in the
    order of their native value (null last), intervals in `INTERVALS` order; rows with n = 0 are left out.
    """
    _check_dimension(by)
    if not (math.isfinite(mode_bin_hours) and mode_bin_hours > 0):
        raise ValueError(f"mode_bin_hours must be a positive finite number, got {mode_bin_hours!r}")

    names = [name for name, _, _ in INTERVALS]
    frame = with_intervals(milestones).select(*([by] if by is not None else []), *names).collect()
    if by is None:
        keys: list[Any] = [None]
        tasks = [(name, frame.get_column(name)) for name in names]
    else:
        # One list per group and interval; taking a group's list back out as a Series copies nothing.
        groups = frame.lazy().group_by(by).agg(names).sort(by, nulls_last=True).collect()
        keys = groups.get_column(by).to_list()
        tasks = [(name, groups.get_column(name)[index]) for index in range(len(keys)) for name in names]

    # Polars releases the GIL while it sorts, and a group's sort runs on one core, so one thread per
    # Polars worker keeps every core busy.
    with ThreadPoolExecutor(max_workers=pl.thread_pool_size()) as pool:
        described = list(pool.map(lambda task: _describe(task[0], task[1], mode_bin_hours), tasks))

    records = [
        ({} if by is None else {by: keys[position // len(names)]}) | row
        for position, row in enumerate(described)
        if row is not None
    ]
    if by is None:
        return pl.DataFrame(records, schema=_STATISTICS_SCHEMA)
    schema = {by: frame.schema[by], **_STATISTICS_SCHEMA}
    return pl.DataFrame(records, schema=schema).with_columns(_group_label(by))


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
    schema: dict[str, pl.DataType] = {
        **{column: wide.schema[column] for column in group_cols},
        "_position": pl.Int32(),
        "hours": pl.Float64(),
        "released": pl.Int64(),
        "arrived": pl.Int64(),
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
