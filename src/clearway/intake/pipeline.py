"""The intake pipeline, as its flow chart (`run`): parse and validate → categorise and assess revenue →
sort out duplicates, conflicts and unknown offices → assess risk (the lane) → persist → score → answer.

One call is one batch and one transaction; a single API submission is a batch of one. Every stage
takes and returns the whole batch, and the database is read a fixed number of times per batch.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from clearway.clearance import aeo, offices
from clearway.config import Settings
from clearway.declarations import repository as declarations_repository
from clearway.declarations.category import IrgCategory, irg_category
from clearway.declarations.model import Shipment
from clearway.declarations.normalise import consignee_key, name_key, normalise_tin
from clearway.declarations.validation import PARTY_ROLES, lodgement_time, validate
from clearway.declarations.vocabulary import REFUSED, IngestStatus
from clearway.intake import repository
from clearway.kit.database import transaction
from clearway.kit.errors import Finding, errors, from_pydantic, warnings
from clearway.kit.ids import uuid7
from clearway.kit.text import NUL, nul_findings
from clearway.reference.jurisdictions import Jurisdiction, Period, jurisdiction_for
from clearway.reference.money import from_minor, to_minor
from clearway.reference.rates import convert
from clearway.revenue import registrations
from clearway.revenue.calculation import Consignment, Item, RevenueAssessment, RevenueSettings
from clearway.revenue.engine import assess_for, declared_pieces, local_amount, rules_for, threshold_channel
from clearway.risk import ruleset, scoring
from clearway.risk import watchlist as watch_lists
from clearway.risk.indicators import IndicatorSettings
from clearway.risk.language.record import shipment_fields
from clearway.risk.rules import (
    RiskContext,
    RiskDecision,
    RiskInput,
    RiskItem,
    RiskSettings,
    assess_batch,
)
from clearway.security.personal import vault_for


@dataclass(slots=True)
class Submission:
    """One record as received; `line` is its first line in a bulk file, if it came from one."""

    data: Any
    line: int | None = None
    lines: list[int] | None = None  # every line of a multi-row CSV record


@dataclass(slots=True)
class ItemResult:
    index: int
    status: IngestStatus
    line: int | None = None
    filer: str | None = None
    lrn: str | None = None
    shipment_id: uuid.UUID | None = None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.line is not None:
            out["line"] = self.line
        if self.filer is not None:
            out["filer"], out["lrn"] = self.filer, self.lrn
        if self.summary is not None:
            out.update(self.summary)
        if self.errors:
            out["errors"] = [f.as_dict() for f in self.errors]
        if self.warnings:
            out["warnings"] = [f.as_dict() for f in self.warnings]
        return out


@dataclass(slots=True)
class _Accepted:
    result: ItemResult
    shipment: Shipment
    document: str  # canonical JSON of the declaration
    content_hash: str
    lodged_at: dt.datetime
    jurisdiction: Jurisdiction
    period: Period
    value: Decimal  # intrinsic value in the jurisdiction currency, rounded to its minor unit
    value_eur: Decimal
    category: IrgCategory = IrgCategory.LOW_VALUE_DUTIABLE
    revenue: RevenueAssessment | None = None
    risk: RiskDecision | None = None
    consignee_key: str = ""


# Stage 1: parse and validate (pure) -----------------------------------------------------------------


def _parse(index: int, sub: Submission, received_at: dt.datetime) -> tuple[ItemResult, Shipment | None]:
    result = ItemResult(index=index, status=IngestStatus.REJECTED, line=sub.line)
    if isinstance(sub.data, dict):
        result.filer, result.lrn = _str_or_none(sub.data.get("filer")), _str_or_none(sub.data.get("lrn"))
    # Text the databases cannot store is refused here, as a field error, so the rest of the batch goes on.
    if nul := nul_findings(sub.data):
        result.errors = nul
        return result, None
    try:
        shipment = Shipment.model_validate(sub.data)
    except ValidationError as exc:
        result.errors = from_pydantic(exc)
        return result, None
    findings = validate(shipment, received_at)
    result.errors, result.warnings = errors(findings), warnings(findings)
    return result, (None if result.errors else shipment)


def _str_or_none(value: Any) -> str | None:
    """A filer or LRN as given, for the answer and the data-quality record (kept storable)."""
    return value.replace(NUL, "") if isinstance(value, str) else None


def canonical_json(shipment: Shipment) -> str:
    """The declaration as stored and hashed: pydantic's serialisation, fields in model order, no nulls."""
    return shipment.model_dump_json(exclude_none=True)


def content_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


# Stage 2: categorise and assess revenue (pure) ------------------------------------------------------


