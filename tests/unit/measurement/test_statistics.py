"""Statistics by shipment and item dimension and the revenue benchmark, on three shipments by hand.

The tables go through `write_export` and `from_parquet`, and through the in-memory linking the database
reader uses: both must give the numbers worked out in the comments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from clearway.measurement.benchmarking import revenue_benchmark
from clearway.measurement.errors import EmptyScope
from clearway.measurement.scope import Scope
from clearway.measurement.sources import (
    ITEM_COLUMNS,
    REJECTION_COLUMNS,
    SHIPMENT_COLUMNS,
    TAX_COLUMNS,
    UTC_TIME,
    Tables,
    _linked,
    from_parquet,
    write_export,
)
from clearway.measurement.statistics import by_dimension

T0 = dt.datetime(2026, 10, 31, 22, 0, tzinfo=dt.UTC)


def _frames() -> dict[str, pl.DataFrame]:
    """S1: 100.00 EUR, lodged 31 October, two items from China (shirt 60.00, trousers 40.00), VAT 19.00
    collected at the border. S2: 22.00 EUR, lodged 1 November, one US shirt, flat duty 3.00 at checkout.
    S3: a document pouch lodged 1 November: two Chinese items worth nothing, no revenue."""
    ship: dict[str, Any] = {c: None for c in SHIPMENT_COLUMNS}
    ships = pl.DataFrame(
        [
            ship | {"id": "S1", "value_minor": 10000, "lodged_at": T0, "lane": "green"},
            ship | {"id": "S2", "value_minor": 2200, "lodged_at": T0 + dt.timedelta(hours=3), "lane": "red"},
            ship | {"id": "S3", "value_minor": 0, "lodged_at": T0 + dt.timedelta(hours=4), "lane": "green"},
        ],
        schema={
            c: (UTC_TIME if c.endswith("_at") else pl.Int64 if c.endswith("_minor") else pl.String)
            for c in SHIPMENT_COLUMNS
        },
    ).with_columns(pl.col("irg_category").cast(pl.Int64))
    goods = pl.DataFrame(
        [
            ("S1", 1, "610910", "CN", 6000),
            ("S1", 2, "620342", "CN", 4000),
            ("S2", 1, "610910", "US", 2200),
            ("S3", 1, "491199", "CN", 0),
            ("S3", 2, "491199", "CN", 0),
        ],
        schema=list(ITEM_COLUMNS),
        orient="row",
    )
    taxes = pl.DataFrame(
        [("S1", None, "vat", 1900, "EUR", "border"), ("S2", 1, "flat_duty", 300, "EUR", "checkout")],
        schema=list(TAX_COLUMNS),
        orient="row",
    )
    refused = pl.DataFrame(
        schema={
            c: (UTC_TIME if c == "received_at" else pl.List(pl.String) if c == "codes" else pl.String)
            for c in REJECTION_COLUMNS
        }
    )
    return {"shipments": ships, "goods": goods, "tax_lines": taxes, "rejections": refused}


@pytest.fixture(params=["parquet", "in-memory"])
def tables(request: pytest.FixtureRequest, tmp_path: Path) -> Tables:
    if request.param == "parquet":
        write_export(tmp_path, _frames())
        return from_parquet(tmp_path)
    return _linked(_frames())


def _rows(tables: Tables, dimension: str, scope: Scope | None = None) -> dict[str, dict[str, Any]]:
    return {r[dimension]: r for r in by_dimension(tables, scope or Scope(), dimension)}


def test_item_dimensions_share_value_and_revenue_and_count_each_shipment_once(tables: Tables) -> None:
    origin = _rows(tables, "origin")
    # China: S1 (two items, counted once) and S3 (two items): 2 shipments, 4 items. S1's 100.00 and its
    # VAT go wholly to China; S3 is worth nothing.
    assert (origin["CN"]["shipments"], origin["CN"]["items"]) == (2, 4)
    assert (origin["CN"]["declared_value"], origin["CN"]["vat"], origin["CN"]["flat_duty"]) == (
        "100.00",
        "19.00",
        "0.00",
    )
    assert (origin["US"]["shipments"], origin["US"]["declared_value"], origin["US"]["flat_duty"]) == (
        1,
        "22.00",
        "3.00",
    )

    chapter = _rows(tables, "hs_chapter")
    shirts, trousers = (next(r for k, r in chapter.items() if k.startswith(c)) for c in ("61 ", "62 "))
    # Chapter 61: S1's shirt (60 % of S1: 60.00, VAT 11.40) and S2 (22.00): 2 shipments.
    assert (shirts["shipments"], shirts["items"], shirts["declared_value"], shirts["vat"]) == (
        2,
        2,
        "82.00",
        "11.40",
    )
    # Chapter 62: S1's trousers, 40 %: 40.00 and VAT 7.60.
    assert (trousers["shipments"], trousers["declared_value"], trousers["vat"]) == (1, "40.00", "7.60")

    section = _rows(tables, "hs_section")
    # Chapters 61 and 62 are both section XI: S1 is counted once there, with both its items.
    textiles = next(r for k, r in section.items() if k.startswith("XI "))
    assert (textiles["shipments"], textiles["items"], textiles["declared_value"]) == (2, 3, "122.00")


def test_value_bands_include_their_upper_edge(tables: Tables) -> None:
    bands = _rows(tables, "value_band")
    # S2 is worth exactly 22.00: the first band, with S3 (0.00); S1 (100.00) the second.
    assert (bands["0-22 EUR"]["shipments"], bands["0-22 EUR"]["declared_value"]) == (2, "22.00")
    assert (bands["22-150 EUR"]["shipments"], bands["22-150 EUR"]["vat"]) == (1, "19.00")
    assert set(bands) == {"0-22 EUR", "22-150 EUR"}


def test_scoped_item_statistics_and_empty_scopes(tables: Tables) -> None:
    # 1 November: S2 and S3 only.
    november = Scope(dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    origin = _rows(tables, "origin", november)
    assert (origin["CN"]["shipments"], origin["CN"]["items"], origin["CN"]["declared_value"]) == (
        1,
        2,
        "0.00",
    )
    with pytest.raises(EmptyScope):
        by_dimension(tables, Scope(dt.date(2020, 1, 1), dt.date(2020, 1, 1)), "hs_chapter")


def test_benchmark_periods_put_each_day_in_its_period(tables: Tables) -> None:
    months = {
        (r["period"], r["tax_type"]): r for r in revenue_benchmark(tables, Scope(), Decimal("1.00"), "month")
    }
    # S1 lodged 31 October (VAT at the border); S2 and S3 on 1 November (flat duty at checkout).
    assert months[("2026-10-01", "vat")]["collected_at_border"] == "19.00"
    assert months[("2026-10-01", "vat")]["declarations"] == 1
    assert months[("2026-11-01", "flat_duty")]["collected_at_checkout"] == "3.00"
    assert months[("2026-11-01", "flat_duty")]["declarations"] == 2
    years = revenue_benchmark(tables, Scope(), Decimal("1.00"), "year")
    assert {(r["period"], r["tax_type"], r["declarations"]) for r in years} == {
        ("2026-01-01", "flat_duty", 3),
        ("2026-01-01", "vat", 3),
    }
    days = revenue_benchmark(tables, Scope(), Decimal("1.00"), "day")
    assert [(r["period"], r["tax_type"]) for r in days] == [
        ("2026-10-31", "vat"),
        ("2026-11-01", "flat_duty"),
    ]
