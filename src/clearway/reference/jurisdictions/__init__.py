"""Jurisdiction profiles: time-versioned duty and tax rules, one TOML file per jurisdiction.

The loader discovers every ``*.toml`` in this package, so adding a jurisdiction is adding a file.
Each period states its de minimis for duty and for tax separately and their basis, the valuation
basis, the tax (name, rate source, base, share), the point-of-sale and vendor schemes, and the legal
texts; a date outside every period is an error (`NoProfileForDate`), never a guess.

Two lookups: `jurisdiction_for` finds the jurisdictions the clearance pipeline is configured for
(``clearance = true``: declaration validation, IRG categories and the H7 data set are EU-shaped so
far); `profile_for` finds any profile, for the estimator and the revenue engine.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from clearway.reference.errors import NoProfileForDate, ProfileError, UnknownDestination

EU_GIFT_BASIS = "Reg. (EC) 1186/2009 Art. 25(1) (gift relief)"
DE_MINIMIS_BASES = frozenset({"consignment", "person_day", "transaction_annual"})
TAX_RATE_SOURCES = frozenset({"eu_member_state", "national", "profile", "none"})
TAX_BASES = frozenset({"customs_value_plus_duty", "customs_value_plus_duty_plus_transport"})


@dataclass(frozen=True, slots=True)
class ThresholdRule:
    """Thresholds that replace the period's for one channel and/or place of direct shipment (Canada)."""

    channels: frozenset[str]  # empty: any channel
    shipped_from: frozenset[str]  # empty: any country
    duty_de_minimis: Decimal
    tax_de_minimis: Decimal
    basis: str

    def matches(self, channel: str | None, shipped_from: str | None) -> bool:
        return (not self.channels or channel in self.channels) and (
            not self.shipped_from or shipped_from in self.shipped_from
        )


@dataclass(frozen=True, slots=True)
class Period:
    valid_from: dt.date
    valid_to: dt.date
    duty_de_minimis: Decimal
    tax_de_minimis: Decimal
    low_value_ceiling: Decimal
    gift_relief: Decimal
    vendor_scheme_limit: Decimal | None
    flat_duty_per_subheading: Decimal | None
    duty_basis: str
    tax_basis: str
    # Fields below default to the EU behaviour the pipeline was built on.
    valuation_basis: str = "CIF"  # CIF: transport and insurance join the customs value; FOB: they don't
    de_minimis_basis: str = "consignment"
    tax_name: str = "VAT"
    tax_type: str = "vat"  # vat | gst | none
    tax_rate_source: str = "eu_member_state"
    tax_rate: Decimal | None = None  # only with tax_rate_source = "profile"
    tax_base: str = "customs_value_plus_duty"
    # Within this intrinsic value the tax is charged by the seller at the point of sale (UK, AU).
    point_of_sale_limit: Decimal | None = None
    point_of_sale_requires_registration: bool = False
    point_of_sale_basis: str = ""
    thresholds: tuple[ThresholdRule, ...] = ()
    # China cross-border e-commerce retail imports: within both limits duty and taxes are scaled.
    transaction_limit: Decimal | None = None
    annual_limit: Decimal | None = None
    within_limits_duty_share: Decimal = Decimal(1)
    within_limits_tax_share: Decimal = Decimal(1)
    within_limits_basis: str = ""
    consumption_tax: tuple[tuple[str, Decimal], ...] = ()  # (HS prefix, rate), longest prefix first
    gift_basis: str = EU_GIFT_BASIS
    tariff_basis: str = "Common Customs Tariff (Reg. (EEC) 2658/87)"  # the law of full duty above de minimis
    notes: tuple[str, ...] = ()

    def thresholds_for(self, channel: str | None, shipped_from: str | None) -> tuple[Decimal, Decimal, str]:
        """(duty de minimis, tax de minimis, their legal basis) for a channel and place of shipment."""
        for rule in self.thresholds:
            if rule.matches(channel, shipped_from):
                return rule.duty_de_minimis, rule.tax_de_minimis, rule.basis
        return self.duty_de_minimis, self.tax_de_minimis, self.duty_basis


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    id: str
    name: str
    currency: str
    valuation_basis: str
    members: frozenset[str]
    periods: tuple[Period, ...]
    clearance: bool = False  # the clearance pipeline accepts declarations for it
    tariff: str | None = None  # tariff schedule name (clearway.revenue.tariffs), None: default rate only
    default_duty_rate: Decimal | None = None
    default_duty_basis: str = ""
    sources: tuple[str, ...] = ()

    def period(self, on: dt.date) -> Period:
        for p in self.periods:
            if p.valid_from <= on <= p.valid_to:
                return p
        span = f"{self.periods[0].valid_from} to {self.periods[-1].valid_to}" if self.periods else "none"
        raise NoProfileForDate(
            f"jurisdiction {self.id} has no rules in force on {on.isoformat()} (profile covers {span})"
        )


