"""AEO registry, mutual recognition and the exchange format (docs/aeo-exchange.md).

An authorisation counts (is *recognised*) on a day when it is active, valid that day, and issued either
by one of this administration's own issuing countries (the EU member states) or by a partner
administration with a mutual recognition arrangement in force that day. Recognised AEOs get the
benefits: a lower risk score (`aeo_score_factor`) and an earlier place in the officers' queue.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from clearway.clearance.errors import ExchangeError, InvalidTin
from clearway.clearance.parties import parse_tin, upsert_traders
from clearway.clearance.tables import aeo, mra_partners
from clearway.kit.csvsafe import restore, safe_row
from clearway.kit.errors import Finding
from clearway.reference import EU_MEMBER_STATES, is_country
from clearway.risk.rules import RiskDecision

FORMAT = "clearway-aeo/1"
COLUMNS = ("tin", "holder", "type", "status", "issuing_country", "reference", "valid_from", "valid_to")
TYPES = ("AEOC", "AEOS", "AEOF")  # customs simplifications, security and safety, full
STATUSES = ("active", "suspended", "revoked")
OWN_ADMINISTRATIONS = EU_MEMBER_STATES


@dataclass(frozen=True, slots=True)
class Authorisation:
    tin: str
    holder: str
    type: str
    status: str
    issuing_country: str
    reference: str
    valid_from: dt.date
    valid_to: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["valid_from"] = self.valid_from.isoformat()
        d["valid_to"] = self.valid_to.isoformat() if self.valid_to else None
        return d


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 1-based record number (CSV: line number of the data row, header is line 1)
    field: str
    message: str

    def as_finding(self) -> Finding:
        """Row `row` of the list (a CSV line after the header, or the n-th authorisation) and its field."""
        return Finding("aeo.exchange", "", self.message, line=self.row, column=self.field)

    def as_dict(self) -> dict[str, Any]:
        return self.as_finding().as_dict()


def _date(value: Any, field: str, row: int, errors: list[RowError], required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.append(RowError(row, field, "required (YYYY-MM-DD)"))
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(RowError(row, field, f"'{value}' is not a date (YYYY-MM-DD)"))
        return None


def parse_records(records: Sequence[dict[str, Any]], first_row: int = 1) -> list[Authorisation]:
    """Checked authorisations from exchange records; every error of every row at once."""
    out: list[Authorisation] = []
    errors: list[RowError] = []
    for k, r in enumerate(records, start=first_row):
        before = len(errors)
        unknown = set(r) - set(COLUMNS)
        if unknown:
            errors.append(RowError(k, sorted(unknown)[0], "not a field of the exchange format"))
        tin = ""
        try:
            tin = parse_tin(str(r.get("tin") or "")).value
        except InvalidTin as exc:
            errors.append(RowError(k, "tin", str(exc)))
        holder = str(r.get("holder") or "").strip()
        if not holder or len(holder) > 70:
            errors.append(RowError(k, "holder", "required, at most 70 characters"))
        kind = str(r.get("type") or "").upper()
        if kind not in TYPES:
            errors.append(RowError(k, "type", f"'{r.get('type')}' is not one of {', '.join(TYPES)}"))
        status = str(r.get("status") or "").lower()
        if status not in STATUSES:
            errors.append(RowError(k, "status", f"'{r.get('status')}' is not one of {', '.join(STATUSES)}"))
        issuer = str(r.get("issuing_country") or "").upper()
        if not is_country(issuer):
            errors.append(RowError(k, "issuing_country", f"'{issuer}' is not an ISO 3166-1 alpha-2 country"))
        reference = str(r.get("reference") or "").strip()
        if not reference or len(reference) > 35:
            errors.append(RowError(k, "reference", "required, at most 35 characters"))
        valid_from = _date(r.get("valid_from"), "valid_from", k, errors, True)
        valid_to = _date(r.get("valid_to"), "valid_to", k, errors, False)
        if valid_from and valid_to and valid_to < valid_from:
            errors.append(RowError(k, "valid_to", "before valid_from"))
        if len(errors) == before and valid_from is not None:
            out.append(Authorisation(tin, holder, kind, status, issuer, reference, valid_from, valid_to))
    if errors:
        raise ExchangeError(errors)
    return out


def read_csv(text: str) -> list[Authorisation]:
    reader = csv.DictReader(io.StringIO(text, newline=None))  # a bare CR ends a line, as in a file
    header = tuple(reader.fieldnames or ())
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ExchangeError([RowError(1, missing[0], "missing column in the header")])
    rows = [
        {k: restore(v) if isinstance(v, str) else v for k, v in row.items() if k is not None}
        for row in reader
    ]
    return parse_records(rows, first_row=2)


def read_json(text: str) -> list[Authorisation]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExchangeError([RowError(0, "document", f"not JSON: {exc}")]) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExchangeError([RowError(0, "format", f'expected a document with "format": "{FORMAT}"')])
    records = doc.get("authorisations")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ExchangeError([RowError(0, "authorisations", "an array of objects")])
    return parse_records(records)


def write_csv(items: Sequence[Authorisation]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for a in items:
        writer.writerow(
            safe_row(
                [
                    a.tin,
                    a.holder,
                    a.type,
                    a.status,
                    a.issuing_country,
                    a.reference,
                    a.valid_from.isoformat(),
                    a.valid_to.isoformat() if a.valid_to else "",
                ]
            )
        )
    return out.getvalue()


def write_json(items: Sequence[Authorisation], issued_by: str, on: dt.date) -> str:
    doc = {
        "format": FORMAT,
        "issued_by": issued_by,
        "date": on.isoformat(),
        "authorisations": [a.as_dict() for a in items],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def store(conn: Connection, items: Sequence[Authorisation]) -> int:
    """Insert or update by (issuing country, reference); registers the holders as traders."""
    if not items:
        return 0
    upsert_traders(conn, [(parse_tin(a.tin), a.holder) for a in items])
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = [
        {
            "tin": a.tin,
            "holder": a.holder,
            "kind": a.type,
            "status": a.status,
            "issuing_country": a.issuing_country,
            "reference": a.reference,
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
        }
        for a in items
    ]
    stmt = dialect.insert(aeo).values(values)
    keep = ("tin", "holder", "kind", "status", "valid_from", "valid_to")
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["issuing_country", "reference"], set_={c: stmt.excluded[c] for c in keep}
        )
    )
    return len(items)


def load(conn: Connection, issuing_country: str | None = None) -> list[Authorisation]:
    query = select(aeo).order_by(aeo.c.issuing_country, aeo.c.reference)
    if issuing_country:
        query = query.where(aeo.c.issuing_country == issuing_country)
    return [
        Authorisation(
            r.tin, r.holder, r.kind, r.status, r.issuing_country, r.reference, r.valid_from, r.valid_to
        )
        for r in conn.execute(query)
    ]


def add_partner(
    conn: Connection, country: str, name: str, since: dt.date, until: dt.date | None = None
) -> None:
    if not is_country(country):
        raise ValueError(f"country: '{country}' is not an ISO 3166-1 alpha-2 country")
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(mra_partners).values(country=country, name=name, since=since, until=until)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["country"], set_={"name": name, "since": since, "until": until}
        )
    )


def recognised(a: Authorisation, on: dt.date, partners: Collection[str]) -> bool:
    """Pure rule: active, valid on the day, issued at home or by a recognised partner."""
    valid = a.valid_from <= on and (a.valid_to is None or on <= a.valid_to)
    return (
        a.status == "active"
        and valid
        and (a.issuing_country in OWN_ADMINISTRATIONS or a.issuing_country in partners)
    )


def partners_on(conn: Connection, on: dt.date) -> frozenset[str]:
    rows = conn.execute(
        select(mra_partners.c.country).where(
            mra_partners.c.since <= on, or_(mra_partners.c.until.is_(None), mra_partners.c.until >= on)
        )
    )
    return frozenset(c for (c,) in rows)


def recognised_tins(conn: Connection, tins: Collection[str], on: dt.date) -> frozenset[str]:
    """Which of these TINs hold an AEO authorisation recognised on the day (one query each table)."""
    if not tins:
        return frozenset()
    partners = partners_on(conn, on)
    rows = conn.execute(
        select(aeo).where(
            aeo.c.tin.in_(sorted(set(tins))),
            and_(aeo.c.status == "active", aeo.c.valid_from <= on),
        )
    )
    return frozenset(
        r.tin
        for r in rows
        if recognised(
            Authorisation(
                r.tin, r.holder, r.kind, r.status, r.issuing_country, r.reference, r.valid_from, r.valid_to
            ),
            on,
            partners,
        )
    )


def benefit_score(score: float, is_aeo: bool, factor: float) -> float:
    """An AEO's risk score, lowered by the configured factor (1 = no benefit)."""
    return score * factor if is_aeo else score


def with_benefits(
    conn: Connection,
    party_tins: Sequence[Collection[str]],
    decisions: Sequence[RiskDecision],
    factor: float,
    on: dt.date,
) -> list[RiskDecision]:
    """Risk decisions of a batch with the AEO benefit: the score of a shipment with a recognised AEO
    among its parties (not the consignee) multiplied by `factor`. The lane stays what the rules hit
    decided: a prohibited article is controlled whoever sends it."""
    if factor == 1:
        return list(decisions)
    aeos = recognised_tins(conn, {t for tins in party_tins for t in tins}, on)
    return [
        replace(d, score=benefit_score(d.score, bool(aeos.intersection(tins)), factor))
        for d, tins in zip(decisions, party_tins, strict=True)
    ]