def _consignment(s: Shipment, value: Decimal, currency: str, on: dt.date) -> Consignment:
    """The declaration as the revenue engine sees it: amounts in the jurisdiction currency, rounded to
    its minor unit as the stored value is; goods with their net mass and pieces; the channel and the
    place of direct shipment the thresholds depend on."""

    def local(amount: Decimal) -> Decimal:
        return local_amount(amount, s.currency, currency, on)

    return Consignment(
        destination_country=s.destination_country,
        intrinsic_value=value,
        transport_and_insurance=local(s.transport_cost + s.insurance_cost),
        items=[
            Item(k + 1, g.hs_code, local(g.value), g.net_mass_kg, declared_pieces(g.quantity, g.unit))
            for k, g in enumerate(s.goods)
        ],
        gift=s.gift,
        documents_only=s.documents_only,
        vendor_registration=s.fiscal.vendor_registration,
        shipped_from=s.departure_country,
        channel=threshold_channel(s.channel.value),
    )


def assess_revenue(batch: Sequence[_Accepted], settings: RevenueSettings) -> None:
    """IRG category and the itemised assessment of each shipment, through the revenue entry point."""
    fallback = settings.fallback_duty_rate
    for a in batch:
        day = a.lodged_at.date()
        j = a.jurisdiction
        c = _consignment(a.shipment, a.value, j.currency, day)
        rules = rules_for(j, c.destination_country, day, c.channel, c.shipped_from, fallback)
        a.category = irg_category(
            documents_only=a.shipment.documents_only,
            gift=a.shipment.gift,
            value=a.value,
            duty_de_minimis=rules.duty_de_minimis,
            tax_de_minimis=rules.tax_de_minimis,
            low_value_ceiling=a.period.low_value_ceiling,
            gift_relief=a.period.gift_relief,
        )
        a.revenue = assess_for(c, j, day, fallback)


# Stage 3: risk (pure, given the batch context) -----------------------------------------------------


def _registration_uses(batch: Sequence[_Accepted]) -> list[registrations.RegistrationUse]:
    """The batch's consignments declared under a vendor registration number, for the registry check."""
    return [
        registrations.RegistrationUse(
            key=str(a.result.shipment_id),
            number=number,
            value=a.value_eur,
            currency="EUR",
            on=a.lodged_at.date(),
            jurisdiction=a.jurisdiction.id,
        )
        for a in batch
        if (number := a.shipment.fiscal.vendor_registration)
    ]


def _risk_input(a: _Accepted) -> RiskInput:
    s = a.shipment
    shipment_id = a.result.shipment_id
    assert shipment_id is not None  # assigned when the shipment was found new
    parties = [p for p in (getattr(s.parties, role) for role in PARTY_ROLES) if p is not None]
    day = a.lodged_at.date()
    return RiskInput(
        shipment_id=str(shipment_id),
        value_eur=a.value_eur,
        consignee_key=a.consignee_key,
        party_tins=frozenset(normalise_tin(p.tin) for p in parties if p.tin),
        party_names=frozenset(name_key(p.name) for p in parties),
        items=[
            RiskItem(g.hs_code, g.description, convert(g.value / g.quantity, s.currency, "EUR", day))
            for g in s.goods
        ],
        vendor_registration=s.fiscal.vendor_registration,
        vendor_scheme_limit=a.period.vendor_scheme_limit,
        fields=functools.partial(
            shipment_fields,
            s,
            jurisdiction=a.jurisdiction.id,
            irg_category=int(a.category),
            lodged_at=a.lodged_at,
        ),
        party_addresses=frozenset(
            watch_lists.party_address_key(p.address.line, p.address.postcode, p.address.country)
            for p in parties
            if p.address is not None
        ),
    )


# The batch -----------------------------------------------------------------------------------------


def _consignee_key(s: Shipment) -> str:
    c, address = s.parties.consignee, s.parties.consignee.address
    if address is None:
        return consignee_key(c.name, None, None, None, s.destination_country)
    return consignee_key(c.name, address.line, address.postcode, address.country, s.destination_country)


def _prepare(result: ItemResult, s: Shipment, received_at: dt.datetime) -> _Accepted:
    jurisdiction = jurisdiction_for(s.destination_country)
    assert jurisdiction is not None  # validation rejects uncovered destinations
    lodged = lodgement_time(s, received_at)
    day = lodged.date()
    document = canonical_json(s)
    return _Accepted(
        result=result,
        shipment=s,
        document=document,
        content_hash=content_hash(document),
        lodged_at=lodged,
        jurisdiction=jurisdiction,
        period=jurisdiction.period(day),
        value=local_amount(s.total_value, s.currency, jurisdiction.currency, day),
        value_eur=convert(s.total_value, s.currency, "EUR", day),
        consignee_key=_consignee_key(s),
    )


