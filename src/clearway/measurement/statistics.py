"""E-commerce statistics: volumes, declared values and revenue by dimension; data quality per filer.

Values are in the revenue currency of the jurisdiction (EUR for the EU profile), in minor units in the
frames and as decimal strings in results. Item-level dimensions (origin, HS section and chapter)
share the consignment's value and consignment-level taxes among its items in proportion to item value.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import polars as pl

from clearway.measurement.scope import Scope, by_row, select_in
from clearway.measurement.sources import ITEM_SUMS, REVENUE_SUMS, REVENUE_TYPES, SHIPMENT_ROW, Tables
from clearway.reference import hs_chapter, hs_section_of

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


class UnknownDimension(ValueError):
    def __init__(self, dimension: str, valid: tuple[str, ...]) -> None:
        super().__init__(f"unknown dimension '{dimension}'; choose one of: {', '.join(valid)}")


def _band_labels() -> list[str]:
    edges = (0, *VALUE_BANDS)
    labels = [f"{lo}-{hi} EUR" for lo, hi in itertools.pairwise(edges)]
    return [*labels, f"over {VALUE_BANDS[-1]} EUR"]


def _value_band(column: str) -> pl.Expr:
    value = pl.col(column) / 100
    labels = _band_labels()
    expr: Any = pl.when(value <= VALUE_BANDS[0]).then(pl.lit(labels[0]))
    for k, edge in enumerate(VALUE_BANDS[1:], start=1):
        expr = expr.when(value <= edge).then(pl.lit(labels[k]))
    band: pl.Expr = expr.otherwise(pl.lit(labels[-1]))
    return band


@cache
def _hs_names() -> pl.DataFrame:
    """Chapter (2 digits) → chapter label and section label, for the 96 HS chapters."""
    rows = []
    for number in range(1, 100):
        code = f"{number:02d}"
        chapter = hs_chapter(code)
        section = hs_section_of(code)
        if chapter and section:
            rows.append((code, f"{code} {chapter.description}", f"{section[0]} {section[1]}"))
    return pl.DataFrame(rows, schema=["chapter", "hs_chapter", "hs_section"], orient="row")


def _collect(query: pl.LazyFrame) -> pl.DataFrame:
    return query.collect()


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
    ships = select_in(tables, scope, key.alias(dimension), "value_minor", *REVENUE_SUMS)
    return ships.group_by(dimension).agg(
        pl.len().alias("shipments"),
        pl.col("value_minor").sum().alias("declared_value_minor"),
        *(pl.col(c).sum() for c in REVENUE_SUMS),
    )


def _by_item_dimension(tables: Tables, scope: Scope, dimension: str) -> pl.DataFrame:
    """Item-level dimensions: each item takes its share (by value) of the consignment's declared value
    and revenue. An item finds its shipment's value, revenue and item sums by its `shipment_row`."""
    shared = ["declared_value_minor", *REVENUE_SUMS]
    ships = by_row(
        tables, scope, pl.col("value_minor").alias("declared_value_minor"), *REVENUE_SUMS, *ITEM_SUMS
    )
    items = ships.rows_in(tables.goods)
    if dimension == "origin":
        items = items.select(SHIPMENT_ROW, "value_minor", pl.col("origin_country").alias(dimension))
    else:
        items = (
            items.select(SHIPMENT_ROW, "value_minor", pl.col("hs6").str.slice(0, 2).alias("chapter"))
            .join(_hs_names().lazy().select("chapter", dimension), on="chapter", how="left")
            .drop("chapter")
        )
    count, value = pl.col("_items"), pl.col("value_minor")
    return _collect(
        # Each item's shares are worked out row by row before grouping (a gather inside a group repeats).
        items.with_columns(ships.of("items").alias("_items"), ships.of("items_value_minor").alias("_sum"))
        # items of a zero-value consignment share it equally
        .with_columns((value / pl.col("_sum")).fill_nan(None).fill_null(1 / count).alias("_share"))
        .with_columns((ships.of(c) * pl.col("_share")).alias(c) for c in shared)
        .group_by(dimension)
        .agg(
            # A shipment of one item is counted by its item; only the others need telling apart, by row
            # number (which stands for the id, unique as the shipments' primary key).
            (pl.col(SHIPMENT_ROW).filter(count > 1).n_unique() + (count == 1).sum()).alias("shipments"),
            pl.len().alias("items"),
            *(pl.col(c).sum().round(0).cast(pl.Int64) for c in shared),
        )
    )


def data_quality(tables: Tables, scope: Scope) -> list[dict[str, Any]]:
    """Per filer: accepted shipments, refused submissions, rejection rate and the commonest errors."""
    accepted = select_in(tables, scope, "filer").group_by("filer").agg(pl.len().alias("accepted"))
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
