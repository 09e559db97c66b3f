"""Known answers per jurisdiction, computed by hand in the comments, plus profile and input checks.

Rates the cases rely on (checked in the first test): EU CET 610910 12 %, DE VAT 19 %, FR VAT 20 %;
UK Global Tariff 610910 12 %, GB VAT 20 %; US HTS 6109.10.00 16.5 %; AU default duty 5 %, GST 10 %;
CA default duty 8 %, GST 5 %; CN default duty 10 %, VAT 13 %, consumption tax 3304 15 %.
ECB 2024-07-04: USD 1.08 per EUR. Amounts are rounded half-up to the cent per line.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearway.reference import eu_standard_vat_rate, eur_rate
from clearway.reference.errors import NoProfileForDate, ProfileError, UnknownDestination
from clearway.reference.jurisdictions import (
    _parse,
    all_profiles,
    jurisdiction_for,
    jurisdictions,
    profile,
    profile_for,
)
from clearway.revenue.calculation import Collection, Consignment, Item, TaxType
from clearway.revenue.engine import (
    EstimateRequest,
    assess_for,
    estimate,
    national_tax_rate,
    tariff_for,
)
from clearway.revenue.errors import EstimateError

D_USD_108 = dt.date(2024, 7, 4)
D_FLAT = dt.date(2026, 11, 27)
D_2025 = dt.date(2025, 9, 1)


def est(
    dest: str, on: dt.date, value: str, currency: str, hs: str = "610910", **kw: object
) -> dict[str, object]:
    origin = str(kw.pop("origin", "CN"))
    req = EstimateRequest(dest, on, origin, Decimal(value), currency, hs, **kw)  # type: ignore[arg-type]
    return estimate(req).as_json()


def money(result: dict[str, object]) -> tuple[object, object, object]:
    return result["duty"], result["taxes"], result["total"]


def test_rates_the_cases_rely_on() -> None:
    assert eur_rate("USD", D_USD_108) == Decimal("1.08")
    assert eu_standard_vat_rate("DE", D_FLAT) == Decimal("0.19")
    assert eu_standard_vat_rate("FR", D_2025) == Decimal("0.2")
    assert national_tax_rate("GB") == Decimal("0.2")
    assert national_tax_rate("AU") == Decimal("0.1")
    assert national_tax_rate("CA") == Decimal("0.05")
    assert national_tax_rate("CN") == Decimal("0.13")
    uk, us = tariff_for(profile("UK"))("610910"), tariff_for(profile("US"))("6109100010")
    assert uk is not None and uk.ad_valorem == Decimal("0.12")
    assert us is not None and us.ad_valorem == Decimal("0.165") and us.code_matched == "61091000"


# --- profiles -----------------------------------------------------------------------------------------


def test_six_profiles_discovered_with_sources_and_contiguous_periods() -> None:
    assert sorted(j.id for j in all_profiles()) == ["AU", "CA", "CN", "EU", "UK", "US"]
    for j in all_profiles():
        assert j.sources, j.id
        for a, b in itertools.pairwise(j.periods):
            assert b.valid_from == a.valid_to + dt.timedelta(days=1), j.id
    # the clearance pipeline stays EU-only; the estimator sees all six
    assert [j.id for j in jurisdictions()] == ["EU"]
    assert jurisdiction_for("GB") is None
    assert profile_for("GB").id == "UK" and profile_for("DE").id == "EU" and profile_for("PR").id == "US"


def test_unknown_destination_and_date_outside_every_period_are_errors() -> None:
    with pytest.raises(UnknownDestination, match="'CH'"):
        profile_for("CH")
    with pytest.raises(NoProfileForDate, match=r"US.*2016-03-09"):
        profile("US").period(dt.date(2016, 3, 9))
    with pytest.raises(NoProfileForDate, match=r"UK.*2029-03-01"):
        profile("UK").period(dt.date(2029, 3, 1))


NZ = """
id = "NZ"
name = "New Zealand"
currency = "NZD"
valuation_basis = "FOB"
members = ["NZ"]
sources = ["test"]
[[periods]]
valid_from = "2019-12-01"
valid_to = "2028-12-31"
duty_de_minimis = "1000"
tax_de_minimis = "1000"
low_value_ceiling = "1000"
gift_relief = "0"
tax_rate_source = "profile"
tax_rate = "0.15"
tax_type = "gst"
duty_basis = "test"
tax_basis = "test"
"""


def test_a_new_jurisdiction_is_a_data_file_and_errors_name_the_field() -> None:
    nz = _parse(tomllib.loads(NZ), "nz.toml")
    assert nz.period(dt.date(2025, 1, 1)).tax_rate == Decimal("0.15")
    assert nz.period(dt.date(2025, 1, 1)).valuation_basis == "FOB"
    with pytest.raises(ProfileError, match=r"nz.toml period 1: missing field 'gift_relief'"):
        _parse(tomllib.loads(NZ.replace('gift_relief = "0"', "")), "nz.toml")
    with pytest.raises(ProfileError, match="tax_rate_source = 'table'"):
        _parse(tomllib.loads(NZ.replace('"profile"', '"table"')), "nz.toml")
    with pytest.raises(ProfileError, match="needs tax_rate"):
        _parse(tomllib.loads(NZ.replace('tax_rate = "0.15"', "")), "nz.toml")


def test_us_periods_follow_the_2025_suspension() -> None:
    us = profile("US")
    assert us.period(dt.date(2025, 8, 28)).duty_de_minimis == 800
    assert us.period(dt.date(2025, 8, 29)).duty_de_minimis == 0
    assert us.period(dt.date(2027, 7, 1)).duty_de_minimis == 0
    assert us.period(dt.date(2025, 5, 2)).thresholds_for("courier", "CN")[0] == 0
    assert us.period(dt.date(2025, 5, 1)).thresholds_for("courier", "CN")[0] == 800


# --- EU -----------------------------------------------------------------------------------------------


def test_eu_conversion_exactly_at_150_is_relieved() -> None:
    # 162.00 USD / 1.08 = 150.00 EUR: duty relieved; VAT 150 x 0.19 = 28.50
    r = est("DE", D_USD_108, "162.00", "USD")
    assert money(r) == ("0.00", {"vat": "28.50"}, "28.50")
    assert r["de_minimis_applied"] is True and r["collection_model"] == "buyer"
    assert r["exchange_rate"] is not None


def test_eu_one_cent_above_150_after_conversion_pays_cet() -> None:
    # 162.01 / 1.08 = 150.00925.. -> 150.01 EUR; duty 150.01 x 12 % = 18.0012 -> 18.00
    # VAT (150.01 + 18.0012) x 0.19 = 31.922228 -> 31.92; total 49.92
    r = est("DE", D_USD_108, "162.01", "USD")
    assert money(r) == ("18.00", {"vat": "31.92"}, "49.92")
    assert r["de_minimis_applied"] is False


def test_eu_flat_duty_multi_item_consignment() -> None:
    # HS6 610910 twice + 851830: 2 sub-headings x 3.00 = 6.00, shared 25/50, 10/50, 15/50 = 3.00, 1.20, 1.80
    # VAT (25 + 3) x .19 = 5.32; (10 + 1.20) x .19 = 2.128 -> 2.13; (15 + 1.80) x .19 = 3.192 -> 3.19
    items = [
        Item(1, "610910", Decimal(25), Decimal(0)),
        Item(2, "6109100010", Decimal(10), Decimal(0)),
        Item(3, "851830", Decimal(15), Decimal(0)),
    ]
    c = Consignment("DE", Decimal(50), Decimal(0), items, False, False, None)
    a = assess_for(c, profile("EU"), D_FLAT)
    assert [(x.item_seq, x.tax_type.value, x.amount_minor) for x in a.lines] == [
        (None, "flat_duty", 600),
        (1, "vat", 532),
        (2, "vat", 213),
        (3, "vat", 319),
    ]
    assert a.total_minor() == 1664


def test_eu_gifts_at_and_above_45() -> None:
    assert est("DE", D_FLAT, "45.00", "EUR", gift=True)["total"] == "0.00"
    # 45.01: flat 3.00; VAT (45.01 + 3) x .19 = 9.1219 -> 9.12
    assert money(est("DE", D_FLAT, "45.01", "EUR", gift=True)) == ("3.00", {"vat": "9.12"}, "12.12")


def test_eu_destination_member_state_rate() -> None:
    # FR 20 %: duty 200 x 12 % = 24.00; VAT 224 x .2 = 44.80
    assert money(est("FR", D_2025, "200", "EUR")) == ("24.00", {"vat": "44.80"}, "68.80")


def test_eu_ioss_collects_at_checkout() -> None:
    r = est("DE", D_2025, "100", "EUR", vendor_registration="IM2760000001")
    assert money(r) == ("0.00", {"vat": "19.00"}, "19.00")
    assert r["collection_model"] == "vendor" and r["due_at_border"] == "0.00"


# --- US -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "duty"),
    [
        ("800.00", "USD", "0.00"),  # at the threshold: relieved
        ("800.01", "USD", "132.00"),  # 800.01 x 16.5 % = 132.00165 -> 132.00
        ("740.74", "EUR", "0.00"),  # 740.74 x 1.08 = 799.9992 -> 800.00 USD: relieved
        ("740.75", "EUR", "132.00"),  # 740.75 x 1.08 = 800.01 USD -> 132.00
    ],
)
def test_us_800_per_person_per_day(value: str, currency: str, duty: str) -> None:
    r = est("US", D_USD_108, value, currency, hs="6109100010", origin="DE")
    assert r["duty"] == duty and r["taxes"] == {} and r["total"] == duty
    assert r["de_minimis_applied"] is (duty == "0.00")


def test_us_person_day_counts_other_imports_that_day() -> None:
    def duty(value: str, same_day: str) -> int:
        c = Consignment(
            "US",
            Decimal(value),
            Decimal(0),
            [Item(1, "6109100010", Decimal(value), Decimal(0))],
            False,
            False,
            None,
            same_day_value=Decimal(same_day),
        )
        return assess_for(c, profile("US"), D_USD_108).total_minor(TaxType.DUTY)

    assert duty("400", "400") == 0  # 800 in the day: relieved
    assert duty("400", "400.01") == 6600  # 800.01 in the day: 400 x 16.5 % = 66.00


def test_us_china_hong_kong_from_may_and_everyone_from_august_2025() -> None:
    # 100 x 16.5 % = 16.50
    assert est("US", dt.date(2025, 5, 1), "100", "USD", hs="6109100010", origin="CN")["duty"] == "0.00"
    assert est("US", dt.date(2025, 5, 2), "100", "USD", hs="6109100010", origin="CN")["duty"] == "16.50"
    assert est("US", dt.date(2025, 5, 2), "100", "USD", hs="6109100010", origin="DE")["duty"] == "0.00"
    assert est("US", dt.date(2025, 8, 28), "100", "USD", hs="6109100010", origin="DE")["duty"] == "0.00"
    assert est("US", dt.date(2025, 8, 29), "100", "USD", hs="6109100010", origin="DE")["duty"] == "16.50"


def test_us_gift_100_and_fob_valuation() -> None:
    assert est("US", D_2025, "100", "USD", hs="6109100010", gift=True)["total"] == "0.00"
    # 100.01 x 16.5 % = 16.50165 -> 16.50
    assert est("US", D_2025, "100.01", "USD", hs="6109100010", gift=True)["total"] == "16.50"
    # FOB: shipping 50 is not dutiable; 1000 x 16.5 % = 165.00
    assert est("US", D_2025, "1000", "USD", hs="6109100010", shipping=Decimal(50))["duty"] == "165.00"


def test_us_compound_rate_with_mass() -> None:
    # 0402.99.90.00: 46.3¢/kg + 14.9 %; 100 x 14.9 % = 14.90 plus 0.463 x 2 kg = 0.926 -> 15.826 -> 15.83
    r = est("US", D_2025, "100", "USD", hs="0402999000", net_mass_kg=Decimal(2))
    assert r["duty"] == "15.83"


# --- UK -----------------------------------------------------------------------------------------------


def test_uk_at_135_vat_at_point_of_sale() -> None:
    # no duty; VAT 135 x 20 % = 27.00 charged by the seller
    r = est("GB", D_2025, "135.00", "GBP")
    assert money(r) == ("0.00", {"vat": "27.00"}, "27.00")
    assert r["collection_model"] == "vendor" and r["due_at_border"] == "0.00"
    assert r["de_minimis_applied"] is True


def test_uk_above_135_duty_and_import_vat() -> None:
    # 135.01 x 12 % = 16.2012 -> 16.20; VAT (135.01 + 16.2012) x .2 = 30.24224 -> 30.24
    r = est("GB", D_2025, "135.01", "GBP")
    assert money(r) == ("16.20", {"vat": "30.24"}, "46.44")
    assert r["collection_model"] == "buyer" and r["due_at_border"] == "46.44"
    # CIF: 200 + 10 shipping = 210; duty 25.20; VAT (210 + 25.20) x .2 = 47.04
    assert money(est("GB", D_2025, "200", "GBP", shipping=Decimal(10))) == (
        "25.20",
        {"vat": "47.04"},
        "72.24",
    )


def test_uk_gifts_39() -> None:
    assert est("GB", D_2025, "39.00", "GBP", gift=True)["total"] == "0.00"
    # 39.01 gift: no duty (<= 135), VAT at import 39.01 x .2 = 7.802 -> 7.80 (not a sale: no point of sale)
    r = est("GB", D_2025, "39.01", "GBP", gift=True)
    assert money(r) == ("0.00", {"vat": "7.80"}, "7.80") and r["collection_model"] == "buyer"


# --- AU -----------------------------------------------------------------------------------------------


def test_au_1000_gst_at_point_of_sale_only_by_registered_vendors() -> None:
    assert est("AU", D_2025, "1000", "AUD")["total"] == "0.00"
    r = est("AU", D_2025, "1000", "AUD", vendor_registration="ARN000000000")
    assert money(r) == ("0.00", {"gst": "100.00"}, "100.00") and r["collection_model"] == "vendor"


def test_au_above_1000_gst_on_value_of_taxable_importation() -> None:
    # FOB duty 1000.01 x 5 % = 50.0005 -> 50.00; GST (1000.01 + 50.0005 + 20 transport) x 10 % = 107.00105
    r = est("AU", D_2025, "1000.01", "AUD", shipping=Decimal(20))
    assert money(r) == ("50.00", {"gst": "107.00"}, "157.00")


# --- CA -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "origin", "channel", "duty", "gst"),
    [
        ("40.00", "US", "courier", "0.00", "0.00"),  # CUSMA: up to 40 free of both
        ("40.01", "US", "courier", "0.00", "2.00"),  # 40.01 x 5 % = 2.0005 -> 2.00
        ("150.00", "US", "courier", "0.00", "7.50"),  # duty-free up to 150
        ("150.01", "MX", "courier", "12.00", "8.10"),  # 150.01 x 8 % = 12.0008; (162.0108) x 5 % = 8.10054
        ("20.00", "CN", "courier", "0.00", "0.00"),
        ("20.01", "CN", "courier", "1.60", "1.08"),  # 1.6008 -> 1.60; 21.6108 x 5 % = 1.08054
        ("20.01", "US", "post", "1.60", "1.08"),  # mail: 20 from any country
    ],
)
def test_ca_courier_mail_and_cusma(value: str, origin: str, channel: str, duty: str, gst: str) -> None:
    r = est("CA", D_2025, value, "CAD", origin=origin, channel=channel)
    assert r["duty"] == duty and r["taxes"] == {"gst": gst}


def test_ca_gift_60() -> None:
    assert est("CA", D_2025, "60", "CAD", gift=True, origin="GB")["total"] == "0.00"


# --- CN -----------------------------------------------------------------------------------------------


def test_cn_within_5000_duty_zero_vat_70_percent() -> None:
    # 5000 x 13 % x 0.7 = 455.00, withheld by the platform
    r = est("CN", D_2025, "5000", "CNY", origin="US")
    assert money(r) == ("0.00", {"vat": "455.00"}, "455.00") and r["collection_model"] == "intermediary"


def test_cn_above_5000_general_trade() -> None:
    # 5000.01 x 10 % = 500.001 -> 500.00; VAT (5000.01 + 500.001) x 13 % = 715.00143 -> 715.00
    r = est("CN", D_2025, "5000.01", "CNY", origin="US")
    assert money(r) == ("500.00", {"vat": "715.00"}, "1215.00") and r["collection_model"] == "buyer"


def test_cn_annual_limit_26000() -> None:
    def total(value: str, before: str) -> int:
        c = Consignment(
            "CN",
            Decimal(value),
            Decimal(0),
            [Item(1, "610910", Decimal(value), Decimal(0))],
            False,
            False,
            None,
            annual_value_before=Decimal(before),
        )
        return assess_for(c, profile("CN"), D_2025).total_minor()

    assert total("4000", "22000") == 36400  # 26,000 reached, not passed: 4000 x 9.1 % = 364.00
    # 26,000.01: general trade, duty 400.001 -> 400.00, VAT 4400.011 x 13 % = 572.00143 -> 572.00
    assert total("4000.01", "22000") == 97200


def test_cn_consumption_tax_comprehensive_rate() -> None:
    # cosmetics 15 %: tax = 1000 / 0.85 x 0.15 = 176.4706 x 0.7 = 123.5294 -> 123.53
    # VAT (1000 + 176.4706) x 13 % x 0.7 = 107.0588 -> 107.06; together 1000 x 23.0588 %
    r = est("CN", D_2025, "1000", "CNY", hs="330499", origin="US")
    assert money(r) == ("0.00", {"consumption_tax": "123.53", "vat": "107.06"}, "230.59")


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"hs": "999999"}, "hs"),
        ({"hs": "61091"}, "hs"),
        ({"currency": "AED"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"on": dt.date(2030, 1, 1)}, "date"),
        ({"value": Decimal(-1)}, "value"),
        ({"value": Decimal("1e12")}, "value"),
        ({"shipping": Decimal(-5)}, "shipping"),
        ({"destination": "CH"}, "destination"),
        ({"destination": "ZZ"}, "destination"),
        ({"origin": "Q1"}, "origin"),
        ({"channel": "drone"}, "channel"),
    ],
)
def test_bad_input_names_the_field(kw: dict[str, object], field: str) -> None:
    base: dict[str, object] = {
        "destination": "DE",
        "on": D_2025,
        "origin": "CN",
        "value": Decimal(10),
        "currency": "EUR",
        "hs": "610910",
    }
    with pytest.raises(EstimateError) as info:
        estimate(EstimateRequest(**{**base, **kw}))  # type: ignore[arg-type]
    assert info.value.field == field


def test_currency_without_a_rate_on_that_date() -> None:
    with pytest.raises(EstimateError, match="RUB") as info:
        estimate(EstimateRequest("DE", dt.date(2023, 1, 2), "CN", Decimal(10), "RUB", "610910"))
    assert info.value.field == "currency"


# --- property: duty never decreases as value rises within one rate band ------------------------------

BANDS = [  # (destination, date, HS, lowest value above the duty threshold, highest value in the band)
    ("DE", D_2025, "610910", "150.01", "100000"),
    ("GB", D_2025, "610910", "135.01", "100000"),
    ("US", D_2025, "6109100010", "0.01", "100000"),
    ("AU", D_2025, "640299", "1000.01", "100000"),
    ("CA", D_2025, "851830", "20.01", "100000"),
    ("CN", D_2025, "610910", "5000.01", "100000"),
]


@given(
    band=st.sampled_from(BANDS),
    a=st.decimals(min_value=0, max_value=1, places=4),
    b=st.decimals(min_value=0, max_value=1, places=4),
)
@settings(max_examples=150, deadline=None)
def test_duty_never_decreases_as_value_rises_within_a_band(
    band: tuple[str, dt.date, str, str, str], a: Decimal, b: Decimal
) -> None:
    dest, on, hs, low, high = band
    lo, hi = Decimal(low), Decimal(high)
    x, y = sorted((lo + (hi - lo) * a, lo + (hi - lo) * b))
    j = profile_for(dest)

    def duty(v: Decimal) -> int:
        v = v.quantize(Decimal("0.01"))
        c = Consignment(dest, v, Decimal(0), [Item(1, hs, v, Decimal(0))], False, False, None)
        a_ = assess_for(c, j, on)
        assert all(x.collection is not Collection.RELIEVED for x in a_.lines if x.tax_type is TaxType.DUTY)
        return a_.total_minor(TaxType.DUTY)

    assert duty(x) <= duty(y)
