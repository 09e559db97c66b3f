"""Tariff schedules: US HTS 2025, UK Global Tariff 2021 and EU CET 2020, one lookup interface.

Lookup: the longest tariff line whose code is a prefix of the requested code (8 or 10 digits);
otherwise, for a 6-digit code or one the schedule does not list, the lines under its HS6 (then its
heading, for HS 2022 codes the older schedules lack): their most common rate. Every result states
the rate, the rate text, its source and the code matched, so an estimate can be explained.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from clearway.reference import TariffRate, eu_cet_rate
from clearway.reference._load import is_code, longest_prefix, read_rows
from clearway.revenue.tariffs.rates import ParsedRate, Specific, parse_rate

US_HTS = "US HTS 2025 Basic Edition (USITC), column 1 general rate"
UK_GT = "UK Global Tariff 2021 (Department for International Trade), MFN rate"


@dataclass(frozen=True, slots=True)
class DutyRate:
    code_requested: str
    code_matched: str
    ad_valorem: Decimal  # fraction
    specifics: tuple[Specific, ...]
    rate_text: str
    source: str
    exact: bool  # a tariff line matched (itself or as the longest prefix); False for a group fallback
    complete: bool  # False: part of the rate text could not be applied (see tariffs.rates)
    note: str


Schedule = Callable[[str], DutyRate | None]


@dataclass(frozen=True, slots=True)
class _Table:
    codes: list[str]  # sorted, for prefix ranges
    rates: dict[str, str]
    currency: str
    source: str


@cache
def _us() -> _Table:
    rates = {code: rate for code, rate, _units in read_rows("us_hts.csv.gz")}
    return _Table(sorted(rates), rates, "USD", US_HTS)


@cache
def _uk() -> _Table:
    rates = {code: rate for code, rate in read_rows("uk_tariff.csv.gz")}
    return _Table(sorted(rates), rates, "GBP", UK_GT)


def _under(codes: list[str], prefix: str) -> list[str]:
    # Codes are all digits and ":" sorts right after "9", so this bisect ends the prefix range.
    return codes[bisect_left(codes, prefix) : bisect_left(codes, prefix + ":")]


def _result(code: str, matched: str, p: ParsedRate, t: _Table, exact: bool, note: str) -> DutyRate:
    if not p.complete:
        note += "; rate text only partly understood: ad valorem taken from its first % part, rest not applied"
    return DutyRate(code, matched, p.ad_valorem, p.specifics, p.text, t.source, exact, p.complete, note)


def _lookup(table: _Table, code: str) -> DutyRate | None:
    if not is_code(code, 6):
        return None
    hit = longest_prefix(table.rates, code, 8)
    if hit is not None:
        matched, text = hit
        how = "exact match" if matched == code else "longest matching line"
        return _result(code, matched, parse_rate(text, table.currency), table, True, f"{how} {matched}")
    for n in (6, 4):
        under = _under(table.codes, code[:n])
        if under:
            parsed = [(c, parse_rate(table.rates[c], table.currency)) for c in under]
            counts = Counter(_key(p) for _, p in parsed)
            best = max(counts, key=lambda k: (counts[k], k))  # ties go to the higher rate
            line, p = next((c, p) for c, p in parsed if _key(p) == best)
            level = "HS6" if n == 6 else "heading"
            note = (
                f"{level} fallback: most common rate of {len(under)} line(s) under {code[:n]}"
                f" ({counts[best]} of {len(under)}), text from {line}"
            )
            return _result(code, code[:n], p, table, False, note)
    return None


def _key(p: ParsedRate) -> tuple[Decimal, str]:
    return p.ad_valorem, " + ".join(str(s) for s in p.specifics)


@lru_cache(maxsize=1 << 16)
def us_hts_rate(code: str) -> DutyRate | None:
    return _lookup(_us(), code)


@lru_cache(maxsize=1 << 16)
def uk_tariff_rate(code: str) -> DutyRate | None:
    return _lookup(_uk(), code)


def _from_eu(rate: TariffRate) -> DutyRate:
    specifics: tuple[Specific, ...] = ()
    if rate.specific_amount is not None and rate.specific_unit is not None:
        unit = rate.specific_unit.removeprefix("EUR/")
        specifics = (Specific(rate.specific_amount, "EUR", "100kg" if unit == "100kg" else unit),)
    complete = "only partly understood" not in rate.note
    return DutyRate(
        rate.code_requested,
        rate.code_matched,
        rate.ad_valorem,
        specifics,
        rate.rate_text,
        rate.source,
        rate.exact,
        complete,
        rate.note,
    )


@lru_cache(maxsize=1 << 16)
def eu_tariff_rate(code: str) -> DutyRate | None:
    rate = eu_cet_rate(code)
    return None if rate is None else _from_eu(rate)


SCHEDULES: dict[str, Schedule] = {
    "us_hts": us_hts_rate,
    "uk_global": uk_tariff_rate,
    "eu_cet": eu_tariff_rate,
}


def schedule(name: str) -> Schedule:
    try:
        return SCHEDULES[name]
    except KeyError:
        raise KeyError(f"unknown tariff schedule {name!r} (known: {', '.join(sorted(SCHEDULES))})") from None


__all__ = ["DutyRate", "Schedule", "eu_tariff_rate", "schedule", "uk_tariff_rate", "us_hts_rate"]
