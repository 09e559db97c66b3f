"""Active ISO 4217 currencies and their minor units; money as Decimal in memory, integer minor units in
storage, one named rounding rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from clearway.reference._load import read_rows


@cache
def _minor_units() -> dict[str, int]:
    return {code: int(minor) for code, _name, minor in read_rows("currencies.csv.gz")}


def is_currency(code: str) -> bool:
    """Active ISO 4217 alpha-3 code with defined minor units (so not XAU, XXX and the like)."""
    return code in _minor_units()


def minor_units(code: str) -> int | None:
    """Number of decimals used for amounts in ``code``: EUR 2, JPY 0, KWD 3."""
    return _minor_units().get(code)


ROUNDING_RULE = "half-up to the currency's minor unit, per tax line"


@cache
def _exponent(currency: str) -> int:
    units = minor_units(currency)
    return 2 if units is None else units


def to_minor(amount: Decimal, currency: str) -> int:
    scaled = amount.scaleb(_exponent(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-_exponent(currency))


def format_minor(amount: int, currency: str) -> str:
    """Decimal string with exactly the currency's minor digits, e.g. 1234 EUR -> '12.34'."""
    exponent = _exponent(currency)
    return f"{from_minor(amount, currency):.{exponent}f}"
