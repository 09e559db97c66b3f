"""Vectorised duties and taxes for a batch of consignments, in integer minor units.

The same rules as the scalar `calculation.assess_under`, computed with numpy over all goods items at
once, and taken from the same places: the rules in force of each distinct (jurisdiction, destination,
date, channel, place of shipment) come from `engine.rules_for` (period, tax rate, tariff, fallback rate,
de minimis for the channel and place of shipment), and the duty rate of each distinct (jurisdiction,
HS code) from `calculation.duty_rate_for`. Amounts are exact integer rationals (rates scaled by 10^4)
rounded half-up to the minor unit, so each line equals the scalar path's; transport and insurance are
apportioned in whole minor units as `calculation.apportion_transport` does.

Consignments the integer path cannot represent exactly — specific or compound duties, consumption
tax, rates with more than 4 decimals, all-zero values, amounts that could overflow 64 bits — are
assessed by the scalar entry point `engine.assess_for` (with their declared net mass and pieces) and
flagged in `scalar`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from clearway.reference.jurisdictions import Jurisdiction, profile
from clearway.reference.money import from_minor, to_minor
from clearway.revenue.calculation import (
    FALLBACK_DUTY_RATE,
    Collection,
    Consignment,
    Item,
    RulesInForce,
    TaxType,
    duty_rate_for,
)
from clearway.revenue.engine import assess_for, rules_for

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
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
    # Optional declared facts; absent, none is declared (no mass or pieces for specific duties, no other
    # imports of the person that day, no purchases of the buyer earlier in the year).
    net_mass_kg: Sequence[Decimal] | None = None  # per item
    pieces: Sequence[Decimal | None] | None = None  # per item, for specific duties per item, pair, dozen
    same_day_minor: I64 | None = None  # per consignment: the person's other imports that day
    annual_before_minor: I64 | None = None  # per consignment: the buyer's purchases this year (China)


@dataclass(frozen=True, slots=True)
class BatchResult:
    duty_minor: I64  # per item, ad valorem duty (0 when relieved or under the flat duty)
    duty_collection: I8
    tax_minor: I64  # per item, VAT/GST (plus consumption tax where the scalar path was used)
    tax_collection: I8
    flat_duty_minor: I64  # per consignment
    flat_collection: I8
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


# --- the rules in force, as integers ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    """`RulesInForce` in integer minor units; _NONE where the period has no such limit."""

    duty_dm: int
    tax_dm: int
    person_day: bool  # the de minimis counts the person's other imports that day
    gift: int
    flat: int  # per sub-heading, _NONE when the period has no flat duty
    flat_below: int  # flat duty applies below this intrinsic value
    pos: int
    pos_needs_registration: bool
    scheme: int
    tax4: int  # effective tax rate (x share within limits) in 1/10,000; _NONE: no tax
    cif: bool
    tax_adds_transport: bool
    tx_limit: int
    annual: int
    duty_share: int  # 0 or 1 within the China limits
    tax_outside4: int  # tax rate outside the China limits
    exact: bool  # False: the integer path cannot represent the rule; use the scalar path
    consumption_prefixes: tuple[str, ...]  # items under these HS prefixes go to the scalar path


def _rule(rules: RulesInForce) -> _Rule:
    period, cur = rules.period, rules.currency

    def m(x: Decimal | None) -> int:
        return _NONE if x is None else to_minor(x, cur)

    exact = period.within_limits_duty_share in (0, 1)
    if period.tax_type == "none":
        tax4 = tax_outside4 = _NONE
    else:
        inside, outside = _scaled(rules.tax_rate * period.within_limits_tax_share), _scaled(rules.tax_rate)
        exact = exact and inside is not None and outside is not None
        tax4, tax_outside4 = inside or 0, outside or 0
    return _Rule(
        duty_dm=m(rules.duty_de_minimis),
        tax_dm=m(rules.tax_de_minimis),
        person_day=period.de_minimis_basis == "person_day",
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
    )


_IntegerKey = tuple[str, dt.date, Decimal, Decimal, Decimal]
_INTEGER_RULES: dict[_IntegerKey, _Rule] = {}


def _integer_rule(j: Jurisdiction, rules: RulesInForce) -> _Rule:
    # The date matters only through the period, the tax rate and the thresholds: many dates share one.
    key = (j.id, rules.period.valid_from, rules.tax_rate, rules.duty_de_minimis, rules.tax_de_minimis)
    found = _INTEGER_RULES.get(key)
    if found is None:
        found = _INTEGER_RULES[key] = _rule(rules)
    return found


@dataclass(frozen=True, slots=True)
class _Laws:
    """The distinct rules of a batch: `rules[i]`, `integer[i]`, `jurisdiction[i]` for rule i."""

    rules: list[RulesInForce]
    integer: list[_Rule]
    jurisdiction: list[Jurisdiction]

    def column(self, name: str, rule_of: I64) -> I64:
        return np.array([getattr(r, name) for r in self.integer], dtype=np.int64)[rule_of]


def _rules_of_consignments(b: Batch, fallback_duty_rate: Decimal) -> tuple[_Laws, I64]:
    """The rules in force of each consignment, looked up once per distinct (jurisdiction, destination,
    date, channel, place of shipment), and the index of each consignment's rules."""
    profiles = {jid: profile(jid) for jid in set(b.jurisdiction)}
    laws = _Laws([], [], [])
    seen: dict[tuple[str, str, dt.date, str | None, str | None], int] = {}
    by_integer: dict[int, int] = {}
    rule_of = np.empty(len(b.jurisdiction), dtype=np.int64)
    for k, key in enumerate(zip(b.jurisdiction, b.destination, b.on, b.channel, b.shipped_from, strict=True)):
        idx = seen.get(key)
        if idx is None:
            j = profiles[key[0]]
            rules = rules_for(j, key[1], key[2], key[3], key[4], fallback_duty_rate)
            integer = _integer_rule(j, rules)
            idx = by_integer.get(id(integer))
            if idx is None:
                idx = by_integer[id(integer)] = len(laws.rules)
                laws.rules.append(rules)
                laws.integer.append(integer)
                laws.jurisdiction.append(j)
            seen[key] = idx
        rule_of[k] = idx
    return laws, rule_of


