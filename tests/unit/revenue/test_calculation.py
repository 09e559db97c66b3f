"""Duties and taxes: hand-computed EU cases, properties of `assess`, money rounding and profiles.

All expected amounts below are computed by hand in the comments (EUR, DE standard VAT 19 %).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearway.reference import TariffRate, eu_cet_rate, eu_standard_vat_rate
from clearway.reference.errors import NoProfileForDate
from clearway.reference.jurisdictions import Period, jurisdiction_for, jurisdictions
from clearway.reference.money import format_minor, from_minor, to_minor
from clearway.revenue.calculation import (
    Collection,
    Consignment,
    Item,
    RevenueAssessment,
    RevenueSettings,
    TaxLine,
    TaxType,
    assess,
)

_EU = jurisdiction_for("DE")
assert _EU is not None
EU = _EU
assert EU is not None
D_2021_03 = dt.date(2021, 3, 1)
D_2024 = dt.date(2024, 5, 1)
D_FLAT = dt.date(2026, 11, 27)
VAT_DE = Decimal("0.19")
IOSS = "IM2760000001"


def consignment(
    *items: tuple[str, str] | tuple[str, str, str],
    transport: str = "0",
    gift: bool = False,
    documents_only: bool = False,
    ioss: str | None = None,
    intrinsic: str | None = None,
) -> Consignment:
    """Items as (hs_code, value) or (hs_code, value, net mass kg)."""
    goods = [
        Item(k + 1, i[0], Decimal(i[1]), Decimal(i[2] if len(i) == 3 else "0.5")) for k, i in enumerate(items)
    ]
    return Consignment(
        destination_country="DE",
        intrinsic_value=Decimal(intrinsic) if intrinsic else sum((g.value for g in goods), Decimal(0)),
        transport_and_insurance=Decimal(transport),
        items=goods,
        gift=gift,
        documents_only=documents_only,
        vendor_registration=ioss,
    )


def run(
    c: Consignment, on: dt.date = D_FLAT, tariff: object = eu_cet_rate, **kw: object
) -> RevenueAssessment:
    return assess(c, EU.period(on), "EUR", VAT_DE, tariff, **kw)  # type: ignore[arg-type]


def lines_of(a: RevenueAssessment, tax_type: TaxType) -> list[TaxLine]:
    return [line for line in a.lines if line.tax_type is tax_type]


def summary(a: RevenueAssessment) -> list[tuple[int | None, str, int, int, str]]:
    return [(x.item_seq, x.tax_type.value, x.base_minor, x.amount_minor, x.collection.value) for x in a.lines]


# --- reference facts the cases rely on --------------------------------------------------------------


def test_reference_rates_used_by_the_cases() -> None:
    assert eu_standard_vat_rate("DE", D_FLAT) == VAT_DE
    assert eu_standard_vat_rate("DE", D_2021_03) == VAT_DE
    rate = eu_cet_rate("610910")  # cotton T-shirts, knitted: CN 6109 10 00, 12 %
    assert rate is not None and rate.ad_valorem == Decimal("0.12") and rate.specific_amount is None
    earbuds = eu_cet_rate("851830")  # headphones and earphones: CN 8518 30 00, free
    assert earbuds is not None and earbuds.ad_valorem == 0


# --- flat duty period (2026-07-01 .. 2028-06-30) ----------------------------------------------------


def test_flat_duty_two_subheadings_buyer_pays_at_border() -> None:
    # 2 sub-headings x 3.00 = 6.00, apportioned 25/40 -> 3.75 and 15/40 -> 2.25
    # VAT item 1: (25 + 3.75) x 0.19 = 5.4625 -> 5.46; item 2: (15 + 2.25) x 0.19 = 3.2775 -> 3.28
    a = run(consignment(("610910", "25.00"), ("851830", "15.00")))
    assert summary(a) == [
        (None, "flat_duty", 4000, 600, "border"),
        (1, "vat", 2875, 546, "border"),
        (2, "vat", 1725, 328, "border"),
    ]
    flat = lines_of(a, TaxType.FLAT_DUTY)[0]
    assert flat.rate == Decimal(3)
    assert "610910" in flat.note and "851830" in flat.note
    assert a.due_at_border_minor == 600 + 546 + 328 == 1474
    assert a.total_minor(TaxType.VAT) == 874
    assert a.total_minor(TaxType.FLAT_DUTY) == 600


def test_flat_duty_counts_distinct_hs6_once_and_rounds_half_up() -> None:
    # 61091000 and 6109100010 share HS6 610910: one sub-heading, 3.00, 1.50 per item
    # VAT per item: (20 + 1.50) x 0.19 = 4.085 -> 4.09 (half-up, not half-even)
    a = run(consignment(("61091000", "20.00"), ("6109100010", "20.00")))
    assert summary(a) == [
        (None, "flat_duty", 4000, 300, "border"),
        (1, "vat", 2150, 409, "border"),
        (2, "vat", 2150, 409, "border"),
    ]
    assert a.due_at_border_minor == 1118


def test_flat_duty_is_shared_by_customs_value_with_transport() -> None:
    # transport 8.00 shared 25/40 -> 5.00, 15/40 -> 3.00: customs values 30.00 and 18.00
    # flat 6.00 shared 30/48 -> 3.75, 18/48 -> 2.25
    # VAT (30 + 3.75) x 0.19 = 6.4125 -> 6.41; (18 + 2.25) x 0.19 = 3.8475 -> 3.85
    a = run(consignment(("610910", "25.00"), ("851830", "15.00"), transport="8.00"))
    assert summary(a) == [
        (None, "flat_duty", 4000, 600, "border"),
        (1, "vat", 3375, 641, "border"),
        (2, "vat", 2025, 385, "border"),
    ]
    assert a.due_at_border_minor == 1626


def test_flat_duty_just_under_150_and_cet_just_above() -> None:
    # 149.99: flat 3.00; VAT (149.99 + 3) x 0.19 = 29.0681 -> 29.07
    under = run(consignment(("610910", "149.99")))
    assert summary(under) == [(None, "flat_duty", 14999, 300, "border"), (1, "vat", 15299, 2907, "border")]
    # 150.01: CET 12 % = 18.0012 -> 18.00; VAT (150.01 + 18.0012) x 0.19 = 31.922128 -> 31.92
    above = run(consignment(("610910", "150.01")))
    assert summary(above) == [(1, "duty", 15001, 1800, "border"), (1, "vat", 16801, 3192, "border")]


def test_flat_duty_applies_only_under_150_so_150_itself_is_relieved() -> None:
    # "consignments under EUR 150": 150.00 keeps the duty relief; VAT 150 x 0.19 = 28.50
    a = run(consignment(("610910", "150.00")))
    assert summary(a) == [(None, "duty", 15000, 0, "relieved"), (1, "vat", 15000, 2850, "border")]


def test_ioss_within_limit_collects_flat_duty_and_vat_at_checkout() -> None:
    a = run(consignment(("610910", "25.00"), ("851830", "15.00"), ioss=IOSS))
    assert summary(a) == [
        (None, "flat_duty", 4000, 600, "checkout"),
        (1, "vat", 2875, 546, "checkout"),
        (2, "vat", 1725, 328, "checkout"),
    ]
    assert a.due_at_border_minor == 0
    assert a.total_minor() == 1474


def test_ioss_at_exactly_the_scheme_limit_is_still_checkout() -> None:
    a = run(consignment(("610910", "150.00"), ioss=IOSS))
    assert summary(a) == [(None, "duty", 15000, 0, "relieved"), (1, "vat", 15000, 2850, "checkout")]
    assert a.due_at_border_minor == 0


def test_ioss_above_limit_everything_at_border() -> None:
    # 200.00: duty 12 % = 24.00; VAT (200 + 24) x 0.19 = 42.56
    a = run(consignment(("610910", "200.00"), ioss=IOSS))
    assert summary(a) == [(1, "duty", 20000, 2400, "border"), (1, "vat", 22400, 4256, "border")]
    assert a.due_at_border_minor == 6656


def test_cet_above_150_with_real_rates_and_cif_transport() -> None:
    # transport 30.00 shared 200/300 -> 20.00, 100/300 -> 10.00: customs values 220.00 and 110.00
    # duty T-shirts 220 x 12 % = 26.40; earbuds 110 x 0 % = 0
    # VAT (220 + 26.40) x 0.19 = 46.816 -> 46.82; 110 x 0.19 = 20.90
    a = run(consignment(("610910", "200.00"), ("851830", "100.00"), transport="30.00"))
    assert summary(a) == [
        (1, "duty", 22000, 2640, "border"),
        (2, "duty", 11000, 0, "border"),
        (1, "vat", 24640, 4682, "border"),
        (2, "vat", 11000, 2090, "border"),
    ]
    duty = lines_of(a, TaxType.DUTY)
    assert [d.rate for d in duty] == [Decimal("0.12"), Decimal(0)]
    assert all("EU CET" in d.note for d in duty)
    assert a.due_at_border_minor == 2640 + 4682 + 2090 == 9412


def test_transport_shared_by_count_when_all_values_are_zero() -> None:
    # intrinsic 160 declared (items 0): CET branch; 20.00 transport -> 10.00 each
    a = run(consignment(("610910", "0"), ("851830", "0"), transport="20.00", intrinsic="160"))
    duty = lines_of(a, TaxType.DUTY)
    assert [(d.base_minor, d.amount_minor) for d in duty] == [(1000, 120), (1000, 0)]


def test_specific_duty_per_100kg_is_added() -> None:
    # 5 % of 200.00 = 10.00 plus 10 EUR/100kg x 2 kg = 0.20 -> 10.20
    # VAT (200 + 10.20) x 0.19 = 39.938 -> 39.94
    rate = TariffRate("999999", "999999", Decimal("0.05"), Decimal(10), "EUR/100kg", "5% + 10 EUR/100kg",
                      "stub", True, "")  # fmt: skip
    a = run(consignment(("999999", "200.00", "2")), tariff=lambda _code: rate)
    assert summary(a) == [(1, "duty", 20000, 1020, "border"), (1, "vat", 21020, 3994, "border")]


def test_specific_duty_in_other_units_is_not_applied_but_noted() -> None:
    rate = TariffRate("220421", "220421", Decimal(0), Decimal(32), "EUR/hl", "32 EUR/hl", "stub", True, "")
    a = run(consignment(("220421", "200.00")), tariff=lambda _code: rate)
    duty = lines_of(a, TaxType.DUTY)[0]
    assert duty.amount_minor == 0
    assert "EUR/hl" in duty.note and "not applied" in duty.note


def test_fallback_rate_when_no_tariff_line() -> None:
    # 200.00 x 10 % = 20.00; VAT 220 x 0.19 = 41.80
    a = run(
        consignment(("852411", "200.00")),
        tariff=lambda _code: None,
        settings=RevenueSettings(fallback_duty_rate=Decimal("0.10")),
    )
    assert summary(a) == [(1, "duty", 20000, 2000, "border"), (1, "vat", 22000, 4180, "border")]
    duty = lines_of(a, TaxType.DUTY)[0]
    assert duty.rate == Decimal("0.10") and "fallback" in duty.note


# --- gifts and documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("on", [D_2021_03, D_2024, D_FLAT])
def test_gift_up_to_45_is_fully_relieved(on: dt.date) -> None:
    a = run(consignment(("610910", "30.00"), ("851830", "15.00"), gift=True), on)
    assert summary(a) == [
        (None, "duty", 4500, 0, "relieved"),
        (1, "vat", 3000, 0, "relieved"),
        (2, "vat", 1500, 0, "relieved"),
    ]
    assert "Art. 25" in a.lines[0].legal_basis
    assert a.due_at_border_minor == 0 and a.total_minor() == 0


def test_gift_of_45_01_pays_flat_duty_and_vat() -> None:
    # flat 3.00; VAT (45.01 + 3) x 0.19 = 9.1219 -> 9.12
    a = run(consignment(("610910", "45.01"), gift=True))
    assert summary(a) == [(None, "flat_duty", 4501, 300, "border"), (1, "vat", 4801, 912, "border")]
    assert a.due_at_border_minor == 1212


@pytest.mark.parametrize("on", [D_2021_03, D_FLAT])
def test_documents_owe_nothing(on: dt.date) -> None:
    a = run(consignment(("490110", "500.00"), documents_only=True), on)
    assert a.lines == ()
    assert a.due_at_border_minor == 0 and a.total_minor() == 0


# --- before 2021-07-01: EUR 22 VAT exemption, EUR 150 duty relief, no IOSS ----------------------------


def test_2021_03_within_22_nothing_due() -> None:
    a = run(consignment(("851830", "22.00")), D_2021_03)
    assert summary(a) == [(None, "duty", 2200, 0, "relieved"), (1, "vat", 2200, 0, "relieved")]
    assert a.due_at_border_minor == 0


def test_2021_03_above_22_vat_only() -> None:
    # 22.01 x 0.19 = 4.1819 -> 4.18; duty relieved up to 150
    a = run(consignment(("851830", "22.01")), D_2021_03)
    assert summary(a) == [(None, "duty", 2201, 0, "relieved"), (1, "vat", 2201, 418, "border")]


def test_2021_03_ioss_number_does_not_move_vat_to_checkout() -> None:
    # no IOSS before 2021-07-01: 100 x 0.19 = 19.00 at the border
    a = run(consignment(("610910", "100.00"), ioss=IOSS), D_2021_03)
    assert summary(a) == [(None, "duty", 10000, 0, "relieved"), (1, "vat", 10000, 1900, "border")]


def test_2021_03_duty_relief_ends_at_150() -> None:
    at = run(consignment(("610910", "150.00")), D_2021_03)
    assert [x.amount_minor for x in lines_of(at, TaxType.DUTY)] == [0]
    above = run(consignment(("610910", "150.01")), D_2021_03)
    assert [x.amount_minor for x in lines_of(above, TaxType.DUTY)] == [1800]
    assert above.due_at_border_minor == 1800 + 3192


def test_2024_no_flat_duty_vat_from_the_first_cent() -> None:
    # duty relieved (<= 150, no flat duty yet); VAT 25 x 0.19 = 4.75 and 15 x 0.19 = 2.85
    a = run(consignment(("610910", "25.00"), ("851830", "15.00")), D_2024)
    assert summary(a) == [
        (None, "duty", 4000, 0, "relieved"),
        (1, "vat", 2500, 475, "border"),
        (2, "vat", 1500, 285, "border"),
    ]
    ioss = run(consignment(("610910", "25.00"), ("851830", "15.00"), ioss=IOSS), D_2024)
    assert ioss.due_at_border_minor == 0 and ioss.total_minor() == 760


# --- properties -------------------------------------------------------------------------------------

HS_CODES = ["610910", "851830", "640299", "01022910", "040690", "870380", "852411", "220421"]
PERIODS = [EU.period(D_2021_03), EU.period(D_2024), EU.period(D_FLAT)]
money = st.decimals(min_value=0, max_value=400, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def consignments(draw: st.DrawFn) -> Consignment:
    n = draw(st.integers(min_value=1, max_value=4))
    items = [
        Item(
            k + 1,
            draw(st.sampled_from(HS_CODES)),
            draw(money),
            draw(st.decimals(min_value="0.001", max_value=50, places=3)),
        )
        for k in range(n)
    ]
    return Consignment(
        destination_country="DE",
        intrinsic_value=sum((i.value for i in items), Decimal(0)),
        transport_and_insurance=draw(st.decimals(min_value=0, max_value=50, places=2)),
        items=items,
        gift=draw(st.booleans()),
        documents_only=draw(st.integers(min_value=0, max_value=4)) == 0,
        vendor_registration=draw(st.sampled_from([None, IOSS])),
    )


vat_rates = st.sampled_from([Decimal("0.19"), Decimal("0.2"), Decimal("0.27"), Decimal("0.17"), Decimal(0)])


@given(c=consignments(), period=st.sampled_from(PERIODS), vat_rate=vat_rates)
@settings(max_examples=200, deadline=None)
def test_assessment_invariants(c: Consignment, period: Period, vat_rate: Decimal) -> None:
    a = assess(c, period, "EUR", vat_rate, eu_cet_rate)
    # never negative
    assert all(x.amount_minor >= 0 and x.base_minor >= 0 for x in a.lines)
    # due at the border is the sum of the border lines; totals leave relieved lines out
    assert a.due_at_border_minor == sum(x.amount_minor for x in a.lines if x.collection == "border")
    assert a.total_minor() == sum(x.amount_minor for x in a.lines if x.collection != "relieved")
    assert a.total_minor() == sum(a.total_minor(t) for t in TaxType)
    assert all(x.amount_minor == 0 for x in a.lines if x.collection is Collection.RELIEVED)
    if c.documents_only:
        assert a.lines == ()
        return
    vat = lines_of(a, TaxType.VAT)
    assert [x.item_seq for x in vat] == [i.seq for i in c.items]
    for x in vat:
        assert x.rate == vat_rate
        if x.collection is not Collection.RELIEVED:
            expected = to_minor(from_minor(x.base_minor, "EUR") * vat_rate, "EUR")
            assert abs(x.amount_minor - expected) <= 1
    # IOSS within the scheme limit: nothing at the border
    limit = period.vendor_scheme_limit
    if c.vendor_registration and limit is not None and c.intrinsic_value <= limit:
        assert a.due_at_border_minor == 0
    # duty relief up to 150 before the flat duty; gifts up to 45 pay nothing at all
    if c.gift and c.intrinsic_value <= 45:
        assert a.total_minor() == 0
    if c.intrinsic_value > 150:
        assert len(lines_of(a, TaxType.DUTY)) == len(c.items)
        assert all(x.collection is Collection.BORDER for x in a.lines)


@given(
    c=consignments().filter(lambda c: not c.documents_only and c.intrinsic_value > 150),
    factor=st.decimals(min_value=1, max_value=5, places=2),
    period=st.sampled_from(PERIODS),
)
@settings(max_examples=100, deadline=None)
def test_duty_is_monotone_in_value_above_the_threshold(
    c: Consignment, factor: Decimal, period: Period
) -> None:
    scaled = Consignment(
        c.destination_country,
        c.intrinsic_value * factor,
        c.transport_and_insurance,
        [Item(i.seq, i.hs_code, i.value * factor, i.net_mass_kg) for i in c.items],
        c.gift,
        c.documents_only,
        c.vendor_registration,
    )
    before = assess(c, period, "EUR", VAT_DE, eu_cet_rate)
    after = assess(scaled, period, "EUR", VAT_DE, eu_cet_rate)
    assert after.total_minor(TaxType.DUTY) >= before.total_minor(TaxType.DUTY)
    for b, x in zip(lines_of(before, TaxType.DUTY), lines_of(after, TaxType.DUTY), strict=True):
        assert x.amount_minor >= b.amount_minor
    assert after.due_at_border_minor >= before.due_at_border_minor


@given(
    value=st.decimals(min_value="0.01", max_value=400, places=2),
    transport=st.decimals(min_value=0, max_value=50, places=2),
)
@settings(max_examples=100, deadline=None)
def test_single_item_flat_period_matches_hand_formula(value: Decimal, transport: Decimal) -> None:
    # Written out independently: flat 3.00 under 150, CET 12 % above, nothing special at exactly 150.
    a = run(consignment(("610910", str(value)), transport=str(transport)))
    cv = value + transport
    if value < 150:
        duty = Decimal(3)
    elif value == 150:
        duty = Decimal(0)
    else:
        duty = cv * Decimal("0.12")
    vat = ((cv + duty) * VAT_DE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    duty_q = duty.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert a.due_at_border_minor == int((duty_q + vat) * 100)


# --- money ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("5.4625", "EUR", 546),
        ("3.2775", "EUR", 328),
        ("0.005", "EUR", 1),  # half-up
        ("0.015", "EUR", 2),
        ("0.025", "EUR", 3),  # half-even would give 2
        ("0.0049", "EUR", 0),
        ("-0.005", "EUR", -1),  # half away from zero
        ("12.5", "JPY", 13),
        ("1.0005", "KWD", 1001),
        ("1.005", "XXX", 101),  # unknown currency: 2 decimals
    ],
)
def test_to_minor_half_up(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [(1234, "EUR", "12.34"), (5, "EUR", "0.05"), (-5, "EUR", "-0.05"), (0, "EUR", "0.00"),
     (1234, "JPY", "1234"), (1234, "KWD", "1.234")],
)  # fmt: skip
def test_format_minor(minor: int, currency: str, text: str) -> None:
    assert format_minor(minor, currency) == text


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["EUR", "JPY", "KWD", "USD"]))
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    assert to_minor(from_minor(minor, currency), currency) == minor
    assert Decimal(format_minor(minor, currency)) == from_minor(minor, currency)


# --- profiles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "tax_de_minimis", "flat"),
    [
        (dt.date(2010, 1, 1), "22", None),
        (dt.date(2021, 6, 30), "22", None),
        (dt.date(2021, 7, 1), "0", None),
        (dt.date(2026, 6, 30), "0", None),
        (dt.date(2026, 7, 1), "0", "3"),
        (dt.date(2028, 6, 30), "0", "3"),
    ],
)
def test_period_boundaries(on: dt.date, tax_de_minimis: str, flat: str | None) -> None:
    p = EU.period(on)
    assert p.valid_from <= on <= p.valid_to
    assert p.tax_de_minimis == Decimal(tax_de_minimis)
    assert p.flat_duty_per_subheading == (None if flat is None else Decimal(flat))


@pytest.mark.parametrize("on", [dt.date(2009, 12, 31), dt.date(2028, 7, 1)])
def test_no_profile_outside_periods(on: dt.date) -> None:
    with pytest.raises(NoProfileForDate, match="EU"):
        EU.period(on)


def test_periods_are_contiguous_and_cover_all_members() -> None:
    periods = EU.periods
    for prev, nxt in itertools.pairwise(periods):
        assert nxt.valid_from == prev.valid_to + dt.timedelta(days=1)
    assert len(EU.members) == 27
    assert all(jurisdiction_for(m) is EU for m in EU.members)
    assert jurisdiction_for("US") is None and jurisdiction_for("GB") is None
    assert EU in jurisdictions()
    assert EU.period(D_2024).vendor_scheme_limit == Decimal(150)
    assert EU.period(D_2021_03).vendor_scheme_limit is None
