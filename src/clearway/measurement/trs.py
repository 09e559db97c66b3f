"""Time Release Study (WCO TRS Guide v3) statistics over the shipment milestone table.

The input is one row per shipment with the milestone timestamps arrival → lodgement → acceptance →
inspection → payment → release (``pl.Datetime("us", "UTC")``, null when the milestone did not happen).
All work over rows is done by Polars; Python only loops over groups and intervals, so the same code
serves a 50-row test and a 10-million-row continuous study.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import polars as pl

from clearway.measurement.errors import UnknownDimension

__all__ = [
    "DIMENSIONS",
    "INTERVALS",
    "OUTLIER_RULE",
    "PERCENTILE_DEFINITION",
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
_TOTAL_MICROSECONDS = "_arrival_to_release_us"
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


Milestones = pl.LazyFrame | pl.DataFrame


def _lazy(milestones: Milestones) -> pl.LazyFrame:
    # The loader may hand over either form; accepting both costs nothing and spares callers a `.lazy()`.
    return milestones.lazy() if isinstance(milestones, pl.DataFrame) else milestones


def _collect_narrow(query: pl.LazyFrame) -> pl.DataFrame:
    """Collect a query that returns fewer columns than it reads (or aggregates) with Polars' streaming
    engine, which reads its input piece by piece and reuses that memory: the in-memory engine first
    takes fresh memory for every column it reads in full, and at ten million shipments the page faults
    cost as much as the work. Rows keep their order."""
    return query.collect(engine="streaming")


def _check_dimension(by: str | None) -> None:
    if by is not None and by not in DIMENSIONS:
        raise UnknownDimension(by, DIMENSIONS, "TRS")


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


def _quantile(at: Mapping[int, float] | np.ndarray[Any, Any], n: int, p: float) -> float:
    """`PERCENTILE_DEFINITION` from the order statistics `at` (or the sorted values), in the arithmetic
    Polars' linear quantile uses, so that the results are the very same floating-point numbers."""
    h = (n - 1) * p
    low = math.floor(h)
    if low + 1 >= n or h == low:
        return float(at[low])
    return float(at[low] + (at[low + 1] - at[low]) * (h - low))


def _mode_bin(ordered: np.ndarray[Any, Any], width: float) -> float:
    """The start of the fullest bin ``[k w, (k + 1) w)`` of values sorted ascending; ties go to the
    lowest ``k``. Sorted values have their bins in order, so each bin is one run: the longest run, the
    first of equal ones, is the answer, however many bins the values span."""
    bins = np.divide(ordered, width)
    np.floor(bins, out=bins)
    starts = np.concatenate(([0], np.flatnonzero(bins[1:] != bins[:-1]) + 1))
    lengths = np.diff(np.append(starts, bins.size))
    return float(bins[starts[lengths.argmax()]]) * width


def _describe(name: str, values: pl.Series, mode_bin_hours: float) -> dict[str, Any] | None:
    """The statistics of one interval within one group; None when nothing was measured.

    The values are copied once into memory of their own and sorted there (numpy's vectorised sort takes
    less time than selecting a dozen order statistics by partial sorts): the percentiles, minimum and
    maximum are then read at their ranks, the mode bin found in one pass and the outliers counted by
    binary search. Mean and standard deviation are Polars' over the values in the order they come,
    before the sort. numpy and Polars release the GIL, so groups and intervals run side by side.
    """
    measured = values.drop_nulls() if values.has_nulls() else values
    n = measured.len()
    if n == 0:
        return None
    array = measured.to_numpy(writable=True)
    # One contiguous buffer, as Polars would sum it after a rechunk: the same floating-point mean.
    contiguous = pl.Series(array)
    mean, std = contiguous.mean(), contiguous.std(ddof=1)
    del contiguous
    array.sort()
    quantiles = {label: _quantile(array, n, p) for label, p in _PERCENTILES}
    q1, q3 = quantiles["p25"], quantiles["p75"]
    low_fence = q1 - _TUKEY_K * (q3 - q1)
    high_fence = q3 + _TUKEY_K * (q3 - q1)
    mode_bin_start = _mode_bin(array, mode_bin_hours)
    return {
        "interval": name,
        "n": n,
        "mean": mean,
        "std": std,
        "min": float(array[0]),
        **quantiles,
        "max": float(array[-1]),
        "mode_bin_start": mode_bin_start,
        "mode_bin_end": mode_bin_start + mode_bin_hours,
        "outliers_low": int(np.searchsorted(array, low_fence, side="left")),
        "outliers_high": n - int(np.searchsorted(array, high_fence, side="right")),
        # A negative later step is a data problem, not pre-arrival processing, so only the first counts.
        "n_pre_arrival": int(np.searchsorted(array, 0.0, side="left"))
        if name == _PRE_ARRIVAL_INTERVAL
        else None,
    }


