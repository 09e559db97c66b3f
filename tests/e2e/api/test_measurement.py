"""/v1/trs and /v1/statistics over real HTTP, including their problem responses."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.api.test_shipments import PROBLEM, now_record
from tests.e2e.server import running_server


@pytest.fixture(scope="module")
def api(module_db_url: str) -> Iterator[httpx.Client]:
    with running_server(module_db_url) as base, httpx.Client(base_url=base, timeout=60) as client:
        for k, office in enumerate(["DELEJ004", "DELEJ004", "DEFRA004"]):
            sid = client.post("/v1/shipments", json=now_record(f"MA{k}", office_of_entry=office)).json()["id"]
            client.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"})
        yield client


def test_trs_and_stored_runs(api: httpx.Client) -> None:
    trs = api.get("/v1/trs", params={"by": "office"}).json()
    assert trs["shipments"] == 3 and trs["arrived"] == 3
    assert {r["office"] for r in trs["intervals"]} == {"DELEJ004", "DEFRA004"}
    first = api.post("/v1/trs/runs", params={"name": "all"})
    second = api.post("/v1/trs/runs", params={"name": "Leipzig", "office": "DELEJ004"})
    assert first.status_code == second.status_code == 201
    ids = f"{first.json()['id']},{second.json()['id']}"
    comparison = api.get("/v1/trs/runs", params={"ids": ids}).json()["comparison"]
    assert [(c["name"], c["shipments"]) for c in comparison] == [("all", 3), ("Leipzig", 2)]
    assert api.get("/v1/trs/runs", params={"ids": "999"}).status_code == 404


def test_statistics_routes(api: httpx.Client) -> None:
    channel = api.get("/v1/statistics/channel").json()
    assert channel["rows"][0]["shipments"] == 3
    assert api.get("/v1/statistics/quality").json()["rows"][0]["accepted"] == 3
    bench = api.get("/v1/statistics/revenue-benchmark", params={"period": "day"}).json()
    assert {r["tax_type"] for r in bench["rows"]} == {"flat_duty", "vat"}


def test_bad_input_is_a_problem_not_a_silent_zero(api: httpx.Client) -> None:
    unknown = api.get("/v1/statistics/colour")
    assert unknown.status_code == 400 and unknown.headers["content-type"] == PROBLEM
    assert "choose one of" in unknown.json()["detail"]
    empty = api.get("/v1/trs", params={"from": "2020-01-01", "to": "2020-01-31"})
    assert empty.status_code == 404 and "no shipments lodged 2020-01-01" in empty.json()["detail"]
    office = api.get("/v1/trs", params={"office": "NLAMS004"})
    assert office.status_code == 404 and "DEFRA004" in office.json()["detail"]
    backwards = api.get("/v1/trs", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 400
    assert api.get("/v1/trs", params={"by": "colour"}).status_code == 400
    assert api.get("/v1/trs", params={"from": "yesterday"}).status_code == 422
