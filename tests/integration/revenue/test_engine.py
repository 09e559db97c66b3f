"""Regression tests, against real databases, for the differences found between the revenue paths when
they were merged onto one entry point: the clearance pipeline now assesses through
`revenue.engine.assess_for` (its own VAT rate, tariff and fallback rate are gone), converts and rounds
money as the estimator does, declares pieces, channel and place of shipment; the simulator takes vendor
status from the declared registration and applies specific duties.

Amounts are computed by hand in the comments (EUR, DE VAT 19 %, lodged 2026-11-27: duty relief up to
150 with a flat EUR 3 per sub-heading under 150).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from clearway.config import Settings
from clearway.declarations import tables
from clearway.intake.pipeline import Submission, process_batch
from clearway.reference.jurisdictions import profile
from clearway.revenue import service, simulator
from clearway.revenue.calculation import Consignment, Item
from clearway.revenue.engine import assess_for, local_amount
from clearway.server import create_app
from tests.integration.intake.test_pipeline import run
from tests.sample import RECEIVED_AT, shipment

DAY = dt.date(2026, 11, 27)


def _lines(engine: Engine, shipment_id: Any) -> list[tuple[Any, ...]]:
    t = tables.tax_lines.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.item_seq, t.tax_type, t.base_minor, t.amount_minor, t.collection)
            .where(t.shipment_id == shipment_id)
            .order_by(t.id)
        )
        return [tuple(r) for r in rows]


def _category(engine: Engine, shipment_id: Any) -> int:
    with engine.connect() as conn:
        s = tables.shipments.c
        return int(conn.execute(select(s.irg_category).where(s.id == shipment_id)).scalar_one())


def _item(hs: str, value: str, mass: str = "0.3", **extra: str) -> dict[str, Any]:
    return {
        "description": "goods",
        "hs_code": hs,
        "origin_country": "CN",
        "net_mass_kg": mass,
        "value": value,
        **extra,
    }


def test_the_pipeline_assesses_through_the_engine_entry_point(engine: Engine) -> None:
    """A USD shipment with transport and three items is stored exactly as `assess_for` assesses the same
    consignment: the profile's VAT rate and tariff, amounts converted and rounded to the cent."""
    record = shipment(
        "E1",
        currency="USD",
        total_value="300.00",
        transport_cost="7.77",
        insurance_cost="1.00",
        goods=[_item("610910", "120.00"), _item("851830", "100.00"), _item("640299", "80.00")],
    )
    (result,) = run(engine, record)
    assert result.status == "accepted", result.errors

    def eur(amount: str) -> Decimal:
        return local_amount(Decimal(amount), "USD", "EUR", DAY)

    items = [
        Item(1, "610910", eur("120.00"), Decimal("0.3"), Decimal(1)),
        Item(2, "851830", eur("100.00"), Decimal("0.3"), Decimal(1)),
        Item(3, "640299", eur("80.00"), Decimal("0.3"), Decimal(1)),
    ]
    c = Consignment("DE", eur("300.00"), eur("8.77"), items, False, False, None, "CN", "courier")
    expected = [
        (x.item_seq, x.tax_type.value, x.base_minor, x.amount_minor, x.collection.value)
        for x in assess_for(c, profile("EU"), DAY).lines
    ]
    assert _lines(engine, result.shipment_id) == expected
    assert [t for _, t, *_ in expected] == ["duty"] * 3 + ["vat"] * 3  # above EUR 150: the CET


def test_the_pipeline_rounds_the_converted_value_to_the_cent_before_the_threshold(engine: Engine) -> None:
    """EUR 150.004 is EUR 150.00: within the EUR 150 relief (not under it: no flat duty), category 3,
    VAT 150 x .19 = 28.50 — as the estimator answers. The pipeline compared 150.004 > 150: CET 12 % =
    18.00, VAT 31.92, category 4, while storing the value as 150.00."""
    record = shipment("E2", total_value="150.004", goods=[_item("610910", "150.004")])
    (result,) = run(engine, record)
    assert _lines(engine, result.shipment_id) == [
        (None, "duty", 15000, 0, "relieved"),
        (1, "vat", 15000, 2850, "border"),
    ]
    assert _category(engine, result.shipment_id) == 3
    assert result.summary is not None and result.summary["revenue"]["due_at_border"] == "28.50"


