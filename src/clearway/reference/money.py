"""Active ISO 4217 currencies and their minor units."""

from __future__ import annotations

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