@dataclass(slots=True)
class Batch:
    """One batch on its way through the stages: every record's result, the parsed ones (`candidates`),
    the new ones among them (`fresh`) and their stored form (`records`)."""

    received_at: dt.datetime
    settings: Settings
    results: list[ItemResult] = field(default_factory=list)
    candidates: list[_Accepted] = field(default_factory=list)
    fresh: list[_Accepted] = field(default_factory=list)
    records: list[repository.AssessedShipment] = field(default_factory=list)


def process_batch(
    engine: Engine,
    submissions: Sequence[Submission],
    settings: Settings,
    received_at: dt.datetime | None = None,
    *,
    before_commit: Callable[[Connection], None] | None = None,
) -> list[ItemResult]:
    """The intake's unit of work: one batch, one transaction (the API request and each file batch call
    this; `before_commit` adds the caller's own rows to it, e.g. the request's audit entry). A concurrent
    writer may store one of our keys between our read and our insert: the unique constraint then
    rejects the whole transaction, and a second pass in a fresh one sees it as a duplicate."""
    received_at = received_at or dt.datetime.now(dt.UTC)
    for attempt in (1, 2):
        try:
            with transaction(engine) as conn:
                results = run(conn, submissions, settings, received_at)
                if before_commit is not None:
                    before_commit(conn)
                return results
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def run(
    conn: Connection, submissions: Sequence[Submission], settings: Settings, received_at: dt.datetime
) -> list[ItemResult]:
    """The flow chart of intake, one stage per line; each takes the batch and returns it."""
    batch = Batch(received_at, settings)
    batch = parse_and_validate(batch, submissions)
    batch = categorise_and_assess_revenue(batch)
    batch = sort_out_known(conn, batch)
    batch = assess_risk(conn, batch)
    batch = persist(conn, batch)
    batch = score(conn, batch)
    return answer(conn, batch)


def parse_and_validate(batch: Batch, submissions: Sequence[Submission]) -> Batch:
    """Parse each record into the data model and validate it (pure); the consignee key identifies a
    person, so it is matched on its blind index (HMAC) and never kept in clear."""
    for k, sub in enumerate(submissions):
        result, shipment = _parse(k, sub, batch.received_at)
        batch.results.append(result)
        if shipment is not None:
            batch.candidates.append(_prepare(result, shipment, batch.received_at))
    vault = vault_for(batch.settings)
    for a in batch.candidates:
        a.consignee_key = vault.blind(a.consignee_key)
    return batch


def categorise_and_assess_revenue(batch: Batch) -> Batch:
    assess_revenue(batch.candidates, RevenueSettings(fallback_duty_rate=batch.settings.fallback_duty_rate))
    return batch


def sort_out_known(conn: Connection, batch: Batch) -> Batch:
    """Duplicates and conflicts against what is stored (filer + LRN), and offices unknown to the master
    data; the rest is new and gets its id."""
    candidates = batch.candidates
    existing = declarations_repository.existing_keys(
        conn, [(a.shipment.filer, a.shipment.lrn) for a in candidates]
    )
    # Office references against the customs office master data: one read per batch.
    bad_offices = offices.unknown_offices(
        conn, {(o, a.lodged_at.date()) for a in candidates if (o := a.shipment.office_of_entry)}
    )
    seen: dict[tuple[str, str], tuple[uuid.UUID, str]] = dict(existing)
    for a in candidates:
        key = (a.shipment.filer, a.shipment.lrn)
        if key in seen:
            shipment_id, stored_hash = seen[key]
            a.result.shipment_id = shipment_id
            if stored_hash == a.content_hash:
                a.result.status = IngestStatus.DUPLICATE
            else:
                a.result.status = IngestStatus.CONFLICT
                a.result.errors = [
                    Finding(
                        "lrn.conflict",
                        "/lrn",
                        f"filer {key[0]} already lodged {key[1]} with different data; "
                        "use a new LRN for a new declaration",
                    )
                ]
            continue
        office = a.shipment.office_of_entry
        if office and (office_error := bad_offices.get((office, a.lodged_at.date()))):
            a.result.status = IngestStatus.REJECTED
            a.result.errors = [Finding("office.not_in_master_data", "/office_of_entry", office_error)]
            continue
        a.result.shipment_id = uuid7()
        a.result.status = IngestStatus.ACCEPTED
        seen[key] = (a.result.shipment_id, a.content_hash)
        batch.fresh.append(a)
    return batch


