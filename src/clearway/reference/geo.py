"""ISO 3166-1 countries, EU membership and UN/LOCODE locations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from clearway.reference._load import read_rows

# fmt: off
EU_MEMBER_STATES: frozenset[str] = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES",
    "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# fmt: on

# Flags a UN/LOCODE function string may carry; "0" (function not known) is deliberately absent.
_FUNCTION_FLAGS = frozenset("1234567B")


@cache
def _countries() -> dict[str, str]:
    return {alpha2: name for alpha2, _alpha3, name, _currencies in read_rows("countries.csv.gz")}


def is_country(alpha2: str) -> bool:
    """ISO 3166-1 alpha-2 code, exact upper case."""
    return alpha2 in _countries()


def country_name(alpha2: str) -> str | None:
    return _countries().get(alpha2)


@dataclass(frozen=True, slots=True)
class Locode:
    code: str
    name: str
    country: str
    functions: frozenset[str]  # subset of "1".."7", "B"
    status: str  # two-letter UN/LOCODE status, "" where the source lost it

    @property
    def is_port(self) -> bool:
        return "1" in self.functions

    @property
    def is_airport(self) -> bool:
        return "4" in self.functions

    @property
    def is_postal_exchange(self) -> bool:
        return "5" in self.functions


@cache
def _locodes() -> dict[str, tuple[str, str, str]]:
    # Plain tuples: building 116k dataclass instances up front would dominate the load time.
    return {code: (name, function, status) for code, name, function, status in read_rows("locodes.csv.gz")}


def locode(code: str) -> Locode | None:
    """UN/LOCODE entry for an exact 5-character code such as "DEFRA"."""
    row = _locodes().get(code)
    if row is None:
        return None
    name, function, status = row
    return Locode(code, name, code[:2], frozenset(function) & _FUNCTION_FLAGS, status)
