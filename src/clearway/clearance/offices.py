"""Customs office master data: code = UN/LOCODE (5) + suffix (3, e.g. BEBRU000), roles, hours, validity.

Office references in declarations are checked against it (`unknown_offices`): the office must exist,
be valid on the lodgement day and have the role the reference needs (the office of entry: `entry`).
Migration 0007 seeds a default set covering every location the traffic generator uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from clearway.clearance.errors import InvalidOffice
from clearway.clearance.tables import offices
from clearway.reference import locode

ROLES = ("entry", "exit", "transit", "destination", "declaration", "payment")
_CODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}[A-Z0-9]{3}$")


@dataclass(frozen=True, slots=True)
class Office:
    code: str
    name: str
    roles: tuple[str, ...]
    opening_hours: str
    valid_from: dt.date
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "locode": self.code[:5],
            "name": self.name,
            "roles": list(self.roles),
            "opening_hours": self.opening_hours,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


def office(
    code: str,
    name: str,
    roles: Collection[str],
    opening_hours: str = "Mo-Fr 08:00-18:00",
    valid_from: dt.date = dt.date(2020, 1, 1),
    valid_to: dt.date | None = None,
    suffix_default: str = "000",
) -> Office:
    """A checked office; a bare UN/LOCODE gets the default suffix (BEBRU → BEBRU000)."""
    code = code.strip().upper()
    if len(code) == 5:
        code += suffix_default
    if not _CODE.fullmatch(code):
        raise InvalidOffice("code", f"'{code}' is not a UN/LOCODE (5) followed by a 3-character suffix")
    if locode(code[:5]) is None:
        raise InvalidOffice("code", f"'{code[:5]}' is not in the UN/LOCODE code list")
    if not name.strip():
        raise InvalidOffice("name", "must not be empty")
    bad = sorted(set(roles) - set(ROLES))
    if bad or not roles:
        raise InvalidOffice("roles", f"each of {', '.join(ROLES)} (got {', '.join(bad) or 'none'})")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidOffice("valid_to", "before valid_from")
    ordered = tuple(r for r in ROLES if r in roles)
    return Office(code, name.strip(), ordered, opening_hours, valid_from, valid_to)


def _from_row(r: Any) -> Office:
    return Office(r.code, r.name, tuple(r.roles), r.opening_hours, r.valid_from, r.valid_to)


def load(conn: Connection, codes: Collection[str] | None = None) -> dict[str, Office]:
    query = select(offices).order_by(offices.c.code)
    if codes is not None:
        query = query.where(offices.c.code.in_(sorted(set(codes))))
    return {r.code: _from_row(r) for r in conn.execute(query)}


def save(conn: Connection, items: Collection[Office]) -> None:
    if not items:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(offices).values(
        [
            {
                "code": o.code,
                "name": o.name,
                "roles": list(o.roles),
                "opening_hours": o.opening_hours,
                "valid_from": o.valid_from,
                "valid_to": o.valid_to,
            }
            for o in items
        ]
    )
    keep = ("name", "roles", "opening_hours", "valid_from", "valid_to")
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["code"], set_={c: stmt.excluded[c] for c in keep})
    )


def check_reference(known: dict[str, Office], code: str, day: dt.date, role: str) -> str | None:
    """Why a reference to an office is not acceptable, or None (pure: over loaded master data)."""
    found = known.get(code)
    if found is None:
        return f"office {code} is not in the customs office master data"
    if not found.valid_on(day):
        return f"office {code} is not valid on {day.isoformat()}"
    if role not in found.roles:
        return f"office {code} has no '{role}' role (it has: {', '.join(found.roles)})"
    return None


def unknown_offices(
    conn: Connection, references: Collection[tuple[str, dt.date]], role: str = "entry"
) -> dict[tuple[str, dt.date], str]:
    """For a batch of (office code, day): the unacceptable ones with the reason. Two queries.

    The master data is authoritative for the countries it covers: an office in a country with no
    office on record (another administration's, e.g. of a partner jurisdiction) is not judged."""
    if not references:
        return {}
    covered = set(conn.execute(select(func.substr(offices.c.code, 1, 2)).distinct()).scalars())
    judged = {(code, day) for code, day in references if code[:2] in covered}
    known = load(conn, {code for code, _ in judged})
    reasons = {(code, day): check_reference(known, code, day, role) for code, day in judged}
    return {k: v for k, v in reasons.items() if v is not None}