def assess_risk(conn: Connection, batch: Batch) -> Batch:
    """Rules (built-in and the analysts' live set) with the batch's context, then the AEO benefit: the
    lane and the score of every new shipment."""
    fresh, settings = batch.fresh, batch.settings
    if not fresh:
        return batch
    since = min(a.lodged_at for a in fresh) - dt.timedelta(hours=settings.split_window_hours)
    prior_value, prior_count = declarations_repository.consignee_totals(
        conn, {a.consignee_key for a in fresh}, since
    )
    context = RiskContext(
        prior_value_eur={k: from_minor(v, "EUR") for k, v in prior_value.items()},
        prior_count=prior_count,
        watchlist=watch_lists.load_matcher(conn, batch.received_at.date(), settings.watchlist_threshold),
        registration_findings=registrations.pipeline_findings(conn, _registration_uses(fresh)),
    )
    ordered = sorted(fresh, key=lambda a: a.lodged_at)
    risk_settings = RiskSettings(
        control_rate=settings.control_rate,
        control_seed=settings.control_seed,
        undervalue_ratio=settings.undervalue_ratio,
    )
    decisions = assess_batch(
        [_risk_input(a) for a in ordered],
        context,
        risk_settings,
        ruleset.active_rule_set(conn),  # the live analyst rule set, compiled once per version
    )
    # AEO benefit: a recognised AEO among the parties lowers the score (CLEARWAY_AEO_SCORE_FACTOR).
    tins = [{normalise_tin(p.tin) for p in _trade_parties(a.shipment) if p.tin} for a in ordered]
    on = batch.received_at.date()
    decisions = aeo.with_benefits(conn, tins, decisions, settings.aeo_score_factor, on)
    for a, decision in zip(ordered, decisions, strict=True):
        a.risk = decision
    return batch


def persist(conn: Connection, batch: Batch) -> Batch:
    """Every row of the new shipments (one bulk write per table) and the refused records' data-quality
    record, in the batch's one transaction."""
    batch.records = [_record(a, batch.received_at) for a in batch.fresh]
    if batch.records:
        repository.insert_assessed(conn, batch.records, vault_for(batch.settings))
    refused = [r for r in batch.results if r.status in REFUSED]
    repository.insert_rejections(conn, refused, batch.received_at)
    return batch


def score(conn: Connection, batch: Batch) -> Batch:
    """The active `shipments` model's score and main contributions per new decision, if one is active."""
    if batch.records:
        indicator_settings = IndicatorSettings(batch.settings.split_window_hours)
        scoring.score_stored(
            conn,
            [r.id for r in batch.records],
            indicator_settings,
            batch=batch.records,
            at=batch.received_at,  # scored when received, as the decisions are
        )
    return batch


def answer(conn: Connection, batch: Batch) -> list[ItemResult]:
    """Each record's result: new shipments their assessment; duplicates what was stored (the original
    result, not a recomputation)."""
    for a, r in zip(batch.fresh, batch.records, strict=True):
        a.result.summary = _summary(r)
    stored = [a.result.shipment_id for a in batch.candidates if a.result.status is IngestStatus.DUPLICATE]
    summaries = declarations_repository.summaries(conn, [i for i in stored if i is not None])
    for a in batch.candidates:
        if a.result.status is IngestStatus.DUPLICATE and a.result.shipment_id is not None:
            a.result.summary = summaries.get(a.result.shipment_id)
    return batch.results


def _trade_parties(s: Shipment) -> list[Any]:
    """The parties that can be AEOs: all but the consignee (usually a private buyer)."""
    return [p for role in PARTY_ROLES if role != "consignee" and (p := getattr(s.parties, role)) is not None]


@dataclass(frozen=True, slots=True)
class _DecisionView:
    score: float
    reasons: list[dict[str, str]]
    control_sample: bool
    rule_set_version: str


def _summary(r: repository.AssessedShipment) -> dict[str, Any]:
    decision = _DecisionView(
        r.risk.score, repository.reasons_view(r.risk), r.risk.control_sample, r.rule_set_version
    )
    return declarations_repository.summary_view(
        r.id,
        "assessed",
        r.risk.lane.label,
        r.category,
        decision,
        r.revenue.currency,
        r.revenue.due_at_border_minor,
        r.revenue.lines,
    )


def _record(a: _Accepted, received_at: dt.datetime) -> repository.AssessedShipment:
    assert a.result.shipment_id is not None and a.revenue is not None and a.risk is not None
    return repository.AssessedShipment(
        id=a.result.shipment_id,
        shipment=a.shipment,
        document=a.document,
        content_hash=a.content_hash,
        jurisdiction=a.jurisdiction.id,
        category=int(a.category),
        value_minor=to_minor(a.value, a.jurisdiction.currency),
        consignee_key=a.consignee_key,
        lodged_at=a.lodged_at,
        received_at=received_at,
        revenue=a.revenue,
        risk=a.risk,
        rule_set_version=a.risk.rule_set_version,
        warnings=[f.as_dict() for f in a.result.warnings],
    )
