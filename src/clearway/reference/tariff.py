"""EU Common External Tariff (third-country duty, 2020) per CN8/CN10 line."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from clearway.reference._load import is_code, longest_prefix, read_rows

SOURCE = "EU CET 2020 (UK Global Tariff 2021 file)"

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AD_VALOREM = re.compile(rf"^(?P<pct>{_NUM})\s*%$")
# Specific ("41.20 EUR / 100 kg") or compound ("12.80% + 176.80 EUR / 100 kg"). The source sometimes
# drops the % sign before the "+" ("6.4 + 24.6 EUR/100 kg"), so it is optional there. The unit may not
# contain MIN/MAX, "+" or parentheses: those texts have more than one component.
_SPECIFIC = re.compile(
    rf"^(?:(?P<pct>{_NUM})\s*%?\s*\+\s*)?(?P<amount>{_NUM})\s*(?:EUR|€)\s*/\s*"
    r"(?P<unit>(?:(?!MIN|MAX)[^+()])+?)\s*$"
)
# Fallback for everything else: the first percentage, or a leading bare number used as one.
_FIRST_PCT = re.compile(rf"(?P<pct>{_NUM})\s*%|^(?P<bare>{_NUM})\s+(?:\+|MIN)")


@dataclass(frozen=True, slots=True)
class ParsedRate:
    ad_valorem: Decimal  # fraction
    specific_amount: Decimal | None
    specific_unit: str | None
    complete: bool  # False: only the ad valorem part was understood (MIN/MAX, seasonal, EA, ...)


@dataclass(frozen=True, slots=True)
class TariffRate:
    code_requested: str
    code_matched: str
    ad_valorem: Decimal  # fraction: 12% -> Decimal("0.12")
    specific_amount: Decimal | None
    specific_unit: str | None  # normalised, e.g. "EUR/100kg", "EUR/hl", "EUR/% vol/hl"
    rate_text: str
    source: str
    exact: bool  # a CN8/CN10 line matched (exactly or as longest prefix); False for a group fallback
    note: str


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _unit(text: str) -> str:
    unit = re.sub(r"\s*/\s*", "/", text.replace("\xa0", " "))
    unit = re.sub(r"(?<=\d),(?=\d{3})", "", unit)
    unit = re.sub(r"(?<=\d)\s+(?=kg\b)", "", unit)
    return "EUR/" + " ".join(unit.split())


@cache
def parse_duty_rate(text: str) -> ParsedRate:
    """Parse a CET duty text such as "12.80% + 176.80 EUR / 100 kg"."""
    text = " ".join(text.replace("\xa0", " ").split())
    if m := _AD_VALOREM.match(text):
        return ParsedRate(_number(m["pct"]) / 100, None, None, True)
    if m := _SPECIFIC.match(text):
        ad_valorem = _number(m["pct"]) / 100 if m["pct"] else Decimal(0)
        return ParsedRate(ad_valorem, _number(m["amount"]), _unit(m["unit"]), True)
    m = _FIRST_PCT.search(text)
    pct = (m["pct"] or m["bare"]) if m else "0"
    return ParsedRate(_number(pct) / 100, None, None, False)


@cache
def _lines() -> tuple[list[str], dict[str, tuple[str, str]]]:
    """Sorted codes (for prefix ranges) and code -> (description, rate text)."""
    lines = {code: (description, rate) for code, description, rate in read_rows("eu_cet.csv.gz")}
    return sorted(lines), lines


def _codes_under(codes: list[str], prefix: str) -> list[str]:
    # Codes are all digits and ":" sorts right after "9", so this bisect ends the prefix range.
    return codes[bisect_left(codes, prefix) : bisect_left(codes, prefix + ":")]


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"


def _partial_note(parsed: ParsedRate) -> str:
    if parsed.complete:
        return ""
    taken = "ad valorem taken from its first % part" if parsed.ad_valorem else "no ad valorem part read (0)"
    return (
        "; rate text only partly understood (entry price, minimum/maximum, seasonal, agricultural"
        f" or several specific components): {taken}, other components ignored"
    )


@lru_cache(maxsize=1 << 16)
def eu_cet_rate(code: str) -> TariffRate | None:
    """EU CET 2020 third-country duty for a 6-10 digit code.

    8-10 digits: the longest CN8/CN10 line that is a prefix of ``code``. Otherwise (or for 6 digits)
    the lines under the longest prefix of ``code`` that has any, down to its HS6: their most common
    ad valorem rate, ties going to the higher one. None when the HS6 has no lines at all, which is
    For codes that only exist since HS 2022 (the CET data is on HS 2017, so e.g. 851713 has no
    line) the search goes on to the heading (4 digits). None when even the heading has no lines.
    Cached: the same few thousand codes recur all day.
    """
    if not is_code(code, 6):
        return None
    codes, lines = _lines()
    hit = longest_prefix(lines, code, 8)
    if hit is not None:
        matched, (description, text) = hit
        parsed = parse_duty_rate(text)
        how = "exact match" if matched == code else "longest prefix match"
        note = f"{how} on CN line {matched} ({description})" + _partial_note(parsed)
        return _rate(code, matched, text, parsed, exact=True, note=note)
    for n in range(len(code), 3, -1):
        under = _codes_under(codes, code[:n])
        if under:
            return _group_rate(code, code[:n], [(c, lines[c][1]) for c in under])
    return None


def _group_rate(code: str, prefix: str, group: list[tuple[str, str]]) -> TariffRate:
    parsed = [(line, text, parse_duty_rate(text)) for line, text in group]
    counts = Counter(p.ad_valorem for _, _, p in parsed)
    rate = max(counts, key=lambda r: (counts[r], r))
    line, text, rep = next(item for item in parsed if item[2].ad_valorem == rate)
    level = {4: "heading", 5: "HS5", 6: "HS6"}.get(len(prefix), "CN")
    note = (
        f"{level} fallback: {len(group)} CN line{'s' if len(group) > 1 else ''} under {prefix},"
        f" most common ad valorem rate {_percent(rate)} ({counts[rate]} of {len(group)});"
        f" rate text from {line}" + _partial_note(rep)
    )
    return _rate(code, prefix, text, rep, exact=False, note=note)


def _rate(code: str, matched: str, text: str, parsed: ParsedRate, *, exact: bool, note: str) -> TariffRate:
    return TariffRate(
        code_requested=code,
        code_matched=matched,
        ad_valorem=parsed.ad_valorem,
        specific_amount=parsed.specific_amount,
        specific_unit=parsed.specific_unit,
        rate_text=text,
        source=SOURCE,
        exact=exact,
        note=note,
    )
