"""The batch pipeline against real databases: storage, idempotency, partial acceptance, risk context."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select

from clearway.config import Settings
from clearway.declarations import tables
from clearway.intake.pipeline import ItemResult, Submission, process_batch
from clearway.risk import watchlist
from tests.sample import RECEIVED_AT, shipment

SETTINGS = Settings(control_rate=0.0)


def run(engine: Engine, *records: dict[str, Any], at: dt.datetime = RECEIVED_AT) -> list[ItemResult]:
    return process_batch(engine, [Submission(r) for r in records], SETTINGS, at)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_accepted_batch_is_stored_with_items_parties_decision_taxes_and_events(engine: Engine) -> None:
    results = run(engine, shipment("A1"), shipment("A2"))
    assert [r.status for r in results] == ["accepted", "accepted"]
    assert count(engine, tables.shipments) == 2
    assert count(engine, tables.goods_items) == 4
    assert count(engine, tables.parties) == 4  # seller and consignee of each
    assert count(engine, tables.decisions) == 2
    assert count(engine, tables.events) == 4  # filed and assessed
    assert count(engine, tables.tax_lines) == 6  # flat duty + VAT per item
    summary = results[0].summary
    assert summary is not None
    assert summary["state"] == "assessed" and summary["lane"] == "green" and summary["irg_category"] == 3
    # 2 sub-headings x EUR 3, VAT 19 % on (25 + 3.75) and (15 + 2.25)
    assert summary["revenue"]["totals"] == {"flat_duty": "6.00", "vat": "8.74"}
    assert summary["revenue"]["due_at_border"] == "14.74"


def test_same_batch_twice_is_stored_once_and_returns_the_original_result(engine: Engine) -> None:
    first = run(engine, shipment("B1"), shipment("B2"))
    again = run(engine, shipment("B1"), shipment("B2"))
    assert [r.status for r in again] == ["duplicate", "duplicate"]
    assert [r.shipment_id for r in again] == [r.shipment_id for r in first]
    assert again[0].summary == first[0].summary
    assert count(engine, tables.shipments) == 2
    assert count(engine, tables.goods_items) == 4


def test_duplicate_inside_one_batch_is_stored_once(engine: Engine) -> None:
    results = run(engine, shipment("C1"), shipment("C1"))
    assert [r.status for r in results] == ["accepted", "duplicate"]
    assert results[0].shipment_id == results[1].shipment_id
    assert count(engine, tables.shipments) == 1


def test_changed_data_under_the_same_lrn_is_a_conflict_and_changes_nothing(engine: Engine) -> None:
    (first,) = run(engine, shipment("D1"))
    (changed,) = run(engine, shipment("D1", house_waybill="OTHER"))
    assert changed.status == "conflict"
    assert changed.shipment_id == first.shipment_id
    assert [e.code for e in changed.errors] == ["lrn.conflict"]
    with engine.connect() as conn:
        waybill = conn.execute(select(tables.shipments.c.house_waybill)).scalar_one()
    assert waybill == "WBD1"


def test_invalid_records_are_reported_and_valid_ones_accepted(engine: Engine) -> None:
    bad = shipment("E2", currency="XYZ")
    bad["goods"][0]["hs_code"] = "999999"
    results = run(engine, shipment("E1"), bad, {"not": "a shipment"}, shipment("E3"))
    assert [r.status for r in results] == ["accepted", "rejected", "rejected", "accepted"]
    assert {(e.code, e.path) for e in results[1].errors} == {
        ("currency.unknown", "/currency"),
        ("hs.unknown", "/goods/0/hs_code"),
    }
    assert any(e.path == "/filer" and e.code == "schema.missing" for e in results[2].errors)
    assert count(engine, tables.shipments) == 2
    # The refusals are kept for the filer's data-quality record, without the records themselves.
    with engine.connect() as conn:
        refused = conn.execute(
            select(tables.rejections.c.filer, tables.rejections.c.lrn, tables.rejections.c.codes).order_by(
                tables.rejections.c.id
            )
        ).all()
    assert [(f, lrn, sorted(codes)) for f, lrn, codes in refused] == [
        ("DHLEXPRESS", "E2", ["currency.unknown", "hs.unknown"]),
        ("(unknown)", None, ["schema.extra_forbidden", "schema.missing"]),
    ]


def _consignee(name: str) -> dict[str, Any]:
    return {"name": name, "address": {"line": "Rue de la Paix 5", "postcode": "75002", "country": "FR"}}


def _one_item(lrn: str, value: str, name: str = "Marie Curie", hours: int = 0) -> dict[str, Any]:
    record = shipment(
        lrn,
        total_value=value,
        destination_country="FR",
        lodged_at=(RECEIVED_AT - dt.timedelta(hours=10 - hours)).isoformat(),
    )
    record["goods"] = [
        {
            "description": "Leather handbag",
            "hs_code": "420221",
            "origin_country": "CN",
            "net_mass_kg": "0.8",
            "value": value,
        }
    ]
    record["parties"]["consignee"] = _consignee(name)
    return record


def test_split_consignments_are_found_across_batches(engine: Engine) -> None:
    (first,) = run(engine, _one_item("S1", "90.00"))
    (second,) = run(engine, _one_item("S2", "80.00", name="MARIE  CURIE", hours=2))
    (other,) = run(engine, _one_item("S3", "120.00", name="Pierre Curie", hours=3))
    rules = [[r["rule"] for r in (x.summary or {})["reasons"]] for x in (first, second, other)]
    assert rules == [[], ["R-SPLIT"], []]
    assert second.summary and second.summary["lane"] == "yellow"


def test_watch_listed_seller_goes_red(engine: Engine) -> None:
    with engine.begin() as conn:
        watchlist.add_entries(
            conn, [watchlist.WatchEntry(tin="cn 91440300-ma5fxx001", reason="fraud case 17")]
        )
    (result,) = run(engine, shipment("W1"))
    assert result.summary is not None
    assert result.summary["lane"] == "red"
    assert [r["rule"] for r in result.summary["reasons"]] == ["R-WATCHLIST"]


def test_random_control_sample_is_reproducible_from_seed_and_id(engine: Engine) -> None:
    everyone = Settings(control_rate=1.0, control_seed=7)
    (result,) = process_batch(engine, [Submission(shipment("R1"))], everyone, RECEIVED_AT)
    assert result.summary is not None and result.summary["control_sample"] is True
    assert result.summary["lane"] == "red"


def _vendor(lrn: str, number: str) -> dict[str, Any]:
    return shipment(
        lrn,
        fiscal={
            "collection_model": "vendor",
            "vendor_registration": number,
            "tax_collected_at_checkout": True,
        },
    )


def test_vendor_registration_is_checked_against_a_loaded_registry_only(engine: Engine) -> None:
    from clearway.revenue import registrations as reg

    def rules(*records: dict[str, Any]) -> list[list[str]]:
        return [[r["rule"] for r in (x.summary or {})["reasons"]] for x in run(engine, *records)]

    # No IOSS registry loaded: an unknown number cannot be told from a valid one, so nothing is flagged.
    assert rules(_vendor("V1", "IM2769999999")) == [[]]
    with engine.begin() as conn:
        reg.upsert(
            conn,
            reg.parse_csv(
                "number,holder,valid_from,revoked_at\n"
                "IM2760000001,Shop GmbH,2021-07-01,\n"
                "IM5280000002,Winkel BV,2021-07-01,2026-01-01T00:00:00+00:00\n"
            ),
        )
    results = run(
        engine, _vendor("V3", "IM2760000001"), _vendor("V4", "IM2769999999"), _vendor("V5", "IM5280000002")
    )
    found = [
        [(r["rule"], r["detail"]) for r in (x.summary or {})["reasons"] if r["rule"] != "R-SPLIT"]
        for x in results
    ]
    assert found[0] == []
    assert found[1] == [("R-VENDOR-REGISTRATION", "IOSS number IM2769999999 is not in the registry")]
    assert found[2] == [("R-VENDOR-REGISTRATION", "IM5280000002 (Winkel BV) was revoked on 2026-01-01")]
    assert [x.summary and x.summary["lane"] for x in results] == ["green", "yellow", "yellow"]
