"""Reference data lookups, checked against values read from the source files in shared/data/reference."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from importlib.resources import files

import pytest

from clearway.reference import (
    EU_MEMBER_STATES,
    country_name,
    eu_cet_rate,
    eu_standard_vat_rate,
    eur_rate,
    hs_chapter,
    hs_heading,
    hs_is_valid,
    hs_section_of,
    hs_subheading,
    is_country,
    is_currency,
    locode,
    minor_units,
    prohibited_status,
    reference_unit_value,
)
from clearway.reference.errors import RateNotFound
from clearway.reference.tariff import parse_duty_rate

DATA = files("clearway.reference").joinpath("data")


# --- HS 2022 ---------------------------------------------------------------------------------------


def test_hs_subheading_from_hs6_and_longer_codes() -> None:
    entry = hs_subheading("610910")
    assert entry is not None
    assert entry.description == "T-shirts, singlets and other vests; of cotton, knitted or crocheted"
    assert (entry.code, entry.level, entry.section) == ("610910", 6, "XI")
    assert hs_subheading("6109100010") == entry
    assert hs_subheading("61091000") == entry


def test_hs_subheading_only_in_hs2022() -> None:
    smartphones = hs_subheading("851713")
    assert smartphones is not None
    assert "smartphones" in smartphones.description


def test_hs_heading_chapter_and_section() -> None:
    heading = hs_heading("61091000")
    assert heading is not None
    assert (heading.code, heading.level) == ("6109", 4)
    assert heading.description == "T-shirts, singlets and other vests; knitted or crocheted"
    chapter = hs_chapter("0101")
    assert chapter is not None
    assert (chapter.code, chapter.description, chapter.section) == ("01", "Animals; live", "I")
    assert hs_section_of("610910") == ("XI", "Textiles and textile articles")
    # Upstream writes section I in lower case.
    assert hs_section_of("01") == ("I", "Live animals; animal products")
    assert hs_section_of("9701") == ("XXI", "Works of art, collectors' pieces and antiques")


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("610910", True),
        ("6109100010", True),
        ("0101210000", True),
        ("999999", False),  # Comtrade "not specified" pseudo-code
        ("61091", False),
        ("61091000001", False),
        ("6109.10", False),
        ("610990", True),
        ("610999", False),
        ("", False),
        ("६१०९१०", False),  # Devanagari digits pass str.isdigit()
    ],
)
def test_hs_is_valid(code: str, valid: bool) -> None:
    assert hs_is_valid(code) is valid


def test_hs_pseudo_codes_and_reserved_chapter_absent() -> None:
    assert hs_chapter("99") is None
    assert hs_heading("9999") is None
    assert hs_chapter("77") is None  # reserved in HS
    assert hs_section_of("99") is None


# --- countries, currencies -------------------------------------------------------------------------


def test_countries() -> None:
    assert is_country("DE")
    assert not is_country("de")
    assert not is_country("DEU")
    assert not is_country("XX")
    assert country_name("NA") == "Namibia"  # "NA" must not be read as a missing value
    assert country_name("GB") == "United Kingdom of Great Britain and Northern Ireland"
    assert country_name("ZZ") is None


def test_eu_member_states() -> None:
    assert len(EU_MEMBER_STATES) == 27
    assert "GR" in EU_MEMBER_STATES
    assert "EL" not in EU_MEMBER_STATES
    assert "GB" not in EU_MEMBER_STATES
    assert all(is_country(c) for c in EU_MEMBER_STATES)


@pytest.mark.parametrize(("code", "units"), [("EUR", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4), ("USD", 2)])
def test_minor_units(code: str, units: int) -> None:
    assert minor_units(code) == units
    assert is_currency(code)


def test_non_currencies() -> None:
    assert not is_currency("XAU")  # gold: no minor units
    assert not is_currency("DEM")  # withdrawn
    assert not is_currency("usd")
    assert minor_units("XXX") is None


# --- UN/LOCODE -------------------------------------------------------------------------------------


def test_locode_hamburg() -> None:
    hamburg = locode("DEHAM")
    assert hamburg is not None
    assert (hamburg.name, hamburg.country, hamburg.status) == ("Hamburg", "DE", "AF")
    assert hamburg.functions == frozenset({"1", "2", "3", "4", "5"})  # "12345---"
    assert hamburg.is_port
    assert hamburg.is_airport
    assert hamburg.is_postal_exchange


def test_locode_functions_and_missing() -> None:
    andorra = locode("ADALV")
    assert andorra is not None
    assert andorra.functions == frozenset({"3", "4", "6"})  # "--34-6--"
    assert not andorra.is_port
    unknown_function = locode("AEARZ")  # "0-------": function not known
    assert unknown_function is not None
    assert unknown_function.functions == frozenset()
    assert locode("deham") is None
    assert locode("DEHA") is None
    assert locode("ZZZZZ") is None


def test_locode_duplicates_keep_first() -> None:
    brussels = locode("BEBRU")
    assert brussels is not None
    assert brussels.name == "Brussel (Bruxelles)"


# --- ECB rates -------------------------------------------------------------------------------------


def test_eur_rate_on_business_day() -> None:
    assert eur_rate("USD", date(2026, 10, 30)) == Decimal("1.1172")
    assert eur_rate("JPY", date(2026, 10, 29)) == Decimal("175.92")
    assert eur_rate("CYP", date(2007, 12, 31)) == Decimal("0.585274")
    assert eur_rate("USD", date(1999, 1, 4)) == Decimal("1.1789")


def test_eur_rate_for_eur() -> None:
    assert eur_rate("EUR", date(1990, 1, 1)) == Decimal("1")


def test_eur_rate_weekend_uses_friday() -> None:
    assert eur_rate("USD", date(2026, 11, 1)) == Decimal("1.1172")  # Sunday -> Friday 2026-10-30
    with pytest.raises(RateNotFound):
        eur_rate("USD", date(2026, 11, 1), max_age_days=1)


def test_eur_rate_suspended_currency_within_max_age() -> None:
    # RUB was last published on 2022-03-01.
    assert eur_rate("RUB", date(2022, 3, 4)) == Decimal("117.201")
    with pytest.raises(RateNotFound, match="RUB"):
        eur_rate("RUB", date(2022, 6, 1))


def test_eur_rate_not_found() -> None:
    with pytest.raises(RateNotFound, match=r"CYP.*2020-01-01"):
        eur_rate("CYP", date(2020, 1, 1))
    with pytest.raises(RateNotFound, match="AED"):
        eur_rate("AED", date(2020, 1, 1))
    with pytest.raises(RateNotFound):
        eur_rate("USD", date(1998, 12, 31))
    assert eur_rate("USD", date(2026, 11, 6)) == Decimal("1.1172")  # 7 days after the last row
    with pytest.raises(RateNotFound):
        eur_rate("USD", date(2026, 11, 7))
    assert issubclass(RateNotFound, LookupError)


# --- EU CET ----------------------------------------------------------------------------------------


def test_cet_exact_cn8_line() -> None:
    rate = eu_cet_rate("61091000")
    assert rate is not None
    assert rate.exact
    assert (rate.code_requested, rate.code_matched) == ("61091000", "61091000")
    assert rate.ad_valorem == Decimal("0.12")
    assert rate.specific_amount is None
    assert rate.rate_text == "12.0%"
    assert rate.source == "EU CET 2020 (UK Global Tariff 2021 file)"


def test_cet_longest_prefix_and_cn10_line() -> None:
    by_prefix = eu_cet_rate("2710194899")
    assert by_prefix is not None
    assert (by_prefix.code_matched, by_prefix.ad_valorem, by_prefix.exact) == (
        "27101948",
        Decimal("0.035"),
        True,
    )
    cn10 = eu_cet_rate("2710194810")
    assert cn10 is not None
    assert (cn10.code_matched, cn10.ad_valorem) == ("2710194810", Decimal("0"))


def test_cet_leading_zero_restored() -> None:
    rate = eu_cet_rate("0101299000")
    assert rate is not None
    assert rate.code_matched == "01012990"
    assert rate.ad_valorem == Decimal("0.115")


def test_cet_compound_rate() -> None:
    rate = eu_cet_rate("19023010")
    assert rate is not None
    assert rate.rate_text == "6.40% + 24.60 EUR / 100 kg"
    assert rate.ad_valorem == Decimal("0.064")
    assert rate.specific_amount == Decimal("24.60")
    assert rate.specific_unit == "EUR/100kg"


def test_cet_compound_rate_without_percent_sign() -> None:
    rate = eu_cet_rate("1902301010")
    assert rate is not None
    assert rate.rate_text == "6.4 + 24.6 EUR/100 kg"
    assert (rate.ad_valorem, rate.specific_amount, rate.specific_unit) == (
        Decimal("0.064"),
        Decimal("24.6"),
        "EUR/100kg",
    )


def test_cet_specific_only_rate() -> None:
    rate = eu_cet_rate("2204212310")
    assert rate is not None
    assert (rate.ad_valorem, rate.specific_amount, rate.specific_unit) == (
        Decimal(0),
        Decimal("14.80"),
        "EUR/hl",
    )


def test_cet_hs6_fallback() -> None:
    rate = eu_cet_rate("610910")
    assert rate is not None
    assert not rate.exact
    assert rate.code_matched == "610910"
    assert rate.ad_valorem == Decimal("0.12")
    assert rate.note.startswith("HS6 fallback: 1 CN line under 610910")


def test_cet_hs6_fallback_most_common_rate() -> None:
    # 02084010 6.4%, 02084020 6.4%, 02084080 9.0%
    rate = eu_cet_rate("020840")
    assert rate is not None
    assert rate.ad_valorem == Decimal("0.064")
    assert "3 CN lines under 020840" in rate.note
    assert "(2 of 3)" in rate.note


def test_cet_hs6_fallback_tie_goes_to_higher_rate() -> None:
    # 01012910 0.0%, 01012990 11.5%
    rate = eu_cet_rate("010129")
    assert rate is not None
    assert rate.ad_valorem == Decimal("0.115")
    assert rate.rate_text == "11.5%"


def test_cet_partly_parsed_rate_is_flagged() -> None:
    rate = eu_cet_rate("17049051")
    assert rate is not None
    assert rate.rate_text == "9.00% +  EA MAX 18.70%  + ADSZ"
    assert rate.ad_valorem == Decimal("0.09")
    assert "partly" in rate.note


def test_cet_hs2022_code_falls_back_to_the_hs2017_lines_of_its_parent() -> None:
    rate = eu_cet_rate("851713")  # HS 2022 smartphones; the CET data is on HS 2017 (851712)
    assert rate is not None and not rate.exact
    assert rate.code_matched == "85171" and rate.ad_valorem == Decimal(0)
    assert "under 85171" in rate.note


def test_cet_missing_codes() -> None:
    assert eu_cet_rate("6109") is None
    assert eu_cet_rate("61091000ab") is None


@pytest.mark.parametrize(
    ("text", "ad_valorem", "amount", "unit", "complete"),
    [
        ("0.0%", "0", None, None, True),
        ("12.80% + 176.80 EUR / 100 kg", "0.128", "176.80", "EUR/100kg", True),
        ("1,024.00 EUR / tonne", "0", "1024.00", "EUR/tonne", True),
        ("52.00 EUR / 1,000 items", "0", "52.00", "EUR/1000 items", True),
        ("1.75 EUR / % vol / hl", "0", "1.75", "EUR/% vol/hl", True),
        ("5.10% + 9.40 EUR / 100 kg / net drained wt", "0.051", "9.40", "EUR/100kg/net drained wt", True),
        ("Entry Price", "0", None, None, False),
        ("4.50% MIN 0.30 EUR / item MAX 0.80 EUR / item", "0.045", None, None, False),
        ("1.30 EUR / % vol / hl MIN 7.20 EUR / hl", "0", None, None, False),
        ("7.2 MIN 0.36 EUR/100 kg", "0.072", None, None, False),
        ("15.00% (01 JAN-14 FEB, 16 JUN-31 DEC), 0.00% (15 FEB-15 JUN)", "0.15", None, None, False),
    ],
)
def test_parse_duty_rate(
    text: str, ad_valorem: str, amount: str | None, unit: str | None, complete: bool
) -> None:
    parsed = parse_duty_rate(text)
    assert parsed.ad_valorem == Decimal(ad_valorem)
    assert parsed.specific_amount == (Decimal(amount) if amount else None)
    assert parsed.specific_unit == unit
    assert parsed.complete is complete


# --- EU VAT ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2020, 6, 30), "0.19"),
        (date(2020, 7, 1), "0.16"),
        (date(2020, 8, 1), "0.16"),
        (date(2020, 12, 31), "0.16"),
        (date(2021, 1, 1), "0.19"),
        (date(2024, 1, 1), "0.19"),
    ],
)
def test_vat_germany_covid_cut(day: date, rate: str) -> None:
    assert eu_standard_vat_rate("DE", day) == Decimal(rate)


def test_vat_other_countries() -> None:
    assert eu_standard_vat_rate("FI", date(2024, 8, 31)) == Decimal("0.24")
    assert eu_standard_vat_rate("FI", date(2024, 9, 1)) == Decimal("0.255")
    assert eu_standard_vat_rate("GR", date(2020, 1, 1)) == Decimal("0.24")
    assert eu_standard_vat_rate("EL", date(2020, 1, 1)) == Decimal("0.24")
    assert eu_standard_vat_rate("HU", date(2000, 1, 1)) == Decimal("0.27")
    assert eu_standard_vat_rate("GB", date(2020, 1, 1)) is None
    assert eu_standard_vat_rate("US", date(2020, 1, 1)) is None
    assert all(eu_standard_vat_rate(c, date(2025, 1, 1)) for c in EU_MEMBER_STATES)


# --- risk tables -----------------------------------------------------------------------------------


def test_prohibited_status() -> None:
    pistols = prohibited_status("930200")
    assert pistols is not None
    assert (pistols.hs_prefix, pistols.status) == ("9302", "prohibited")
    wine = prohibited_status("2204211100")
    assert wine is not None
    assert wine.status == "restricted"
    opium = prohibited_status("13021100")
    assert opium is not None
    assert (opium.hs_prefix, opium.status) == ("130211", "prohibited")
    assert prohibited_status("130219") is None
    assert prohibited_status("610910") is None
    assert prohibited_status("93x2") is None


def test_reference_unit_value_longest_prefix() -> None:
    assert reference_unit_value("8517130000") == ("851713", Decimal("40"))
    assert reference_unit_value("85176200") == ("8517", Decimal("10"))
    assert reference_unit_value("610910") == ("6109", Decimal("1.5"))
    assert reference_unit_value("010121") is None


@pytest.mark.parametrize("name", ["prohibited_hs.csv", "reference_unit_values.csv"])
def test_hand_written_prefixes_are_hs2022_codes(name: str) -> None:
    rows = list(csv.DictReader(DATA.joinpath(name).read_text(encoding="utf-8").splitlines()))
    assert rows
    lookup = {2: hs_chapter, 4: hs_heading, 6: hs_subheading}
    for row in rows:
        prefix = row["hs_prefix"]
        assert lookup[len(prefix)](prefix) is not None, prefix
    if name == "prohibited_hs.csv":
        assert {row["status"] for row in rows} == {"prohibited", "restricted"}
    else:
        assert all(Decimal(row["min_unit_value_eur"]) > 0 for row in rows)


def test_packaged_data_stays_small() -> None:
    total = sum(len(p.read_bytes()) for p in DATA.iterdir() if p.is_file())
    assert total < 3_000_000
