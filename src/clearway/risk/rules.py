"""First rule set: pure checks over one batch of shipments, each hit carrying its rule id and reason.

The rules see plain values (`RiskInput`) and context gathered for the whole batch (`RiskContext`): the
pipeline does the I/O once per batch, the rules never query anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from clearway.declarations.quality import is_vague_description
from clearway.reference import prohibited_status, reference_unit_value

if TYPE_CHECKING:
    from clearway.risk.ruleset import CompiledRuleSet

# The built-in checks' version: a new or changed built-in rule gets a new one (2026.11.2 added
# R-VENDOR-REGISTRATION), so that a stored decision says which checks made it.
RULE_SET_VERSION = "core-2026.11.2"


class Lane(IntEnum):
    """Ordered by severity so that the strictest hit decides."""

    GREEN = 0
    YELLOW = 1
    RED = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    title: str
    lane: Lane
    weight: float


RULES: dict[str, RuleInfo] = {
    r.id: r
    for r in (
        RuleInfo("R-PROHIBITED", "HS code of prohibited goods", Lane.RED, 0.9),
        RuleInfo(
            "R-RESTRICTED", "HS code of restricted goods: licence or certificate needed", Lane.YELLOW, 0.5
        ),
        RuleInfo("R-VAGUE", "Vague goods description", Lane.YELLOW, 0.3),
        RuleInfo("R-UNDERVALUE", "Unit value far below the reference for its HS code", Lane.YELLOW, 0.5),
        RuleInfo(
            "R-SPLIT",
            "Split consignment: same consignee over the de minimis within the window",
            Lane.YELLOW,
            0.5,
        ),
        RuleInfo("R-WATCHLIST", "Party on the watch list", Lane.RED, 0.8),
        RuleInfo("R-VENDOR-LIMIT", "Vendor registration used above the scheme limit", Lane.YELLOW, 0.4),
        RuleInfo(
            "R-VENDOR-REGISTRATION",
            "Vendor registration unknown to the registry, revoked or not valid on the date",
            Lane.YELLOW,
            0.5,
        ),
        RuleInfo("R-RANDOM", "Random control sample", Lane.RED, 0.0),
    )
}


@dataclass(frozen=True, slots=True)
class RiskItem:
    hs_code: str
    description: str
    unit_value_eur: Decimal


@dataclass(frozen=True, slots=True)
class RiskInput:
    shipment_id: str
    value_eur: Decimal
    consignee_key: str
    party_tins: frozenset[str]  # normalised
    party_names: frozenset[str]  # name keys
    items: Sequence[RiskItem]
    vendor_registration: str | None
    vendor_scheme_limit: Decimal | None
    # The rule-language fields of this shipment (risk/language/record.py), or a function giving them:
    # computed only when an analyst rule set is active.
    fields: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    party_addresses: frozenset[str] = frozenset()  # address keys, for fuzzy watch-list matching


@dataclass(frozen=True, slots=True)
class RiskSettings:
    control_rate: float = 0.01
    control_seed: int = 0
    undervalue_ratio: Decimal = Decimal("1")
    split_threshold_eur: Decimal = Decimal("150")


class PartyMatcher(Protocol):
    """Watch-list matching for a whole batch (risk/watchlist.py): per shipment, what matched."""

    def match(
        self,
        tins: Sequence[frozenset[str]],
        names: Sequence[frozenset[str]],
        addresses: Sequence[frozenset[str]],
    ) -> list[list[str]]: ...


@dataclass(frozen=True, slots=True)
class RiskContext:
    """Per batch: earlier consignments per consignee within the split window, and the watch list."""

    prior_value_eur: dict[str, Decimal] = field(default_factory=dict)
    prior_count: dict[str, int] = field(default_factory=dict)
    watch_tins: frozenset[str] = frozenset()
    watch_names: frozenset[str] = frozenset()
    # When set, replaces the exact TIN / name-key sets above (fuzzy names and addresses).
    watchlist: PartyMatcher | None = None
    # Per shipment id, what is wrong with its vendor registration (revenue/registrations.py).
    registration_findings: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Hit:
    rule_id: str
    detail: str
    title: str | None = None  # analyst rules carry their title (built-in titles are in RULES)


@dataclass(frozen=True, slots=True)
class RiskDecision:
    lane: Lane
    score: float
    hits: tuple[Hit, ...]
    control_sample: bool
    rule_set_version: str = RULE_SET_VERSION


def stable_fraction(key: str) -> float:
    """A pseudo-random number in [0, 1) that is always the same for the same key."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") / 2**64


