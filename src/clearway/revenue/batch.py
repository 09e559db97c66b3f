"""Vectorised duties and taxes for a batch of consignments, in integer minor units.

The same rules as `calculation.assess`, computed with numpy over all goods items at once: rates are
looked up once per distinct (jurisdiction, HS code) and rules once per distinct (jurisdiction,
destination, date, channel, place of shipment); amounts are exact integer rationals (rates scaled by
10^4) rounded half-up to the minor unit, so each line equals the scalar path's.

Two documented differences from the scalar path: transport and insurance are shared over the items
in whole minor units (floor of the value share, the last item takes the remainder), and the batch
assumes no other same-day imports (per person per day) and no earlier purchases this year (China).
Consignments the integer path cannot represent exactly — specific or compound duties, consumption
tax, rates with more than 4 decimals, all-zero values, amounts that could overflow 64 bits — are
assessed by the scalar `assess` and flagged in `scalar`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from clearway.reference.jurisdictions import Jurisdiction, Period, profile
from clearway.reference.money import from_minor, to_minor
from clearway.revenue.calculation import Collection, Consignment, Item, TaxType, assess
from clearway.revenue.engine import settings_for, tariff_for, tax_rate_for
from clearway.revenue.tariffs import DutyRate

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]
BORDER, CHECKOUT, RELIEVED = 0, 1, 2
CODE = {Collection.BORDER: BORDER, Collection.CHECKOUT: CHECKOUT, Collection.RELIEVED: RELIEVED}
SCALE = 10_000  # rates as integers of 1/10,000
_LIMIT = 9 * 10**18  # int64 headroom for the products below
_NONE = -1


@dataclass(frozen=True, slots=True)
class Batch:
    """Consignments and their goods items; items of consignment k are offsets[k]:offsets[k + 1]."""

    jurisdiction: Sequence[str]
    destination: Sequence[str]
    on: Sequence[dt.date]
    transport_minor: I64
    gift: BOOL
    registered: BOOL  # a vendor registration number (IOSS, UK VAT, AU ARN) is declared
    channel: Sequence[str | None]
    shipped_from: Sequence[str | None]
    offsets: I64  # length m + 1
    hs_code: Sequence[str]  # per item
    value_minor: I64  # per item, intrinsic value in the jurisdiction currency's minor units


@dataclass(frozen=True, slots=True)
class BatchResult:
    duty_minor: I64  # per item, ad valorem duty (0 when relieved or under the flat duty)
    duty_collection: npt.NDArray[np.int8]
    tax_minor: I64  # per item, VAT/GST (plus consumption tax where the scalar path was used)
    tax_collection: npt.NDArray[np.int8]
    flat_duty_minor: I64  # per consignment
    flat_collection: npt.NDArray[np.int8]
    scalar: BOOL  # per consignment: assessed by the scalar path

    def total_minor(self) -> int:
        """Everything not relieved: duty, flat duty and taxes."""
        return int(
            self.duty_minor[self.duty_collection != RELIEVED].sum()
            + self.tax_minor[self.tax_collection != RELIEVED].sum()
            + self.flat_duty_minor[self.flat_collection != RELIEVED].sum()
        )


def _scaled(rate: Decimal) -> int | None:
    """`rate` in 1/10,000 when exact, else None."""
    scaled = rate * SCALE
    return int(scaled) if scaled == scaled.to_integral_value() else None


@dataclass(frozen=True, slots=True)
class _Rule:
    duty_dm: int
    tax_dm: int
    gift: int
    flat: int  # per sub-heading, _NONE when the period has no flat duty
    flat_below: int  # flat duty applies below this intrinsic value
    pos: int
    pos_needs_registration: bool
    scheme: int
    tax4: int  # effective tax rate (x share within limits) in 1/10,000; _NONE: no tax; None below
    cif: bool
    tax_adds_transport: bool
    tx_limit: int
    annual: int
    duty_share: int  # 0 or 1 within the China limits
    tax_outside4: int  # tax rate outside the China limits
    exact: bool  # False: the integer path cannot represent the rule; use the scalar path
    jurisdiction: str
    consumption_prefixes: tuple[str, ...]  # items under these HS prefixes go to the scalar path


def _rule(
    j: Jurisdiction, period: Period, rate: Decimal, channel: str | None, shipped_from: str | None
) -> _Rule:
    cur = j.currency

    def m(x: Decimal | None) -> int:
        return _NONE if x is None else to_minor(x, cur)

    duty_dm, tax_dm, _basis = period.thresholds_for(channel, shipped_from)
    exact = period.within_limits_duty_share in (0, 1)
    if period.tax_type == "none":
        tax4 = tax_outside4 = _NONE
    else:
        inside, outside = _scaled(rate * period.within_limits_tax_share), _scaled(rate)
        exact = exact and inside is not None and outside is not None
        tax4, tax_outside4 = inside or 0, outside or 0
    return _Rule(
        duty_dm=m(duty_dm),
        tax_dm=m(tax_dm),
        gift=m(period.gift_relief),
        flat=m(period.flat_duty_per_subheading),
        flat_below=m(period.duty_de_minimis),
        pos=m(period.point_of_sale_limit),
        pos_needs_registration=period.point_of_sale_requires_registration,
        scheme=m(period.vendor_scheme_limit),
        tax4=tax4,
        cif=period.valuation_basis == "CIF",
        tax_adds_transport=period.tax_base == "customs_value_plus_duty_plus_transport",
        tx_limit=m(period.transaction_limit),
        annual=m(period.annual_limit),
        duty_share=int(period.within_limits_duty_share) if exact else 1,
        tax_outside4=tax_outside4,
        exact=exact,
        consumption_prefixes=tuple(prefix for prefix, _rate in period.consumption_tax),
        jurisdiction=j.id,
    )


_RuleKey = tuple[str, dt.date, Decimal, str | None, str | None]


@lru_cache(maxsize=8192)
def _period_and_rate(jurisdiction: str, destination: str, on: dt.date) -> tuple[dt.date, Decimal]:
    period = profile(jurisdiction).period(on)
    rate = Decimal(0) if period.tax_type == "none" else tax_rate_for(period, destination, on)
    return period.valid_from, rate


@lru_cache(maxsize=8192)
def _rule_for(key: _RuleKey) -> _Rule:
    j = profile(key[0])
    return _rule(j, j.period(key[1]), key[2], key[3], key[4])


def _rule_key(
    jurisdiction: str, destination: str, on: dt.date, channel: str | None, shipped_from: str | None
) -> _RuleKey:
    # The date matters only through the period and the tax rate: many dates share one rule.
    period_from, rate = _period_and_rate(jurisdiction, destination, on)
    if not profile(jurisdiction).period(period_from).thresholds:
        channel = shipped_from = None
    return jurisdiction, period_from, rate, channel, shipped_from


_RATE_CACHE: dict[tuple[str, str], int | None] = {}


def _duty4(j: Jurisdiction, hs: str) -> int | None:
    """Ad valorem duty in 1/10,000 for (jurisdiction, HS), None when only the scalar path is exact."""
    key = (j.id, hs)
    if key in _RATE_CACHE:
        return _RATE_CACHE[key]
    found = tariff_for(j)(hs)
    if found is None:
        scaled = _scaled(settings_for(j).fallback_duty_rate)
    elif isinstance(found, DutyRate):
        scaled = None if found.specifics else _scaled(found.ad_valorem)
    else:
        scaled = None if found.specific_amount is not None else _scaled(found.ad_valorem)
    _RATE_CACHE[key] = scaled
    return scaled


def _half_up(num: I64, den: int | I64) -> I64:
    # floor(num / den + 1/2) for non-negative num: exact half-up rounding of a rational.
    return (2 * num + den) // (2 * den)


def assess_batch(b: Batch) -> BatchResult:
    m = len(b.jurisdiction)
    counts = np.diff(b.offsets)
    cons = np.repeat(np.arange(m), counts)
    profiles = {jid: profile(jid) for jid in set(b.jurisdiction)}
    rules: dict[tuple[str, str, dt.date, str | None, str | None], int] = {}
    rule_list: list[_Rule] = []
    distinct: dict[_RuleKey, int] = {}
    rule_of = np.empty(m, dtype=np.int64)
    for k, key in enumerate(zip(b.jurisdiction, b.destination, b.on, b.channel, b.shipped_from, strict=True)):
        idx = rules.get(key)
        if idx is None:
            rule_key = _rule_key(*key)
            idx = rules[key] = distinct.setdefault(rule_key, len(distinct))
            if idx == len(rule_list):
                rule_list.append(_rule_for(rule_key))
        rule_of[k] = idx

    def col(name: str) -> I64:
        return np.array([getattr(r, name) for r in rule_list], dtype=np.int64)[rule_of]

    duty_dm, tax_dm, gift_max = col("duty_dm"), col("tax_dm"), col("gift")
    flat, flat_below, pos, scheme = col("flat"), col("flat_below"), col("pos"), col("scheme")
    tax4, tax_out4, tx_limit, annual = col("tax4"), col("tax_outside4"), col("tx_limit"), col("annual")
    pos_reg, cif, adds_t = col("pos_needs_registration") == 1, col("cif") == 1, col("tax_adds_transport") == 1
    duty_share, exact = col("duty_share"), col("exact") == 1

    # Per item: the rate once per distinct (rule, HS code), found by factorising both to integers.
    hs_values, hs_index = np.unique(np.asarray(b.hs_code), return_inverse=True)
    pair_key = rule_of[cons] * len(hs_values) + hs_index
    pairs, pair_index = np.unique(pair_key, return_inverse=True)
    pair_rate = np.empty(len(pairs), dtype=np.int64)
    pair_bad = np.zeros(len(pairs), dtype=np.bool_)
    for p, key in enumerate(pairs.tolist()):
        rule, hs = rule_list[key // len(hs_values)], str(hs_values[key % len(hs_values)])
        r = _duty4(profiles[rule.jurisdiction], hs)
        if r is None or (rule.consumption_prefixes and hs.startswith(rule.consumption_prefixes)):
            pair_bad[p], r = True, 0
        pair_rate[p] = r
    rate4 = pair_rate[pair_index]
    bad_item = pair_bad[pair_index]
    hs6 = np.array([int(h[:6]) for h in hs_values.tolist()], dtype=np.int64)[hs_index]
    v = b.value_minor.astype(np.int64)
    starts = b.offsets[:-1]
    big_v = np.add.reduceat(v, starts)  # intrinsic value per consignment
    t_total = b.transport_minor.astype(np.int64)

    scalar = ~exact | (big_v == 0) | (t_total > 10**8) | (big_v > 10**10)
    scalar |= np.bitwise_or.reduceat(bad_item, starts).astype(np.bool_)

    # Transport per item in whole minor units; the last item of a consignment takes the remainder.
    safe_v = np.where(big_v == 0, 1, big_v)
    t_item = t_total[cons] * v // safe_v[cons]
    last = b.offsets[1:] - 1
    t_item[last] += t_total - np.add.reduceat(t_item, starts)
    cv = np.where(cif[cons], v + t_item, v)
    big_c = np.add.reduceat(cv, starts)  # customs value per consignment

    gift_rel = b.gift & (big_v <= gift_max)
    duty_rel = ~gift_rel & (big_v <= duty_dm)
    flat_on = duty_rel & (flat != _NONE) & (big_v < flat_below)
    within = (tx_limit != _NONE) & (big_v <= tx_limit) & ((annual == _NONE) | (big_v <= annual))
    full_duty = ~gift_rel & ~duty_rel

    # Ad valorem duty, exact in 1/10,000 of a minor unit.
    share = np.where(within, duty_share, 1)[cons]
    duty4 = np.where(full_duty[cons], cv * rate4 * share, 0)
    duty_minor = _half_up(duty4, SCALE)
    duty_coll = np.where(full_duty & ~(within & (duty_share == 0)), BORDER, RELIEVED).astype(np.int8)[cons]

    # Flat duty per distinct HS6 of the consignment.
    pairs = np.unique(cons * 1_000_000 + hs6)
    n_sub = np.bincount(pairs // 1_000_000, minlength=m)
    flat_total = np.where(flat_on, n_sub * np.maximum(flat, 0), 0)
    flat_coll = np.where(flat_on, np.where(b.registered, CHECKOUT, BORDER), RELIEVED).astype(np.int8)

    # Taxes on customs value + duty (+ transport where the base includes it); the flat duty joins the
    # base shared by customs value: cv x (C + F) / C.
    eff4 = np.where(within, tax4, tax_out4)
    base4 = cv * SCALE + duty4 + np.where(adds_t[cons], t_item * SCALE, 0)
    flat_items = flat_on[cons]
    c_items = np.where(big_c == 0, 1, big_c)[cons]
    f_items = flat_total[cons]
    with np.errstate(over="ignore"):
        tax_plain = _half_up(base4 * eff4[cons], SCALE * SCALE)
        tax_flat = _half_up(cv * (c_items + f_items) * eff4[cons], c_items * SCALE)
    overflow = (base4.astype(np.float64) * eff4[cons] > _LIMIT) | (
        flat_items & (cv.astype(np.float64) * (c_items + f_items) * eff4[cons] > _LIMIT)
    )
    scalar |= np.bitwise_or.reduceat(overflow, starts).astype(np.bool_)
    tax_minor = np.where(flat_items, tax_flat, tax_plain)

    point_of_sale = (pos != _NONE) & (big_v <= pos) & ~b.gift
    checkout_pos = point_of_sale & (b.registered | ~pos_reg)
    under_scheme = b.registered & (scheme != _NONE) & (big_v <= scheme)
    tax_coll_c = np.select(
        [gift_rel, point_of_sale & checkout_pos, point_of_sale, big_v <= tax_dm, under_scheme],
        [RELIEVED, CHECKOUT, RELIEVED, RELIEVED, CHECKOUT],
        BORDER,
    ).astype(np.int8)
    tax_coll = tax_coll_c[cons]
    tax_minor = np.where((tax_coll == RELIEVED) | (eff4[cons] == _NONE), 0, tax_minor)
    tax_coll = np.where(eff4[cons] == _NONE, RELIEVED, tax_coll).astype(np.int8)

    result = BatchResult(duty_minor, duty_coll, tax_minor, tax_coll, flat_total, flat_coll, scalar)
    for k in np.flatnonzero(scalar).tolist():
        _scalar_into(result, b, k, profiles[b.jurisdiction[k]])
    return result


def _scalar_into(r: BatchResult, b: Batch, k: int, j: Jurisdiction) -> None:
    lo, hi = int(b.offsets[k]), int(b.offsets[k + 1])
    cur = j.currency
    items = [
        Item(i - lo + 1, b.hs_code[i], from_minor(int(b.value_minor[i]), cur), Decimal(0))
        for i in range(lo, hi)
    ]
    on = b.on[k]
    period = j.period(on)
    c = Consignment(
        b.destination[k],
        sum((i.value for i in items), Decimal(0)),
        from_minor(int(b.transport_minor[k]), cur),
        items,
        bool(b.gift[k]),
        False,
        "registered" if b.registered[k] else None,
        shipped_from=b.shipped_from[k],
        channel=b.channel[k],
    )
    a = assess(c, period, cur, tax_rate_for(period, b.destination[k], on), tariff_for(j), settings_for(j))
    r.duty_minor[lo:hi] = 0
    r.tax_minor[lo:hi] = 0
    r.duty_collection[lo:hi] = RELIEVED
    r.tax_collection[lo:hi] = RELIEVED
    r.flat_duty_minor[k] = 0
    r.flat_collection[k] = RELIEVED
    for line in a.lines:
        code = CODE[line.collection]
        if line.tax_type is TaxType.FLAT_DUTY:
            r.flat_duty_minor[k], r.flat_collection[k] = line.amount_minor, code
        elif line.item_seq is None:
            continue  # a consignment-level relief line: the items stay relieved
        elif line.tax_type is TaxType.DUTY:
            r.duty_minor[lo + line.item_seq - 1], r.duty_collection[lo + line.item_seq - 1] = (
                line.amount_minor,
                code,
            )
        else:
            r.tax_minor[lo + line.item_seq - 1] += line.amount_minor
            r.tax_collection[lo + line.item_seq - 1] = code
