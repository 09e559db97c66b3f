"""Payments are bounded, never exceed what is due, and are idempotent on their reference (issue
"Trustworthy", defect 7: after the payment hold closed more payments were accepted, 2**63 - 1 was
accepted and broke every later payment, 10**30 answered 500)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clearway.config import Settings
from clearway.declarations.tables import events, shipments
from clearway.kit.database import make_engine
from clearway.server import create_app
from tests.sample import recent


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, auth="off", control_rate=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def _held_for_payment(client: TestClient, lrn: str) -> tuple[str, int]:
    sid = client.post("/v1/shipments", json=recent(lrn)).json()["id"]
    arrived = client.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"}).json()
    assert arrived["state"] == "held"
    return sid, int(Decimal(arrived["revenue"]["due_at_border"]) * 100)


def _pay(client: TestClient, sid: str, amount: int, **headers: str) -> tuple[int, dict[str, object]]:
    answer = client.post(
        f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": amount}, headers=headers
    )
    return answer.status_code, answer.json()


def _paid(db_url: str, shipment_id: str) -> tuple[int, int]:
    engine = make_engine(db_url)
    sid = uuid.UUID(shipment_id)
    with engine.connect() as conn:
        paid = conn.execute(select(shipments.c.paid_minor).where(shipments.c.id == sid)).scalar_one()
        count = len(
            conn.execute(
                select(events.c.id).where(events.c.shipment_id == sid, events.c.type == "payment")
            ).all()
        )
    engine.dispose()
    return int(paid), count


def test_an_overpayment_is_refused_saying_what_is_due(client: TestClient) -> None:
    sid, due = _held_for_payment(client, "PAY1")
    status, body = _pay(client, sid, due + 1)
    assert status == 422 and body["due_minor"] == due
    assert body["errors"][0]["path"] == "/amount_minor"  # type: ignore[index]
    assert _pay(client, sid, due)[1]["state"] == "released"
    # Settled: nothing more is due, so any further payment is refused too (or not allowed once released).
    assert _pay(client, sid, 1)[0] in (409, 422)


def test_part_payments_up_to_the_due_amount(client: TestClient) -> None:
    sid, due = _held_for_payment(client, "PAY2")
    assert _pay(client, sid, due - 100)[1]["state"] == "held"
    status, body = _pay(client, sid, 101)
    assert status == 422 and body["due_minor"] == 100
    assert _pay(client, sid, 100)[1]["state"] == "released"


@pytest.mark.parametrize("amount", [2**63 - 1, 10**30, 0, -5])
def test_out_of_bounds_amounts_are_422_naming_the_field(client: TestClient, amount: int) -> None:
    sid, _ = _held_for_payment(client, f"PAYB{len(str(amount))}{'n' if amount <= 0 else ''}")
    status, body = _pay(client, sid, amount)
    assert status == 422
    assert body["errors"][0]["path"] == "/amount_minor"  # type: ignore[index]


def test_the_same_idempotency_key_records_one_payment(client: TestClient, db_url: str) -> None:
    sid, due = _held_for_payment(client, "PAYK")
    first = _pay(client, sid, due - 10, **{"Idempotency-Key": "bank-7781"})
    again = _pay(client, sid, due - 10, **{"Idempotency-Key": "bank-7781"})
    assert first[0] == again[0] == 200 and first[1]["state"] == again[1]["state"] == "held"
    assert _paid(db_url, sid) == (due - 10, 1)
    reference = client.post(
        f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": 10, "reference": "bank-7782"}
    )
    assert reference.json()["state"] == "released"
    again = client.post(
        f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": 10, "reference": "bank-7782"}
    )
    assert again.status_code == 200 and again.json()["state"] == "released"
    assert _paid(db_url, sid) == (due, 2)
