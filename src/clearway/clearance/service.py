"""The one transition service: every lifecycle event of a shipment goes through `record_transition`.

The generic `/events` route, the specific clearance routes (holds, results, return, refusal), the officer
and agency pages, the CLI and the demo all call it inside the one transaction their entrypoint opened. It
owns, in one place:

- **who**: the stored `actor` is always the authenticated principal (`Principal.actor`); the CLI and the
  demo act as named system principals; a name the caller stated is kept in `stated_by`; what the service
  decides on its own (an automatic release, a refund, an agency's arrival hold) is recorded as the
  system's;
- **when**: the event time is the server's clock. A time stated by the caller is kept beside it in
  `stated_at`, and only where a role may state one (`STATED_TIME`): an officer back-recording, a filer's
  own scan time of an arrival; never in the future (beyond `FUTURE_TOLERANCE` of clock skew) nor before
  the lodgement. Only the service itself (system principals: the demo's simulation, back-loading) sets
  the event time;
- **may they**: which role records which event, and an agency only its own holds;
- **If-Match**: RFC 9110 entity tags (`"3"`, `3`, `*`); the update is conditional on the version read,
  so of two conflicting transitions exactly one succeeds and the other raises `StaleVersion`.

The events, holds, ledger postings and notifications (outbox) of a transition are written in the same
transaction: a change that rolls back leaves nothing to send.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import Connection

from clearway.clearance import agencies as agency_rules
from clearway.clearance import repository
from clearway.clearance.errors import (
    BadIfMatch,
    NotPermitted,
    ShipmentNotFound,
    StaleVersion,
    StatedTimeRefused,
)
from clearway.clearance.lifecycle import (
    AnyEvent,
    Arrival,
    Current,
    LiftHold,
    Outcome,
    Payment,
    PlaceHold,
    apply,
)
from clearway.clearance.outbox import shipment_messages, write_outbox
from clearway.clearance.queue import hold_view
from clearway.declarations.repository import SYSTEM_ACTOR, event_row, insert_events
from clearway.declarations.vocabulary import State
from clearway.revenue.accounts import on_account_at
from clearway.revenue.collection import post_transition
from clearway.security.roles import Principal, Role
from clearway.security.visibility import can_see

__all__ = [
    "FUTURE_TOLERANCE",
    "STATED_TIME",
    "BadIfMatch",
    "NotPermitted",
    "ShipmentNotFound",
    "StaleVersion",
    "holds_after_transition",
    "holds_view",
    "parse_if_match",
    "record_transition",
]

# Which events each role records. Filers report what they see happen to their parcels (arrival scan,
# payment, return request); agencies place and lift their own holds; controls and outcomes are officers'.
EVENTS_BY_ROLE: dict[Role, frozenset[str] | None] = {
    Role.FILER: frozenset({"arrival", "payment", "return"}),
    Role.AGENCY: frozenset({"hold", "lift_hold"}),
    Role.OFFICER: None,  # every event
    Role.ADMIN: None,
    Role.ANALYST: frozenset(),
}
# Roles that may state when something happened, and for which events (None: any): an officer recording
# a control done earlier, a filer its own scan time of an arrival. The time is kept as `stated_at`.
STATED_TIME: dict[Role, frozenset[str] | None] = {
    Role.OFFICER: None,
    Role.ADMIN: None,
    Role.FILER: frozenset({"arrival"}),
}
# Clock skew accepted for a stated time in the future.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
# Events the service emits on its own after the caller's event.
_AUTOMATIC = frozenset({"released", "refund"})

_ENTITY_TAG = re.compile(r'^\s*(?:"(?P<quoted>[0-9]{1,18})"|(?P<bare>[0-9]{1,18}))\s*$')


def parse_if_match(value: str | None) -> int | None:
    """The version an `If-Match` header asks for: an RFC 9110 strong entity tag (`"3"`), the bare number
    some clients send (`3`), or none for an absent header or `*` (any current version). A weak tag
    (`W/"3"`) never matches under If-Match's strong comparison, so it is refused as malformed here."""
    if value is None or value.strip() == "*":
        return None
    found = _ENTITY_TAG.match(value)
    if found is None:
        raise BadIfMatch(value)
    return int(found["quoted"] or found["bare"])


