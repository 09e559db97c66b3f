"""Case files: shipments linked by shared parties, addresses, payment or transport references.

A case is a connected component of the graph whose nodes are shipments and whose edges are shared
keys: a party's TIN or normalised name (consignor, importer, consignee), the consignee's
address key, the payment reference, the house waybill. Components come from a union-find over the
keys (one pass, near-linear), not from pairwise comparison.

Keys that very many shipments share say nothing about collusion (a large marketplace seller, a shared
depot address) and would merge the day's traffic into one "case": a key held by more than
``max_key_shipments`` shipments is not used for linking, and the case reports how many were skipped.

A case id is "C-" and the first 12 hex digits of the SHA-1 of its smallest shipment id: the same
shipments give the same id whenever the cases are computed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from clearway.declarations.tables import decisions, events, parties, shipments
from clearway.kit.csvsafe import safe_dict
from clearway.risk.history import day_bounds

# Sellers are left out: buyers who shop at several sellers would chain every seller's customers
# into one component; a case is about one actor hiding behind several consignments.
LINK_ROLES = ("consignor", "importer", "consignee")
MAX_KEY_SHIPMENTS = 50


class UnionFind:
    """Disjoint sets over hashable items, with path halving and union by size."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}

    def add(self, item: str) -> None:
        if item not in self.parent:
            self.parent[item], self.size[item] = item, 1

    def find(self, item: str) -> str:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


@dataclass(frozen=True, slots=True)
class Link:
    shipment_id: str
    kind: str  # e.g. "seller tin", "consignee", "payment", "waybill"
    key: str


def case_id(shipment_ids: Iterable[str]) -> str:
    return "C-" + hashlib.sha1(min(shipment_ids).encode()).hexdigest()[:12]


def components(
    shipment_ids: Sequence[str], links: Sequence[Link], max_key_shipments: int = MAX_KEY_SHIPMENTS
) -> tuple[list[list[str]], dict[str, list[tuple[str, str]]], int]:
    """Connected components of two or more shipments, the keys that bind each, and keys skipped.

    Returns (components each sorted by id and ordered by size then first id, per component id the
    (kind, key) pairs shared by at least two of its shipments, number of keys skipped as too common).
    """
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for link in links:
        if link.key:
            holders[(link.kind, link.key)].add(link.shipment_id)
    uf = UnionFind()
    for sid in shipment_ids:
        uf.add(sid)
    skipped = 0
    used: list[tuple[tuple[str, str], list[str]]] = []
    for key, held in holders.items():
        if len(held) < 2:
            continue
        if len(held) > max_key_shipments:
            skipped += 1
            continue
        ordered = sorted(held)
        for sid in ordered:
            uf.add(sid)
        for other in ordered[1:]:
            uf.union(ordered[0], other)
        used.append((key, ordered))
    groups: dict[str, list[str]] = defaultdict(list)
    for sid in uf.parent:
        groups[uf.find(sid)].append(sid)
    comps = sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
    root_to_case = {uf.find(c[0]): case_id(c) for c in comps}
    keys: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, members in used:
        keys[root_to_case[uf.find(members[0])]].append(key)
    return comps, {k: sorted(v) for k, v in keys.items()}, skipped


def _links(conn: Connection, ids: Sequence[Any]) -> list[Link]:
    out: list[Link] = []
    for start in range(0, len(ids), 4000):
        chunk = ids[start : start + 4000]
        for sid, role, tin, name in conn.execute(
            select(parties.c.shipment_id, parties.c.role, parties.c.tin, parties.c.name_key).where(
                parties.c.shipment_id.in_(chunk), parties.c.role.in_(LINK_ROLES)
            )
        ):
            if tin:
                out.append(Link(str(sid), f"{role} tin", tin))
            if name:
                out.append(Link(str(sid), f"{role} name", name))
        for sid, consignee, waybill, payment in conn.execute(
            select(
                shipments.c.id,
                shipments.c.consignee_key,
                shipments.c.house_waybill,
                shipments.c.declaration["payment_id"].as_string(),
            ).where(shipments.c.id.in_(chunk))
        ):
            out.append(Link(str(sid), "consignee address", consignee))
            out.append(Link(str(sid), "waybill", waybill))
            if payment:
                out.append(Link(str(sid), "payment", payment))
    return out


