"""Vendor collection model: registration numbers of sellers and platforms that collect the tax at checkout.

Schemes are data (`SCHEMES`): the EU Import One-Stop Shop (IOSS) and UK, Australian and Norwegian
point-of-sale registrations, each with its number format and the consignment value up to which it may
be used. The registry holds the numbers customs knows to be valid (from the scheme's administration),
with validity dates and revocation. `check_registrations` flags misuse for a whole batch with one
query: a malformed, unknown, expired or revoked number, or a consignment above the scheme's limit.
Under a valid registration the tax is collected at checkout and nothing at the border
(`clearway.revenue.calculation`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from clearway.reference.errors import RateNotFound
from clearway.reference.rates import convert
from clearway.revenue import repository
from clearway.revenue.errors import RegistrationError

# ISO 3166 numeric codes of the EU member states: the 3 digits after "IM" name the state of identification.
EU_NUMERIC = frozenset({
    "040", "056", "100", "191", "196", "203", "208", "233", "246", "250", "276", "300", "348", "372",
    "380", "428", "440", "442", "470", "528", "616", "620", "642", "703", "705", "724", "752",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scheme:
    id: str
    jurisdiction: str
    name: str
    pattern: re.Pattern[str]
    format_text: str
    limit: Decimal  # highest intrinsic consignment value the scheme covers, in `currency`
    currency: str
    basis: str


SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        "IOSS", "EU", "Import One-Stop Shop", re.compile(r"IM(?P<state>[0-9]{3})[0-9]{7}"),
        "IM + 3-digit member-state code + 7 digits", Decimal(150), "EUR",
        "Directive 2006/112/EC Art. 369l-369x",
    ),
    Scheme(
        "UKVAT", "UK", "UK VAT at point of sale", re.compile(r"GB[0-9]{9}"),
        "GB + 9 digits", Decimal(135), "GBP", "Taxation (Cross-border Trade) Act 2018; VAT Act 1994 s.7AA",
    ),
    Scheme(
        "AUGST", "AU", "Australian GST on low value imported goods", re.compile(r"[0-9]{12}"),
        "12-digit ATO reference number", Decimal(1000), "AUD",
        "A New Tax System (Goods and Services Tax) Act 1999 Div 84-C",
    ),
    Scheme(
        "VOEC", "NO", "Norwegian VAT on e-commerce", re.compile(r"VOEC[0-9]{7}"),
        "VOEC + 7 digits", Decimal(3000), "NOK", "Merverdiavgiftsloven § 14-4",
    ),
)  # fmt: skip
SCHEME_BY_ID = {s.id: s for s in SCHEMES}


def normalise(number: str) -> str:
    return re.sub(r"[\s.-]", "", number).upper()


def scheme_of(number: str) -> Scheme | None:
    """The scheme whose format the number has (an IOSS number must name an EU member state)."""
    n = normalise(number)
    for s in SCHEMES:
        m = s.pattern.fullmatch(n)
        if m and (s.id != "IOSS" or m.group("state") in EU_NUMERIC):
            return s
    return None


@dataclass(frozen=True, slots=True)
class Registration:
    number: str
    scheme: str
    holder: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    revoked_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "scheme": self.scheme,
            "holder": self.holder,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _date(value: Any, field: str, line: int | None) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise RegistrationError(field, f"'{value}' is not a date (YYYY-MM-DD)", line) from exc


def parse_registration(data: dict[str, Any], line: int | None = None) -> Registration:
    number = normalise(str(data.get("number") or ""))
    if not number:
        raise RegistrationError("number", "is required", line)
    scheme = scheme_of(number)
    if scheme is None:
        formats = "; ".join(f"{s.id}: {s.format_text}" for s in SCHEMES)
        raise RegistrationError("number", f"'{number}' matches no scheme ({formats})", line)
    declared = str(data.get("scheme") or scheme.id).upper()
    if declared != scheme.id:
        raise RegistrationError("scheme", f"'{number}' is a {scheme.id} number, not {declared}", line)
    holder = str(data.get("holder") or "").strip()
    if not holder or len(holder) > 70:
        raise RegistrationError("holder", "is required (up to 70 characters)", line)
    valid_from = _date(data.get("valid_from"), "valid_from", line)
    if valid_from is None:
        raise RegistrationError("valid_from", "is required", line)
    valid_to = _date(data.get("valid_to"), "valid_to", line)
    if valid_to is not None and valid_to < valid_from:
        raise RegistrationError("valid_to", f"{valid_to} is before valid_from {valid_from}", line)
    revoked = data.get("revoked_at")
    revoked_at = None
    if revoked not in (None, ""):
        try:
            revoked_at = (
                revoked if isinstance(revoked, dt.datetime) else dt.datetime.fromisoformat(str(revoked))
            )
        except ValueError as exc:
            raise RegistrationError("revoked_at", f"'{revoked}' is not an ISO date-time", line) from exc
        if revoked_at.tzinfo is None:
            revoked_at = revoked_at.replace(tzinfo=dt.UTC)
    return Registration(number, scheme.id, holder, valid_from, valid_to, revoked_at)


CSV_COLUMNS = ("number", "scheme", "holder", "valid_from", "valid_to", "revoked_at")


def parse_csv(text: str) -> list[Registration]:
    """Every row of a registry CSV (header: number,scheme,holder,valid_from,valid_to,revoked_at); the
    first bad row is an error naming its line and field, and then nothing is imported."""
    reader = csv.DictReader(io.StringIO(text, newline=None))  # a bare CR ends a line, as in a file
    missing = [c for c in ("number", "holder", "valid_from") if c not in (reader.fieldnames or [])]
    if missing:
        raise RegistrationError(
            missing[0], f"column missing from the CSV header (need {', '.join(CSV_COLUMNS)})", 1
        )
    out = [parse_registration(row, line) for line, row in enumerate(reader, start=2)]
    numbers = [r.number for r in out]
    if len(set(numbers)) != len(numbers):
        dup = next(n for n in numbers if numbers.count(n) > 1)
        raise RegistrationError("number", f"{dup} appears twice in the file")
    return out


def upsert(conn: Connection, regs: Sequence[Registration]) -> int:
    """Store registrations, replacing those with the same number (a new validity or a revocation), with
    one delete and one bulk insert per batch."""
    if not regs:
        return 0
    repository.replace_registrations(
        conn,
        [
            {
                "number": r.number,
                "scheme": r.scheme,
                "holder": r.holder,
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "revoked_at": r.revoked_at,
            }
            for r in regs
        ],
    )
    return len(regs)


def revoke(conn: Connection, number: str, at: dt.datetime) -> Registration:
    found = lookup(conn, [number]).get(normalise(number))
    if found is None:
        raise LookupError(f"no registration '{normalise(number)}'")
    repository.set_revoked(conn, found.number, at)
    return Registration(found.number, found.scheme, found.holder, found.valid_from, found.valid_to, at)


def lookup(conn: Connection, numbers: Sequence[str]) -> dict[str, Registration]:
    wanted = sorted({normalise(n) for n in numbers})
    out: dict[str, Registration] = {}
    for r in repository.registration_rows(conn, wanted):
        revoked = r.revoked_at
        if revoked is not None and revoked.tzinfo is None:
            revoked = revoked.replace(tzinfo=dt.UTC)
        out[r.number] = Registration(r.number, r.scheme, r.holder, r.valid_from, r.valid_to, revoked)
    return out


def list_registrations(conn: Connection, limit: int = 1000) -> list[Registration]:
    found = lookup(conn, repository.registration_numbers(conn, limit))
    return [found[n] for n in sorted(found)]


# Misuse ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistrationUse:
    """One consignment declared under a registration number."""

    key: str  # the caller's id for it (shipment id, LRN…)
    number: str
    value: Decimal  # intrinsic value of the consignment
    currency: str
    on: dt.date  # the date of the sale or lodgement
    jurisdiction: str | None = None  # where it is imported; checked against the scheme's


@dataclass(frozen=True, slots=True)
class RegistrationFinding:
    key: str
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "code": self.code, "detail": self.detail}


def misuse(use: RegistrationUse, registered: Registration | None) -> list[RegistrationFinding]:
    """Findings for one use (pure): format, registry, validity and the scheme's value limit."""
    number = normalise(use.number)
    scheme = scheme_of(number)

    def finding(code: str, detail: str) -> list[RegistrationFinding]:
        return [RegistrationFinding(use.key, code, detail)]

    if scheme is None:
        return finding("registration.format", f"'{number}' matches no registration scheme")
    out: list[RegistrationFinding] = []
    if use.jurisdiction is not None and use.jurisdiction != scheme.jurisdiction:
        out += finding(
            "registration.wrong_jurisdiction",
            f"{scheme.id} number {number} used for an import into {use.jurisdiction}",
        )
    if registered is None:
        out += finding("registration.unknown", f"{scheme.id} number {number} is not in the registry")
    elif registered.revoked_at is not None and registered.revoked_at.date() <= use.on:
        out += finding(
            "registration.revoked",
            f"{number} ({registered.holder}) was revoked on {registered.revoked_at.date().isoformat()}",
        )
    elif use.on < registered.valid_from or (registered.valid_to is not None and use.on > registered.valid_to):
        until = registered.valid_to.isoformat() if registered.valid_to else "open"
        out += finding(
            "registration.not_valid_on_date",
            f"{number} is valid {registered.valid_from.isoformat()} to {until}, not on {use.on.isoformat()}",
        )
    try:
        value = convert(use.value, use.currency, scheme.currency, use.on)
    except RateNotFound:
        return out + finding(
            "registration.no_rate", f"no exchange rate {use.currency}/{scheme.currency} on {use.on}"
        )
    if value > scheme.limit:
        out += finding(
            "registration.above_limit",
            f"consignment value {value.quantize(Decimal('0.01'))} {scheme.currency} is above the "
            f"{scheme.id} limit of {scheme.limit} {scheme.currency}: tax is due at the border",
        )
    return out


