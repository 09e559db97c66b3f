"""Validation of advance data beyond its shape: code lists, formats and consistency.

Every check reports through `Finding` with a stable code and the JSON pointer of the field, and all
checks run, so a filer sees every problem of a record at once. Warnings never reject a record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

from clearway.declarations.model import Party, Shipment
from clearway.declarations.normalise import normalise_tin
from clearway.declarations.quality import is_vague_description
from clearway.kit.errors import Finding, Severity, pointer
from clearway.reference import hs_is_valid, is_country, is_currency, locode
from clearway.reference.errors import NoProfileForDate, RateNotFound
from clearway.reference.jurisdictions import jurisdiction_for, jurisdictions
from clearway.reference.rates import rate_date, units_per_eur

# Item values may differ from the declared total by rounding of line amounts: 0.5 % or one unit.
TOTAL_TOLERANCE_SHARE = Decimal("0.005")
TOTAL_TOLERANCE_MIN = Decimal("1")
MAX_LODGEMENT_AGE = dt.timedelta(days=90)
MAX_CLOCK_SKEW = dt.timedelta(minutes=15)
MAX_TRANSIT = dt.timedelta(days=120)

_LRN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.]{0,21}")
_TIN_ID = re.compile(r"[A-Z0-9]{1,35}")
_IOSS = re.compile(r"IM[0-9]{10}")
_LOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")
_OFFICE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}[A-Z0-9]{3}")
_HS = re.compile(r"[0-9]{6}([0-9]{2}){0,2}")

PARTY_ROLES = ("seller", "consignee", "marketplace", "carrier", "consignor", "importer", "declarant")


def lodgement_time(s: Shipment, received_at: dt.datetime) -> dt.datetime:
    lodged = s.lodged_at or received_at
    return lodged if lodged.tzinfo else lodged.replace(tzinfo=dt.UTC)


def validate(s: Shipment, received_at: dt.datetime) -> list[Finding]:
    return [
        *_references(s),
        *_countries(s),
        *_currency(s, received_at),
        *_goods(s),
        *_parties(s),
        *_places(s),
        *_fiscal(s),
        *_totals(s),
        *_dates(s, received_at),
    ]


def _error(code: str, path: str, message: str) -> Finding:
    return Finding(code, path, message)


def _warning(code: str, path: str, message: str) -> Finding:
    return Finding(code, path, message, Severity.WARNING)


def _references(s: Shipment) -> Iterator[Finding]:
    if not _LRN.fullmatch(s.lrn):
        yield _error("lrn.format", "/lrn", "LRN must be an..22: letters, digits and - _ / . only")


def _country(code: str, *path: str | int) -> Iterator[Finding]:
    if not is_country(code):
        yield _error(
            "country.unknown", pointer(*path), f"'{code}' is not in the ISO 3166-1 alpha-2 code list"
        )


def _countries(s: Shipment) -> Iterator[Finding]:
    yield from _country(s.departure_country, "departure_country")
    yield from _country(s.destination_country, "destination_country")
    if is_country(s.destination_country) and jurisdiction_for(s.destination_country) is None:
        covered = ", ".join(j.id for j in jurisdictions())
        yield _error(
            "destination.unsupported",
            "/destination_country",
            f"no jurisdiction profile covers {s.destination_country} (configured: {covered})",
        )


def _currency(s: Shipment, received_at: dt.datetime) -> Iterator[Finding]:
    if not is_currency(s.currency):
        yield _error("currency.unknown", "/currency", f"'{s.currency}' is not in the ISO 4217 code list")
        return
    day = lodgement_time(s, received_at).date()
    try:
        units_per_eur(s.currency, day)
    except RateNotFound as exc:
        yield _error("currency.no_rate", "/currency", str(exc))
    else:
        if s.currency != "EUR" and rate_date(day) < day:
            yield _warning(
                "currency.rate_snapshot",
                "/currency",
                f"no ECB rate published for {day.isoformat()} in the loaded table; "
                f"used the rate of {rate_date(day).isoformat()}",
            )
    j = jurisdiction_for(s.destination_country)
    if j is not None:
        try:
            j.period(day)
        except NoProfileForDate as exc:
            yield _error("date.no_rules", "/lodged_at", str(exc))


def _goods(s: Shipment) -> Iterator[Finding]:
    for k, item in enumerate(s.goods):
        at = ("goods", k)
        if not _HS.fullmatch(item.hs_code):
            yield _error("hs.format", pointer(*at, "hs_code"), "HS code must be 6, 8 or 10 digits")
        elif not hs_is_valid(item.hs_code):
            yield _error(
                "hs.unknown",
                pointer(*at, "hs_code"),
                f"'{item.hs_code[:6]}' is not a subheading of the HS 2022 nomenclature",
            )
        yield from _country(item.origin_country, *at, "origin_country")
        if item.net_mass_kg <= 0:
            yield _error("mass.not_positive", pointer(*at, "net_mass_kg"), "net mass must be greater than 0")
        if item.gross_mass_kg is not None:
            if item.gross_mass_kg <= 0:
                yield _error(
                    "mass.not_positive", pointer(*at, "gross_mass_kg"), "gross mass must be greater than 0"
                )
            elif item.gross_mass_kg < item.net_mass_kg:
                yield _error(
                    "mass.gross_below_net", pointer(*at, "gross_mass_kg"), "gross mass is below net mass"
                )
        if is_vague_description(item.description):
            yield _warning(
                "description.vague",
                pointer(*at, "description"),
                f"'{item.description}' does not say what the goods are; describe them precisely",
            )
    if s.gross_mass_kg is not None and s.gross_mass_kg <= 0:
        yield _error("mass.not_positive", "/gross_mass_kg", "gross mass must be greater than 0")


def _tin(party: Party, role: str) -> Iterator[Finding]:
    if party.tin is None:
        return
    path = pointer("parties", role, "tin")
    tin = normalise_tin(party.tin)
    country, identifier = tin[:2], tin[2:]
    if not is_country(country):
        yield _error(
            "tin.country_unknown",
            path,
            f"TIN must start with the issuing country (ISO 3166-1 alpha-2); '{country}' is not one",
        )
    if not _TIN_ID.fullmatch(identifier):
        yield _error("tin.format", path, "TIN identifier after the country must be an..35 (A-Z, 0-9)")


def _parties(s: Shipment) -> Iterator[Finding]:
    for role in PARTY_ROLES:
        party: Party | None = getattr(s.parties, role)
        if party is None:
            continue
        yield from _tin(party, role)
        if party.address is not None:
            yield from _country(party.address.country, "parties", role, "address", "country")


def _places(s: Shipment) -> Iterator[Finding]:
    if s.goods_location is not None:
        if not _LOCODE.fullmatch(s.goods_location):
            yield _error("locode.format", "/goods_location", "UN/LOCODE is 2 letters and 3 of A-Z, 2-9")
        elif locode(s.goods_location) is None:
            yield _error(
                "locode.unknown", "/goods_location", f"'{s.goods_location}' is not in the UN/LOCODE code list"
            )
    if s.office_of_entry is not None:
        if not _OFFICE.fullmatch(s.office_of_entry):
            yield _error(
                "office.format",
                "/office_of_entry",
                "office code is a UN/LOCODE followed by a 3-character suffix",
            )
        elif locode(s.office_of_entry[:5]) is None:
            yield _error(
                "office.unknown",
                "/office_of_entry",
                f"'{s.office_of_entry[:5]}' is not in the UN/LOCODE code list",
            )


def _fiscal(s: Shipment) -> Iterator[Finding]:
    reg = s.fiscal.vendor_registration
    if reg is not None and not _IOSS.fullmatch(reg):
        yield _error(
            "ioss.format", "/fiscal/vendor_registration", "IOSS number is 'IM' followed by 10 digits"
        )


def _totals(s: Shipment) -> Iterator[Finding]:
    items = sum((i.value for i in s.goods), Decimal(0))
    tolerance = max(TOTAL_TOLERANCE_MIN, s.total_value * TOTAL_TOLERANCE_SHARE)
    if abs(items - s.total_value) > tolerance:
        yield _error(
            "value.total_mismatch",
            "/total_value",
            f"goods item values sum to {items} but total_value is {s.total_value} "
            f"(tolerance {tolerance:.2f}: 0.5 % or 1 {s.currency})",
        )


def _dates(s: Shipment, received_at: dt.datetime) -> Iterator[Finding]:
    lodged = lodgement_time(s, received_at)
    if lodged > received_at + MAX_CLOCK_SKEW:
        yield _error("date.future", "/lodged_at", "lodgement time is in the future")
    elif lodged < received_at - MAX_LODGEMENT_AGE:
        yield _error("date.too_old", "/lodged_at", "lodgement time is more than 90 days ago")
    if s.expected_arrival is not None:
        arrival = (
            s.expected_arrival if s.expected_arrival.tzinfo else s.expected_arrival.replace(tzinfo=dt.UTC)
        )
        if arrival < lodged - dt.timedelta(days=30) or arrival > lodged + MAX_TRANSIT:
            yield _error(
                "date.implausible",
                "/expected_arrival",
                "expected arrival must be between 30 days before and 120 days after lodgement",
            )
