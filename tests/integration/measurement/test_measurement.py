"""Measurement over real databases: the same numbers from SQLite, PostgreSQL and a Parquet export."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine

from clearway.clearance.lifecycle import Arrival, InspectionResult, Payment
from clearway.measurement.benchmarking import revenue_benchmark
from clearway.measurement.errors import EmptyScope, UnknownDimension
from clearway.measurement.scope import Scope
from clearway.measurement.sources import (
    ITEM_ANALYSIS,
    ITEM_COLUMNS,
    SHIPMENT_COLUMNS,
    TAX_COLUMNS,
    Tables,
    export_parquet,
    from_database,
    from_parquet,
)
from clearway.measurement.statistics import DIMENSIONS, by_dimension, data_quality
from clearway.measurement.study import compare, get_runs, run_study, save_run
from clearway.measurement.trs import DIMENSIONS as TRS_DIMENSIONS
from tests.integration.intake.test_pipeline import run
from tests.sample import shipment
from tests.transitions import record

T0 = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def _ioss(lrn: str, office: str) -> dict[str, Any]:
    record = shipment(
        lrn,
        office_of_entry=office,
        fiscal={"collection_model": "vendor", "vendor_registration": "IM2760000001"},
    )
    record["parties"]["consignee"]["name"] = f"Consignee {lrn}"
    return record


def _seed(engine: Engine) -> None:
    """Four shipments lodged 2026-11-27 10:00 (accepted 12:00):
    M1 green, arrives 14:00, released at once            → arrival→release 0 h
    M2 green, arrives 15:00, released at once            → 0 h
    M3 owes duties, arrives 13:00, paid 16:00 → released → 3 h
    M4 vague description (yellow), arrives 13:00, documents checked 21:00 → released → 8 h
    Lodgement (10:00) is before every arrival: all four are pre-arrival."""
    results = run(
        engine,
        _ioss("M1", "DELEJ004"),
        _ioss("M2", "DELEJ004"),
        shipment("M3", office_of_entry="DEFRA004"),
        _vague("M4"),
    )
    assert all(r.status == "accepted" for r in results)
    ids = {r.lrn: r.shipment_id for r in results if r.shipment_id is not None}

    def at(hours: float) -> dt.datetime:
        return T0 + dt.timedelta(hours=hours)

    record(engine, ids["M1"], Arrival(type="arrival", at=at(2)))
    record(engine, ids["M2"], Arrival(type="arrival", at=at(3)))
    record(engine, ids["M3"], Arrival(type="arrival", at=at(1)))
    record(engine, ids["M3"], Payment(type="payment", amount_minor=1474, at=at(4)))
    record(engine, ids["M4"], Arrival(type="arrival", at=at(1)))
    record(
        engine,
        ids["M4"],
        InspectionResult(type="inspection_result", control="documents", result="compliant", at=at(9)),
    )


def _vague(lrn: str) -> dict[str, Any]:
    record = _ioss(lrn, "DEFRA004")
    record["goods"][0]["description"] = "goods"
    return record


def _interval(result: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in result["intervals"] if r["interval"] == name)


def test_release_times_from_the_event_record(engine: Engine) -> None:
    _seed(engine)
    with engine.connect() as conn:
        tables = from_database(conn)
    result = run_study(tables, Scope())
    assert (result["shipments"], result["arrived"], result["released"], result["pre_arrival"]) == (4, 4, 4, 4)
    total = _interval(result, "arrival_to_release")
    # 0, 0, 3, 8: mean 2.75; type 7 median = (0 + 3) / 2 = 1.5; P90: h = 3 x 0.9 = 2.7 → 3 + 0.7 x 5 = 6.5
    assert total["n"] == 4 and total["mean"] == pytest.approx(2.75)
    assert total["median"] == pytest.approx(1.5) and total["p90"] == pytest.approx(6.5)
    assert (total["min"], total["max"]) == (0.0, 8.0)
    # lodged 10:00, arrivals 14:00, 15:00, 13:00, 13:00 → -4, -5, -3, -3 hours: kept negative
    lodgement = _interval(result, "arrival_to_lodgement")
    assert lodgement["n"] == 4 and lodgement["mean"] == pytest.approx(-3.75)
    within = {r["hours"]: r["share"] for r in result["released_within"]}
    assert within[1] == pytest.approx(0.5) and within[4] == pytest.approx(0.75) and within[8] == 1.0

    by_office = run_study(tables, Scope(offices=("DEFRA004",)))
    assert by_office["shipments"] == 2
    assert _interval(by_office, "arrival_to_release")["mean"] == pytest.approx(5.5)
    with pytest.raises(EmptyScope, match="DEFRA004, DELEJ004"):
        run_study(tables, Scope(offices=("NLAMS004",)))
    with pytest.raises(EmptyScope, match="2020-01-01"):
        run_study(tables, Scope(dt.date(2020, 1, 1), dt.date(2020, 1, 31)))


def test_statistics_quality_and_benchmark(engine: Engine) -> None:
    _seed(engine)
    run(engine, shipment("BAD", currency="XYZ"))
    with engine.connect() as conn:
        tables = from_database(conn)
    channels = by_dimension(tables, Scope(), "channel")
    assert channels == [
        {
            "channel": "express",
            "shipments": 4,
            "declared_value": "160.00",
            "duty": "0.00",
            "flat_duty": "24.00",
            "vat": "34.96",
            "collected_at_border": "14.74",
        }
    ]
    origins = {r["origin"]: r for r in by_dimension(tables, Scope(), "origin")}
    assert origins["CN"]["items"] == 8 and origins["CN"]["declared_value"] == "160.00"
    with pytest.raises(UnknownDimension, match="choose one of"):
        by_dimension(tables, Scope(), "colour")
    (quality,) = data_quality(tables, Scope())
    assert quality["filer"] == "DHLEXPRESS" and (quality["accepted"], quality["refused"]) == (4, 1)
    assert quality["rejection_rate"] == pytest.approx(0.2) and quality["top_errors"] == [
        "currency.unknown (1)"
    ]
    rows = revenue_benchmark(tables, Scope(), Decimal("2.50"), "month")
    assert {r["tax_type"]: r["collected"] for r in rows} == {"flat_duty": "24.00", "vat": "34.96"}
    # 4 declarations x 2.50 = 10.00 shared by revenue: 24 / 58.96 and 34.96 / 58.96
    assert sum(Decimal(r["cost_of_collection_estimate"]) for r in rows) == Decimal("10.00")


def test_parquet_export_gives_the_same_numbers(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    with engine.connect() as conn:
        counts = export_parquet(conn, tmp_path)
        from_db = from_database(conn)
    assert counts["shipments"] == 4
    from_files = from_parquet(tmp_path)
    assert run_study(from_files, Scope(), by="lane") == run_study(from_db, Scope(), by="lane")
    assert by_dimension(from_files, Scope(), "hs_chapter") == by_dimension(from_db, Scope(), "hs_chapter")


def test_export_links_items_and_lines_to_their_shipment(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    with engine.connect() as conn:
        export_parquet(conn, tmp_path)
        from_db = from_database(conn)
    ships = pl.read_parquet(tmp_path / "shipments.parquet")
    # rows numbered in file order; 8 items (two per shipment); the revenue of test_statistics_… above:
    # flat duty 24.00, VAT 34.96, 14.74 of it collected at the border
    assert ships["row"].to_list() == [0, 1, 2, 3] and ships["items"].to_list() == [2, 2, 2, 2]
    assert (ships["flat_duty_minor"].sum(), ships["vat_minor"].sum()) == (2400, 3496)
    assert ships["collected_at_border_minor"].sum() == 1474
    ids = dict(zip(ships["row"].to_list(), ships["id"].to_list(), strict=True))
    for name in ("goods", "tax_lines"):
        rows = pl.read_parquet(tmp_path / f"{name}.parquet")
        assert [ids[r] for r in rows["shipment_row"].to_list()] == rows["shipment_id"].to_list()
    # An export written before the links existed is linked when it is read: the same numbers.
    old = tmp_path / "old"
    old.mkdir()
    for name, columns in (
        ("shipments", SHIPMENT_COLUMNS),
        ("goods", ITEM_COLUMNS),
        ("tax_lines", TAX_COLUMNS),
    ):
        pl.read_parquet(tmp_path / f"{name}.parquet").select(columns).write_parquet(old / f"{name}.parquet")
    (old / "rejections.parquet").write_bytes((tmp_path / "rejections.parquet").read_bytes())
    assert by_dimension(from_parquet(old), Scope(), "origin") == by_dimension(from_db, Scope(), "origin")


def _everything(tables: Tables, scope: Scope) -> dict[str, Any]:
    """Every study breakdown, statistic and benchmark period over `tables`."""
    return {
        **{f"trs/{by}": run_study(tables, scope, by=by) for by in (None, *TRS_DIMENSIONS)},
        **{f"stats/{d}": by_dimension(tables, scope, d) for d in DIMENSIONS},
        "quality": data_quality(tables, scope),
        **{
            f"benchmark/{p}": revenue_benchmark(tables, scope, Decimal("2.50"), p)
            for p in ("day", "month", "year")
        },
    }


def test_database_and_parquet_export_give_the_same_numbers_for_everything(
    engine: Engine, tmp_path: Path
) -> None:
    _seed(engine)
    run(engine, shipment("BAD", currency="XYZ"))
    with engine.connect() as conn:
        export_parquet(conn, tmp_path)
        from_db = from_database(conn)
    from_files = from_parquet(tmp_path)
    for scope in (Scope(), Scope(offices=("DEFRA004",)), Scope(dt.date(2026, 11, 27), dt.date(2026, 11, 27))):
        assert _everything(from_files, scope) == _everything(from_db, scope)


def test_export_carries_item_analysis_and_categorical_codes(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    with engine.connect() as conn:
        export_parquet(conn, tmp_path)
    ships = pl.read_parquet(tmp_path / "shipments.parquet")
    goods = pl.read_parquet(tmp_path / "goods.parquet")
    taxes = pl.read_parquet(tmp_path / "tax_lines.parquet")
    # Low-cardinality text columns come back as categoricals, read as codes; ids stay text.
    assert ships.schema["lane"] == pl.Categorical and ships.schema["id"] == pl.String
    assert goods.schema["origin_country"] == pl.Categorical and taxes.schema["tax_type"] == pl.Categorical
    assert set(ITEM_ANALYSIS) <= set(goods.columns)
    # Two items per shipment, HS chapter and section named from the subheading.
    chapters = goods.select(pl.col("hs6").str.slice(0, 2), pl.col("hs_chapter").cast(pl.String)).unique()
    assert all(label.startswith(code + " ") for code, label in chapters.rows())
    assert goods["hs_section"].null_count() == 0
    # Each item's shares add up to its shipment's declared value and revenue.
    per_shipment = goods.group_by("shipment_row").agg(
        pl.col("shared_value_minor").sum(), pl.col("shared_vat_minor").sum(), pl.col("first_origin").sum()
    )
    joined = per_shipment.join(ships, left_on="shipment_row", right_on="row")
    assert joined["shared_value_minor"].to_list() == pytest.approx(joined["value_minor"].to_list())
    assert joined["shared_vat_minor"].to_list() == pytest.approx(joined["vat_minor"].to_list())
    # Both items of each shipment come from China: the first of them counts the shipment once.
    assert joined["first_origin"].to_list() == [1, 1, 1, 1]


def test_an_export_without_the_item_columns_is_linked_again_when_read(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    with engine.connect() as conn:
        export_parquet(conn, tmp_path)
        from_db = from_database(conn)
    # An export from before the item columns: links and sums, but no shares, names or first flags.
    old = tmp_path / "old"
    old.mkdir()
    for name in ("shipments", "goods", "tax_lines", "rejections"):
        frame = pl.read_parquet(tmp_path / f"{name}.parquet")
        frame.drop(ITEM_ANALYSIS, strict=False).write_parquet(old / f"{name}.parquet")
    for dimension in ("origin", "hs_chapter", "hs_section"):
        assert by_dimension(from_parquet(old), Scope(), dimension) == by_dimension(
            from_db, Scope(), dimension
        )


def test_scoped_benchmark_counts_only_the_scoped_declarations(engine: Engine) -> None:
    _seed(engine)
    with engine.connect() as conn:
        tables = from_database(conn)
    # M3 and M4 entered at DEFRA004; M3 owes the 14.74 collected at the border (paid in the seed)
    rows = revenue_benchmark(tables, Scope(offices=("DEFRA004",)), Decimal("2.50"), "month")
    assert {r["declarations"] for r in rows} == {2}
    assert sum(Decimal(r["collected_at_border"]) for r in rows) == Decimal("14.74")
    assert sum(Decimal(r["cost_of_collection_estimate"]) for r in rows) == Decimal("5.00")


def test_runs_are_stored_and_compared(engine: Engine) -> None:
    _seed(engine)
    with engine.connect() as conn:
        tables = from_database(conn)
    with engine.begin() as conn:
        first = save_run(conn, "all offices", run_study(tables, Scope()))
        second = save_run(conn, "Frankfurt", run_study(tables, Scope(offices=("DEFRA004",))))
    with engine.connect() as conn:
        rows = compare(get_runs(conn, [first, second]))
    assert [(r["name"], r["shipments"], r["median"]) for r in rows] == [
        ("all offices", 4, pytest.approx(1.5)),
        ("Frankfurt", 2, pytest.approx(5.5)),
    ]


def test_cli_trs_and_stats_print_one_json_object_last(engine: Engine, db_url: str) -> None:
    _seed(engine)

    def clearway(*args: str) -> Any:
        out = subprocess.run(
            [sys.executable, "-m", "clearway.cli", *args, "--db", db_url, "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    trs = clearway("trs", "--by", "lane")
    assert {r["lane"] for r in trs["intervals"]} == {"green", "yellow"}
    stats = clearway("stats", "--by", "value_band")
    assert stats["rows"] == [
        {
            "value_band": "22-150 EUR",
            "shipments": 4,
            "declared_value": "160.00",
            "duty": "0.00",
            "flat_duty": "24.00",
            "vat": "34.96",
            "collected_at_border": "14.74",
        }
    ]
    failed = subprocess.run(
        [sys.executable, "-m", "clearway.cli", "stats", "--by", "colour", "--db", db_url],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 2 and "unknown dimension 'colour'" in failed.stdout


def test_reading_a_period_prunes_without_changing_results(engine: Engine) -> None:
    _seed(engine)
    day = dt.date(2026, 11, 27)
    with engine.connect() as conn:
        everything = from_database(conn)
        that_day = from_database(conn, day, day)
        day_before = from_database(conn, None, day - dt.timedelta(days=1))
    scope = Scope(day, day)
    assert run_study(that_day, scope, by="lane") == run_study(everything, scope, by="lane")
    assert by_dimension(that_day, scope, "origin") == by_dimension(everything, scope, "origin")
    assert that_day.goods.collect().height == 8 and that_day.tax_lines.collect().height > 0
    assert day_before.shipments.collect().height == 0 and day_before.goods.collect().height == 0
