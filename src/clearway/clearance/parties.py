"""Traders keyed by TIN (WCO TIN Guidelines): issuing country + identifier, normalised and checked.

The TIN is the pair (ISO 3166-1 alpha-2 issuing country, identifier an..35), written as one string
country + identifier ('DE' + '136695976'). Normalised to upper case without separators. Where the
scheme is known the check digits are verified with python-stdnum: an EU VAT number of an EU member
state. Other identifiers of EU states are accepted as EORI numbers (country + up to 15 characters,
17 in all); identifiers of other countries are checked for country and character set only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, ValidationError

from clearway.clearance.errors import InvalidTin
from clearway.clearance.tables import traders
from clearway.declarations.normalise import normalise_tin
from clearway.reference import EU_MEMBER_STATES, is_country

_IDENTIFIER = re.compile(r"^[A-Z0-9]{1,35}$")
# python-stdnum writes Greece's VAT prefix as EL (the VAT code), while the TIN's country is ISO GR.
_VAT_PREFIX = {"GR": "EL"}


@dataclass(frozen=True, slots=True)
class Tin:
    country: str
    identifier: str
    scheme: str  # eu_vat, eori or national

    @property
    def value(self) -> str:
        return self.country + self.identifier


def parse_tin(value: str, country: str | None = None) -> Tin:
    """A normalised, checked TIN from 'DE 136 695 976' (country leading) or ('136695976', 'DE')."""
    text = normalise_tin(value)
    if country is not None:
        country = country.strip().upper()
        identifier = text[2:] if text.startswith(country) and len(text) > 2 else text
    else:
        country, identifier = text[:2], text[2:]
    if not re.fullmatch(r"[A-Z]{2}", country) or not (is_country(country) or country in ("EL", "XI")):
        raise InvalidTin("tin.country", f"'{country}' is not an ISO 3166-1 alpha-2 country")
    if not _IDENTIFIER.fullmatch(identifier):
        raise InvalidTin("tin.format", "the identifier is 1 to 35 letters and digits after the country")
    if country == "EL":
        country = "GR"
    if country not in EU_MEMBER_STATES:
        return Tin(country, identifier, "national")
    try:
        eu_vat.validate(_VAT_PREFIX.get(country, country) + identifier)
        return Tin(country, identifier, "eu_vat")
    except InvalidChecksum as exc:
        raise InvalidTin(
            "tin.check_digits", f"{country}{identifier}: VAT number check digits are wrong"
        ) from exc
    except ValidationError:
        pass  # not shaped like a VAT number: an EORI of its own
    if len(identifier) > 15:
        raise InvalidTin(
            "tin.format", f"an EU EORI is the country and at most 15 characters, not {len(identifier)}"
        )
    return Tin(country, identifier, "eori")


def upsert_traders(conn: Connection, rows: list[tuple[Tin, str]]) -> None:
    """Register or rename traders in one statement."""
    if not rows:
        return
    values = [
        {"tin": t.value, "country": t.country, "identifier": t.identifier, "name": name[:70]}
        for t, name in rows
    ]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(traders).values(values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["tin"], set_={"name": stmt.excluded.name}))


def trader(conn: Connection, tin: str) -> dict[str, str] | None:
    row = conn.execute(select(traders).where(traders.c.tin == tin)).first()
    if row is None:
        return None
    return {"tin": row.tin, "country": row.country, "identifier": row.identifier, "name": row.name}