def check_registrations(conn: Connection, items: Sequence[RegistrationUse]) -> list[RegistrationFinding]:
    """Misuse findings for a batch of consignments declared under registration numbers (one lookup)."""
    known = lookup(conn, [i.number for i in items])
    return [f for i in items for f in misuse(i, known.get(normalise(i.number)))]


# Findings the risk stage raises as R-VENDOR-REGISTRATION. Not the format (validation rejects a malformed
# number at lodgement), the value limit (R-VENDOR-LIMIT checks it with the period's own limit) or a
# missing exchange rate (the revenue stage reports that).
REGISTRY_CODES = frozenset({"registration.unknown", "registration.revoked", "registration.not_valid_on_date"})


def schemes_in_use(conn: Connection, schemes: Sequence[str]) -> set[str]:
    """The schemes, among ``schemes``, of which the registry holds at least one number."""
    return {scheme for scheme in sorted(set(schemes)) if repository.scheme_has_numbers(conn, scheme)}


def pipeline_findings(conn: Connection, uses: Sequence[RegistrationUse]) -> Mapping[str, list[str]]:
    """Per use (by key), what the registry says is wrong with its number: unknown, revoked or not valid
    on the date. Only for schemes whose registry is loaded: an administration that has not loaded, say,
    the IOSS register must not see every IOSS number flagged as unknown. One lookup for the batch and
    one cheap probe per scheme."""
    schemes = {u.key: s.id for u in uses if (s := scheme_of(u.number)) is not None}
    loaded = schemes_in_use(conn, list(schemes.values())) if schemes else set()
    checked = [u for u in uses if schemes.get(u.key) in loaded]
    known = lookup(conn, [u.number for u in checked]) if checked else {}
    out: dict[str, list[str]] = {}
    for use in checked:
        for f in misuse(use, known.get(normalise(use.number))):
            if f.code in REGISTRY_CODES:
                out.setdefault(use.key, []).append(f.detail)
    return out