# Up to this many groups, each group's values are filtered out of the frame one group after another:
# a filter on one column is a fast vectorised pass, cheaper than partitioning rows among many groups.
_FILTERED_GROUPS = 8


def _split(frame: pl.DataFrame, by: str, name: str) -> dict[Any, pl.Series]:
    """The values of column `name` per value of `by` (null is a group too), in the order they come."""
    keys = frame.get_column(by).unique().to_list()
    if len(keys) <= _FILTERED_GROUPS:
        group = pl.col(by)
        return {
            key: frame.filter(group.is_null() if key is None else group == key).get_column(name)
            for key in keys
        }
    parts = frame.partition_by(by, as_dict=True, include_key=False)
    return {key: part.get_column(name) for (key,), part in parts.items()}


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
    frame = with_intervals(milestones)
    group = [by] if by is not None else []

    def describe(name: str) -> dict[Any, dict[str, Any]]:
        """One interval's statistics per group key (None without groups). Each interval reads only its
        own values (the two milestones it spans, when `milestones` is a query over the source): memory
        freed by one interval serves the next, where all six at once would take fresh memory for all."""
        # Streamed (see `_collect_narrow`): the values come in their order, in pieces.
        measured = _collect_narrow(frame.select(*group, name).drop_nulls(name))
        if by is None:
            row = _describe(name, measured.get_column(name), mode_bin_hours)
            return {} if row is None else {None: row}
        described = {
            key: _describe(name, values, mode_bin_hours) for key, values in _split(measured, by, name).items()
        }
        return {key: row for key, row in described.items() if row is not None}

    # numpy and Polars release the GIL in the work over rows, so one thread per core keeps each busy.
    with ThreadPoolExecutor(max_workers=pl.thread_pool_size()) as pool:
        by_interval = list(pool.map(describe, names))

    if by is None:
        return pl.DataFrame([rows[None] for rows in by_interval if rows], schema=_STATISTICS_SCHEMA)
    dtype = frame.collect_schema()[by]
    # Groups in the order of their native value, null last, as Polars sorts them.
    keys = pl.Series(by, [key for rows in by_interval for key in rows], dtype=dtype).unique()
    records = [
        {by: key} | rows[key]
        for key in keys.sort(nulls_last=True).to_list()
        for rows in by_interval
        if key in rows
    ]
    return pl.DataFrame(records, schema={by: dtype, **_STATISTICS_SCHEMA}).with_columns(_group_label(by))


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
    wide = _collect_narrow(frame.group_by(by).agg(aggs) if by is not None else frame.select(aggs))

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


# The patterns sort each arrival's total time in microseconds behind its hour or weekday code in one
# unsigned 64-bit key: 5 bits of code (up to 24 values) above 59 bits of time, about 18,000 years.
_CODE_SHIFT = 59
_TIME_MASK = (1 << _CODE_SHIFT) - 1