def _check_role(principal: Principal, event: AnyEvent) -> None:
    if principal.system:
        return
    allowed = EVENTS_BY_ROLE.get(principal.role, frozenset())
    if allowed is not None and event.type not in allowed:
        names = ", ".join(sorted(allowed)) or "no event"
        whose = "an officer's decision" if principal.role is Role.FILER else "not one of them"
        raise NotPermitted(f"a {principal.role} may record {names}; '{event.type}' is {whose}")


def _check_agency(principal: Principal, event: AnyEvent, current: Current) -> None:
    """An agency key acts for its agency: it places and lifts only its own agency holds."""
    if principal.role is not Role.AGENCY or principal.system:
        return
    agency = principal.party
    if isinstance(event, PlaceHold):
        if event.kind != "agency" or event.agency != agency:
            raise NotPermitted(f"agency {agency} may only place its own agency holds")
    elif isinstance(event, LiftHold):
        hold = next((h for h in current.holds if h.id == event.hold_id), None)
        if hold is not None and hold.agency != agency:
            raise NotPermitted(f"hold {event.hold_id} is not a hold of agency {agency}")


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _event_time(
    principal: Principal, event: AnyEvent, lodged_at: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None]:
    """(the event time, the time the caller stated or None)."""
    if "at" not in event.model_fields_set or event.at is None:
        return now, None
    stated = _as_utc(event.at)
    if principal.system:  # the service's own history (simulation, back-loading): its time is the time
        return stated, None
    events = STATED_TIME.get(principal.role, frozenset())
    if events is not None and event.type not in events:
        raise StatedTimeRefused(
            f"a {principal.role} may not state the time of '{event.type}'; the server's clock records it"
        )
    if stated > now + FUTURE_TOLERANCE:
        raise StatedTimeRefused(f"at {stated.isoformat()} is in the future (server time {now.isoformat()})")
    if stated < _as_utc(lodged_at):
        raise StatedTimeRefused(
            f"at {stated.isoformat()} is before the lodgement ({_as_utc(lodged_at).isoformat()})"
        )
    return now, stated


def _stated_by(principal: Principal, event: AnyEvent) -> str | None:
    """A name the caller gave (`actor` in the body): kept as what they stated, never as who acted."""
    if "actor" not in event.model_fields_set or event.actor == principal.actor:
        return None
    return event.actor


