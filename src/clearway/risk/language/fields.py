"""The field catalogue: every name a condition may use, its type, and the batch frame that holds them.

Shipment fields are columns of the frame (one row per shipment, the column named by the field path);
goods-item fields live in the list column ``goods`` and are used inside ``any(goods, ...)``,
``all(goods, ...)`` or ``count(goods, ...)``. docs/rule-language.md documents the same catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

Type = Literal["number", "string", "bool"]
GOODS = "goods"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    type: Type
    description: str
    item: bool = False  # a goods-item field


def _f(type_: Type, description: str) -> FieldSpec:
    return FieldSpec(type_, description)


def _g(type_: Type, description: str) -> FieldSpec:
    return FieldSpec(type_, description, item=True)


FIELDS: dict[str, FieldSpec] = {
    "filer": _f("string", "filer identifier"),
    "jurisdiction": _f("string", "revenue jurisdiction of the destination, e.g. EU"),
    "departure_country": _f("string", "ISO 3166 country of departure"),
    "destination_country": _f("string", "ISO 3166 country of destination"),
    "origin": _f("string", "origin country of the highest-value goods item (the first on a tie)"),
    "transport_mode": _f("string", "air, sea, road, rail, post"),
    "channel": _f("string", "express, postal, cargo"),
    "collection_model": _f("string", "who pays duties and taxes: buyer, vendor, intermediary"),
    "office_of_entry": _f("string", "customs office code; null when not declared"),
    "currency": _f("string", "ISO 4217 currency of the declaration"),
    "vendor_registration": _f("string", "IOSS or similar vendor number; null when none"),
    "gift": _f("bool", "declared as a C2C gift"),
    "documents_only": _f("bool", "correspondence or documents"),
    "return_shipment": _f("bool", "a returned consignment"),
    "packages": _f("number", "number of packages"),
    "irg_category": _f("number", "IRG category 1-4 (EDIFACT 7085)"),
    "consignment.total_value_eur": _f("number", "intrinsic value in EUR at the lodgement-date rate"),
    "consignment.item_count": _f("number", "number of goods items"),
    "consignment.net_mass_kg": _f("number", "sum of the items' net mass"),
    "consignment.gross_mass_kg": _f("number", "declared gross mass; null when not declared"),
    "seller.name": _f("string", "seller / e-vendor name as declared"),
    "seller.tin": _f("string", "seller TIN, normalised (upper case, no separators); null when none"),
    "seller.country": _f("string", "seller address country; null without address"),
    "consignee.name": _f("string", "consignee name as declared"),
    "consignee.tin": _f("string", "consignee TIN, normalised; null when none"),
    "consignee.country": _f("string", "consignee address country; null without address"),
    "consignee.postcode": _f("string", "consignee postcode; null when not declared"),
    "marketplace.name": _f("string", "e-commerce platform; null when none"),
    "carrier.name": _f("string", "express carrier or post; null when none"),
    "indicator.unit_value_ratio": _f(
        "number", "lowest ratio over the items of unit value to the reference minimum; null without reference"
    ),
    "indicator.vague_description": _f("bool", "some item has a vague description"),
    "indicator.split_count": _f("number", "consignments to the same consignee within the split window"),
    "indicator.split_total_eur": _f("number", "their total value in EUR, this one included"),
    "indicator.watchlist_hit": _f("bool", "a party matched the watch list"),
    "goods.hs_code": _g("string", "HS code as declared (6 to 10 digits)"),
    "goods.description": _g("string", "goods description"),
    "goods.origin_country": _g("string", "ISO 3166 country of origin"),
    "goods.quantity": _g("number", "quantity in the declared unit"),
    "goods.net_mass_kg": _g("number", "net mass"),
    "goods.value_eur": _g("number", "item value in EUR"),
    "goods.unit_value_eur": _g("number", "item value in EUR divided by the quantity"),
}

_DTYPES: dict[Type, pl.DataType] = {"number": pl.Float64(), "string": pl.String(), "bool": pl.Boolean()}
ITEM_FIELDS = {path.removeprefix("goods."): spec for path, spec in FIELDS.items() if spec.item}
ITEM_STRUCT = pl.Struct({name: _DTYPES[spec.type] for name, spec in ITEM_FIELDS.items()})
SHIPMENT_FIELDS = {path: spec for path, spec in FIELDS.items() if not spec.item}
# Columns the rule set needs beside the catalogue: lodgement date for validity (scope uses the fields).
LODGED_DATE = "_lodged_date"


def frame_schema() -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {path: _DTYPES[spec.type] for path, spec in SHIPMENT_FIELDS.items()}
    schema[GOODS] = pl.List(ITEM_STRUCT)
    schema[LODGED_DATE] = pl.Date()
    return schema


def _series(name: str, values: list[Any], type_: Type) -> pl.Series:
    if type_ == "number":
        return pl.Series(name, [None if v is None else float(v) for v in values], dtype=pl.Float64)
    return pl.Series(name, values, dtype=_DTYPES[type_])


def build_frame(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """One row per shipment from dicts keyed by field path (``goods``: a list of item dicts keyed by
    item field name). Missing fields are null; numbers may be Decimal or int.

    Column by column, and the items as a flat frame grouped into lists by Polars: building nested
    structs from Python dicts is several times slower."""
    columns = [
        _series(path, [row.get(path) for row in rows], spec.type) for path, spec in SHIPMENT_FIELDS.items()
    ]
    columns.append(pl.Series(LODGED_DATE, [row.get(LODGED_DATE) for row in rows], dtype=pl.Date))
    owner: list[int] = []
    values: dict[str, list[Any]] = {name: [] for name in ITEM_FIELDS}
    for i, row in enumerate(rows):
        for item in row.get(GOODS, ()):
            owner.append(i)
            for name, column in values.items():
                column.append(item.get(name))
    items = pl.DataFrame(
        [pl.Series("_row", owner, dtype=pl.UInt32)]
        + [_series(name, column, ITEM_FIELDS[name].type) for name, column in values.items()]
    )
    goods = items.group_by("_row", maintain_order=True).agg(pl.struct(list(ITEM_FIELDS)).alias(GOODS))
    no_goods = pl.lit([], dtype=pl.List(ITEM_STRUCT))
    return (
        pl.DataFrame(columns)
        .with_row_index("_row")
        .join(goods, on="_row", how="left", maintain_order="left")
        .with_columns(pl.col(GOODS).fill_null(no_goods))
        .select(list(frame_schema()))
    )
