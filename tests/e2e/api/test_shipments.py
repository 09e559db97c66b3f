"""The HTTP API over real HTTP: submission, idempotency, problem details, events, OpenAPI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.server import running_server
from tests.sample import shipment

PROBLEM = "application/problem+json"


def now_record(lrn: str, **changes: Any) -> dict[str, Any]:
    """A record lodged an hour ago (plausible whenever the test runs), to a consignee of its own so that
    records of different tests never add up to a split consignment."""
    lodged = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    record = shipment(
        lrn,
        lodged_at=lodged.isoformat(),
        expected_arrival=(lodged + dt.timedelta(days=1)).isoformat(),
        **changes,
    )
    record["parties"]["consignee"]["name"] = f"Consignee {lrn}"
    return record


@pytest.fixture(scope="module")
def api(module_db_url: str) -> Iterator[httpx.Client]:
    with running_server(module_db_url) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def test_submit_one_then_again_is_idempotent(api: httpx.Client) -> None:
    record = now_record("H1")
    first = api.post("/v1/shipments", json=record)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "accepted" and body["lane"] == "green" and body["state"] == "assessed"
    assert body["revenue"]["due_at_border"] == "14.74"
    again = api.post("/v1/shipments", json=record)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert again.json()["id"] == body["id"]
    detail = api.get(f"/v1/shipments/{body['id']}").json()
    assert detail["lrn"] == "H1" and [e["type"] for e in detail["events"]] == ["filed", "assessed"]


def test_changed_data_under_same_lrn_is_409(api: httpx.Client) -> None:
    record = now_record("H2")
    assert api.post("/v1/shipments", json=record).status_code == 201
    conflict = api.post("/v1/shipments", json={**record, "house_waybill": "X9"})
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == PROBLEM
    assert conflict.json()["errors"][0]["code"] == "lrn.conflict"


def test_malformed_json_is_400_problem(api: httpx.Client) -> None:
    response = api.post("/v1/shipments", content=b'{"filer": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["title"] == "Malformed JSON"


def test_schema_errors_are_422_listing_every_field(api: httpx.Client) -> None:
    record = now_record("H3")
    del record["house_waybill"]
    record["goods"][0]["value"] = "lots"
    record["currency"] = "EURO"
    response = api.post("/v1/shipments", json=record)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    paths = {e["path"] for e in response.json()["errors"]}
    assert paths == {"/house_waybill", "/goods/0/value", "/currency"}


def test_unknown_codes_name_the_field_and_code_list(api: httpx.Client) -> None:
    record = now_record("H4", goods_location="DEQQQ")
    record["goods"][1]["hs_code"] = "851799"  # not an HS 2022 subheading
    response = api.post("/v1/shipments", json=record)
    assert response.status_code == 422
    errors = {e["path"]: e for e in response.json()["errors"]}
    assert errors["/goods_location"]["code"] == "locode.unknown"
    assert "UN/LOCODE" in errors["/goods_location"]["message"]
    assert errors["/goods/1/hs_code"]["code"] == "hs.unknown"
    assert "HS 2022" in errors["/goods/1/hs_code"]["message"]


def test_batch_accepts_valid_and_reports_invalid_item_by_item(api: httpx.Client) -> None:
    bad = now_record("B2", destination_country="US")
    batch = {"shipments": [now_record("B1"), bad, now_record("B3")]}
    response = api.post("/v1/shipments", json=batch)
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "accepted"]
    assert body["results"][1]["errors"][0]["code"] == "destination.unsupported"
    resent = api.post("/v1/shipments", json=batch).json()
    assert (resent["accepted"], resent["duplicate"], resent["rejected"]) == (0, 2, 1)


def test_events_move_the_shipment_and_bad_transitions_are_409(api: httpx.Client) -> None:
    sid = api.post("/v1/shipments", json=now_record("V1")).json()["id"]
    held = api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival", "actor": "handler"})
    assert held.status_code == 200 and held.json()["state"] == "held"
    again = api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"})
    assert again.status_code == 409 and again.json()["state"] == "held"
    bad = api.post(f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": -5})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/amount_minor"
    paid = api.post(f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": 1474})
    assert paid.json()["state"] == "released", paid.json()
    stale = api.post(f"/v1/shipments/{sid}/events", json={"type": "return"}, headers={"If-Match": "1"})
    assert stale.status_code == 409 and stale.json()["title"] == "Stale version"


def test_unknown_shipment_is_404_problem(api: httpx.Client) -> None:
    response = api.get("/v1/shipments/0192e7a0-0000-7000-8000-000000000000")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert api.get("/v1/shipments/not-a-uuid").status_code == 404


def test_openapi_describes_the_submission_schema(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"Shipment", "ShipmentBatch", "GoodsItem", "Party"} <= set(schemas)
    body = spec["paths"]["/v1/shipments"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/Shipment"} in body["oneOf"]


def test_batch_over_the_limit_is_413_problem(api: httpx.Client) -> None:
    response = api.post("/v1/shipments", json={"shipments": [{}] * 10_001})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert "10000" in response.json()["detail"].replace(",", "")


def test_empty_batch_and_non_list_batch_are_422(api: httpx.Client) -> None:
    assert api.post("/v1/shipments", json=[]).status_code == 422
    response = api.post("/v1/shipments", json={"shipments": "all of them"})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