def record_transition(
    conn: Connection,
    principal: Principal,
    shipment_id: uuid.UUID,
    event: AnyEvent,
    *,
    if_match: str | None = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> State:
    """Record one event as `principal` on the caller's connection (the entrypoint's transaction).

    A payment carries a reference (its own, or the request's `Idempotency-Key`): the same reference
    again records nothing and answers the shipment as it is."""
    now = now or dt.datetime.now(dt.UTC)
    expected = parse_if_match(if_match)
    row = repository.shipment_for_transition(conn, shipment_id)
    if row is None or not can_see(conn, principal, shipment_id):
        raise ShipmentNotFound(shipment_id)
    _check_role(principal, event)
    if isinstance(event, Payment) and (key := event.reference or idempotency_key):
        if key in repository.payment_references(conn, shipment_id):
            return State(row.state)
        event = event.model_copy(update={"reference": key[:140]})
    if expected is not None and expected != row.version:
        raise StaleVersion(shipment_id, row.state, row.version)
    at, stated_at = _event_time(principal, event, row.lodged_at, now)
    stated_by = _stated_by(principal, event)

    prior = _arrival_holds(conn, shipment_id, event, row.state, at)
    open_now = repository.open_holds(conn, shipment_id)
    current = Current(
        state=State(row.state),
        lane=row.lane,
        due_minor=row.due_at_border_minor,
        paid_minor=row.paid_minor,
        on_account=row.collection_model == "intermediary"
        and on_account_at(conn, shipment_id, at, secure=isinstance(event, Arrival)),
        open_holds=frozenset(h.kind for h in open_now),
        holds=open_now,
    )
    _check_agency(principal, event, current)
    outcome = apply(current, event)
    _write(conn, shipment_id, row, outcome, now=now, at=at)
    rows = prior + [
        # What the service decides on its own after the caller's event is the system's.
        event_row(shipment_id, type_, wco_id, at, SYSTEM_ACTOR, state.value, outcome.data)
        if type_ in _AUTOMATIC and type_ != event.type
        else event_row(
            shipment_id, type_, wco_id, at, principal.actor, state.value, outcome.data,
            reason=event.reason, stated_at=stated_at, stated_by=stated_by,
        )
        for type_, wco_id, state in outcome.events
    ]  # fmt: skip
    insert_events(conn, rows)
    write_outbox(conn, shipment_messages(shipment_id, row.filer, row.lrn, row.house_waybill, rows), now)
    if outcome.refund_minor or event.type == "return":  # on account: nothing paid, charge reversed
        post_transition(conn, shipment_id, "return", outcome.refund_minor, at)
    if isinstance(event, Payment):
        post_transition(conn, shipment_id, "payment", event.amount_minor, at)
    return outcome.state


def _arrival_holds(
    conn: Connection, shipment_id: uuid.UUID, event: AnyEvent, state: str, at: dt.datetime
) -> list[dict[str, Any]]:
    """Agencies that asked to see the goods hold them from arrival: release waits for them."""
    if not isinstance(event, Arrival) or state != State.ASSESSED:
        return []
    present = {h.agency for h in repository.open_holds(conn, shipment_id)}
    asked = [h for h in agency_rules.arrival_holds(conn, shipment_id) if h.agency not in present]
    repository.open_new_holds(conn, shipment_id, asked, at)
    return [
        event_row(shipment_id, "hold", None, at, SYSTEM_ACTOR, State.ASSESSED.value,
                  {"kind": "agency", "reason_code": h.reason_code, "agency": h.agency or ""}, reason=h.text)
        for h in asked
    ]  # fmt: skip


def _write(
    conn: Connection, shipment_id: uuid.UUID, row: Any, outcome: Outcome, *, now: dt.datetime, at: dt.datetime
) -> None:
    advanced = repository.advance(
        conn,
        shipment_id,
        row.version,
        state=outcome.state.value,
        paid_minor=row.paid_minor + outcome.paid_minor,
        now=now,
        milestones=[t for t, _, _ in outcome.events if t in repository.MILESTONES],
        at=at,
    )
    if not advanced:
        fresh = repository.state_and_version(conn, shipment_id)
        assert fresh is not None  # shipments are never deleted
        raise StaleVersion(shipment_id, fresh.state, fresh.version)
    repository.close_holds(conn, shipment_id, outcome.close, outcome.close_ids, at)
    repository.open_new_holds(conn, shipment_id, outcome.open, at)


def holds_view(conn: Connection, principal: Principal, shipment_id: uuid.UUID) -> dict[str, Any]:
    """State, version and holds (open and closed, with ids): what a clearance route answers."""
    if not can_see(conn, principal, shipment_id):
        raise ShipmentNotFound(shipment_id)
    return holds_after_transition(conn, shipment_id)


def holds_after_transition(conn: Connection, shipment_id: uuid.UUID) -> dict[str, Any]:
    """The same view, in the transaction of a `record_transition` that has just checked visibility."""
    found = repository.state_and_version(conn, shipment_id)
    if found is None:
        raise ShipmentNotFound(shipment_id)
    return {
        "id": str(shipment_id),
        "state": found.state,
        "version": found.version,
        "holds": [hold_view(h) for h in repository.all_holds(conn, shipment_id)],
    }
