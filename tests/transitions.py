"""Recording lifecycle events in tests the way every entrypoint does: one transaction, one principal.

Tests that build a shipment's history with chosen times act as a named system principal (as the demo and
back-loading do), since only the service itself sets event times."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Engine

from clearway.clearance.lifecycle import AnyEvent
from clearway.clearance.service import record_transition
from clearway.declarations.vocabulary import State
from clearway.kit.database import transaction
from clearway.security.roles import Principal

HISTORY = Principal.of_system("test-history")


def record(
    engine: Engine,
    shipment_id: uuid.UUID,
    event: AnyEvent,
    *,
    principal: Principal = HISTORY,
    if_match: str | None = None,
    now: dt.datetime | None = None,
) -> State:
    with transaction(engine) as conn:
        return record_transition(conn, principal, shipment_id, event, if_match=if_match, now=now)