def _dec(doc: Mapping[str, Any], key: str, where: str) -> Decimal:
    try:
        return Decimal(str(doc[key]))
    except KeyError:
        raise ProfileError(f"{where}: missing field {key!r}") from None
    except ArithmeticError:
        raise ProfileError(f"{where}: field {key!r} is not a number: {doc[key]!r}") from None


def _opt(doc: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    return _dec(doc, key, where) if key in doc else None


def _choice(value: str, allowed: frozenset[str], key: str, where: str) -> str:
    if value not in allowed:
        raise ProfileError(f"{where}: {key} = {value!r}, expected one of {', '.join(sorted(allowed))}")
    return value


def _period(p: Mapping[str, Any], valuation: str, where: str) -> Period:
    thresholds = tuple(
        ThresholdRule(
            channels=frozenset(t.get("channels", ())),
            shipped_from=frozenset(t.get("shipped_from", ())),
            duty_de_minimis=_dec(t, "duty_de_minimis", where),
            tax_de_minimis=_dec(t, "tax_de_minimis", where),
            basis=str(t["basis"]),
        )
        for t in p.get("thresholds", ())
    )
    source = _choice(p.get("tax_rate_source", "eu_member_state"), TAX_RATE_SOURCES, "tax_rate_source", where)
    period = Period(
        valid_from=dt.date.fromisoformat(p["valid_from"]),
        valid_to=dt.date.fromisoformat(p["valid_to"]),
        duty_de_minimis=_dec(p, "duty_de_minimis", where),
        tax_de_minimis=_dec(p, "tax_de_minimis", where),
        low_value_ceiling=_dec(p, "low_value_ceiling", where),
        gift_relief=_dec(p, "gift_relief", where),
        vendor_scheme_limit=_opt(p, "vendor_scheme_limit", where),
        flat_duty_per_subheading=_opt(p, "flat_duty_per_subheading", where),
        duty_basis=str(p["duty_basis"]),
        tax_basis=str(p["tax_basis"]),
        valuation_basis=_choice(
            p.get("valuation_basis", valuation), frozenset({"CIF", "FOB"}), "valuation", where
        ),
        de_minimis_basis=_choice(p.get("de_minimis_basis", "consignment"), DE_MINIMIS_BASES, "basis", where),
        tax_name=str(p.get("tax_name", "VAT")),
        tax_type=str(p.get("tax_type", "vat")),
        tax_rate_source=source,
        tax_rate=_opt(p, "tax_rate", where),
        tax_base=_choice(p.get("tax_base", "customs_value_plus_duty"), TAX_BASES, "tax_base", where),
        point_of_sale_limit=_opt(p, "point_of_sale_limit", where),
        point_of_sale_requires_registration=bool(p.get("point_of_sale_requires_registration", False)),
        point_of_sale_basis=str(p.get("point_of_sale_basis", "")),
        thresholds=thresholds,
        transaction_limit=_opt(p, "transaction_limit", where),
        annual_limit=_opt(p, "annual_limit", where),
        within_limits_duty_share=_dec(p, "within_limits_duty_share", where)
        if "within_limits_duty_share" in p
        else Decimal(1),
        within_limits_tax_share=_dec(p, "within_limits_tax_share", where)
        if "within_limits_tax_share" in p
        else Decimal(1),
        within_limits_basis=str(p.get("within_limits_basis", "")),
        consumption_tax=tuple(
            sorted(
                ((k, Decimal(str(v))) for k, v in p.get("consumption_tax", {}).items()),
                key=lambda kv: -len(kv[0]),
            )
        ),
        gift_basis=str(p.get("gift_basis", EU_GIFT_BASIS)),
        tariff_basis=str(p.get("tariff_basis", "Common Customs Tariff (Reg. (EEC) 2658/87)")),
        notes=tuple(p.get("notes", ())),
    )
    if source == "profile" and period.tax_rate is None:
        raise ProfileError(f"{where}: tax_rate_source = 'profile' needs tax_rate")
    if period.valid_to < period.valid_from:
        raise ProfileError(f"{where}: valid_to {period.valid_to} is before valid_from {period.valid_from}")
    return period


def _parse(doc: dict[str, Any], name: str = "<profile>") -> Jurisdiction:
    valuation = str(doc["valuation_basis"])
    periods = tuple(
        sorted(
            (_period(p, valuation, f"{name} period {k + 1}") for k, p in enumerate(doc["periods"])),
            key=lambda p: p.valid_from,
        )
    )
    for a, b in itertools.pairwise(periods):
        if b.valid_from <= a.valid_to:
            raise ProfileError(f"{name}: periods overlap ({a.valid_from}..{a.valid_to} and {b.valid_from}..)")
    return Jurisdiction(
        id=str(doc["id"]),
        name=str(doc["name"]),
        currency=str(doc["currency"]),
        valuation_basis=valuation,
        members=frozenset(doc["members"]),
        periods=periods,
        clearance=bool(doc.get("clearance", False)),
        tariff=doc.get("tariff"),
        default_duty_rate=_opt(doc, "default_duty_rate", name),
        default_duty_basis=str(doc.get("default_duty_basis", "")),
        sources=tuple(doc.get("sources", ())),
    )


@cache
def all_profiles() -> tuple[Jurisdiction, ...]:
    """Every packaged profile, sorted by file name."""
    folder = resources.files(__package__)
    return tuple(
        _parse(tomllib.loads(f.read_text(encoding="utf-8")), f.name)
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".toml")
    )


@cache
def jurisdictions() -> tuple[Jurisdiction, ...]:
    """The jurisdictions the clearance pipeline accepts declarations for."""
    return tuple(j for j in all_profiles() if j.clearance)


@cache
def jurisdiction_for(destination_country: str) -> Jurisdiction | None:
    return next((j for j in jurisdictions() if destination_country in j.members), None)


@cache
def profile_for(destination_country: str) -> Jurisdiction:
    """The profile whose members include the destination country (DE -> EU, GB -> UK)."""
    found = next((j for j in all_profiles() if destination_country in j.members), None)
    if found is None:
        covered = ", ".join(f"{j.id} ({len(j.members)} countries)" for j in all_profiles())
        raise UnknownDestination(
            f"no jurisdiction profile covers {destination_country!r} (profiles: {covered})"
        )
    return found


def profile(jurisdiction_id: str) -> Jurisdiction:
    for j in all_profiles():
        if j.id == jurisdiction_id:
            return j
    raise UnknownDestination(
        f"no jurisdiction profile {jurisdiction_id!r} (profiles: {', '.join(j.id for j in all_profiles())})"
    )


def member_list(profiles: Sequence[Jurisdiction]) -> list[str]:
    return sorted(m for j in profiles for m in j.members)
