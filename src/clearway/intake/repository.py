"""Writes of the intake pipeline: every row of a batch of assessed shipments, and refused submissions."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from clearway.declarations.model import Shipment
from clearway.declarations.normalise import name_key, normalise_tin
from clearway.declarations.repository import SYSTEM_ACTOR, event_row, insert_events
from clearway.declarations.tables import (
    decisions,
    goods_items,
    parties,
    rejections,
    shipments,
    tax_lines,
)
from clearway.declarations.validation import PARTY_ROLES
from clearway.kit.bulk import RawJson, insert_rows
from clearway.reference.money import to_minor
from clearway.revenue.calculation import RevenueAssessment
from clearway.risk.rules import RULES, RiskDecision
from clearway.security import audit
from clearway.security.personal import Vault, seal_declaration
from clearway.security.tables import personal_data

# Most shipments have no warning, no rule hit and one of three lanes: serialise those once.
_EMPTY_LIST = RawJson("[]")
_EMPTY_OBJECT = RawJson("{}")
_LANE_DATA = {lane: RawJson(json.dumps({"lane": lane})) for lane in ("green", "yellow", "red")}


def reasons_view(risk: RiskDecision) -> list[dict[str, str]]:
    return [
        {"rule": h.rule_id, "title": h.title or RULES[h.rule_id].title, "detail": h.detail} for h in risk.hits
    ]


@dataclass(frozen=True, slots=True)
class AssessedShipment:
    id: uuid.UUID
    shipment: Shipment
    document: str  # the declaration as canonical JSON
    content_hash: str
    jurisdiction: str
    category: int
    value_minor: int
    consignee_key: str
    lodged_at: dt.datetime
    received_at: dt.datetime
    revenue: RevenueAssessment
    risk: RiskDecision
    rule_set_version: str
    warnings: list[dict[str, str]]


SHIPMENT_COLUMNS = (
    "id", "filer", "lrn", "content_hash", "version", "state", "lane", "irg_category", "jurisdiction",
    "house_waybill", "departure_country", "destination_country", "transport_mode", "channel",
    "office_of_entry", "collection_model", "currency", "total_value_minor", "revenue_currency", "value_minor",
    "due_at_border_minor", "paid_minor", "consignee_key", "lodged_at", "received_at", "updated_at",
    "warnings", "declaration",
)  # fmt: skip
ITEM_COLUMNS = (
    "shipment_id", "seq", "description", "hs_code", "hs6", "origin_country", "quantity", "unit",
    "net_mass_kg", "value_minor",
)  # fmt: skip
PARTY_COLUMNS = ("shipment_id", "role", "name", "name_key", "tin", "country")
DECISION_COLUMNS = (
    "shipment_id", "lane", "score", "reasons", "control_sample", "rule_set_version", "model_version",
    "decided_at",
)  # fmt: skip
TAX_LINE_COLUMNS = (
    "shipment_id", "item_seq", "tax_type", "base_minor", "rate", "amount_minor", "currency", "collection",
    "legal_basis", "note",
)  # fmt: skip


def _party_rows(a: AssessedShipment, vault: Vault) -> Iterator[tuple[Any, ...]]:
    for role in PARTY_ROLES:
        p = getattr(a.shipment.parties, role)
        if role == "consignee":
            # Usually a private person: a masked name, a blind key for matching, no ID number in clear.
            yield (a.id, role, "[protected]", vault.blind(name_key(p.name))[:70], None,
                   p.address.country if p.address else None)  # fmt: skip
        elif p is not None:
            yield (
                a.id, role, p.name, name_key(p.name)[:70], normalise_tin(p.tin) if p.tin else None,
                p.address.country if p.address else None,
            )  # fmt: skip


def insert_assessed(conn: Connection, batch: Sequence[AssessedShipment], vault: Vault) -> None:
    """All rows of a batch of assessed shipments: one COPY (or executemany) per table, parents first.
    The consignee's personal data is sealed with `vault` (the settings' data key, given by the caller)."""
    personal_rows: list[tuple[Any, ...]] = []
    ship_rows: list[tuple[Any, ...]] = []
    item_rows: list[tuple[Any, ...]] = []
    party_rows: list[tuple[Any, ...]] = []
    decision_rows: list[tuple[Any, ...]] = []
    tax_rows: list[tuple[Any, ...]] = []
    event_rows: list[dict[str, Any]] = []
    for a in batch:
        s = a.shipment
        lane = a.risk.lane.label
        currency = a.revenue.currency
        consignee = s.parties.consignee
        sealed = seal_declaration(
            vault, a.id, a.document, consignee.model_dump_json(exclude_none=True),
            consignee.address.country if consignee.address else None,
        )  # fmt: skip
        personal_rows.append((a.id, sealed.key_id, sealed.ciphertext))
        ship_rows.append((
            a.id, s.filer, s.lrn, a.content_hash, 1, "assessed", lane, a.category, a.jurisdiction,
            s.house_waybill, s.departure_country, s.destination_country, s.transport_mode.value,
            s.channel.value, s.office_of_entry, s.fiscal.collection_model.value, s.currency,
            to_minor(s.total_value, s.currency), currency, a.value_minor, a.revenue.due_at_border_minor, 0,
            a.consignee_key, a.lodged_at, a.received_at, a.received_at,
            RawJson(json.dumps(a.warnings)) if a.warnings else _EMPTY_LIST, RawJson(sealed.document),
        ))  # fmt: skip
        item_rows.extend(
            (a.id, k, g.description, g.hs_code, g.hs_code[:6], g.origin_country, g.quantity, g.unit,
             g.net_mass_kg, to_minor(g.value, s.currency))
            for k, g in enumerate(s.goods, start=1)
        )  # fmt: skip
        party_rows.extend(_party_rows(a, vault))
        reasons = RawJson(json.dumps(reasons_view(a.risk))) if a.risk.hits else _EMPTY_LIST
        decision_rows.append(
            (a.id, lane, a.risk.score, reasons, a.risk.control_sample, a.rule_set_version, None,
             a.received_at)
        )  # fmt: skip
        tax_rows.extend(
            (a.id, t.item_seq, t.tax_type.value, t.base_minor, t.rate, t.amount_minor, currency,
             t.collection.value, t.legal_basis, t.note)
            for t in a.revenue.lines
        )  # fmt: skip
        event_rows.append(event_row(a.id, "filed", "D011", a.lodged_at, s.filer, "filed", _EMPTY_OBJECT))
        assessed = _LANE_DATA[lane]
        # The lane and the duties are the service's decision, not the filer's.
        event_rows.append(
            event_row(a.id, "assessed", "023", a.received_at, SYSTEM_ACTOR, "assessed", assessed)
        )
    # Parents first: foreign keys are checked per statement.
    insert_rows(conn, shipments, SHIPMENT_COLUMNS, ship_rows)
    insert_rows(conn, goods_items, ITEM_COLUMNS, item_rows)
    insert_rows(conn, parties, PARTY_COLUMNS, party_rows)
    insert_rows(conn, personal_data, ("shipment_id", "key_id", "sealed"), personal_rows)
    insert_rows(conn, decisions, DECISION_COLUMNS, decision_rows)
    insert_rows(conn, tax_lines, TAX_LINE_COLUMNS, tax_rows)
    insert_events(conn, event_rows, new_shipments=True)
    if batch:  # the automated decisions of the batch, summarised in one audit entry
        lanes = Counter(a.risk.lane.label for a in batch)
        detail = {"shipments": len(batch), "lanes": dict(lanes), "first": str(batch[0].id),
                  "last": str(batch[-1].id), "rule_set_version": batch[0].rule_set_version}  # fmt: skip
        audit.append(conn, None, [audit.Entry("pipeline.assess", None, detail)], batch[0].received_at)


def insert_rejections(conn: Connection, refused: Sequence[Any], received_at: dt.datetime) -> None:
    """Data-quality record of refused submissions (`ItemResult`s): filer, LRN and error codes only."""
    insert_rows(
        conn,
        rejections,
        ("filer", "lrn", "status", "codes", "received_at"),
        [
            ((r.filer or "(unknown)")[:40], (r.lrn or "")[:40] or None, r.status,
             RawJson(json.dumps(sorted({e.code for e in r.errors}))), received_at)
            for r in refused
        ],
    )  # fmt: skip
