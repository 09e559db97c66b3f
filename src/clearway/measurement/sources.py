"""The tables measurement reads, as Polars frames, from the database or from a Parquet export.

Both sources give the same frames (same columns, ids as text, times in UTC), so every statistic runs
through one code path whether it reads SQLite, PostgreSQL or Parquet files written by
`clearway export parquet`.

Besides the stored columns, the frames carry links and per-shipment sums worked out once when they are
read (or once when the export is written): each shipment's position `row`, the `shipment_row` of every
goods item and tax line, and per shipment its item count, the sum of its item values and its assessed
revenue by type. Matching tens of millions of text ids is the costliest step of every statistic; with
these, a statistic groups the shipments alone or gathers by an integer position, and never joins text.
Each goods item also carries its HS chapter and section names, its share of its consignment's value and
revenue, and whether it is the first item of its consignment with its origin, chapter and section
(`ITEM_ANALYSIS`), so that the statistics by item dimension group the items alone.

Text columns with a handful of distinct values (lanes, channels, offices, countries, tax types) are
categoricals in both sources: grouping and filtering then compare small integer codes, not text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Column, ColumnElement, Connection, String, Table, and_, cast, select, true

from clearway.declarations.tables import goods_items, rejections, shipments, tax_lines
from clearway.reference import hs_chapter, hs_section_of

SHIPMENT_COLUMNS = (
    "id", "filer", "lane", "irg_category", "state", "transport_mode", "channel", "office_of_entry",
    "collection_model", "departure_country", "destination_country", "revenue_currency", "value_minor",
    "total_value_minor", "due_at_border_minor", "lodged_at", "received_at", "arrived_at", "inspected_at",
    "paid_at", "released_at",
)  # fmt: skip
ITEM_COLUMNS = ("shipment_id", "seq", "hs6", "origin_country", "value_minor")
TAX_COLUMNS = ("shipment_id", "item_seq", "tax_type", "amount_minor", "currency", "collection")
REJECTION_COLUMNS = ("filer", "lrn", "status", "codes", "received_at")
ID_COLUMNS = frozenset({"id", "shipment_id"})
ROW = "row"  # a shipment's position in `Tables.shipments`: 0, 1, …
SHIPMENT_ROW = "shipment_row"  # on goods items and tax lines: the `row` of their shipment
REVENUE_TYPES = ("duty", "flat_duty", "vat")
# Per shipment: its goods items, the sum of their values, and its assessed revenue (relieved lines
# excluded) by type and collected at the border, in minor units.
ITEM_SUMS = ("items", "items_value_minor")
REVENUE_SUMS = (*(f"{t}_minor" for t in REVENUE_TYPES), "collected_at_border_minor")
DERIVED_COLUMNS = (ROW, *ITEM_SUMS, *REVENUE_SUMS)
# Item dimension -> the goods column it groups by.
ITEM_KEYS = {"origin": "origin_country", "hs_section": "hs_section", "hs_chapter": "hs_chapter"}
# The consignment amounts each goods item takes a share of, in proportion to its value.
SHARED_AMOUNTS = ("value_minor", *REVENUE_SUMS)


def shared(amount: str) -> str:
    """The goods column with the item's share of its consignment's `amount` (minor units, fractional)."""
    return f"shared_{amount}"


def first_of(dimension: str) -> str:
    """The goods column that is true on the first item of a consignment with a value of `dimension`."""
    return f"first_{dimension}"


ITEM_ANALYSIS = (
    "hs_chapter",
    "hs_section",
    *(shared(a) for a in SHARED_AMOUNTS),
    *(first_of(d) for d in ITEM_KEYS),
)
TIME_COLUMNS = frozenset({"lodged_at", "received_at", "arrived_at", "inspected_at", "paid_at", "released_at"})


_INTEGERS = frozenset(
    {
        "irg_category",
        "value_minor",
        "total_value_minor",
        "due_at_border_minor",
        "seq",
        "item_seq",
        "amount_minor",
    }
)
_CATEGORIES = frozenset(
    {
        "filer",
        "lane",
        "state",
        "transport_mode",
        "channel",
        "office_of_entry",
        "collection_model",
        "departure_country",
        "destination_country",
        "revenue_currency",
        "origin_country",
        "tax_type",
        "currency",
        "collection",
        "status",
    }
)
UTC_TIME = pl.Datetime("us", "UTC")


def _dtype(column: str) -> pl.DataType:
    if column in TIME_COLUMNS:
        return UTC_TIME
    if column in _INTEGERS:
        return pl.Int64()
    if column in _CATEGORIES:
        return pl.Categorical()
    if column == "codes":
        return pl.List(pl.String())
    return pl.String()


@dataclass(frozen=True, slots=True)
class Tables:
    shipments: pl.LazyFrame
    goods: pl.LazyFrame
    tax_lines: pl.LazyFrame
    rejections: pl.LazyFrame


_TABLES: dict[str, tuple[Table, tuple[str, ...]]] = {
    "shipments": (shipments, SHIPMENT_COLUMNS),
    "goods": (goods_items, ITEM_COLUMNS),
    "tax_lines": (tax_lines, TAX_COLUMNS),
    "rejections": (rejections, REJECTION_COLUMNS),
}


def _column(table: Table, name: str) -> Any:
    column: Column[Any] = table.c[name]
    return cast(column, String).label(name) if name in ID_COLUMNS else column


def _typed(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """The same types whatever the database: SQLite hands back naive times (stored as UTC) and
    PostgreSQL aware ones; an empty table has no types at all."""
    if frame.height == 0:
        return pl.DataFrame(schema={c: _dtype(c) for c in columns})
    fixes = []
    for name in columns:
        dtype = frame.schema[name]
        if name in TIME_COLUMNS and isinstance(dtype, pl.Datetime):
            utc = pl.col(name).dt.replace_time_zone("UTC") if dtype.time_zone is None else pl.col(name)
            fixes.append(utc.dt.convert_time_zone("UTC").dt.cast_time_unit("us"))
        else:
            fixes.append(pl.col(name).cast(_dtype(name)))
    return frame.with_columns(fixes)


def _read(
    conn: Connection, table: Table, columns: tuple[str, ...], where: ColumnElement[bool] | None = None
) -> pl.DataFrame:
    query = select(*(_column(table, c) for c in columns))
    if where is not None:
        query = query.where(where)
    frame = pl.read_database(query, conn, infer_schema_length=None)
    return _typed(frame, columns)


def _between(column: Column[Any], date_from: dt.date | None, date_to: dt.date | None) -> ColumnElement[bool]:
    start = dt.datetime.combine(date_from, dt.time(), tzinfo=dt.UTC) if date_from else None
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC) if date_to else None
    return and_(true(), *([column >= start] if start else []), *([column < end] if end else []))


def from_database(
    conn: Connection, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> Tables:
    """The measured tables; with a period, only the shipments lodged in it (and their items and tax
    lines) and the refusals received in it are read. Scopes still filter exactly: this only prunes."""
    lodged = _between(shipments.c.lodged_at, date_from, date_to)
    of_lodged = select(shipments.c.id).where(lodged).scalar_subquery()
    where: dict[str, ColumnElement[bool]] = {
        "shipments": lodged,
        "goods": goods_items.c.shipment_id.in_(of_lodged),
        "tax_lines": tax_lines.c.shipment_id.in_(of_lodged),
        "rejections": _between(rejections.c.received_at, date_from, date_to),
    }
    period = date_from is not None or date_to is not None
    frames = {
        name: _read(conn, table, columns, where[name] if period else None)
        for name, (table, columns) in _TABLES.items()
    }
    return _linked(frames)


def _linked(frames: dict[str, pl.DataFrame]) -> Tables:
    ships, goods, taxes = link(frames["shipments"], frames["goods"], frames["tax_lines"])
    return Tables(
        ships.lazy(), goods.lazy(), taxes.lazy(), _as_stored(frames["rejections"], REJECTION_COLUMNS).lazy()
    )


def _as_stored(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """The stored columns only (an export may carry links already), in the types `_read` gives."""
    return frame.select(
        pl.col(c) if frame.schema[c] == _dtype(c) else pl.col(c).cast(_dtype(c)) for c in columns
    )


@cache
def hs_names() -> pl.DataFrame:
    """Chapter (2 digits) -> chapter label and section label, for the 96 HS chapters."""
    rows = []
    for number in range(1, 100):
        code = f"{number:02d}"
        chapter = hs_chapter(code)
        section = hs_section_of(code)
        if chapter and section:
            rows.append((code, f"{code} {chapter.description}", f"{section[0]} {section[1]}"))
    return pl.DataFrame(rows, schema=["chapter", "hs_chapter", "hs_section"], orient="row")


def _first_of(rows: pl.Series, values: pl.Series) -> pl.Series:
    """True on the first item of each consignment with its value (null is a value too): the sum over a
    group counts the consignments with an item in it, as a distinct count would, without hashing."""
    # One 64-bit key per item: the consignment's row, then the category code (null as the largest code,
    # which no category reaches). A stable sort puts equal keys together in their order in the file.
    codes = values.to_physical().fill_null(np.iinfo(np.uint32).max).to_numpy().astype(np.uint64)
    keys = (rows.to_numpy().astype(np.uint64) << np.uint64(32)) | codes
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    new = np.ones(keys.size, dtype=np.bool_)
    new[1:] = ordered[1:] != ordered[:-1]
    first = np.empty_like(new)
    first[order] = new
    return pl.Series(first)


def _item_analysis(items: pl.DataFrame, ships: pl.DataFrame) -> pl.DataFrame:
    """The goods items with `ITEM_ANALYSIS`: HS names from their subheading, and each item's share of its
    consignment's value and revenue (by value; the items of a zero-value consignment share it equally)."""
    names = hs_names()

    def of(column: str) -> pl.Expr:
        return pl.lit(ships.get_column(column)).gather(pl.col(SHIPMENT_ROW))

    chapter = pl.col("hs6").str.slice(0, 2)
    labels = [
        chapter.replace_strict(names["chapter"], names[label], default=None).cast(pl.Categorical).alias(label)
        for label in ("hs_chapter", "hs_section")
    ]
    count, total = of("items"), of("items_value_minor")
    share = (pl.col("value_minor") / total).fill_nan(None).fill_null(1 / count)
    frame = (
        items.lazy()
        .with_columns(*labels, share.alias("_share"))
        .with_columns((of(a) * pl.col("_share")).alias(shared(a)) for a in SHARED_AMOUNTS)
        .drop("_share")
        .collect()
    )
    rows = frame.get_column(SHIPMENT_ROW)
    return frame.with_columns(
        _first_of(rows, frame.get_column(key)).alias(first_of(d)) for d, key in ITEM_KEYS.items()
    )


