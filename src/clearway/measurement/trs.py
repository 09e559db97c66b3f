"""Time Release Study (WCO TRS Guide v3) statistics over the shipment milestone table.

The input is one row per shipment with the milestone timestamps arrival → lodgement → acceptance →
inspection → payment → release (``pl.Datetime("us", "UTC")``, null when the milestone did not happen).
All work over rows is done by Polars; Python only loops over groups and intervals, so the same code
serves a 50-row test and a 10-million-row continuous study.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
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


_MEASURED = frozenset({*(name for name, _, _ in INTERVALS), "pre_arrival"})


def with_intervals(milestones: Milestones) -> pl.LazyFrame:
    """Add one Float64 column per interval (hours, ``to - from``) and the ``pre_arrival`` flag.

    An interval is null when either end is null. Negative values are kept as they are: a declaration
    lodged before the goods arrive is exactly the pre-arrival processing the TRS wants to make visible.
    A frame that has them already (the output of this function) is returned as it is, so that a study
    can work them out once and hand the result to every statistic below.
    """
    frame = _lazy(milestones)
    if set(frame.collect_schema().names()) >= _MEASURED:
        return frame
    return frame.with_columns(
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


# The mode is counted in an array of one slot per bin when the values span at most this many bins more
# than there are values (so the array is never much larger than the values); otherwise by hashing.
_BINCOUNT_SLACK = 1_000_000


def _order_statistics(values: np.ndarray[Any, Any], ranks: set[int]) -> dict[int, float]:
    """The values at the given 0-based ranks of their sorted order. A partial sort (introselect) puts
    exactly those positions in place in O(n log k), where a full sort costs O(n log n)."""
    wanted = sorted(ranks)
    placed = np.partition(values, wanted)
    return {rank: float(placed[rank]) for rank in wanted}


def _quantile_ranks(n: int, probabilities: Sequence[float]) -> set[int]:
    ranks = set()
    for p in probabilities:
        low = math.floor((n - 1) * p)
        ranks.update({low, min(low + 1, n - 1)})
    return ranks


def _quantile(at: dict[int, float], n: int, p: float) -> float:
    """`PERCENTILE_DEFINITION` from the order statistics `at`, in the arithmetic Polars' linear quantile
    uses, so that the results are the very same floating-point numbers."""
    h = (n - 1) * p
    low = math.floor(h)
    if low + 1 >= n or h == low:
        return at[low]
    return at[low] + (at[low + 1] - at[low]) * (h - low)


def _mode_bin(values: np.ndarray[Any, Any], width: float) -> float:
    """The start of the fullest bin ``[k w, (k + 1) w)``; ties go to the lowest ``k``."""
    bins = np.floor(values / width)
    first, last = float(bins.min()), float(bins.max())
    if last - first <= values.size + _BINCOUNT_SLACK:
        # argmax takes the first of equal counts, which is the lowest bin
        return (first + float(np.bincount((bins - first).astype(np.int64)).argmax())) * width
    counts = pl.Series("bin", bins).value_counts(name="count")
    return float(counts.filter(pl.col("count") == pl.col("count").max()).get_column("bin").min()) * width  # type: ignore[arg-type]


def _describe(name: str, values: pl.Series, mode_bin_hours: float) -> dict[str, Any] | None:
    """The statistics of one interval within one group; None when nothing was measured.

    Nothing is sorted: the percentiles need a dozen order statistics, which a partial sort places in
    one pass or so, and the rest are counts and sums over the values (numpy and Polars release the
    GIL, so groups and intervals run side by side on every core).
    """
    measured = values.drop_nulls().rechunk()
    n = measured.len()
    if n == 0:
        return None
    array = measured.to_numpy()
    at = _order_statistics(array, _quantile_ranks(n, [p for _, p in _PERCENTILES]))
    quantiles = {label: _quantile(at, n, p) for label, p in _PERCENTILES}
    q1, q3 = quantiles["p25"], quantiles["p75"]
    low_fence = q1 - _TUKEY_K * (q3 - q1)
    high_fence = q3 + _TUKEY_K * (q3 - q1)
    mode_bin_start = _mode_bin(array, mode_bin_hours)
    return {
        "interval": name,
        "n": n,
        "mean": measured.mean(),
        "std": measured.std(ddof=1),
        "min": float(array.min()),
        **quantiles,
        "max": float(array.max()),
        "mode_bin_start": mode_bin_start,
        "mode_bin_end": mode_bin_start + mode_bin_hours,
        "outliers_low": int(np.count_nonzero(array < low_fence)),
        "outliers_high": int(np.count_nonzero(array > high_fence)),
        # A negative later step is a data problem, not pre-arrival processing, so only the first counts.
        "n_pre_arrival": int(np.count_nonzero(array < 0.0)) if name == _PRE_ARRIVAL_INTERVAL else None,
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

    # numpy and Polars release the GIL in the work over rows, so one thread per core keeps each busy.
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


def _median(values: np.ndarray[Any, Any]) -> float | None:
    n = values.size
    if n == 0:
        return None
    return _quantile(_order_statistics(values, _quantile_ranks(n, [0.5])), n, 0.5)


def _pattern(arrived: pl.DataFrame, measured: pl.DataFrame, key: str, values: range) -> pl.DataFrame:
    """Arrivals, releases and the median total time per `key` (every value of `values` present) from
    the `arrived` rows and the `measured` ones (those with a total time). The keys are small integers
    (``key - values.start`` fits a byte), so numpy counts them in one slot per key and groups the
    measured rows by a stable sort of their key, which for bytes is a radix sort, not a comparison one."""
    slots = len(values)
    codes = arrived.get_column(key).to_numpy()
    released = arrived.get_column("released").to_numpy()
    measured_codes = measured.get_column(key).to_numpy()
    order = np.argsort(measured_codes, kind="stable")
    totals = measured.get_column(_TOTAL_INTERVAL).to_numpy()[order]
    bounds = np.searchsorted(measured_codes[order], np.arange(slots + 1))
    return pl.DataFrame(
        {
            key: list(values),
            "arrivals": np.bincount(codes, minlength=slots),
            "released": np.bincount(codes, weights=released, minlength=slots).astype(np.int64),
            "median_arrival_to_release_hours": [
                _median(totals[bounds[i] : bounds[i + 1]]) for i in range(slots)
            ],
        },
        schema={
            key: pl.Int32(),
            "arrivals": pl.Int64(),
            "released": pl.Int64(),
            "median_arrival_to_release_hours": pl.Float64(),
        },
    )


def time_patterns(milestones: Milestones, time_zone: str = "UTC") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Arrivals, releases and median arrival-to-release time by hour of day and by ISO weekday of arrival.

    Returns ``(by_hour, by_weekday)`` with columns hour (0-23) | weekday (1 = Monday … 7 = Sunday),
    arrivals, released, median_arrival_to_release_hours; every hour and weekday is present, with zero
    counts and a null median where nothing arrived. ``time_zone`` sets the clock the hour and weekday are
    read on: staffing patterns follow the office's local time, not UTC.
    """
    frame = with_intervals(milestones).filter(pl.col("arrived_at").is_not_null())
    # The times are in UTC already: converting them to UTC would cost a pass over every row for nothing.
    # On the UTC clock the hour and weekday are plain arithmetic on the epoch (1970-01-01 was a
    # Thursday); a time-zone aware calendar look-up per row costs more than the rest of the patterns.
    utc = time_zone == "UTC" and frame.collect_schema()["arrived_at"] == pl.Datetime("us", "UTC")
    if utc:
        epoch = pl.col("arrived_at").dt.epoch("us")
        hour = epoch.floordiv(_MICROSECONDS_PER_HOUR).mod(24)
        weekday = epoch.floordiv(24 * _MICROSECONDS_PER_HOUR).add(3).mod(7).add(1)
    else:
        local = pl.col("arrived_at").dt.convert_time_zone(time_zone)
        hour, weekday = local.dt.hour(), local.dt.weekday()
    arrived = frame.select(
        hour.cast(pl.UInt8).alias("hour"),
        (weekday - 1).cast(pl.UInt8).alias("weekday"),
        pl.col("released_at").is_not_null().cast(pl.UInt8).alias("released"),
        _TOTAL_INTERVAL,
    ).collect()
    measured = arrived.drop_nulls(_TOTAL_INTERVAL)
    return _pattern(arrived, measured, "hour", range(24)), _pattern(arrived, measured, "weekday", range(1, 8))
