"""Currency conversion at the ECB reference rate of the day, with cross rates through EUR.

The packaged ECB table is a snapshot: for dates after its last day the last published rate is used
(and validation warns about it) until newer rates are loaded, rather than rejecting all traffic.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clearway.reference import RateNotFound, eur_rate
from clearway.reference.rates import ecb_last_date


def rate_date(on: dt.date) -> dt.date:
    """The day whose rates apply: `on`, or the snapshot's last day when `on` is after it."""
    return min(on, ecb_last_date())


def units_per_eur(currency: str, on: dt.date) -> Decimal:
    return eur_rate(currency, rate_date(on))


def convert(amount: Decimal, from_currency: str, to_currency: str, on: dt.date) -> Decimal:
    if from_currency == to_currency:
        return amount
    return amount / units_per_eur(from_currency, on) * units_per_eur(to_currency, on)


__all__ = ["RateNotFound", "convert", "rate_date", "units_per_eur"]