def in_control_sample(shipment_id: str, seed: int, rate: float) -> bool:
    """Reproducible random draw: the same (seed, shipment id) always gives the same answer."""
    return stable_fraction(f"{seed}:{shipment_id}") < rate


def control_sample(shipment_ids: Iterable[str], seed: int, rate: float) -> list[bool]:
    """`in_control_sample` of many shipments, the same draws: the seed's prefix encoded once."""
    if rate <= 0:
        return [False for _ in shipment_ids]
    seeded = hashlib.blake2b(f"{seed}:".encode(), digest_size=8)  # copied per id: cheaper than a new one
    out = []
    for sid in shipment_ids:
        h = seeded.copy()
        h.update(sid.encode())
        out.append(int.from_bytes(h.digest(), "big") / 2**64 < rate)
    return out


@lru_cache(maxsize=1 << 16)
def _hs_facts(hs_code: str, undervalue_ratio: Decimal) -> tuple[Any, tuple[str, Decimal, Decimal] | None]:
    """Prohibition (or restriction) entry of an HS code, and its reference unit value (prefix, lowest
    plausible value, and that times the undervaluation ratio): codes repeat a lot."""
    reference = reference_unit_value(hs_code)
    floor = None if reference is None else (*reference, reference[1] * undervalue_ratio)
    return prohibited_status(hs_code), floor


@lru_cache(maxsize=1 << 16)
def _vague(description: str) -> bool:
    return is_vague_description(description)


def _goods_hits(s: RiskInput, settings: RiskSettings, indicators: dict[str, Any] | None) -> list[Hit] | None:
    """Goods hits of one shipment (None when there are none); the goods indicators go into
    ``indicators`` when given (only analyst rules read them)."""
    hits: list[Hit] | None = None
    lowest_ratio: float | None = None
    vague = False
    ratio = settings.undervalue_ratio
    for k, item in enumerate(s.items):
        banned, reference = _hs_facts(item.hs_code, ratio)
        if banned is not None:
            rule = "R-PROHIBITED" if banned.status == "prohibited" else "R-RESTRICTED"
            hits = hits or []
            hits.append(Hit(rule, f"item {k + 1}: HS {banned.hs_prefix} {banned.reason}"))
        if _vague(item.description):
            vague = True
            hits = hits or []
            hits.append(Hit("R-VAGUE", f"item {k + 1}: '{item.description}'"))
        if reference is not None:
            prefix, minimum, floor = reference
            if indicators is not None and minimum > 0:
                share = float(item.unit_value_eur / minimum)
                lowest_ratio = share if lowest_ratio is None else min(lowest_ratio, share)
            if item.unit_value_eur < floor:
                hits = hits or []
                hits.append(
                    Hit(
                        "R-UNDERVALUE",
                        f"item {k + 1}: unit value {item.unit_value_eur:.2f} EUR, reference for HS {prefix} "
                        f"is at least {minimum} EUR",
                    )
                )
    if indicators is not None:
        indicators["indicator.unit_value_ratio"] = lowest_ratio
        indicators["indicator.vague_description"] = vague
    return hits


def goods_indicators(items: Sequence[RiskItem]) -> dict[str, Any]:
    """The goods indicators of the rule language for stored shipments (backtest), as _goods_hits sets them."""
    ratios = []
    for item in items:
        reference = reference_unit_value(item.hs_code)
        if reference is not None and reference[1] > 0:
            ratios.append(float(item.unit_value_eur / reference[1]))
    return {
        "indicator.unit_value_ratio": min(ratios) if ratios else None,
        "indicator.vague_description": any(is_vague_description(i.description) for i in items),
    }


def _watch_matches(batch: Sequence[RiskInput], context: RiskContext) -> list[list[str]]:
    if context.watchlist is None and not (context.watch_tins or context.watch_names):
        return [[] for _ in batch]
    if context.watchlist is not None:
        return context.watchlist.match(
            [s.party_tins for s in batch], [s.party_names for s in batch], [s.party_addresses for s in batch]
        )
    return [
        sorted((s.party_tins & context.watch_tins) | (s.party_names & context.watch_names)) for s in batch
    ]


