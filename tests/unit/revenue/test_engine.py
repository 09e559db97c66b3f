"""Regression tests for the differences found between the revenue paths (pipeline, estimator, batch,
simulator) when they were merged onto one entry point (`revenue.engine.assess_for` / `rules_for`).

Every expected amount is computed by hand in the comments (EUR, DE VAT 19 %, CET 610910 12 %, 851830
0 %; US HTS 6109.10.00 16.5 %, 0402.99.90.00 46.3 cents/kg + 14.9 %; CN default duty 10 %, VAT 13 %).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clearway.declarations.model import Shipment
from clearway.intake.pipeline import _consignment
from clearway.reference.jurisdictions import profile, profile_for
from clearway.revenue.batch import RELIEVED, Batch, assess_batch
from clearway.revenue.calculation import Consignment, Item, TaxType, apportion_transport
from clearway.revenue.engine import (
    EstimateRequest,
    assess_for,
    declared_pieces,
    estimate,
    estimate_request,
    rules_for,
)
from tests.sample import shipment
from tests.unit.revenue.test_batch import batch_of, consignment, scalar_assessment

D_2024 = dt.date(2024, 5, 1)
D_2025 = dt.date(2025, 9, 1)
D_FLAT = dt.date(2026, 11, 27)


def summary(lines: Any) -> list[tuple[int | None, str, int, int, str]]:
    return [(x.item_seq, x.tax_type.value, x.base_minor, x.amount_minor, x.collection.value) for x in lines]


# --- transport and insurance in whole minor units, in every path ------------------------------------------


def test_transport_is_apportioned_in_whole_cents_as_the_batch_does() -> None:
    # 0.10 over 100.01 and 60.00: 10 x 10001 // 16001 = 6 cents, the last item takes the other 4.
    # Item 1: customs value 100.07, duty 12 % = 12.0084 -> 12.01, VAT (100.07 + 12.0084) x .19 = 21.294896
    # -> 21.29 (the exact share 0.0625.. gave 100.072502, VAT 21.295.. -> 21.30 before).
    # Item 2: 60.04, duty 0, VAT 11.4076 -> 11.41.
    items = [
        Item(1, "610910", Decimal("100.01"), Decimal(0)),
        Item(2, "851830", Decimal("60.00"), Decimal(0)),
    ]
    c = Consignment("DE", Decimal("160.01"), Decimal("0.10"), items, False, False, None)
    assert apportion_transport(c, "EUR") == [Decimal("0.06"), Decimal("0.04")]
    assert summary(assess_for(c, profile("EU"), D_2024).lines) == [
        (1, "duty", 10007, 1201, "border"),
        (2, "duty", 6004, 0, "border"),
        (1, "vat", 11208, 2129, "border"),
        (2, "vat", 6004, 1141, "border"),
    ]
    b = batch_of(
        [
            {
                "dest": "DE", "on": D_2024, "values": [10001, 6000], "hs": ["610910", "851830", "851830"],
                "transport": 10, "gift": False, "registered": False, "channel": "courier", "origin": "CN",
            }
        ]
    )  # fmt: skip
    r = assess_batch(b)
    assert r.duty_minor.tolist() == [1201, 0] and r.tax_minor.tolist() == [2129, 1141]


@given(st.lists(consignment, min_size=1, max_size=12))
@settings(max_examples=120, deadline=None)
def test_batch_equals_scalar_with_transport_on_multi_item_consignments(cs: list[dict[str, Any]]) -> None:
    # The property of test_jurisdictions_batch without its workaround: transport is no longer zeroed
    # for consignments of more than one item, because both paths now share it in whole minor units.
    b = batch_of(cs)
    r = assess_batch(b)
    for k, c in enumerate(cs):
        lo, hi = int(b.offsets[k]), int(b.offsets[k + 1])
        a = scalar_assessment(b, k, c)
        duty = {x.item_seq: x.amount_minor for x in a.lines if x.tax_type is TaxType.DUTY}
        taxes: dict[int | None, int] = {}
        for x in a.lines:
            if x.tax_type not in (TaxType.DUTY, TaxType.FLAT_DUTY):
                taxes[x.item_seq] = taxes.get(x.item_seq, 0) + x.amount_minor
        for seq, i in enumerate(range(lo, hi), start=1):
            assert int(r.duty_minor[i]) == duty.get(seq, 0)
            assert int(r.tax_minor[i]) == taxes.get(seq, 0)


# --- the batch path takes the facts the scalar path takes -------------------------------------------------


def _one(jurisdiction: str, dest: str, on: dt.date, hs: str, value_minor: int, **declared: Any) -> Batch:
    return Batch(
        [jurisdiction], [dest], [on], np.array([0]), np.array([False]), np.array([False]), ["courier"],
        ["DE"], np.array([0, 1]), [hs], np.array([value_minor]), **declared,
    )  # fmt: skip


def test_batch_applies_specific_duty_on_the_declared_net_mass() -> None:
    # US 0402.99.90.00, 100.00 USD, 2 kg: 14.9 % = 14.90 + 0.463 x 2 = 0.926 -> 15.826 -> 15.83 (the batch
    # had no net mass, so its scalar fallback assessed 14.90).
    with_mass = assess_batch(_one("US", "US", D_2025, "0402999000", 10000, net_mass_kg=[Decimal(2)]))
    assert with_mass.duty_minor.tolist() == [1583] and with_mass.scalar.tolist() == [True]
    without = assess_batch(_one("US", "US", D_2025, "0402999000", 10000))
    assert without.duty_minor.tolist() == [1490]


def test_batch_counts_the_same_persons_other_imports_that_day() -> None:
    # US 2024-07-04, USD 800 per person per day: 400.00 alone is relieved; with 400.01 already imported
    # that day, 400 x 16.5 % = 66.00 (the batch assumed no other imports).
    alone = assess_batch(_one("US", "US", dt.date(2024, 7, 4), "6109100010", 40000))
    assert alone.duty_minor.tolist() == [0] and alone.duty_collection.tolist() == [RELIEVED]
    later = assess_batch(
        _one("US", "US", dt.date(2024, 7, 4), "6109100010", 40000, same_day_minor=np.array([40001]))
    )
    assert later.duty_minor.tolist() == [6600] and not later.scalar.any()


def test_batch_counts_the_buyers_purchases_earlier_in_the_year() -> None:
    # CN 2025-09-01, 4000.00: within both limits VAT 4000 x 13 % x 0.7 = 364.00, no duty; with 22,000.01
    # bought earlier the annual 26,000 is passed: duty 10 % = 400.00, VAT 4400 x 13 % = 572.00.
    within = assess_batch(_one("CN", "CN", D_2025, "610910", 400000))
    assert (within.duty_minor.tolist(), within.tax_minor.tolist()) == ([0], [36400])
    passed = assess_batch(_one("CN", "CN", D_2025, "610910", 400000, annual_before_minor=np.array([2200001])))
    assert (passed.duty_minor.tolist(), passed.tax_minor.tolist()) == ([40000], [57200])


# --- one fallback duty rate: the configured one -------------------------------------------------------


def test_the_configured_fallback_rate_is_used_by_the_estimator_and_the_batch() -> None:
    # HS 854911 (HS 2022) has no line in the CET 2020: fallback. DE 2025, 200.00 EUR:
    # 12 % = 24.00, VAT 224 x .19 = 42.56; at a configured 10 %: 20.00 and 220 x .19 = 41.80.
    request = EstimateRequest("DE", D_2025, "CN", Decimal(200), "EUR", "854911")
    assert (estimate(request).duty, estimate(request).taxes) == ("24.00", {"vat": "42.56"})
    configured = estimate(request, Decimal("0.10"))
    assert (configured.duty, configured.taxes) == ("20.00", {"vat": "41.80"})
    assert "fallback rate 0.10" in str(configured.lines[0]["note"])
    b = _one("EU", "DE", D_2025, "854911", 20000)
    assert assess_batch(b, Decimal("0.10")).duty_minor.tolist() == [2000]
    assert assess_batch(b).duty_minor.tolist() == [2400]


# --- the pipeline's consignment: channel, place of shipment, pieces ----------------------------------


def test_declared_pieces_count_only_units_that_are_pieces() -> None:
    assert declared_pieces(Decimal(3), "PCE") == 3 and declared_pieces(Decimal(2), "DZN") == 24
    assert declared_pieces(Decimal("0.5"), "KGM") is None and declared_pieces(Decimal(1), "LTR") is None


def test_the_pipeline_gives_the_engine_channel_place_of_shipment_and_pieces() -> None:
    record = shipment("P1", channel="post", departure_country="US")
    s = Shipment.model_validate(record)
    c = _consignment(s, Decimal("40.00"), "EUR", D_FLAT)
    assert (c.channel, c.shipped_from) == ("post", "US")
    assert [i.quantity for i in c.items] == [Decimal(2), Decimal(1)]  # 2 and 1 PCE
    assert [i.net_mass_kg for i in c.items] == [Decimal("0.3"), Decimal("0.1")]
    courier = _consignment(Shipment.model_validate(shipment("P2")), Decimal("40.00"), "EUR", D_FLAT)
    assert courier.channel == "courier"  # an express carrier is the profiles' courier channel
    # The thresholds the engine takes for them are those of the channel and place of shipment.
    ca = rules_for(profile_for("CA"), "CA", D_2025, "courier", "US")
    assert (ca.duty_de_minimis, ca.tax_de_minimis) == (Decimal(150), Decimal(40))


def test_converted_amounts_are_rounded_to_the_cent_before_the_threshold() -> None:
    # 150.004 EUR is EUR 150.00 to the cent: within the EUR 150 duty relief (not under 150: no flat
    # duty); VAT 150 x .19 = 28.50. The pipeline compared 150.004 and charged CET 18.00.
    r = estimate(EstimateRequest("DE", D_FLAT, "CN", Decimal("150.004"), "EUR", "610910"))
    assert (r.duty, r.taxes, r.customs_value, r.de_minimis_applied) == (
        "0.00",
        {"vat": "28.50"},
        "150.00",
        True,
    )
    s = Shipment.model_validate(
        shipment(
            "P3",
            total_value="150.004",
            goods=[{"description": "T-shirt", "hs_code": "610910", "origin_country": "CN",
                    "net_mass_kg": "0.3", "value": "150.004"}],
        )
    )  # fmt: skip
    c = _consignment(s, Decimal("150.00"), "EUR", D_FLAT)
    assert c.items[0].value == Decimal("150.00")


def test_estimate_request_from_strings_names_the_field() -> None:
    req = estimate_request(
        {"destination": "DE", "date": "2026-11-27", "origin": "CN", "value": "25", "currency": "EUR",
         "hs": "610910", "gift": "yes"}
    )  # fmt: skip
    assert req.gift is True and req.shipping == 0 and req.channel == "courier"
    for params, field in (({"date": None}, "date"), ({"gift": "maybe"}, "gift"), ({"value": "x"}, "value")):
        base = {"destination": "DE", "date": "2026-11-27", "origin": "CN", "value": "25", "currency": "EUR",
                "hs": "610910"}  # fmt: skip
        try:
            estimate_request({**base, **params})
        except ValueError as exc:
            assert getattr(exc, "field", None) == field
        else:
            raise AssertionError(f"{params} accepted")