_RATE_CACHE: dict[tuple[str, str, Decimal], int | None] = {}


def _duty4(j: Jurisdiction, rules: RulesInForce, hs: str) -> int | None:
    """Ad valorem duty in 1/10,000 for (jurisdiction, HS), None when only the scalar path is exact."""
    key = (j.id, hs, rules.fallback_duty_rate)
    if key in _RATE_CACHE:
        return _RATE_CACHE[key]
    rate = duty_rate_for(rules, hs)
    scaled = None if rate.specifics else _scaled(rate.ad_valorem)
    _RATE_CACHE[key] = scaled
    return scaled


def _tariff_rates_of_items(b: Batch, laws: _Laws, rule_of: I64, cons: I64) -> tuple[I64, BOOL, I64]:
    """Per item: the ad valorem duty rate in 1/10,000 (looked up once per distinct rule and HS code),
    whether only the scalar path can assess it, and its HS6 as an integer."""
    hs_values, hs_index = np.unique(np.asarray(b.hs_code), return_inverse=True)
    pair_key = rule_of[cons] * len(hs_values) + hs_index
    pairs, pair_index = np.unique(pair_key, return_inverse=True)
    pair_rate = np.empty(len(pairs), dtype=np.int64)
    pair_bad = np.zeros(len(pairs), dtype=np.bool_)
    for p, key in enumerate(pairs.tolist()):
        i, hs = key // len(hs_values), str(hs_values[key % len(hs_values)])
        prefixes = laws.integer[i].consumption_prefixes
        r = _duty4(laws.jurisdiction[i], laws.rules[i], hs)
        if r is None or (prefixes and hs.startswith(prefixes)):
            pair_bad[p], r = True, 0
        pair_rate[p] = r
    hs6 = np.array([int(h[:6]) for h in hs_values.tolist()], dtype=np.int64)[hs_index]
    return pair_rate[pair_index], pair_bad[pair_index], hs6


# --- the steps ----------------------------------------------------------------------------------------


def _half_up(num: I64, den: int | I64) -> I64:
    # floor(num / den + 1/2) for non-negative num: exact half-up rounding of a rational.
    return (2 * num + den) // (2 * den)


def _apportion_transport(b: Batch, v: I64, intrinsic: I64, cons: I64) -> I64:
    """Transport and insurance per item in whole minor units by value; the last item of a consignment
    takes the remainder (consignments whose values are all 0 go to the scalar path)."""
    starts = b.offsets[:-1]
    total = b.transport_minor.astype(np.int64)
    safe = np.where(intrinsic == 0, 1, intrinsic)
    share = total[cons] * v // safe[cons]
    share[b.offsets[1:] - 1] += total - np.add.reduceat(share, starts)
    return share