def _hours(microseconds: int) -> float:
    # The arithmetic of `_hours_between`: the same floating-point number as the interval column holds.
    return float(microseconds) / _MICROSECONDS_PER_HOUR


def _middle(n: int) -> set[int]:
    """The ranks a median of n values reads."""
    return {(n - 1) // 2, n // 2}


def _medians_by_code(
    codes: np.ndarray[Any, Any], totals: np.ndarray[Any, Any], slots: int
) -> list[float | None]:
    """The median total time (hours) of the arrivals with each code 0 … slots - 1, from their codes and
    total times in microseconds. One sort of code-and-time keys groups the codes and orders the times
    within each at once; hours are worked out only at the ranks read. Converting microseconds to hours
    keeps their order, so these are the medians of the hours, as `PERCENTILE_DEFINITION` has them."""
    if totals.size == 0:
        return [None] * slots
    low = int(totals.min())
    if int(totals.max()) - low > _TIME_MASK:
        # Times too far apart for the key (never seen in practice): each code's times sorted apart.
        groups = [np.sort(totals[codes == code]) for code in range(slots)]
        return [
            _quantile({r: _hours(int(g[r])) for r in _middle(g.size)}, g.size, 0.5) if g.size else None
            for g in groups
        ]
    # built in place: at ten million arrivals every temporary array costs a pass and fresh memory
    keys = np.subtract(totals, low).view(np.uint64)
    high = codes.astype(np.uint64)
    high <<= np.uint64(_CODE_SHIFT)
    keys |= high
    del high
    keys.sort()
    bounds = np.searchsorted(keys, np.arange(slots + 1, dtype=np.uint64) << np.uint64(_CODE_SHIFT)).tolist()
    mask = np.uint64(_TIME_MASK)
    return [
        _quantile(
            {r: _hours(int(keys[start + r] & mask) + low) for r in _middle(end - start)}, end - start, 0.5
        )
        if end > start
        else None
        for start, end in itertools.pairwise(bounds)
    ]


def _pattern(
    arrived: pl.DataFrame,
    released: np.ndarray[Any, Any],
    totals: np.ndarray[Any, Any],
    key: str,
    values: range,
) -> pl.DataFrame:
    """Arrivals, releases and the median total time per `key` (every value of `values` present) from
    the arrivals' codes (``key - values.start``, a byte) and release flags in `arrived`, the flags as a
    numpy mask, and the total times (microseconds) of those released."""
    slots = len(values)
    counts = arrived.group_by(key).agg(pl.len().alias("arrivals"), pl.col("released").sum().alias("released"))
    per_slot = {name: np.zeros(slots, dtype=np.int64) for name in ("arrivals", "released")}
    for name, column in per_slot.items():
        column[counts.get_column(key).to_numpy()] = counts.get_column(name).to_numpy()
    codes = arrived.get_column(key).to_numpy()[released]
    return pl.DataFrame(
        {
            key: list(values),
            **per_slot,
            "median_arrival_to_release_hours": _medians_by_code(codes, totals, slots),
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
    arrived = _collect_narrow(
        frame.select(
            hour.cast(pl.UInt8).alias("hour"),
            (weekday - 1).cast(pl.UInt8).alias("weekday"),
            pl.col("released_at").is_not_null().alias("released"),
            # The total time in whole microseconds, the unit it is measured in (see `_medians_by_code`),
            # or 0 when not released: the flag tells those apart, and numpy gets a column without nulls.
            (pl.col("released_at") - pl.col("arrived_at"))
            .dt.total_microseconds()
            .fill_null(0)
            .alias(_TOTAL_MICROSECONDS),
        )
    )
    released = arrived.get_column("released").to_numpy()
    totals = arrived.get_column(_TOTAL_MICROSECONDS).to_numpy()[released]
    return _pattern(arrived, released, totals, "hour", range(24)), _pattern(
        arrived, released, totals, "weekday", range(1, 8)
    )
