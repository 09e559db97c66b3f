"""Tariff rate parsing (every form in the packaged schedules) and lookups by longest code and HS6."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clearway.revenue.errors import RateParseError
from clearway.revenue.tariffs import eu_tariff_rate, schedule, uk_tariff_rate, us_hts_rate
from clearway.revenue.tariffs.rates import Specific, parse_rate, specific_quantity

D = Decimal


@pytest.mark.parametrize(
    ("text", "ad_valorem", "specifics"),
    [
        ("Free", "0", []),
        ("6.8%", "0.068", []),
        ("4.4¢/kg", "0", [("0.044", "USD", "kg")]),
        ("$1.646/kg", "0", [("1.646", "USD", "kg")]),
        ("2¢/kg + 5%", "0.05", [("0.02", "USD", "kg")]),
        ("46.3¢/kg + 14.9%", "0.149", [("0.463", "USD", "kg")]),
        ("40¢/kg +10.4%", "0.104", [("0.40", "USD", "kg")]),
        ("1¢ each + 2.8%", "0.028", [("0.01", "USD", "item")]),
        ("$2.16 each", "0", [("2.16", "USD", "item")]),
        ("76¢/pr. + 32%", "0.32", [("0.76", "USD", "pair")]),
        ("2.8¢/doz.", "0", [("0.028", "USD", "dozen")]),
        ("89.6¢/1000", "0", [("0.896", "USD", "1000 items")]),
        ("0.34¢/liter", "0", [("0.0034", "USD", "l")]),
        ("$1.24/t", "0", [("1.24", "USD", "t")]),
        ("0.0%", "0", []),
        ("10.00 GBP / hl", "0", [("10.00", "GBP", "hl")]),
        ("34.00 GBP/100kg", "0", [("34.00", "GBP", "100kg")]),
        ("12.00% + 147.00 GBP/100kg", "0.12", [("147.00", "GBP", "100kg")]),
        ("0.20 GBP/ item", "0", [("0.20", "GBP", "item")]),
        ("43.00 GBP/1000 items", "0", [("43.00", "GBP", "1000 items")]),
        ("12.80% + 176.80 EUR / 100 kg", "0.128", [("176.80", "EUR", "100kg")]),
    ],
)
def test_complete_rate_forms(text: str, ad_valorem: str, specifics: list[tuple[str, str, str]]) -> None:
    p = parse_rate(text)
    assert p.complete
    assert p.ad_valorem == D(ad_valorem)
    assert [(s.amount, s.currency, s.unit) for s in p.specifics] == [(D(a), c, u) for a, c, u in specifics]


@pytest.mark.parametrize(
    ("text", "ad_valorem"),
    [
        ("3.7¢/kg on drained weight", "0"),  # a qualified quantity the engine cannot measure
        ("44¢ each + 6% on the case + 14% on the strap, band or bracelet + 5.3% on the battery", "0.06"),
        ("14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)", "0.14"),  # seasonal: first % only
        ("1.40 GBP / % vol / hl", "0"),
        ("The duty provided in the applicable subheading + 25%", "0.25"),
        ("17¢ each + 2.5% + 1¢/jewel", "0.025"),
    ],
)
def test_incomplete_forms_keep_the_first_percentage_and_say_so(text: str, ad_valorem: str) -> None:
    p = parse_rate(text)
    assert not p.complete and p.ad_valorem == D(ad_valorem) and p.specifics == ()


def test_empty_rate_text_is_an_error() -> None:
    with pytest.raises(RateParseError):
        parse_rate("  ")


def test_specific_quantities_by_unit() -> None:
    mass, pieces = D("2.5"), D(24)
    assert specific_quantity(Specific(D(1), "USD", "kg"), mass, pieces) == D("2.5")
    assert specific_quantity(Specific(D(1), "GBP", "100kg"), mass, pieces) == D("0.025")
    assert specific_quantity(Specific(D(1), "USD", "dozen"), mass, pieces) == D(2)
    assert specific_quantity(Specific(D(1), "USD", "item"), mass, None) is None
    assert specific_quantity(Specific(D(1), "USD", "l"), mass, pieces) is None


def test_us_longest_matching_line_and_hs6_fallback() -> None:
    r = us_hts_rate("6109100010")
    assert r is not None and r.code_matched == "61091000" and r.exact and r.ad_valorem == D("0.165")
    assert "US HTS 2025" in r.source and r.rate_text == "16.5%"
    six = us_hts_rate("610910")
    assert six is not None and not six.exact and six.code_matched == "610910" and six.ad_valorem == D("0.165")
    assert "HS6 fallback" in six.note
    compound = us_hts_rate("0402999000")
    assert compound is not None and compound.specifics == (Specific(D("0.463"), "USD", "kg"),)


def test_uk_restores_leading_zeros_and_falls_back_to_the_heading_for_hs2022_codes() -> None:
    horse = uk_tariff_rate("0101300000")  # stored upstream as 1013000 (7 digits)
    assert horse is not None and horse.code_matched == "01013000" and horse.ad_valorem == D("0.06")
    phone = uk_tariff_rate("851713")  # smartphones: created by HS 2022, absent from the 2021 file
    assert phone is not None and phone.code_matched == "8517" and "heading fallback" in phone.note


def test_eu_cet_through_the_same_interface() -> None:
    r = eu_tariff_rate("610910")
    assert r is not None and r.ad_valorem == D("0.12") and "EU CET" in r.source
    assert schedule("eu_cet") is eu_tariff_rate


def test_unknown_codes_and_schedules() -> None:
    assert us_hts_rate("9999999999") is None
    assert uk_tariff_rate("12") is None  # not an HS code
    with pytest.raises(KeyError, match="known: eu_cet, uk_global, us_hts"):
        schedule("jp")