@dataclass(frozen=True, slots=True)
class _Reliefs:
    """Per consignment: which relief or regime applies."""

    gift: BOOL  # gift relief
    duty_de_minimis: BOOL  # duty relieved (or flat) under the de minimis
    flat: BOOL  # flat duty per sub-heading
    within_limits: BOOL  # China's cross-border e-commerce limits
    tax_de_minimis: BOOL  # tax relieved under the de minimis
    point_of_sale: BOOL
    under_scheme: BOOL


def _reliefs(b: Batch, laws: _Laws, rule_of: I64, intrinsic: I64) -> _Reliefs:
    col = laws.column
    m = len(b.jurisdiction)
    same_day = b.same_day_minor if b.same_day_minor is not None else np.zeros(m, dtype=np.int64)
    before = b.annual_before_minor if b.annual_before_minor is not None else np.zeros(m, dtype=np.int64)
    # The value compared with the de minimis: per person per day, with the person's other imports.
    counted = intrinsic + np.where(col("person_day", rule_of) == 1, same_day, 0)
    flat, annual, tx_limit = col("flat", rule_of), col("annual", rule_of), col("tx_limit", rule_of)
    pos, scheme = col("pos", rule_of), col("scheme", rule_of)
    gift = b.gift & (intrinsic <= col("gift", rule_of))
    duty_dm = ~gift & (counted <= col("duty_dm", rule_of))
    return _Reliefs(
        gift=gift,
        duty_de_minimis=duty_dm,
        flat=duty_dm & (flat != _NONE) & (intrinsic < col("flat_below", rule_of)),
        within_limits=(tx_limit != _NONE)
        & (intrinsic <= tx_limit)
        & ((annual == _NONE) | (before + intrinsic <= annual)),
        tax_de_minimis=counted <= col("tax_dm", rule_of),
        point_of_sale=(pos != _NONE) & (intrinsic <= pos) & ~b.gift,
        under_scheme=b.registered & (scheme != _NONE) & (intrinsic <= scheme),
    )


def _ad_valorem_duty(
    cv: I64, rate4: I64, relief: _Reliefs, duty_share: I64, cons: I64
) -> tuple[I64, I64, I8]:
    """Duty at the tariff rate (exact in 1/10,000 of a minor unit), rounded, and where it is collected."""
    full = ~relief.gift & ~relief.duty_de_minimis
    share = np.where(relief.within_limits, duty_share, 1)[cons]
    duty4 = np.where(full[cons], cv * rate4 * share, 0)
    collected = full & ~(relief.within_limits & (duty_share == 0))
    return duty4, _half_up(duty4, SCALE), np.where(collected, BORDER, RELIEVED).astype(np.int8)[cons]


