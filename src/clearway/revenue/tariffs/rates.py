"""Parsing duty rate texts of the US HTS, the UK Global Tariff and the EU CET into components.

A rate is an ad valorem part plus zero or more specific parts (an amount of money per unit of
quantity): "Free", "6.8%", "4.4¢/kg", "$1.646/kg", "2¢/kg + 5%", "1¢ each + 2.8%", "76¢/pr. + 32%",
"10.00 GBP / hl", "12.80% + 176.80 EUR / 100 kg". Texts with qualifiers the engine cannot apply
("on drained weight", "on the case", seasonal rates, MIN/MAX, entry prices) are marked incomplete:
the ad valorem part of their first percentage is kept and the rest is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from clearway.revenue.errors import RateParseError

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+"
_PERCENT = re.compile(rf"^(?P<n>{_NUM})\s*%$")
# US cents or dollars: "4.4¢/kg", "$1.646/kg", "1¢ each", "$2.16 each", "89.6¢/1000", "2.8¢/doz."
_US_SPECIFIC = re.compile(
    rf"^(?P<dollar>\$)?(?P<n>{_NUM})\s*(?P<cent>¢)?\s*(?:/\s*(?P<unit>[^+]+?)|\s+each)$"
)
# EU/UK: "176.80 EUR / 100 kg", "10.00 GBP / hl", "0.20 GBP/ item", "43.00 GBP/1000 items"
_EURO_SPECIFIC = re.compile(rf"^(?P<n>{_NUM})\s*(?P<cur>EUR|GBP|€)\s*/\s*(?P<unit>[^+]+?)$")
_FIRST_PERCENT = re.compile(rf"(?P<n>{_NUM})\s*%")

# Units the engine can measure from a declared goods item (net mass in kg, or a count of pieces).
_UNITS = {
    "kg": "kg",
    "100kg": "100kg",
    "100 kg": "100kg",
    "t": "t",
    "each": "item",
    "item": "item",
    "items": "item",
    "no.": "item",
    "pr.": "pair",
    "doz.": "dozen",
    "1000": "1000 items",
    "1000 items": "1000 items",
    "gross": "gross",
    "liter": "l",
    "l": "l",
    "hl": "hl",
}
# Quantity of each unit per (net mass kg, pieces): which declared figure it is measured from.
UNIT_FROM_MASS = {"kg": Decimal(1), "100kg": Decimal("0.01"), "t": Decimal("0.001")}
UNIT_FROM_COUNT = {
    "item": Decimal(1),
    "pair": Decimal(1),
    "dozen": Decimal(1) / 12,
    "1000 items": Decimal("0.001"),
    "gross": Decimal(1) / 144,
}


@dataclass(frozen=True, slots=True)
class Specific:
    amount: Decimal  # in major units of `currency`
    currency: str
    unit: str  # normalised: kg, 100kg, t, item, pair, dozen, 1000 items, gross, l, hl, or the source text

    def __str__(self) -> str:
        return f"{self.amount.normalize():f} {self.currency}/{self.unit}"


@dataclass(frozen=True, slots=True)
class ParsedRate:
    ad_valorem: Decimal  # fraction: 6.8 % -> 0.068
    specifics: tuple[Specific, ...]
    complete: bool  # False: only part of the text was understood (see module docstring)
    text: str


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _unit(text: str) -> str:
    unit = " ".join(text.replace("\xa0", " ").split()).strip()
    key = unit.lower().replace(" / ", "/")
    return _UNITS.get(key, unit)


def _component(part: str, currency: str) -> Decimal | Specific | None:
    if m := _PERCENT.match(part):
        return _number(m["n"]) / 100
    if m := _EURO_SPECIFIC.match(part):
        cur = "EUR" if m["cur"] == "€" else m["cur"]
        return Specific(_number(m["n"]), cur, _unit(m["unit"]))
    if m := _US_SPECIFIC.match(part):
        if not (m["dollar"] or m["cent"]):
            return None
        amount = _number(m["n"]) / (100 if m["cent"] else 1)
        return Specific(amount, currency, _unit(m["unit"] or "each"))
    return None


@cache
def parse_rate(text: str, currency: str = "USD") -> ParsedRate:
    """Parse one rate text; `currency` is the currency of ¢ and $ amounts (US HTS)."""
    clean = " ".join(text.replace("\xa0", " ").split())
    if not clean:
        raise RateParseError("empty rate text")
    if clean.lower() == "free":
        return ParsedRate(Decimal(0), (), True, clean)
    ad_valorem = Decimal(0)
    specifics: list[Specific] = []
    complete = True
    for part in (p.strip() for p in clean.split("+")):
        found = _component(part, currency)
        if isinstance(found, Decimal):
            ad_valorem += found
        elif isinstance(found, Specific) and found.unit in _UNITS.values():
            specifics.append(found)
        else:
            complete = False
    if not complete:
        # Keep only the first percentage: it is the main ad valorem rate in every incomplete form.
        m = _FIRST_PERCENT.search(clean)
        return ParsedRate(_number(m["n"]) / 100 if m else Decimal(0), (), False, clean)
    return ParsedRate(ad_valorem, tuple(specifics), True, clean)


def specific_quantity(spec: Specific, net_mass_kg: Decimal, pieces: Decimal | None) -> Decimal | None:
    """Quantity of the goods item in the rate's unit, or None when it is not declared."""
    if spec.unit in UNIT_FROM_MASS:
        return net_mass_kg * UNIT_FROM_MASS[spec.unit]
    if spec.unit in UNIT_FROM_COUNT and pieces is not None:
        return pieces * UNIT_FROM_COUNT[spec.unit]
    return None
