"""Reads and writes of shipments, by whole batches: a fixed number of statements per batch."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select

from clearway.declarations.model import Shipment
from clearway.declarations.normalise import name_key, normalise_tin
from clearway.declarations.validation import PARTY_ROLES
from clearway.revenue.calculation import RevenueAssessment
from clearway.revenue.money import format_minor, to_minor
from clearway.risk.rules import RULES, RiskDecision
from clearway.security import audit
from clearway.security.personal import Vault, personal_data, seal_declaration, vault_for
from clearway.storage.bulk import RawJson, insert_dicts, insert_rows
from clearway.storage.schema import (
    Base,
    DecisionRow,
    EventRow,
    GoodsItemRow,
    HoldRow,
    PartyRow,
    RejectionRow,
    ShipmentRow,
    StudyRunRow,
    TaxLineRow,
    WatchlistRow,
)

# Placeholders per statement stay far below SQLite's limit of 32,766 host parameters.
_CHUNK = 4000
T = TypeVar("T")

_tables = Base.metadata.tables
shipments = _tables[ShipmentRow.__tablename__]
goods_items = _tables[GoodsItemRow.__tablename__]
parties = _tables[PartyRow.__tablename__]
decisions = _tables[DecisionRow.__tablename__]
tax_lines = _tables[TaxLineRow.__tablename__]
events = _tables[EventRow.__tablename__]
holds = _tables[HoldRow.__tablename__]
watchlist = _tables[WatchlistRow.__tablename__]
rejections = _tables[RejectionRow.__tablename__]
study_runs = _tables[StudyRunRow.__tablename__]


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def existing_keys(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[uuid.UUID, str]]:
    """Stored (id, content hash) per (filer, LRN). A batch has few filers, so filter by filer and LRN
    lists (served by the unique index) and keep exact pairs here; row-value IN lists plan badly."""
    wanted = set(keys)
    found: dict[tuple[str, str], tuple[uuid.UUID, str]] = {}
    filers = sorted({f for f, _ in wanted})
    for chunk in _chunks(sorted({lrn for _, lrn in wanted})):
        rows = conn.execute(
            select(shipments.c.filer, shipments.c.lrn, shipments.c.id, shipments.c.content_hash).where(
                shipments.c.filer.in_(filers), shipments.c.lrn.in_(chunk)
            )
        )
        for filer, lrn, shipment_id, content_hash in rows:
            if (filer, lrn) in wanted:
                found[(filer, lrn)] = (shipment_id, content_hash)
    return found


def consignee_totals(
    conn: Connection, keys: Collection[str], since: dt.datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Value (minor units of the jurisdiction currency) and count of consignments per consignee since."""
    values: dict[str, int] = {}
    counts: dict[str, int] = {}
    for chunk in _chunks(sorted(keys)):
        rows = conn.execute(
            select(shipments.c.consignee_key, func.sum(shipments.c.value_minor), func.count())
            .where(shipments.c.consignee_key.in_(chunk), shipments.c.lodged_at >= since)
            .group_by(shipments.c.consignee_key)
        )
        for key, total, count in rows:
            values[key], counts[key] = int(total), int(count)
    return values, counts


def add_watchlist_entries(conn: Connection, entries: Iterable[dict[str, Any]]) -> int:
    rows = [
        {
            "tin": normalise_tin(e["tin"]) if e.get("tin") else None,
            "name": e.get("name"),
            "name_key": name_key(e["name"]) if e.get("name") else None,
            "reason": e.get("reason", ""),
            "source": e.get("source", "manual"),
            "valid_from": e.get("valid_from"),
            "valid_to": e.get("valid_to"),
        }
        for e in entries
    ]
    insert_dicts(conn, watchlist, rows)
    return len(rows)


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
EVENT_COLUMNS = ("shipment_id", "type", "wco_id", "at", "actor", "reason", "state_after", "data")


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


def insert_assessed(conn: Connection, batch: Sequence[AssessedShipment], vault: Vault | None = None) -> None:
    """All rows of a batch of assessed shipments: one COPY (or executemany) per table, parents first.
    The consignee's personal data is sealed with `vault` (default: the one of the environment's settings)."""
    if vault is None:
        from clearway.config import Settings

        vault = vault_for(Settings())
    personal_rows: list[tuple[Any, ...]] = []
    ship_rows: list[tuple[Any, ...]] = []
    item_rows: list[tuple[Any, ...]] = []
    party_rows: list[tuple[Any, ...]] = []
    decision_rows: list[tuple[Any, ...]] = []
    tax_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
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
        event_rows.append((a.id, "filed", "D011", a.lodged_at, s.filer, None, "filed", _EMPTY_OBJECT))
        assessed = _LANE_DATA[lane]
        event_rows.append((a.id, "assessed", "023", a.received_at, s.filer, None, "assessed", assessed))
    # Parents first: foreign keys are checked per statement.
    insert_rows(conn, shipments, SHIPMENT_COLUMNS, ship_rows)
    insert_rows(conn, goods_items, ITEM_COLUMNS, item_rows)
    insert_rows(conn, parties, PARTY_COLUMNS, party_rows)
    insert_rows(conn, personal_data, ("shipment_id", "key_id", "sealed"), personal_rows)
    insert_rows(conn, decisions, DECISION_COLUMNS, decision_rows)
    insert_rows(conn, tax_lines, TAX_LINE_COLUMNS, tax_rows)
    insert_rows(conn, events, EVENT_COLUMNS, event_rows)
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