def _flat_duty(b: Batch, relief: _Reliefs, flat: I64, hs6: I64, cons: I64) -> tuple[I64, I8]:
    """Flat duty per distinct HS6 of the consignment, at checkout under a vendor registration."""
    m = len(b.jurisdiction)
    distinct = np.unique(cons * 1_000_000 + hs6)
    subheadings = np.bincount(distinct // 1_000_000, minlength=m)
    total = np.where(relief.flat, subheadings * np.maximum(flat, 0), 0)
    where = np.where(relief.flat, np.where(b.registered, CHECKOUT, BORDER), RELIEVED).astype(np.int8)
    return total, where


def _import_tax(
    b: Batch,
    cv: I64,
    duty4: I64,
    transport: I64,
    flat_total: I64,
    eff4: I64,
    adds_transport: BOOL,
    relief: _Reliefs,
    cons: I64,
) -> tuple[I64, BOOL]:
    """VAT/GST per item on customs value + duty (+ transport where the base includes it, `eff4` < 0
    where there is no tax); the flat duty joins the base shared by customs value: cv x (C + F) / C.
    Also: which items could overflow 64 bits."""
    big_c = np.add.reduceat(cv, b.offsets[:-1])  # customs value per consignment
    base4 = cv * SCALE + duty4 + np.where(adds_transport[cons], transport * SCALE, 0)
    flat_items = relief.flat[cons]
    c_items: I64 = np.where(big_c == 0, 1, big_c)[cons]
    f_items = flat_total[cons]
    rate = eff4[cons]
    with np.errstate(over="ignore"):
        plain = _half_up(base4 * rate, SCALE * SCALE)
        with_flat = _half_up(cv * (c_items + f_items) * rate, c_items * SCALE)
    overflow = (base4.astype(np.float64) * rate > _LIMIT) | (
        flat_items & (cv.astype(np.float64) * (c_items + f_items) * rate > _LIMIT)
    )
    return np.where(flat_items, with_flat, plain), overflow


def _tax_collection(b: Batch, relief: _Reliefs, pos_needs_registration: BOOL) -> I8:
    """Where each consignment's tax is collected, in `calculation.tax_collection_point`'s order."""
    checkout_pos = relief.point_of_sale & (b.registered | ~pos_needs_registration)
    return np.select(
        [relief.gift, checkout_pos, relief.point_of_sale, relief.tax_de_minimis, relief.under_scheme],
        [RELIEVED, CHECKOUT, RELIEVED, RELIEVED, CHECKOUT],
        BORDER,
    ).astype(np.int8)


def assess_batch(b: Batch, fallback_duty_rate: Decimal = FALLBACK_DUTY_RATE) -> BatchResult:
    m = len(b.jurisdiction)
    starts = b.offsets[:-1]
    cons = np.repeat(np.arange(m), np.diff(b.offsets))  # the consignment of each item
    laws, rule_of = _rules_of_consignments(b, fallback_duty_rate)
    rate4, scalar_item, hs6 = _tariff_rates_of_items(b, laws, rule_of, cons)

    v = b.value_minor.astype(np.int64)
    intrinsic = np.add.reduceat(v, starts)
    transport = _apportion_transport(b, v, intrinsic, cons)
    cv = np.where(laws.column("cif", rule_of)[cons] == 1, v + transport, v)
    relief = _reliefs(b, laws, rule_of, intrinsic)

    duty4, duty_minor, duty_coll = _ad_valorem_duty(
        cv, rate4, relief, laws.column("duty_share", rule_of), cons
    )
    flat_total, flat_coll = _flat_duty(b, relief, laws.column("flat", rule_of), hs6, cons)

    eff4 = np.where(relief.within_limits, laws.column("tax4", rule_of), laws.column("tax_outside4", rule_of))
    adds = laws.column("tax_adds_transport", rule_of) == 1
    tax_minor, overflow = _import_tax(b, cv, duty4, transport, flat_total, eff4, adds, relief, cons)
    tax_coll = _tax_collection(b, relief, laws.column("pos_needs_registration", rule_of) == 1)[cons]
    no_tax = eff4[cons] == _NONE
    tax_minor = np.where((tax_coll == RELIEVED) | no_tax, 0, tax_minor)
    tax_coll = np.where(no_tax, RELIEVED, tax_coll).astype(np.int8)

    scalar = (laws.column("exact", rule_of) != 1) | (intrinsic == 0)
    scalar |= (b.transport_minor > 10**8) | (intrinsic > 10**10)
    scalar |= np.bitwise_or.reduceat(scalar_item | overflow, starts).astype(np.bool_)
    result = BatchResult(duty_minor, duty_coll, tax_minor, tax_coll, flat_total, flat_coll, scalar)
    for k in np.flatnonzero(scalar).tolist():
        _scalar_into(result, b, k, laws.jurisdiction[int(rule_of[k])], fallback_duty_rate)
    return result


def _scalar_into(r: BatchResult, b: Batch, k: int, j: Jurisdiction, fallback_duty_rate: Decimal) -> None:
    """Consignment k through the scalar entry point, written into the batch's arrays."""
    lo, hi = int(b.offsets[k]), int(b.offsets[k + 1])
    cur = j.currency
    items = [
        Item(
            i - lo + 1,
            b.hs_code[i],
            from_minor(int(b.value_minor[i]), cur),
            b.net_mass_kg[i] if b.net_mass_kg is not None else Decimal(0),
            b.pieces[i] if b.pieces is not None else None,
        )
        for i in range(lo, hi)
    ]
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
        same_day_value=from_minor(int(b.same_day_minor[k]), cur)
        if b.same_day_minor is not None
        else Decimal(0),
        annual_value_before=from_minor(int(b.annual_before_minor[k]), cur)
        if b.annual_before_minor is not None
        else Decimal(0),
    )
    a = assess_for(c, j, b.on[k], fallback_duty_rate)
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
