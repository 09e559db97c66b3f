"""The trail is append-only and tamper-evident (issue "Trustworthy", defect 12): no UPDATE or DELETE of
events or audit rows succeeds, and every event is chained to the previous one of its shipment, so that
`clearway audit verify` names the first altered event."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError

from clearway.clearance.lifecycle import Arrival, Payment
from clearway.config import Settings
from clearway.declarations.repository import verify_trail
from clearway.declarations.tables import events
from clearway.intake.pipeline import Submission, process_batch
from clearway.security import audit
from clearway.security.roles import ANONYMOUS_ADMIN
from clearway.security.tables import audit_log
from tests.sample import RECEIVED_AT, shipment
from tests.transitions import record


def _history(engine: Engine) -> None:
    results = process_batch(
        engine, [Submission(shipment(f"TR{k}")) for k in range(3)], Settings(control_rate=0), RECEIVED_AT
    )
    sid = results[0].shipment_id
    assert sid is not None
    record(engine, sid, Arrival(type="arrival", at=RECEIVED_AT))
    record(engine, sid, Payment(type="payment", amount_minor=1474, at=RECEIVED_AT))
    with engine.begin() as conn:
        audit.append(conn, ANONYMOUS_ADMIN, [audit.Entry("api.change", None, {"route": "/x"})])


def test_events_and_audit_rows_cannot_be_changed_or_removed(engine: Engine) -> None:
    _history(engine)
    for statement in (
        update(events).values(actor="someone else"),
        delete(events),
        update(audit_log).values(action="nothing"),
        delete(audit_log),
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)


def test_the_chain_holds_and_names_the_first_altered_event(engine: Engine, db_url: str) -> None:
    _history(engine)
    with engine.connect() as conn:
        checked, broken = verify_trail(conn)
    assert broken is None and checked == 3 * 2 + 3  # filed and assessed each, then arrival, payment, release
    cli = [sys.executable, "-m", "clearway.cli", "audit", "verify", "--db", db_url]
    intact = subprocess.run(cli, capture_output=True, text=True, check=False)
    assert intact.returncode == 0 and "trail intact: 9 events checked" in intact.stdout
    # Behind the database's back (triggers off, as someone with file or superuser access could).
    with engine.begin() as conn:
        target = conn.execute(select(events.c.id).where(events.c.type == "arrival")).scalar_one()
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_append_only"))
        else:
            conn.execute(text("DROP TRIGGER events_no_update"))
        conn.execute(update(events).where(events.c.id == target).values(actor="officer 0042"))
    with engine.connect() as conn:
        _, broken = verify_trail(conn)
    assert broken is not None and broken.startswith(f"event {target} ")
    refused = subprocess.run(cli, capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and f"event {target} " in refused.stdout