def assess_batch(
    batch: Sequence[RiskInput],
    context: RiskContext,
    settings: RiskSettings,
    rules: CompiledRuleSet | None = None,
) -> list[RiskDecision]:
    """Built-in checks shipment by shipment, then the analyst rule set over the whole batch at once."""
    # Consignments of this batch count towards each other's split totals, in filing order.
    running_value = dict(context.prior_value_eur)
    running_count = dict(context.prior_count)
    watch = _watch_matches(batch, context)
    analysts = rules is not None and bool(rules.rules)
    all_hits: list[list[Hit] | None] = []
    rows: list[dict[str, Any]] = []
    zero = Decimal(0)
    threshold = settings.split_threshold_eur
    registrations = context.registration_findings
    for s, matched in zip(batch, watch, strict=True):
        indicators: dict[str, Any] | None = {} if analysts else None
        hits = _goods_hits(s, settings, indicators)
        key = s.consignee_key
        before_value = running_value.get(key, zero)
        before_count = running_count.get(key, 0)
        total = before_value + s.value_eur
        running_value[key] = total
        running_count[key] = before_count + 1
        if before_count and s.value_eur <= threshold < total:
            hits = hits or []
            hits.append(
                Hit("R-SPLIT", f"{before_count + 1} consignments to the same consignee total {total:.2f} EUR")
            )
        if matched:
            hits = hits or []
            hits.append(Hit("R-WATCHLIST", "matched " + ", ".join(matched)))
        if (
            s.vendor_registration is not None
            and s.vendor_scheme_limit is not None
            and s.value_eur > s.vendor_scheme_limit
        ):
            hits = hits or []
            hits.append(
                Hit(
                    "R-VENDOR-LIMIT",
                    f"{s.vendor_registration} on {s.value_eur:.2f} EUR, limit {s.vendor_scheme_limit} EUR",
                )
            )
        if problems := registrations.get(s.shipment_id):
            hits = hits or []
            hits.append(Hit("R-VENDOR-REGISTRATION", "; ".join(problems)))
        all_hits.append(hits)
        if indicators is not None:
            indicators["indicator.split_count"] = before_count + 1
            indicators["indicator.split_total_eur"] = total
            indicators["indicator.watchlist_hit"] = bool(matched)
            rows.append({**(s.fields() if callable(s.fields) else s.fields), **indicators})
    analyst = _analyst_hits(rules, rows, len(batch)) if analysts else None
    version = rules.version_string if rules is not None else RULE_SET_VERSION
    decisions = []
    seed, rate = settings.control_seed, settings.control_rate
    sample_hit = Hit("R-RANDOM", f"random control sample at rate {rate:.2%}")
    samples = control_sample((s.shipment_id for s in batch), seed, rate)
    green = RiskDecision(Lane.GREEN, 0.0, (), False, version)  # immutable: shared by every clean shipment
    for k, (found, sampled) in enumerate(zip(all_hits, samples, strict=True)):
        extra = analyst[k] if analyst is not None else None
        if found is None and not sampled and not extra:  # the common case: nothing to weigh
            decisions.append(green)
            continue
        hits = found or []
        if sampled:
            hits.append(sample_hit)
        lane = max((RULES[h.rule_id].lane for h in hits), default=Lane.GREEN)
        weights = {h.rule_id: RULES[h.rule_id].weight for h in hits}
        release = False
        for rule in extra or ():
            hits.append(Hit(rule.id, rule.detail, rule.title))
            weights[rule.id] = rule.weight
            lane = max(lane, rule.lane)
            release = release or rule.release
        if release:
            # An analyst's release override clears rule lanes, never prohibited goods, the watch list
            # or the random sample.
            lane = max(
                (RULES[h.rule_id].lane for h in hits if h.rule_id in _NOT_OVERRIDDEN), default=Lane.GREEN
            )
        miss = 1.0
        for weight in weights.values():
            miss *= 1.0 - weight
        decisions.append(RiskDecision(lane, round(1.0 - miss, 4), tuple(hits), sampled, version))
    return decisions


_NOT_OVERRIDDEN = frozenset({"R-PROHIBITED", "R-WATCHLIST", "R-RANDOM"})


def _analyst_hits(rules: CompiledRuleSet | None, rows: list[dict[str, Any]], n: int) -> list[list[Any]]:
    if rules is None or not rules.rules:
        return [[] for _ in range(n)]
    from clearway.risk.language import build_frame

    indices = rules.evaluate(build_frame(rows))
    return [[rules.rules[k] for k in row] for row in indices]