def _row_sums() -> list[pl.Expr]:
    amount, kind = pl.col("amount_minor"), pl.col("tax_type")
    return [
        *(amount.filter(kind == t).sum().alias(f"{t}_minor") for t in REVENUE_TYPES),
        amount.filter(pl.col("collection") == "border").sum().alias("collected_at_border_minor"),
    ]


def link(
    ships: pl.DataFrame, goods: pl.DataFrame | pl.LazyFrame, taxes: pl.DataFrame | pl.LazyFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The shipments numbered in `row` with their per-shipment sums (`ITEM_SUMS`, `REVENUE_SUMS`), and
    the goods items and tax lines with their shipment's `shipment_row`. Items and lines of a shipment
    that is not among `ships` are left out, as an inner join on the id would. Rows keep their order.
    The goods items also get their `ITEM_ANALYSIS` columns. Any links or sums the frames carry already
    are worked out anew."""
    ships = _as_stored(ships, SHIPMENT_COLUMNS)
    goods = _as_stored(goods.lazy().collect(), ITEM_COLUMNS)
    taxes = _as_stored(taxes.lazy().collect(), TAX_COLUMNS)
    numbered = ships.with_row_index(ROW)
    keys = numbered.lazy().select(pl.col("id").alias("shipment_id"), pl.col(ROW).alias(SHIPMENT_ROW))

    def linked(rows: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
        return rows.lazy().join(keys, on="shipment_id", how="inner", maintain_order="left")

    items, lines = linked(goods), linked(taxes)
    per_item = items.group_by(SHIPMENT_ROW).agg(
        pl.len().cast(pl.Int64).alias("items"), pl.col("value_minor").sum().alias("items_value_minor")
    )
    # Relieved lines are assessed at zero collection: the statistics count only what is due.
    per_line = lines.filter(pl.col("collection") != "relieved").group_by(SHIPMENT_ROW).agg(_row_sums())
    summed = (
        numbered.lazy()
        .join(per_item, left_on=ROW, right_on=SHIPMENT_ROW, how="left", maintain_order="left")
        .join(per_line, left_on=ROW, right_on=SHIPMENT_ROW, how="left", maintain_order="left")
        .with_columns(pl.col(*ITEM_SUMS, *REVENUE_SUMS).fill_null(0))
    )
    out_ships, out_goods, out_taxes = pl.collect_all([summed, items, lines])
    return out_ships, _item_analysis(out_goods, out_ships), out_taxes


def from_parquet(folder: Path) -> Tables:
    missing = [name for name in _TABLES if not (folder / f"{name}.parquet").exists()]
    if missing:
        raise FileNotFoundError(
            f"{folder} is not a Clearway Parquet export: missing {', '.join(m + '.parquet' for m in missing)}"
        )
    scans = {name: pl.scan_parquet(folder / f"{name}.parquet") for name in _TABLES}
    shipment_columns, item_columns = (set(scans[n].collect_schema().names()) for n in ("shipments", "goods"))
    if not (shipment_columns >= set(DERIVED_COLUMNS) and item_columns >= {SHIPMENT_ROW, *ITEM_ANALYSIS}):
        # An export written before the links or the item columns were: link it in memory now (slower,
        # same numbers).
        return _linked({name: scan.collect() for name, scan in scans.items()})
    return Tables(**scans)


def write_export(folder: Path, frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Write the measured tables (stored columns only, as `_read` gives them) as `<name>.parquet` with
    their links; returns the row count of each. The frames are written in the order they come."""
    folder.mkdir(parents=True, exist_ok=True)
    ships, goods, taxes = link(frames["shipments"], frames["goods"], frames["tax_lines"])
    refused = _as_stored(frames["rejections"], REJECTION_COLUMNS)
    linked = {"shipments": ships, "goods": goods, "tax_lines": taxes, "rejections": refused}
    for name, frame in linked.items():
        # LZ4 decodes in about half the time zstd (Polars' default) takes, for files ~1.5 times larger:
        # an export is written once and read by every statistic.
        frame.write_parquet(folder / f"{name}.parquet", compression="lz4")
    return {name: frame.height for name, frame in linked.items()}


def export_parquet(conn: Connection, folder: Path) -> dict[str, int]:
    """Write every measured table as `<name>.parquet`; returns the row count of each."""
    return write_export(
        folder, {name: _read(conn, table, columns) for name, (table, columns) in _TABLES.items()}
    )
