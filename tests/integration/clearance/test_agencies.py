"""An agency sees and holds exactly the shipments its subscriptions match (issue "Trustworthy", defect 1).

The subscription query once listed `shipments` in its own FROM: as soon as any stored shipment matched,
the agency's key listed, read and could hold every shipment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from clearway.config import Settings
from clearway.kit.database import make_engine
from clearway.security import keys
from clearway.server import create_app
from tests.sample import recent

AGENCY = "VET-DE"
POULTRY = "020714"  # frozen cuts of fowl: what a veterinary agency subscribes to (HS 0207)


@dataclass
class World:
    client: TestClient
    keys: dict[str, str]
    matching: list[str]
    other: list[str]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        made = {name: keys.create_key(conn, name) for name in ("admin", "officer")}
        made["agency"] = keys.create_key(conn, "agency", AGENCY)
        made["filer"] = keys.create_key(conn, "filer", "DHLEXPRESS")
    engine.dispose()
    settings = Settings(database_url=db_url, auth="required", control_rate=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        w = World(client, {n: k.key for n, k in made.items()}, [], [])
        admin = w.as_("admin")
        assert (
            client.post(
                "/v1/agencies", json={"code": AGENCY, "name": "Veterinary"}, headers=admin
            ).status_code
            == 201
        )
        sub = {"hs": "0207", "origin": "CN"}
        assert client.post(f"/v1/agencies/{AGENCY}/subscriptions", json=sub, headers=admin).status_code == 201
        for k in range(8):
            record = recent(f"AG{k}")
            if k < 3:
                record["goods"][0] |= {"hs_code": POULTRY, "description": "Frozen chicken wings"}
            answer = client.post("/v1/shipments", json=record, headers=w.as_("filer"))
            assert answer.status_code == 201, answer.text
            (w.matching if k < 3 else w.other).append(answer.json()["id"])
        yield w


def test_agency_lists_exactly_the_shipments_its_subscriptions_match(world: World) -> None:
    listed = world.client.get(f"/v1/agencies/{AGENCY}/shipments", headers=world.as_("agency"))
    assert listed.status_code == 200
    assert sorted(s["id"] for s in listed.json()["shipments"]) == sorted(world.matching)


def test_agency_reads_only_matching_shipments(world: World) -> None:
    for sid in world.matching:
        assert world.client.get(f"/v1/shipments/{sid}", headers=world.as_("agency")).status_code == 200
    for sid in world.other:
        assert world.client.get(f"/v1/shipments/{sid}", headers=world.as_("agency")).status_code == 404


def test_agency_holds_only_matching_shipments(world: World) -> None:
    hold = {"reason_code": "VET-CHECK", "text": "Veterinary certificate needed"}
    placed = world.client.post(
        f"/v1/shipments/{world.matching[0]}/holds", json=hold, headers=world.as_("agency")
    )
    assert placed.status_code == 200, placed.text
    assert [h["agency"] for h in placed.json()["holds"]] == [AGENCY]
    refused = world.client.post(
        f"/v1/shipments/{world.other[0]}/holds", json=hold, headers=world.as_("agency")
    )
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    # The officer sees every shipment; nothing was held on the one the agency may not see.
    holds = world.client.get(f"/v1/shipments/{world.other[0]}/holds", headers=world.as_("officer"))
    assert holds.json()["holds"] == []


def test_dashboard_agency_page_lists_only_matching(world: World) -> None:
    page = world.client.get(f"/agency/{AGENCY}", headers=world.as_("agency"))
    assert page.status_code == 200
    for sid in world.matching:
        assert sid in page.text
    for sid in world.other:
        assert sid not in page.text