# Reading -------------------------------------------------------------------------------------------


def _revenue_view(currency: str, due: int, lines: Sequence[Any]) -> dict[str, Any]:
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        if line.collection != "relieved":
            totals[str(line.tax_type)] += line.amount_minor
    return {
        "currency": currency,
        "due_at_border": format_minor(due, currency),
        "totals": {k: format_minor(v, currency) for k, v in sorted(totals.items())},
        "lines": [
            {
                "item": line.item_seq,
                "type": str(line.tax_type),
                "base": format_minor(line.base_minor, currency),
                "rate": str(Decimal(line.rate).normalize()),
                "amount": format_minor(line.amount_minor, currency),
                "collection": str(line.collection),
                "legal_basis": line.legal_basis,
                "note": line.note,
            }
            for line in lines
        ],
    }


def summary_view(
    shipment_id: uuid.UUID,
    state: str,
    lane: str,
    irg_category: int,
    decision: Any,
    revenue_currency: str,
    due_minor: int,
    lines: Sequence[Any],
) -> dict[str, Any]:
    """The result of one shipment as the API returns it; `decision` and `lines` are rows or domain objects."""
    return {
        "id": str(shipment_id),
        "state": state,
        "lane": lane,
        "irg_category": irg_category,
        "score": decision.score if decision else None,
        "reasons": decision.reasons if decision else [],
        "control_sample": decision.control_sample if decision else False,
        "rule_set_version": decision.rule_set_version if decision else None,
        "revenue": _revenue_view(revenue_currency, due_minor, lines),
    }


def summaries(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """Result view of stored shipments: three queries per chunk of ids."""
    out: dict[uuid.UUID, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        ship = conn.execute(
            select(
                shipments.c.id,
                shipments.c.state,
                shipments.c.lane,
                shipments.c.irg_category,
                shipments.c.revenue_currency,
                shipments.c.due_at_border_minor,
            ).where(shipments.c.id.in_(chunk))
        ).all()
        latest: dict[uuid.UUID, Any] = {}
        for r in conn.execute(
            select(decisions).where(decisions.c.shipment_id.in_(chunk)).order_by(decisions.c.id)
        ):
            latest[r.shipment_id] = r
        lines: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for r in conn.execute(
            select(tax_lines).where(tax_lines.c.shipment_id.in_(chunk)).order_by(tax_lines.c.id)
        ):
            lines[r.shipment_id].append(r)
        for s in ship:
            out[s.id] = summary_view(
                s.id,
                s.state,
                s.lane,
                s.irg_category,
                latest.get(s.id),
                s.revenue_currency,
                s.due_at_border_minor,
                lines[s.id],
            )
    return out


def _as_utc(value: dt.datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def shipment_detail(conn: Connection, shipment_id: uuid.UUID) -> dict[str, Any] | None:
    s = conn.execute(select(shipments).where(shipments.c.id == shipment_id)).first()
    if s is None:
        return None
    detail = summaries(conn, [shipment_id])[shipment_id]
    detail.update(
        {
            "filer": s.filer,
            "lrn": s.lrn,
            "version": s.version,
            "house_waybill": s.house_waybill,
            "paid": format_minor(s.paid_minor, s.revenue_currency),
            "lodged_at": _as_utc(s.lodged_at),
            "warnings": s.warnings,
            "declaration": s.declaration,
            "holds": [
                {
                    "kind": h.kind,
                    "reason_code": h.reason_code,
                    "text": h.text,
                    "opened_at": _as_utc(h.opened_at),
                    "closed_at": _as_utc(h.closed_at) if h.closed_at else None,
                }
                for h in conn.execute(
                    select(holds).where(holds.c.shipment_id == shipment_id).order_by(holds.c.id)
                )
            ],
            "events": [
                {
                    "type": e.type,
                    "wco_id": e.wco_id,
                    "at": _as_utc(e.at),
                    "actor": e.actor,
                    "reason": e.reason,
                    "state_after": e.state_after,
                    "data": e.data,
                }
                for e in conn.execute(
                    select(events).where(events.c.shipment_id == shipment_id).order_by(events.c.id)
                )
            ],
        }
    )
    return detail
