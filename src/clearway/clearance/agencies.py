"""Other government agencies (Single Window): subscriptions, what an agency sees, its arrival holds.

A subscription names any of an HS range, an origin and a party TIN; all that it names must match,
the HS range and the origin on the same goods item. An agency sees exactly the shipments one of its
subscriptions matches (`visible`, a SQL predicate the API, the web view and access control share).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from clearway.clearance.errors import InvalidSubscription
from clearway.clearance.lifecycle import NewHold
from clearway.clearance.tables import agencies, agency_subscriptions
from clearway.declarations.normalise import normalise_tin
from clearway.declarations.tables import goods_items, parties, shipments
from clearway.declarations.vocabulary import HoldKind
from clearway.kit.bulk import insert_dicts
from clearway.security.roles import Principal
from clearway.security.visibility import register_agency_scope

_CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
_HS = re.compile(r"^[0-9]{2,6}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class Subscription:
    agency: str
    hs_from: str | None = None  # HS6, inclusive
    hs_to: str | None = None  # HS6, inclusive
    origin: str | None = None
    party_tin: str | None = None
    hold_on_arrival: bool = False
    reason_code: str = "AGENCY-CHECK"
    text: str = "Held for another government agency"


def subscription(
    agency: str,
    hs: str | None = None,
    origin: str | None = None,
    party_tin: str | None = None,
    hold_on_arrival: bool = False,
    reason_code: str = "AGENCY-CHECK",
    text: str = "Held for another government agency",
) -> Subscription:
    """A checked subscription; `hs` is a prefix ('0207') or a range of prefixes ('0201-0210')."""
    if not _CODE.fullmatch(agency):
        raise InvalidSubscription("agency", f"'{agency}' is not an agency code (A-Z, 0-9, '-', 2-16)")
    hs_from = hs_to = None
    if hs is not None:
        low, _, high = hs.partition("-")
        high = high or low
        for part in (low, high):
            if not _HS.fullmatch(part):
                raise InvalidSubscription("hs", f"'{part}' is not an HS prefix of 2 to 6 digits")
        hs_from, hs_to = low.ljust(6, "0"), high.ljust(6, "9")
        if hs_from > hs_to:
            raise InvalidSubscription("hs", f"range '{hs}' is empty")
    if origin is not None and not _COUNTRY.fullmatch(origin):
        raise InvalidSubscription("origin", f"'{origin}' is not an ISO 3166-1 alpha-2 code")
    tin = normalise_tin(party_tin) if party_tin else None
    if hs is None and origin is None and tin is None:
        raise InvalidSubscription("hs", "a subscription names at least one of hs, origin, party_tin")
    if not re.fullmatch(r"^[A-Z0-9][A-Z0-9-]{1,31}$", reason_code):
        raise InvalidSubscription("reason_code", f"'{reason_code}' is not a reason code (A-Z, 0-9, '-')")
    return Subscription(agency, hs_from, hs_to, origin, tin, hold_on_arrival, reason_code, text)


def matches(sub: Subscription, items: Collection[tuple[str, str]], tins: Collection[str]) -> bool:
    """Whether a shipment with goods items (hs6, origin) and party TINs falls under the subscription."""
    if sub.party_tin is not None and sub.party_tin not in tins:
        return False
    if sub.hs_from is None and sub.origin is None:
        return True
    return any(
        (sub.hs_from is None or (sub.hs_to is not None and sub.hs_from <= hs6 <= sub.hs_to))
        and (sub.origin is None or origin == sub.origin)
        for hs6, origin in items
    )


def _sub_matches_shipment(s: Any) -> ColumnElement[bool]:
    # Both sub-queries sit two levels below the query over `shipments` (inside the EXISTS over the
    # subscriptions), where SQLAlchemy's automatic correlation does not reach: without the explicit
    # `correlate`, each would list `shipments` in its own FROM and match any stored shipment.
    item = (
        exists()
        .where(
            goods_items.c.shipment_id == shipments.c.id,
            or_(
                s.c.hs_from.is_(None), and_(goods_items.c.hs6 >= s.c.hs_from, goods_items.c.hs6 <= s.c.hs_to)
            ),
            or_(s.c.origin.is_(None), goods_items.c.origin_country == s.c.origin),
        )
        .correlate(shipments, s)
    )
    party = (
        exists()
        .where(parties.c.shipment_id == shipments.c.id, parties.c.tin == s.c.party_tin)
        .correlate(shipments, s)
    )
    return and_(or_(s.c.party_tin.is_(None), party), item)


def visible(agency: str) -> ColumnElement[bool]:
    """SQL predicate on `shipments`: one of the agency's subscriptions matches the shipment."""
    s = agency_subscriptions.alias("s")
    return exists().where(s.c.agency == agency, _sub_matches_shipment(s)).correlate(shipments)


