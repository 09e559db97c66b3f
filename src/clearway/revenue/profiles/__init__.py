"""Jurisdiction profiles: time-versioned de minimis and relief thresholds, one TOML file per jurisdiction."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any


class NoProfileForDate(LookupError):
    """A date outside every period of a profile is an error, not a guess."""


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


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    id: str
    name: str
    currency: str
    valuation_basis: str
    members: frozenset[str]
    periods: tuple[Period, ...]

    def period(self, on: dt.date) -> Period:
        for p in self.periods:
            if p.valid_from <= on <= p.valid_to:
                return p
        raise NoProfileForDate(f"jurisdiction {self.id} has no rules in force on {on.isoformat()}")


def _optional(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _parse(doc: dict[str, Any]) -> Jurisdiction:
    periods = tuple(
        Period(
            valid_from=dt.date.fromisoformat(p["valid_from"]),
            valid_to=dt.date.fromisoformat(p["valid_to"]),
            duty_de_minimis=Decimal(p["duty_de_minimis"]),
            tax_de_minimis=Decimal(p["tax_de_minimis"]),
            low_value_ceiling=Decimal(p["low_value_ceiling"]),
            gift_relief=Decimal(p["gift_relief"]),
            vendor_scheme_limit=_optional(p.get("vendor_scheme_limit")),
            flat_duty_per_subheading=_optional(p.get("flat_duty_per_subheading")),
            duty_basis=p["duty_basis"],
            tax_basis=p["tax_basis"],
        )
        for p in doc["periods"]
    )
    return Jurisdiction(
        id=str(doc["id"]),
        name=str(doc["name"]),
        currency=str(doc["currency"]),
        valuation_basis=str(doc["valuation_basis"]),
        members=frozenset(doc["members"]),
        periods=tuple(sorted(periods, key=lambda p: p.valid_from)),
    )


@cache
def jurisdictions() -> tuple[Jurisdiction, ...]:
    folder = resources.files(__package__)
    return tuple(
        _parse(tomllib.loads(f.read_text(encoding="utf-8")))
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".toml")
    )


@cache
def jurisdiction_for(destination_country: str) -> Jurisdiction | None:
    return next((j for j in jurisdictions() if destination_country in j.members), None)
