"""Which shipments a principal may see: the one place that scopes filers and agencies.

Officers, analysts and administrators work for the administration and see every shipment. A filer sees
the shipments it filed. An agency sees the shipments its subscriptions match: the clearance package
registers that rule with `register_agency_scope` (agencies and subscriptions live there); until one is
registered an agency sees nothing. Everything else is invisible, and callers answer 404 for it, the
same as for a shipment that does not exist, so existence never leaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import ColumnElement, Connection, false, select, true

from clearway.declarations.tables import shipments
from clearway.security.roles import Principal, Role

AgencyScope = Callable[[Principal], ColumnElement[bool]]
_agency_scope: list[AgencyScope] = []


def register_agency_scope(scope: AgencyScope) -> None:
    """`scope(principal)` gives a condition over the `shipments` table (e.g. `shipments.c.id.in_(...)`)."""
    _agency_scope[:] = [scope]


def visible_shipment_filter(principal: Principal) -> ColumnElement[bool]:
    """A WHERE condition over `shipments` selecting what the principal may see."""
    if principal.role is Role.FILER:
        return shipments.c.filer == principal.party if principal.party else false()
    if principal.role is Role.AGENCY:
        return _agency_scope[0](principal) if _agency_scope and principal.party else false()
    return true()


def can_see(conn: Connection, principal: Principal, shipment_id: uuid.UUID) -> bool:
    if principal.role in (Role.OFFICER, Role.ANALYST, Role.ADMIN):
        return True
    found = conn.execute(
        select(shipments.c.id).where(shipments.c.id == shipment_id, visible_shipment_filter(principal))
    ).first()
    return found is not None
