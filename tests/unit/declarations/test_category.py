"""IRG consignment categories 1-4 at the thresholds of the EU profile periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearway.declarations.category import IrgCategory, irg_category
from clearway.reference.jurisdictions import Period, jurisdiction_for

EU = jurisdiction_for("DE")
assert EU is not None
BEFORE_2021 = EU.period(dt.date(2021, 3, 1))  # EUR 22 VAT exemption still in force
SINCE_2021 = EU.period(dt.date(2024, 5, 1))
FLAT_DUTY = EU.period(dt.date(2026, 11, 27))


def category(period: Period, value: str, *, gift: bool = False, documents_only: bool = False) -> IrgCategory:
    return irg_category(
        documents_only=documents_only,
        gift=gift,
        value=Decimal(value),
        duty_de_minimis=period.duty_de_minimis,
        tax_de_minimis=period.tax_de_minimis,
        low_value_ceiling=period.low_value_ceiling,
        gift_relief=period.gift_relief,
    )


def test_profile_thresholds_are_the_eu_ones() -> None:
    assert (BEFORE_2021.tax_de_minimis, BEFORE_2021.duty_de_minimis) == (Decimal(22), Decimal(150))
    assert SINCE_2021.tax_de_minimis == 0
    assert FLAT_DUTY.gift_relief == Decimal(45)
    assert FLAT_DUTY.low_value_ceiling == Decimal(150)


@pytest.mark.parametrize("period", [BEFORE_2021, SINCE_2021, FLAT_DUTY])
@pytest.mark.parametrize("value", ["0", "10", "150", "5000"])
@pytest.mark.parametrize("gift", [False, True])
def test_documents_are_category_1_whatever_the_value(period: Period, value: str, gift: bool) -> None:
    assert category(period, value, gift=gift, documents_only=True) is IrgCategory.DOCUMENTS


@pytest.mark.parametrize("period", [BEFORE_2021, SINCE_2021, FLAT_DUTY])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.01", IrgCategory.LOW_VALUE_NON_DUTIABLE),
        ("45.00", IrgCategory.LOW_VALUE_NON_DUTIABLE),
        ("45.01", IrgCategory.LOW_VALUE_DUTIABLE),
        ("150.00", IrgCategory.LOW_VALUE_DUTIABLE),
        ("150.01", IrgCategory.HIGH_VALUE),
    ],
)
def test_gift_relief_boundary(period: Period, value: str, expected: IrgCategory) -> None:
    assert category(period, value, gift=True) is expected


@pytest.mark.parametrize("period", [SINCE_2021, FLAT_DUTY])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.01", IrgCategory.LOW_VALUE_DUTIABLE),  # no VAT de minimis since 2021-07-01
        ("22.00", IrgCategory.LOW_VALUE_DUTIABLE),
        ("45.00", IrgCategory.LOW_VALUE_DUTIABLE),  # gift relief only for gifts
        ("150.00", IrgCategory.LOW_VALUE_DUTIABLE),
        ("150.01", IrgCategory.HIGH_VALUE),
    ],
)
def test_sales_since_2021(period: Period, value: str, expected: IrgCategory) -> None:
    assert category(period, value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("22.00", IrgCategory.LOW_VALUE_NON_DUTIABLE),
        ("22.01", IrgCategory.LOW_VALUE_DUTIABLE),
        ("150.00", IrgCategory.LOW_VALUE_DUTIABLE),
        ("150.01", IrgCategory.HIGH_VALUE),
    ],
)
def test_tax_de_minimis_before_2021_07_01(value: str, expected: IrgCategory) -> None:
    assert category(BEFORE_2021, value) is expected


def test_category_codes_match_un_edifact_7085() -> None:
    assert [int(c) for c in IrgCategory] == [1, 2, 3, 4]


values = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(
    a=values,
    b=values,
    gift=st.booleans(),
    period=st.sampled_from([BEFORE_2021, SINCE_2021, FLAT_DUTY]),
)
def test_category_is_monotone_in_value(a: Decimal, b: Decimal, gift: bool, period: Period) -> None:
    low, high = sorted((a, b))
    assert category(period, str(low), gift=gift) <= category(period, str(high), gift=gift)


@given(value=values, gift=st.booleans(), period=st.sampled_from([BEFORE_2021, SINCE_2021, FLAT_DUTY]))
def test_high_value_iff_above_ceiling(value: Decimal, gift: bool, period: Period) -> None:
    cat = category(period, str(value), gift=gift)
    assert (cat is IrgCategory.HIGH_VALUE) is (value > Decimal(150))
    assert cat is not IrgCategory.DOCUMENTS
