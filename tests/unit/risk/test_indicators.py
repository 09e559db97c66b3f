"""Risk indicators: hand-computed values, and no leakage of control outcomes from after filing."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl
import pytest

from clearway.risk import indicators as ind
from clearway.risk.indicators import IndicatorContext, IndicatorSettings

T0 = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)
SETTINGS = IndicatorSettings()
ROLES = ("seller", "platform", "carrier", "declarant")


def hours(h: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=h)


def batch(*rows: dict[str, Any]) -> pl.DataFrame:
    base = {
        "value_eur": 50.0,
        "consignee_key": "DE|10115|hauptstr 1|anna",
        "departure_country": "CN",
        "destination_country": "DE",
        **{r: None for r in ROLES},
    }
    return pl.DataFrame(
        [{**base, **r} for r in rows],
        schema={
            "shipment_id": pl.String,
            "lodged_at": pl.Datetime("us", "UTC"),
            "value_eur": pl.Float64,
            "consignee_key": pl.String,
            "departure_country": pl.String,
            "destination_country": pl.String,
            **{r: pl.String for r in ROLES},
        },
    )


def items(*rows: tuple[str, str, str, str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "shipment_id": pl.String,
            "hs6": pl.String,
            "origin_country": pl.String,
            "description": pl.String,
            "unit_value_eur": pl.Float64,
        },
        orient="row",
    )


def outcomes(*rows: tuple[dt.datetime, int, str | None]) -> pl.DataFrame:
    """(result time, hit, seller key)."""
    return pl.DataFrame(
        [
            {
                "shipment_id": f"o{k}",
                "at": at,
                "hit": hit,
                "seller": seller,
                "platform": None,
                "carrier": None,
                "consignee": None,
                "declarant": None,
            }
            for k, (at, hit, seller) in enumerate(rows)
        ],
        schema={
            "shipment_id": pl.String,
            "at": pl.Datetime("us", "UTC"),
            "hit": pl.Int64,
            **{r: pl.String for r in ind.ENTITY_ROLES},
        },
    )


def row(frame: pl.DataFrame, shipment_id: str) -> dict[str, Any]:
    return frame.filter(pl.col("shipment_id") == shipment_id).row(0, named=True)


# Unit value -------------------------------------------------------------------------------------------


def test_unit_value_against_the_historical_median_with_a_floored_spread() -> None:
    # Five prices of HS 610910 from CN: median 10; |log p - log 10| = 0, 0, 0, ln 2, ln 2 -> MAD 0,
    # so the spread is the floor 0.1 and a price of 5 is ln(0.5) / 0.1 = -6.93 robust deviations.
    history = items(*((f"h{k}", "610910", "CN", "t-shirt", p) for k, p in enumerate((10, 10, 10, 20, 5))))
    reference = ind.learn_unit_values(history)
    out = ind.unit_value_indicators(items(("a", "610910", "CN", "t-shirt", 5.0)), reference, SETTINGS)
    assert out["uv_log_ratio"][0] == pytest.approx(math.log(0.5))
    assert out["uv_z"][0] == pytest.approx(math.log(0.5) / 0.1)


def test_unit_value_z_uses_the_mad_when_prices_spread() -> None:
    # Prices 4, 8, 16, 32, 64: log median = ln 16; deviations ln 4, ln 2, 0, ln 2, ln 4 -> MAD ln 2.
    history = items(*((f"h{k}", "420221", "IT", "bag", p) for k, p in enumerate((4, 8, 16, 32, 64))))
    out = ind.unit_value_indicators(
        items(("a", "420221", "IT", "bag", 4.0)), ind.learn_unit_values(history), SETTINGS
    )
    assert out["uv_z"][0] == pytest.approx(math.log(4 / 16) / (1.4826 * math.log(2)))


def test_unit_value_falls_back_to_the_hs6_then_to_the_packaged_minimum() -> None:
    history = items(*((f"h{k}", "610910", "CN", "t-shirt", 10.0) for k in range(5)))
    reference = ind.learn_unit_values(history)
    out = ind.unit_value_indicators(
        items(("a", "610910", "BD", "t-shirt", 2.5), ("b", "330300", "FR", "perfume", 1.0)),
        reference,
        SETTINGS,
    )
    # a: no BD history, the HS6 median 10 -> ln(0.25); b: no history, packaged minimum EUR 2 for 3303.
    assert row(out, "a")["uv_log_ratio"] == pytest.approx(math.log(0.25))
    assert row(out, "b")["uv_log_ratio"] == pytest.approx(math.log(0.5))
    assert row(out, "b")["uv_z"] == 0.0


# Split consignments ------------------------------------------------------------------------------------


def test_split_counts_the_window_across_history_and_the_batch() -> None:
    b = batch(
        {"shipment_id": "a", "lodged_at": hours(0), "value_eur": 100.0},
        {"shipment_id": "b", "lodged_at": hours(1), "value_eur": 80.0},
    )
    history = pl.DataFrame(
        {
            "shipment_id": ["old", "recent"],
            "consignee_key": ["DE|10115|hauptstr 1|anna"] * 2,
            "lodged_at": [hours(-80), hours(-10)],  # 80 h is outside the 72 h window
            "value_eur": [500.0, 30.0],
        }
    )
    out = ind.split_indicators(b, history, SETTINGS)
    a, second = row(out, "a"), row(out, "b")
    assert (a["split_count"], a["split_total_eur"], a["split_flag"]) == (2, 130.0, 0)  # 130 <= 150
    assert (second["split_count"], second["split_total_eur"], second["split_flag"]) == (3, 210.0, 1)


def test_split_by_address_counts_other_names_at_the_same_address() -> None:
    b = batch(
        {"shipment_id": "a", "lodged_at": hours(0)},
        {"shipment_id": "b", "lodged_at": hours(2), "consignee_key": "DE|10115|hauptstr 1|bert"},
    )
    out = ind.split_indicators(b, None, SETTINGS)
    assert row(out, "b")["split_count"] == 1  # another consignee name
    assert row(out, "b")["address_count"] == 2 and row(out, "b")["address_names"] == 2


# Description ---------------------------------------------------------------------------------------------


def test_description_fits_its_hs_text_better_than_another_code() -> None:
    assert "t shirt" in ind.hs_text("610910")
    fits = ind.description_similarity("Women's cotton T-shirt", "610910")
    other = ind.description_similarity("Women's cotton T-shirt", "851830")
    assert fits > 0.8 > 0.3 > other
    out = ind.description_indicators(
        items(("a", "610910", "CN", "gift", 1.0), ("b", "610910", "CN", "Cotton T-shirt", 1.0))
    )
    assert row(out, "a")["vague"] == 1 and row(out, "b")["vague"] == 0
    assert row(out, "b")["words"] == 2


# Entity risk and leakage ---------------------------------------------------------------------------------


def test_entity_risk_is_the_smoothed_decayed_hit_rate() -> None:
    # One non-compliant result for seller S exactly one half-life (30 days) before filing: weight 0.5.
    # Global prior p0 = (0.5 + 5 x 0.05) / (0.5 + 5) = 0.75 / 5.5; seller = (0.5 + 5 p0) / 5.5.
    b = batch({"shipment_id": "a", "lodged_at": T0, "seller": "S"})
    o = outcomes((T0 - dt.timedelta(days=30), 1, "S"))
    out = ind.entity_risk(b, o, SETTINGS)
    p0 = 0.75 / 5.5
    assert out["risk_seller"][0] == pytest.approx((0.5 + 5 * p0) / 5.5)
    assert out["controls_seller"][0] == pytest.approx(0.5)
    assert out["risk_carrier"][0] == pytest.approx(p0)  # no carrier: the prior
    assert out["controls_carrier"][0] == 0.0


def test_entity_risk_never_uses_outcomes_recorded_at_or_after_the_filing_time() -> None:
    b = batch(
        {"shipment_id": "early", "lodged_at": hours(0), "seller": "S"},
        {"shipment_id": "late", "lodged_at": hours(48), "seller": "S"},
    )
    before = outcomes((hours(-24), 0, "S"))
    leaked = outcomes(
        (hours(-24), 0, "S"),
        (hours(0), 1, "S"),  # at the very filing time of "early": not yet known
        (hours(1), 1, "S"),
        (hours(47), 1, "S"),
        (hours(500), 1, "S"),  # after both
    )
    clean = ind.entity_risk(b, before, SETTINGS)
    with_future = ind.entity_risk(b, leaked, SETTINGS)
    # "early" sees only the outcome before it, whatever happened later.
    assert row(with_future, "early") == row(clean, "early")
    # "late" sees the three hits before hour 48 but not the one at hour 500.
    assert row(with_future, "late")["controls_seller"] > row(clean, "late")["controls_seller"] + 2.9
    without_last = ind.entity_risk(b, leaked.head(4), SETTINGS)
    assert row(with_future, "late") == row(without_last, "late")


# Novelty ----------------------------------------------------------------------------------------------


def test_novelty_of_seller_consignee_and_route() -> None:
    b = batch(
        {"shipment_id": "a", "lodged_at": hours(0), "seller": "S"},
        {"shipment_id": "b", "lodged_at": hours(1), "seller": "S"},
        {"shipment_id": "c", "lodged_at": hours(2), "seller": "KNOWN", "departure_country": "VN"},
    )
    seen = pl.DataFrame(
        {
            "kind": ["seller", "route"],
            "key": ["KNOWN", "CN>DE"],
            "first_at": [hours(-100), hours(-100)],
        },
        schema={"kind": pl.String, "key": pl.String, "first_at": pl.Datetime("us", "UTC")},
    )
    out = ind.novelty(b, seen)
    assert [row(out, s)["new_seller"] for s in "abc"] == [1, 0, 0]
    assert [row(out, s)["new_consignee"] for s in "abc"] == [1, 0, 0]
    assert [row(out, s)["new_route"] for s in "abc"] == [0, 0, 1]


def test_compute_returns_every_indicator_per_shipment_in_batch_order() -> None:
    b = batch({"shipment_id": "z", "lodged_at": hours(1)}, {"shipment_id": "a", "lodged_at": hours(0)})
    it = items(("z", "610910", "CN", "Cotton T-shirt", 5.0), ("a", "610910", "CN", "gift", 5.0))
    out = ind.compute(b, it, IndicatorContext(), SETTINGS)
    assert out["shipment_id"].to_list() == ["z", "a"]
    assert out.columns == ["shipment_id", *ind.INDICATORS]
    assert out.null_count().sum_horizontal()[0] == 0
    assert row(out, "a")["description_vague"] == 1.0
