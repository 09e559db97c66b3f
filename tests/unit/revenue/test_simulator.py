"""De minimis simulator over a small stored data set, every number computed by hand below.

Four EU shipments lodged 2026-11-27 (period in force: duty relief up to EUR 150 with a flat EUR 3 per
distinct sub-heading under 150, no VAT de minimis, low-value ceiling 150, gift relief 45, IOSS up to
150), stored with the tax lines the revenue engine gives them (amounts in cents):

S1 buyer, value 40.00: 610910 (CET 12 %) 25.00 + 851830 (0 %) 15.00, category 3.
   flat duty 2 x 3.00 = 600 (border); VAT 19 % on 2875 -> 546 and on 1725 -> 328 (border). Due 1474.
S2 IOSS vendor, value 100.00: 640399 (8 %) 100.00, category 3.
   flat duty 300 (checkout); VAT on 10300 -> 1957 (checkout). Due 0.
S3 buyer, value 200.00: 610910 200.00, category 4.
   duty 12 % of 20000 = 2400 (border); VAT on 22400 -> 4256 (border). Due 6656.
S4 gift, value 30.00: 610910, category 2: duty and VAT relieved (gift relief), nothing due.

Baseline: duty 2400, flat duty 900, VAT 546 + 328 + 1957 + 4256 = 7087; total 10387.
Border 1474 + 6656 = 8130, checkout 2257; declarations with something due at the border: S1, S3.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from clearway.declarations.tables import goods_items, shipments, tax_lines
from clearway.kit.bulk import insert_dicts
from clearway.revenue import simulator
from clearway.revenue.errors import NothingToSimulate, SimulationError

LODGED = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
VAT = "Directive 2006/112/EC Art. 30"
FLAT = "Council decision of 2026-02-11: interim flat duty EUR 3 per tariff sub-heading"
CCT = "Common Customs Tariff (Reg. (EEC) 2658/87)"
GIFT = "Reg. (EC) 1186/2009 Art. 25(1) (gift relief)"


def _sid(n: int) -> uuid.UUID:
    return uuid.UUID(f"01930000-0000-7000-8000-{n:012d}")


def _shipment(n: int, value: int, category: int, model: str, due: int) -> dict[str, Any]:
    return {
        "id": _sid(n), "filer": "SIM", "lrn": f"S{n}", "content_hash": "0" * 64, "version": 1,
        "state": "assessed", "lane": "green", "irg_category": category, "jurisdiction": "EU",
        "house_waybill": f"WB{n}", "departure_country": "CN", "destination_country": "DE",
        "transport_mode": "air", "channel": "express", "office_of_entry": "DELEJ001",
        "collection_model": model, "currency": "EUR", "total_value_minor": value, "revenue_currency": "EUR",
        "value_minor": value, "due_at_border_minor": due, "paid_minor": 0, "consignee_key": f"c{n}",
        "lodged_at": LODGED, "received_at": LODGED, "updated_at": LODGED, "warnings": [], "declaration": {},
    }  # fmt: skip


def _item(n: int, seq: int, hs: str, value: int) -> dict[str, Any]:
    return {
        "shipment_id": _sid(n), "seq": seq, "description": "goods", "hs_code": hs, "hs6": hs[:6],
        "origin_country": "CN", "quantity": Decimal(1), "unit": "PCE", "net_mass_kg": Decimal("0.5"),
        "value_minor": value,
    }  # fmt: skip


def _line(
    n: int, seq: int | None, kind: str, base: int, rate: str, amount: int, collection: str, basis: str
) -> dict[str, Any]:
    return {
        "shipment_id": _sid(n), "item_seq": seq, "tax_type": kind, "base_minor": base, "rate": Decimal(rate),
        "amount_minor": amount, "currency": "EUR", "collection": collection, "legal_basis": basis, "note": "",
    }  # fmt: skip


def _store(engine: Engine) -> None:
    with engine.begin() as conn:
        insert_dicts(
            conn,
            shipments,
            [
                _shipment(1, 4000, 3, "buyer", 1474),
                _shipment(2, 10000, 3, "vendor", 0),
                _shipment(3, 20000, 4, "buyer", 6656),
                _shipment(4, 3000, 2, "buyer", 0),
            ],
        )
        insert_dicts(
            conn,
            goods_items,
            [
                _item(1, 1, "610910", 2500),
                _item(1, 2, "851830", 1500),
                _item(2, 1, "640399", 10000),
                _item(3, 1, "610910", 20000),
                _item(4, 1, "610910", 3000),
            ],
        )
        insert_dicts(
            conn,
            tax_lines,
            [
                _line(1, None, "flat_duty", 4000, "3", 600, "border", FLAT),
                _line(1, 1, "vat", 2875, "0.19", 546, "border", VAT),
                _line(1, 2, "vat", 1725, "0.19", 328, "border", VAT),
                _line(2, None, "flat_duty", 10000, "3", 300, "checkout", FLAT),
                _line(2, 1, "vat", 10300, "0.19", 1957, "checkout", VAT),
                _line(3, 1, "duty", 20000, "0.12", 2400, "border", CCT),
                _line(3, 1, "vat", 22400, "0.19", 4256, "border", VAT),
                _line(4, None, "duty", 3000, "0", 0, "relieved", GIFT),
                _line(4, 1, "vat", 3000, "0.19", 0, "relieved", VAT),
            ],
        )


def _run(engine: Engine, duty: str, tax: str, cost: str = "2.00", **period: str) -> dict[str, Any]:
    policy = simulator.parse_policy("EU", duty, tax, cost, period.get("date_from"), period.get("date_to"))
    with engine.connect() as conn:
        return simulator.simulate(conn, policy)


def _revenue(result: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {r["tax_type"]: (r["baseline"], r["simulated"], r["change"]) for r in result["revenue"]}


def test_current_thresholds_change_nothing(engine: Engine) -> None:
    _store(engine)
    r = _run(engine, "150", "0")
    assert (r["shipments"], r["treatment_changes"], r["category_changes"]) == (4, 0, 0)
    assert _revenue(r) == {
        "duty": ("24.00", "24.00", "0.00"),
        "flat_duty": ("9.00", "9.00", "0.00"),
        "vat": ("70.87", "70.87", "0.00"),
    }
    assert r["by_collection"] == {
        "border": {"baseline": "81.30", "simulated": "81.30"},
        "checkout": {"baseline": "22.57", "simulated": "22.57"},
    }
    assert r["net_effect"] == "0.00"


def test_no_duty_relief_and_a_eur_50_vat_threshold(engine: Engine) -> None:
    """Duty 0, tax 50.

    S1 (40): ad valorem duty; customs values from the VAT bases less their share of the stored flat
    duty, 2875 x 4000 / 4600 = 2500 and 1725 x 4000 / 4600 = 1500; duty 12 % x 2500 = 300, 0 % x 1500
    = 0; VAT relieved (40 <= 50). Border 300.
    S2 (100): customs value 10300 x 10000 / 10300 = 10000; duty 8 % = 800 (border); VAT 19 % x
    (10000 + 800) = 2052, at checkout (IOSS, within 150).
    S3 unchanged (duty 2400, VAT 4256); S4 unchanged (gift).
    Duty 300 + 800 + 2400 = 3500; flat 0; VAT 2052 + 4256 = 6308; total 9808, change -579.
    Border 300 + 800 + 6656 = 7756; checkout 2052. Declarations 2 -> 3 at 2.00: cost 4.00 -> 6.00.
    Net -5.79 - 2.00 = -7.79. Categories: S1 and S2 stay 3 (above the duty threshold).
    """
    _store(engine)
    r = _run(engine, "0", "50")
    assert r["treatment_changes"] == 2 and r["category_changes"] == 0
    assert _revenue(r) == {
        "duty": ("24.00", "35.00", "11.00"),
        "flat_duty": ("9.00", "0.00", "-9.00"),
        "vat": ("70.87", "63.08", "-7.79"),
    }
    assert r["revenue_total"] == {"baseline": "103.87", "simulated": "98.08", "change": "-5.79"}
    assert r["by_collection"]["border"]["simulated"] == "77.56"
    assert r["by_collection"]["checkout"]["simulated"] == "20.52"
    assert r["collection"] == {
        "declarations_baseline": 2,
        "declarations_simulated": 3,
        "cost_baseline": "4.00",
        "cost_simulated": "6.00",
        "cost_change": "2.00",
    }
    assert r["net_effect"] == "-7.79"


def test_eur_200_for_both_moves_low_value_shipments_to_category_2(engine: Engine) -> None:
    """Duty 200, tax 200.

    S1 (40 < 200): flat duty stays 2 x 3.00 = 600 (border); VAT relieved; category 3 -> 2.
    S2 (100): flat 300 at checkout; VAT relieved; category 3 -> 2.
    S3 (200, exactly at both thresholds): relieved, no flat duty (only under the threshold);
    category stays 4 (above the 150 low-value ceiling, which the simulation does not move).
    Total 600 + 300 = 900, change 900 - 10387 = -9487. Border 600 (S1 only): declarations 2 -> 1,
    cost 4.00 -> 2.00. Net -94.87 + 2.00 = -92.87.
    """
    _store(engine)
    r = _run(engine, "200", "200")
    assert r["category_transitions"] == [{"from": 3, "to": 2, "shipments": 2}]
    assert _revenue(r) == {
        "duty": ("24.00", "0.00", "-24.00"),
        "flat_duty": ("9.00", "9.00", "0.00"),
        "vat": ("70.87", "0.00", "-70.87"),
    }
    assert r["by_collection"]["border"]["simulated"] == "6.00"
    assert r["by_collection"]["checkout"]["simulated"] == "3.00"
    assert r["collection"]["declarations_simulated"] == 1
    assert r["collection"]["cost_change"] == "-2.00"
    assert r["net_effect"] == "-92.87"


def test_bad_parameters_and_empty_periods_are_errors(engine: Engine) -> None:
    _store(engine)
    with pytest.raises(SimulationError) as exc:
        simulator.parse_policy("EU", "-1", "0")
    assert exc.value.field == "duty_threshold"
    with pytest.raises(SimulationError) as exc:
        simulator.parse_policy("EU", "0", "abc")
    assert exc.value.field == "tax_threshold"
    with pytest.raises(SimulationError) as exc:
        simulator.parse_policy("XX", "0", "0")
    assert exc.value.field == "jurisdiction"
    with pytest.raises(SimulationError) as exc:
        simulator.parse_policy("EU", "0", "0", date_from="2026-11-30", date_to="2026-11-01")
    assert exc.value.field == "from"
    with pytest.raises(NothingToSimulate):
        _run(engine, "0", "0", date_from="2026-12-01", date_to="2026-12-31")
    # the period that holds the data
    assert _run(engine, "0", "0", date_from="2026-11-27", date_to="2026-11-27")["shipments"] == 4
