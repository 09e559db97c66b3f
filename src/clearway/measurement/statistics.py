"""E-commerce statistics: volumes, declared values and revenue by dimension; data quality per filer.

Values are in the revenue currency of the jurisdiction (EUR for the EU profile), in minor units in the
frames and as decimal strings in results. Item-level dimensions (origin, HS section and chapter)
share the consignment's value and consignment-level taxes among its items in proportion to item value:
the goods items carry those shares, worked out once when the tables are read or exported
(`sources.ITEM_ANALYSIS`).
"""

from __future__ import annotations

import itertools
from typing import Any

import polars as pl

from clearway.measurement.errors import UnknownDimension
from clearway.measurement.scope import Scope, aggregate, check_found, scope_mask, scoped
from clearway.measurement.sources import (
    ITEM_KEYS,
    REVENUE_SUMS,
    REVENUE_TYPES,
    SHARED_AMOUNTS,
    SHIPMENT_ROW,
    Tables,
    first_of,
    shared,
)

# Value bands in EUR: the EU VAT threshold that applied until 2021, the duty relief and IOSS limit
# (150), and the point beyond which a full declaration is usual.
VALUE_BANDS = (22, 150, 1000)
SHIPMENT_DIMENSIONS = (
    "destination", "transport_mode", "channel", "collection_model", "filer", "lane", "irg_category",
    "value_band",
)  # fmt: skip
ITEM_DIMENSIONS = ("origin", "hs_section", "hs_chapter")
DIMENSIONS = SHIPMENT_DIMENSIONS + ITEM_DIMENSIONS
TAX_TYPES = REVENUE_TYPES


def _band_labels() -> list[str]:
    edges = (0, *VALUE_BANDS)
    labels = [f"{lo}-{hi} EUR" for lo, hi in itertools.pairwise(edges)]
    return [*labels, f"over {VALUE_BANDS[-1]} EUR"]


def _value_band(column: str) -> pl.Expr:
    """The band's position in `_band_labels()`: how many edges the value is above. Grouping by this small
    integer and naming the few groups afterwards costs far less than a label per shipment. A missing
    value falls in the last band, as the first `when` that holds (none) would put it."""
    value = pl.col(column) / 100
    above: Any = sum((value > edge).cast(pl.UInt8) for edge in VALUE_BANDS)
    position: pl.Expr = above.fill_null(len(VALUE_BANDS))
    return position


def _money(column: str) -> pl.Expr:
    """Exact decimal text from integer minor units (amounts here are never negative)."""
    minor = pl.col(column).cast(pl.Int64)
    return pl.format("{}.{}", minor // 100, (minor % 100).cast(pl.String).str.zfill(2))


def _finish(frame: pl.DataFrame, dimension: str) -> list[dict[str, Any]]:
    money = ["declared_value", *TAX_TYPES, "collected_at_border"]
    out = frame.with_columns(
        pl.col(dimension).cast(pl.String).fill_null("(none)"),
        *(
            _money(f"{m}_minor").alias(m)
            for m in ["declared_value", *(f"{t}" for t in TAX_TYPES), "collected_at_border"]
            if f"{m}_minor" in frame.columns
        ),
    ).drop([c for c in frame.columns if c.endswith("_minor")])
    ordered = [dimension, "shipments", *(["items"] if "items" in out.columns else []), *money]
    return (
        out.select([c for c in ordered if c in out.columns])
        .sort(["shipments", dimension], descending=[True, False])
        .to_dicts()
    )


def by_dimension(tables: Tables, scope: Scope, dimension: str) -> list[dict[str, Any]]:
    if dimension not in DIMENSIONS:
        raise UnknownDimension(dimension, DIMENSIONS)
    if dimension in SHIPMENT_DIMENSIONS:
        return _finish(_by_shipment_dimension(tables, scope, dimension), dimension)
    return _finish(_by_item_dimension(tables, scope, dimension), dimension)


def _by_shipment_dimension(tables: Tables, scope: Scope, dimension: str) -> pl.DataFrame:
    """Shipments, declared value and assessed revenue per value of the dimension: the shipments carry
    their revenue by type (summed from their tax lines once, when the tables were read), so this groups
    the shipments alone."""
    key = {
        "destination": pl.col("destination_country"),
        "value_band": _value_band("value_minor"),
    }.get(dimension, pl.col(dimension))
    grouped = aggregate(
        scoped(tables, scope)
        .group_by(key.alias(dimension))
        .agg(
            pl.len().alias("shipments"),
            pl.col("value_minor").sum().alias("declared_value_minor"),
            *(pl.col(c).sum() for c in REVENUE_SUMS),
        )
    )
    check_found(tables, scope, int(grouped.get_column("shipments").sum()))
    if dimension == "value_band":
        labels = _band_labels()
        return grouped.with_columns(pl.col(dimension).replace_strict(range(len(labels)), labels))
    return grouped


def _by_item_dimension(tables: Tables, scope: Scope, dimension: str) -> pl.DataFrame:
    """Item-level dimensions: each item takes its share (by value) of the consignment's declared value
    and revenue. The items carry those shares and, for each item dimension, whether they are the first
    item of their consignment with their value of it: so this groups the items alone, and counts a
    consignment once in each group it has items in."""
    mask = scope_mask(tables, scope)
    items = tables.goods if mask is None else tables.goods.filter(pl.lit(mask).gather(pl.col(SHIPMENT_ROW)))
    names = {"value_minor": "declared_value_minor"}
    return aggregate(
        items.group_by(pl.col(ITEM_KEYS[dimension]).alias(dimension)).agg(
            pl.col(first_of(dimension)).sum().cast(pl.UInt32).alias("shipments"),
            pl.len().alias("items"),
            *(pl.col(shared(a)).sum().round(0).cast(pl.Int64).alias(names.get(a, a)) for a in SHARED_AMOUNTS),
        )
    )


def data_quality(tables: Tables, scope: Scope) -> list[dict[str, Any]]:
    """Per filer: accepted shipments, refused submissions, rejection rate and the commonest errors."""
    accepted = aggregate(scoped(tables, scope).group_by("filer").agg(pl.len().alias("accepted")))
    check_found(tables, scope, int(accepted.get_column("accepted").sum()))
    refused = tables.rejections
    if scope.date_from:
        refused = refused.filter(pl.col("received_at").dt.date() >= scope.date_from)
    if scope.date_to:
        refused = refused.filter(pl.col("received_at").dt.date() <= scope.date_to)
    refused_df = refused.collect()
    counts = refused_df.group_by("filer").agg(pl.len().alias("refused"))
    errors = (
        refused_df.explode("codes")
        .group_by("filer", "codes")
        .agg(pl.len().alias("n"))
        .sort(["filer", "n", "codes"], descending=[False, True, False])
        .group_by("filer", maintain_order=True)
        .agg((pl.col("codes") + " (" + pl.col("n").cast(pl.String) + ")").head(3).alias("top_errors"))
    )
    frame = (
        accepted.join(counts, on="filer", how="full", coalesce=True)
        .join(errors, on="filer", how="left")
        .with_columns(pl.col("accepted").fill_null(0), pl.col("refused").fill_null(0))
        .with_columns(
            (pl.col("refused") / (pl.col("accepted") + pl.col("refused"))).round(4).alias("rejection_rate"),
            pl.col("top_errors").fill_null([]),
        )
        .sort(["rejection_rate", "filer"], descending=[True, False])
    )
    return frame.select("filer", "accepted", "refused", "rejection_rate", "top_errors").to_dicts()