def is_visible(conn: Connection, agency: str, shipment_id: uuid.UUID) -> bool:
    return (
        conn.execute(select(shipments.c.id).where(shipments.c.id == shipment_id, visible(agency))).first()
        is not None
    )


def _subscriptions(conn: Connection, agency: str | None = None) -> list[Subscription]:
    query = select(agency_subscriptions).order_by(agency_subscriptions.c.id)
    if agency is not None:
        query = query.where(agency_subscriptions.c.agency == agency)
    return [
        Subscription(
            r.agency, r.hs_from, r.hs_to, r.origin, r.party_tin, r.hold_on_arrival, r.reason_code, r.text
        )
        for r in conn.execute(query)
    ]


def arrival_holds(conn: Connection, shipment_id: uuid.UUID) -> list[NewHold]:
    """Holds of the agencies that asked to see this shipment's goods on arrival (one per agency)."""
    subs = [s for s in _subscriptions(conn) if s.hold_on_arrival]
    if not subs:
        return []
    items = conn.execute(
        select(goods_items.c.hs6, goods_items.c.origin_country).where(
            goods_items.c.shipment_id == shipment_id
        )
    ).all()
    tins = {
        t for (t,) in conn.execute(select(parties.c.tin).where(parties.c.shipment_id == shipment_id)) if t
    }
    held: dict[str, NewHold] = {}
    for s in subs:
        if s.agency not in held and matches(s, [(h, o) for h, o in items], tins):
            held[s.agency] = NewHold(HoldKind.AGENCY, s.reason_code, s.text, s.agency)
    return list(held.values())


def create_agency(conn: Connection, code: str, name: str) -> None:
    if not _CODE.fullmatch(code):
        raise InvalidSubscription("code", f"'{code}' is not an agency code (A-Z, 0-9, '-', 2-16)")
    if not name.strip():
        raise InvalidSubscription("name", "must not be empty")
    insert_dicts(conn, agencies, [{"code": code, "name": name.strip()}])


def agency_exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(agencies.c.code).where(agencies.c.code == code)).first() is not None


def add_subscriptions(conn: Connection, subs: Sequence[Subscription]) -> None:
    insert_dicts(
        conn,
        agency_subscriptions,
        [
            {
                "agency": s.agency,
                "hs_from": s.hs_from,
                "hs_to": s.hs_to,
                "origin": s.origin,
                "party_tin": s.party_tin,
                "hold_on_arrival": s.hold_on_arrival,
                "reason_code": s.reason_code,
                "text": s.text,
            }
            for s in subs
        ],
    )


def list_agencies(conn: Connection) -> list[dict[str, Any]]:
    subs = _subscriptions(conn)
    return [
        {
            "code": code,
            "name": name,
            "subscriptions": [
                {
                    "hs": f"{s.hs_from}-{s.hs_to}" if s.hs_from else None,
                    "origin": s.origin,
                    "party_tin": s.party_tin,
                    "hold_on_arrival": s.hold_on_arrival,
                    "reason_code": s.reason_code,
                }
                for s in subs
                if s.agency == code
            ],
        }
        for code, name in conn.execute(select(agencies.c.code, agencies.c.name).order_by(agencies.c.code))
    ]


def _scope(principal: Principal) -> ColumnElement[bool]:
    return visible(principal.party or "")


# An agency key sees exactly what its subscriptions match (clearway.security.visibility asks us).
register_agency_scope(_scope)
