"""ECB euro foreign exchange reference rates (units of currency per 1 EUR)."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from decimal import Decimal
from functools import cache

from clearway.reference._load import read_table
from clearway.reference.errors import RateNotFound


@cache
def _series() -> dict[str, tuple[list[str], list[str]]]:
    """Per currency: ascending ISO dates that have a rate, and the rates as published text."""
    header, rows = read_table("ecb_rates.csv.gz")  # wide, oldest first, "" = no rate that day
    dates, *columns = zip(*rows, strict=True)
    series: dict[str, tuple[list[str], list[str]]] = {}
    for currency, column in zip(header[1:], columns, strict=True):
        kept = [(d, v) for d, v in zip(dates, column, strict=True) if v]
        series[currency] = ([d for d, _ in kept], [v for _, v in kept])
    return series


def eur_rate(currency: str, on: datetime.date, max_age_days: int = 7) -> Decimal:
    """Units of ``currency`` per 1 EUR published on ``on`` or the latest business day before it.

    Raises RateNotFound when the ECB has no rate for the currency within ``max_age_days`` before
    ``on`` (currency never quoted, discontinued, or ``on`` outside the data range).
    """
    if currency == "EUR":
        return Decimal(1)
    found = _series().get(currency)
    if found is None:
        raise RateNotFound(f"ECB publishes no reference rate for {currency!r} (asked for {on.isoformat()})")
    dates, values = found
    i = bisect_right(dates, on.isoformat())
    if i == 0:
        raise RateNotFound(
            f"no ECB rate for {currency} on or before {on.isoformat()} (series starts {dates[0]})"
        )
    published = datetime.date.fromisoformat(dates[i - 1])
    if (on - published).days > max_age_days:
        raise RateNotFound(
            f"no ECB rate for {currency} within {max_age_days} days before {on.isoformat()}"
            f" (latest is {published.isoformat()})"
        )
    return Decimal(values[i - 1])


@cache
def ecb_last_date() -> datetime.date:
    """The last day of the packaged ECB table: rates after it are not known to this process."""
    return max(datetime.date.fromisoformat(dates[-1]) for dates, _ in _series().values() if dates)


# Conversion at the rate of the day, with cross rates through EUR. The packaged ECB table is a snapshot:
# for dates after its last day the last published rate is used (and validation warns about it) until
# newer rates are loaded, rather than rejecting all traffic.


def rate_date(on: datetime.date) -> datetime.date:
    """The day whose rates apply: `on`, or the snapshot's last day when `on` is after it."""
    return min(on, ecb_last_date())


def units_per_eur(currency: str, on: datetime.date) -> Decimal:
    return eur_rate(currency, rate_date(on))


def convert(amount: Decimal, from_currency: str, to_currency: str, on: datetime.date) -> Decimal:
    if from_currency == to_currency:
        return amount
    return amount / units_per_eur(from_currency, on) * units_per_eur(to_currency, on)
