"""EU standard VAT rates with their history."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from decimal import Decimal
from functools import cache

from clearway.reference._load import read_rows
from clearway.reference.geo import EU_MEMBER_STATES


@cache
def _periods() -> dict[str, tuple[list[str], list[Decimal]]]:
    # Start dates stay ISO strings: the source's "0000-01-01" ("since always") is not a valid date,
    # but it still sorts before every real one.
    periods: dict[str, tuple[list[str], list[Decimal]]] = {}
    for country, effective_from, percent in read_rows("eu_vat.csv.gz"):  # sorted by country, date
        starts, rates = periods.setdefault(country, ([], []))
        starts.append(effective_from)
        rates.append(Decimal(percent) / 100)
    return periods


def eu_standard_vat_rate(country: str, on: datetime.date) -> Decimal | None:
    """Standard VAT rate as a fraction (DE on 2020-08-01 -> 0.16), or None outside the EU-27."""
    if country == "EL":  # the EU's own code for Greece
        country = "GR"
    if country not in EU_MEMBER_STATES:
        return None
    starts, rates = _periods()[country]
    i = bisect_right(starts, on.isoformat())
    return rates[i - 1] if i else None