def _shipment_rows(conn: Connection, ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 4000):
        chunk = ids[start : start + 4000]
        for r in conn.execute(
            select(
                shipments.c.id, shipments.c.filer, shipments.c.lrn, shipments.c.house_waybill,
                shipments.c.state, shipments.c.lane, shipments.c.lodged_at, shipments.c.value_minor,
                shipments.c.revenue_currency, shipments.c.departure_country,
                shipments.c.destination_country, shipments.c.office_of_entry,
            ).where(shipments.c.id.in_(chunk))
        ):  # fmt: skip
            lodged = r.lodged_at if r.lodged_at.tzinfo else r.lodged_at.replace(tzinfo=dt.UTC)
            rows[str(r.id)] = {
                "shipment_id": str(r.id), "filer": r.filer, "lrn": r.lrn, "house_waybill": r.house_waybill,
                "state": r.state, "lane": r.lane, "lodged_at": lodged.isoformat(),
                "value": r.value_minor / 100, "currency": r.revenue_currency,
                "route": f"{r.departure_country}>{r.destination_country}", "office": r.office_of_entry,
                "result": None,
            }  # fmt: skip
        for sid, data in conn.execute(
            select(events.c.shipment_id, events.c.data).where(
                events.c.shipment_id.in_(chunk), events.c.type == "inspection_result"
            )
        ):
            rows[str(sid)]["result"] = (data or {}).get("result")
        for sid, score in conn.execute(
            select(decisions.c.shipment_id, decisions.c.score).where(decisions.c.shipment_id.in_(chunk))
        ):
            rows[str(sid)]["rule_score"] = float(score)
    return rows


def find_cases(
    conn: Connection,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    max_key_shipments: int = MAX_KEY_SHIPMENTS,
) -> dict[str, Any]:
    """Every case among shipments lodged in the range, largest first, with its members."""
    start, end = day_bounds(date_from, date_to)
    query = select(shipments.c.id)
    if start:
        query = query.where(shipments.c.lodged_at >= start)
    if end:
        query = query.where(shipments.c.lodged_at < end)
    ids = list(conn.execute(query).scalars())
    comps, keys, skipped = components([str(i) for i in ids], _links(conn, ids), max_key_shipments)
    members = [sid for c in comps for sid in c]
    by_id = _shipment_rows(conn, [i for i in ids if str(i) in set(members)])
    cases = []
    for comp in comps:
        rows = [by_id[s] for s in comp]
        cid = case_id(comp)
        cases.append(
            {
                "id": cid,
                "shipments": len(comp),
                "value": round(sum(r["value"] for r in rows), 2),
                "controlled": sum(1 for r in rows if r["result"]),
                "non_compliant": sum(1 for r in rows if r["result"] == "non_compliant"),
                "red": sum(1 for r in rows if r["lane"] == "red"),
                "first_lodged": min(r["lodged_at"] for r in rows),
                "last_lodged": max(r["lodged_at"] for r in rows),
                "links": [{"kind": k, "key": v} for k, v in keys.get(cid, [])],
                "members": rows,
            }
        )
    return {
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "shipments": len(ids),
        "max_key_shipments": max_key_shipments,
        "keys_skipped_as_too_common": skipped,
        "cases": cases,
    }


def get_case(
    conn: Connection, case: str, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[str, Any] | None:
    return next((c for c in find_cases(conn, date_from, date_to)["cases"] if c["id"] == case), None)


CSV_COLUMNS = (
    "case", "shipment_id", "filer", "lrn", "house_waybill", "lodged_at", "state", "lane", "value", "currency",
    "route", "office", "result",
)  # fmt: skip


def case_csv(*found: dict[str, Any]) -> str:
    """One row per member shipment of each case; the linking keys are in the JSON export."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for case in found:
        for row in case["members"]:
            writer.writerow(safe_dict({"case": case["id"], **row}))
    return out.getvalue()