def test_the_pipeline_applies_specific_duties_on_the_declared_pieces(engine: Engine) -> None:
    """1,000 hatching eggs (CN 0407 11 00: 35 EUR per 1,000 items), EUR 200: duty 35.00, VAT (200 + 35) x
    .19 = 44.65. The pipeline declared no pieces, so the specific duty was 'not applied'."""
    record = shipment("E3", total_value="200.00", goods=[_item("040711", "200.00", quantity="1000")])
    (result,) = run(engine, record)
    assert _lines(engine, result.shipment_id) == [
        (1, "duty", 20000, 3500, "border"),
        (1, "vat", 23500, 4465, "border"),
    ]


def test_the_configured_fallback_rate_is_the_pipelines_and_the_estimators(
    engine: Engine, tmp_path: Path
) -> None:
    """HS 854911 has no CET line: the configured 10 % applies in the pipeline and in GET /v1/estimate
    alike — 200 x 10 % = 20.00, VAT 220 x .19 = 41.80 (the estimator used 12 % whatever the setting)."""
    settings = Settings(control_rate=0.0, fallback_duty_rate=Decimal("0.10"))
    record = shipment("E4", total_value="200.00", goods=[_item("854911", "200.00")])
    (result,) = process_batch(engine, [Submission(record)], settings, RECEIVED_AT)
    assert _lines(engine, result.shipment_id) == [
        (1, "duty", 20000, 2000, "border"),
        (1, "vat", 22000, 4180, "border"),
    ]
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'e.db'}", fallback_duty_rate=Decimal("0.10"))
    )
    with TestClient(app) as client:
        params = {
            "destination": "DE",
            "date": "2026-11-27",
            "origin": "CN",
            "value": "200",
            "currency": "EUR",
        }
        body = client.get("/v1/estimate", params={**params, "hs": "854911"}).json()
    assert (body["duty"], body["taxes"]) == ("20.00", {"vat": "41.80"})


def _simulate(engine: Engine, duty: str, tax: str) -> dict[str, Any]:
    policy = simulator.parse_policy("EU", duty, tax, "2.00")
    with engine.begin() as conn:
        return service.simulate_de_minimis(conn, policy, Decimal("0.12"))


def test_the_simulator_collects_at_checkout_only_under_a_declared_registration(engine: Engine) -> None:
    """Two sample shipments (EUR 40: T-shirt 25.00 at 12 %, earbuds 15.00 at 0 %), both filed under the
    vendor model, one without a registration number: the engine put its flat duty and VAT at the
    border, the other's at checkout. With no duty and no tax de minimis both become ad valorem:
    duty 12 % x 25 = 3.00 at the border; VAT (25 + 3) x .19 = 5.32 and 15 x .19 = 2.85, 8.17, at the
    border for the unregistered one and at checkout (IOSS, within EUR 150) for the other.
    The simulator took the collection model for a registration and put both at checkout."""
    unregistered = shipment("V1", fiscal={"collection_model": "vendor"})
    registered = shipment("V2", fiscal={"collection_model": "vendor", "vendor_registration": "IM2760000001"})
    results = run(engine, unregistered, registered)
    assert [_lines(engine, r.shipment_id)[1][4] for r in results] == ["border", "checkout"]
    r = _simulate(engine, "0", "0")
    assert r["treatment_changes"] == 2
    assert r["by_collection"]["checkout"]["simulated"] == "8.17"
    assert r["by_collection"]["border"]["simulated"] == "14.17"  # 3.00 + 8.17 + 3.00
    assert r["collection"]["declarations_simulated"] == 2


def test_the_simulator_applies_specific_duties(engine: Engine) -> None:
    """Grated cheese (CN 0406 20 00: 188.20 EUR / 100 kg), 1 kg, EUR 40: stored with the flat duty 3.00
    and VAT (40 + 3) x .19 = 8.17. With no duty de minimis the duty is 188.20 x 0.01 = 1.882 -> 1.88 and
    the VAT (40 + 1.88) x .19 = 7.9572 -> 7.96 (the engine: (40 + 1.882) x .19 = 7.95758 -> 7.96). The
    simulator re-computed the ad valorem part only: duty 0.00, VAT 7.60."""
    (result,) = run(engine, shipment("C1", goods=[_item("04062000", "40.00", mass="1.0")]))
    assert _lines(engine, result.shipment_id) == [
        (None, "flat_duty", 4000, 300, "border"),
        (1, "vat", 4300, 817, "border"),
    ]
    revenue = {x["tax_type"]: x["simulated"] for x in _simulate(engine, "0", "0")["revenue"]}
    assert revenue == {"duty": "1.88", "flat_duty": "0.00", "vat": "7.96"}
