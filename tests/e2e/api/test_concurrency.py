"""Concurrent writers against a real server, on SQLite and PostgreSQL: exactly one effect, no 5xx.

Regression tests for issue "Trustworthy", defects 4 and 5: twenty concurrent POSTs of the same shipment
stored one row but answered up to 19 times 500 on PostgreSQL (the COPY path raised psycopg's
UniqueViolation, which the duplicate retry did not catch), and concurrent writers on SQLite got
immediate "database is locked" 500s (a transaction that reads and then writes cannot wait to upgrade
its lock)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from clearway.declarations.tables import shipments
from clearway.kit.database import make_engine
from tests.e2e.server import running_server
from tests.sample import recent


@pytest.fixture(scope="module")
def server(module_db_url: str) -> Iterator[tuple[str, str]]:
    with running_server(module_db_url) as url:
        yield url, module_db_url


def _post_all(url: str, bodies: list[object]) -> list[httpx.Response]:
    def post(body: object) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=60) as client:
            return client.post("/v1/shipments", json=body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def _stored(db_url: str, lrn: str) -> int:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(shipments).where(shipments.c.lrn == lrn))
        found = int(count.scalar_one())
    engine.dispose()
    return found


def test_the_same_shipment_twenty_times_at_once_is_stored_once(server: tuple[str, str]) -> None:
    url, db_url = server
    record = recent("RACE1")
    answers = _post_all(url, [record] * 20)
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {200, 201}, [a.text[:200] for a in answers if a.status_code >= 300]
    assert statuses[201] == 1
    assert len({a.json()["id"] for a in answers}) == 1
    assert _stored(db_url, "RACE1") == 1


def test_different_shipments_at_once_are_all_stored(server: tuple[str, str]) -> None:
    url, db_url = server
    answers = _post_all(url, [recent(f"PAR{k}") for k in range(16)])
    assert [a.status_code for a in answers] == [201] * 16, [a.text[:200] for a in answers]
    assert sum(_stored(db_url, f"PAR{k}") for k in range(16)) == 16


def _concurrently(url: str, calls: list[tuple[str, object]]) -> list[httpx.Response]:
    def post(call: tuple[str, object]) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=60) as client:
            return client.post(call[0], json=call[1])

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(post, calls))


def test_the_same_full_payment_ten_times_at_once_is_taken_once(server: tuple[str, str]) -> None:
    url, db_url = server
    with httpx.Client(base_url=url, timeout=60) as client:
        sid = client.post("/v1/shipments", json=recent("RACEPAY")).json()["id"]
        arrived = client.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"}).json()
    due = int(Decimal(arrived["revenue"]["due_at_border"]) * 100)
    payment = {"type": "payment", "amount_minor": due}
    answers = _concurrently(url, [(f"/v1/shipments/{sid}/events", payment)] * 10)
    statuses = Counter(a.status_code for a in answers)
    assert statuses[200] == 1 and set(statuses) <= {200, 409, 422}, statuses
    engine = make_engine(db_url)
    with engine.connect() as conn:
        paid = conn.execute(select(shipments.c.paid_minor).where(shipments.c.id == uuid.UUID(sid)))
        assert paid.scalar_one() == due
    engine.dispose()


def test_two_releases_at_once_release_once(server: tuple[str, str]) -> None:
    url, _ = server
    record = recent("RACEREL")
    record["goods"][0]["description"] = "gift"  # vague: a documentary check holds it
    with httpx.Client(base_url=url, timeout=60) as client:
        sid = client.post("/v1/shipments", json=record).json()["id"]
        client.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"})
        due = int(Decimal(client.get(f"/v1/shipments/{sid}").json()["revenue"]["due_at_border"]) * 100)
        client.post(f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": due})
    result = {"control": "documents", "result": "compliant"}
    answers = _concurrently(url, [(f"/v1/shipments/{sid}/results", result)] * 2)
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text[:200] for a in answers]
    with httpx.Client(base_url=url, timeout=60) as client:
        trail = client.get(f"/v1/shipments/{sid}").json()["events"]
    assert [e["type"] for e in trail].count("released") == 1
