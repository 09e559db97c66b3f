"""Hand-maintained risk tables: prohibited/restricted goods and minimum plausible unit values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from clearway.reference._load import is_code, longest_prefix, read_rows


@dataclass(frozen=True, slots=True)
class ProhibitedEntry:
    hs_prefix: str
    status: str  # "prohibited" or "restricted"
    reason: str


@cache
def _prohibited() -> dict[str, ProhibitedEntry]:
    return {
        prefix: ProhibitedEntry(prefix, status, reason)
        for prefix, status, reason in read_rows("prohibited_hs.csv")
    }


@cache
def _unit_values() -> dict[str, Decimal]:
    return {
        prefix: Decimal(value)
        for prefix, value, _description, _source in read_rows("reference_unit_values.csv")
    }


def prohibited_status(code: str) -> ProhibitedEntry | None:
    """Prohibition or restriction whose HS prefix is the longest prefix of ``code``."""
    if not is_code(code, 2):
        return None
    hit = longest_prefix(_prohibited(), code)
    return hit[1] if hit else None


def reference_unit_value(code: str) -> tuple[str, Decimal] | None:
    """(matched prefix, lowest plausible unit value in EUR) for the longest matching prefix."""
    if not is_code(code, 2):
        return None
    return longest_prefix(_unit_values(), code)
