"""The clearance workflow over the API on SQLite and PostgreSQL: holds of several kinds, agencies,
returns, pre-loading, offices, AEO exchange, and two releases at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from clearway.clearance import lifecycle, service
from clearway.clearance.tables import outbox
from clearway.config import Settings
from clearway.server import create_app
from tests.conftest import _database
from tests.sample import PROHIBITED_ITEM, recent


@pytest.fixture
def api(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=db_url, auth="off", control_rate=0))) as client:
        yield client


def _file(api: TestClient, record: dict[str, Any]) -> str:
    r = api.post("/v1/shipments", json=record)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _due_minor(api: TestClient, sid: str) -> int:
    """What is due at the border, in minor units (overpayments are refused)."""
    return int(Decimal(api.get(f"/v1/shipments/{sid}").json()["revenue"]["due_at_border"]) * 100)


def _holds(api: TestClient, sid: str) -> list[dict[str, Any]]:
    return list(api.get(f"/v1/shipments/{sid}/holds").json()["holds"])


def _open(api: TestClient, sid: str) -> list[tuple[str, str | None]]:
    return [(h["kind"], h["agency"]) for h in _holds(api, sid) if h["closed_at"] is None]


def _agency(api: TestClient, code: str, **subscription: Any) -> None:
    assert api.post("/v1/agencies", json={"code": code, "name": code.title()}).status_code == 201
    r = api.post(f"/v1/agencies/{code}/subscriptions", json=subscription)
    assert r.status_code == 201, r.text


def test_release_waits_for_inspection_agency_and_payment(api: TestClient) -> None:
    # Red lane (prohibited HS), duties due (EUR 14.74), and a health agency holding HS 61 from CN.
    _agency(
        api,
        "HEALTH",
        hs="61",
        origin="CN",
        hold_on_arrival=True,
        reason_code="SPS-TEXTILE",
        text="Textile dye check",
    )
    record = recent("W1")
    record["goods"][1] = PROHIBITED_ITEM
    sid = _file(api, record)
    assert api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"}).json()["state"] == "held"
    assert sorted(_open(api, sid), key=str) == sorted(
        [("agency", "HEALTH"), ("inspection", None), ("payment", None)], key=str
    )
    r = api.post(f"/v1/shipments/{sid}/results", json={"control": "physical", "result": "compliant"})
    assert r.json()["state"] == "held"
    due = _due_minor(api, sid)
    r = api.post(f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": due})
    assert r.json()["state"] == "held"  # the agency still holds it
    (agency_hold,) = [h for h in _holds(api, sid) if h["kind"] == "agency"]
    assert agency_hold["reason_code"] == "SPS-TEXTILE" and agency_hold["text"] == "Textile dye check"
    r = api.post(
        f"/v1/shipments/{sid}/holds/{agency_hold['id']}/lift", json={"reason": "dye certificate seen"}
    )
    assert r.status_code == 200 and r.json()["state"] == "released"
    events = api.get(f"/v1/shipments/{sid}").json()["events"]
    assert [e["type"] for e in events][-3:] == ["payment", "hold_lifted", "released"]
    assert events[-1]["wco_id"] == "277" and events[-2]["reason"] == "dye certificate seen"


def test_payment_hold_cannot_be_lifted_and_unknown_hold_is_409(api: TestClient) -> None:
    sid = _file(api, recent("W2"))
    api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"})
    (pay,) = _holds(api, sid)
    r = api.post(f"/v1/shipments/{sid}/holds/{pay['id']}/lift", json={"reason": "waived"})
    assert r.status_code == 409 and r.json()["state"] == "held"
    assert "closes on payment" in r.json()["detail"]
    assert api.post(f"/v1/shipments/{sid}/holds/999/lift", json={"reason": "x"}).status_code == 409
    r = api.post(f"/v1/shipments/{sid}/holds/{pay['id']}/lift", json={})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "/reason"


def test_request_for_information_before_arrival_then_document_check(api: TestClient) -> None:
    sid = _file(
        api,
        recent(
            "W3",
            fiscal={
                "collection_model": "vendor",
                "vendor_registration": "IM2760000001",
                "tax_collected_at_checkout": True,
            },
        ),
    )
    r = api.post(
        f"/v1/shipments/{sid}/holds",
        json={"kind": "documents", "reason_code": "RFI-INVOICE", "text": "Send the seller's invoice"},
    )
    assert r.json()["state"] == "assessed"
    assert api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"}).json()["state"] == "held"
    r = api.post(f"/v1/shipments/{sid}/results", json={"control": "documents", "result": "compliant"})
    assert r.json()["state"] == "released"


def test_results_recorded_as_labels_and_bad_results_name_the_field(api: TestClient) -> None:
    record = recent("W4")
    record["goods"][1] = PROHIBITED_ITEM
    sid = _file(api, record)
    api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"})
    r = api.post(
        f"/v1/shipments/{sid}/results", json={"result": "non_compliant", "finding": "undervaluation"}
    )
    assert r.status_code == 422 and "undervaluation_minor" in r.text
    r = api.post(
        f"/v1/shipments/{sid}/results",
        json={"result": "non_compliant", "finding": "misclassification", "correct_hs_code": "930690"},
    )
    assert r.json()["state"] == "seized"
    result = [e for e in api.get(f"/v1/shipments/{sid}").json()["events"] if e["type"] == "inspection_result"]
    assert result[0]["data"] == {
        "control": "physical",
        "result": "non_compliant",
        "finding": "misclassification",
        "correct_hs_code": "930690",
    }


def test_agency_sees_only_matching_shipments(api: TestClient) -> None:
    _agency(api, "VET", hs="0201-0210")
    _agency(api, "TEXTILE", hs="6109", origin="CN")
    sid = _file(api, recent("W5"))  # HS 610910 and 851830 from CN
    assert api.get("/v1/agencies/VET/shipments").json()["shipments"] == []
    (seen,) = api.get("/v1/agencies/TEXTILE/shipments").json()["shipments"]
    assert seen["id"] == sid
    assert api.get("/v1/agencies/NOPE/shipments").status_code == 404
    r = api.post("/v1/agencies/VET/subscriptions", json={"hs": "2x"})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "/hs"


def test_return_refunds_with_an_event(api: TestClient) -> None:
    sid = _file(api, recent("W6"))
    api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"})
    api.post(f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": 1474})
    r = api.post(f"/v1/shipments/{sid}/return", json={"reason": "buyer refused the parcel"})
    assert r.json()["state"] == "returned"
    events = api.get(f"/v1/shipments/{sid}").json()["events"]
    assert [(e["type"], e["data"].get("refund_minor")) for e in events[-2:]] == [
        ("returned", "1474"),
        ("refund", "1474"),
    ]
    assert api.post(f"/v1/shipments/{sid}/return", json={}).status_code == 409


def test_preloading_answers_and_notifies(api: TestClient, db_url: str) -> None:
    body = {
        "filer": "DHLEXPRESS",
        "house_waybill": "1234567890",
        "master_waybill": "176-12345675",
        "consignor": {
            "name": "Shenzhen Trading",
            "address": {"line": "1 Road", "city": "Shenzhen", "country": "CN"},
        },
        "consignee": {
            "name": "Erika Muster",
            "address": {"line": "2 Str", "city": "Leipzig", "country": "DE"},
        },
        "pieces": 1,
        "gross_mass_kg": 0.4,
        "description": "detonator",
    }
    r = api.post("/v1/preloading", json=body)
    assert r.status_code == 201 and r.json()["answer"] == "do_not_load"
    again = api.post("/v1/preloading", json=body)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert api.get(f"/v1/preloading/{r.json()['id']}").json()["answer"] == "do_not_load"
    bad = api.post("/v1/preloading", json={**body, "pieces": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/pieces"
    with api.app.state.engine.connect() as conn:  # type: ignore[attr-defined]
        topics = conn.execute(select(outbox.c.topic)).scalars().all()
    assert topics == ["preloading.do_not_load"]


def test_offices_master_data(api: TestClient) -> None:
    assert api.get("/v1/offices/DELEJ004").json()["roles"] == ["entry", "exit", "transit", "destination"]
    assert api.get("/v1/offices/DEBER999").status_code == 404
    r = api.put("/v1/offices/BEBRU", json={"name": "Brussels", "roles": ["declaration", "payment"]})
    assert r.status_code == 200 and r.json()["code"] == "BEBRU000"
    r = api.put("/v1/offices/BEBRU001", json={"name": "Brussels", "roles": ["import"]})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "/roles"


def test_aeo_import_export_round_trip_and_queue_priority(api: TestClient) -> None:
    csv_text = (
        "tin,holder,type,status,issuing_country,reference,valid_from,valid_to\n"
        "CN91440300MA5FXX001,Shenzhen Co,AEOS,active,CN,CN-AEO-77,2023-05-01,\n"
    )
    r = api.post("/v1/aeo", content=csv_text, headers={"Content-Type": "text/csv"})
    assert r.json() == {"imported": 1}
    assert api.get("/v1/aeo?format=csv").text == csv_text
    assert api.get("/v1/traders/CN91440300MA5FXX001").json()["aeo"][0]["recognised"] is False
    # Two held shipments: the one of the AEO seller goes first once China's AEOs are recognised.
    other = recent("Q1")
    other["parties"]["seller"]["tin"] = "CN91440300MA5FYY002"
    first = _file(api, other)
    aeo_sid = _file(api, recent("Q2"))
    for sid in (first, aeo_sid):
        api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"})
    assert [q["id"] for q in api.get("/v1/queue").json()["shipments"]] == [first, aeo_sid]
    api.post("/v1/aeo/partners", json={"country": "CN", "name": "GACC", "since": "2024-01-01"})
    queue = api.get("/v1/queue").json()["shipments"]
    assert [(q["id"], q["aeo"]) for q in queue] == [(aeo_sid, True), (first, False)]
    r = api.post("/v1/aeo", json={"format": "clearway-aeo/1", "authorisations": [{"tin": "DE136695977"}]})
    assert r.status_code == 422 and {e["column"] for e in r.json()["errors"]} >= {"tin", "holder", "type"}


@pytest.fixture(params=["postgres"])
def pg_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    """PostgreSQL only: SQLite serialises writers, so the concurrent case is PostgreSQL's."""
    with (
        _database(request, tmp_path) as url,
        TestClient(create_app(Settings(database_url=url, auth="off", control_rate=0))) as client,
    ):
        yield client


def test_two_releases_at_once_one_wins(pg_api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    api = pg_api
    sid = _file(api, recent("C1"))
    api.post(f"/v1/shipments/{sid}/events", json={"type": "arrival"})
    # Both requests read the same version before either writes: the barrier holds each one there.
    barrier = threading.Barrier(2, timeout=10)
    real = lifecycle.apply

    def apply_in_step(*args: Any) -> Any:
        barrier.wait()
        return real(*args)

    monkeypatch.setattr(service, "apply", apply_in_step)
    answers: list[tuple[int, dict[str, Any]]] = []

    def pay() -> None:
        r = api.post(f"/v1/shipments/{sid}/events", json={"type": "payment", "amount_minor": 1474})
        answers.append((r.status_code, r.json()))

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(code for code, _ in answers) == [200, 409]
    (lost,) = [body for code, body in answers if code == 409]
    assert lost["state"] == "released" and lost["title"] == "Stale version"
    detail = api.get(f"/v1/shipments/{sid}").json()
    assert detail["paid"] == "14.74"  # paid once
    assert [e["type"] for e in detail["events"]].count("released") == 1
    with api.app.state.engine.connect() as conn:  # type: ignore[attr-defined]
        assert (
            conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 3
        )  # arrival, payment, released


def test_office_of_entry_checked_against_master_data(api: TestClient) -> None:
    r = api.post("/v1/shipments", json=recent("O1", office_of_entry="DELEJ009"))  # LOCODE fine, no office
    assert r.status_code == 422
    assert [(e["code"], e["path"]) for e in r.json()["errors"]] == [
        ("office.not_in_master_data", "/office_of_entry")
    ]
    assert "DELEJ009 is not in the customs office master data" in r.json()["errors"][0]["message"]
    # Closing the office on record makes it invalid for later lodgements; the seeded one passes today.
    assert api.post("/v1/shipments", json=recent("O2", office_of_entry="DELEJ004")).status_code == 201
    api.put("/v1/offices/DELEJ004", json={"name": "Leipzig", "roles": ["entry"], "valid_to": "2025-12-31"})
    o3 = recent("O3", office_of_entry="DELEJ004")
    r = api.post("/v1/shipments", json=o3)
    assert r.status_code == 422 and f"not valid on {o3['lodged_at'][:10]}" in r.json()["errors"][0]["message"]


def test_recognised_aeo_seller_halves_the_risk_score(api: TestClient) -> None:
    def vague(lrn: str, seller_tin: str) -> dict[str, Any]:
        record = recent(lrn)
        record["goods"][0]["description"] = "gift"  # R-VAGUE: a score above zero
        record["parties"]["seller"]["tin"] = seller_tin
        return record

    doc = {"format": "clearway-aeo/1", "authorisations": [
        {"tin": "CN91440300MA5FXX001", "holder": "Shenzhen Co", "type": "AEOS", "status": "active",
         "issuing_country": "CN", "reference": "CN-AEO-77", "valid_from": "2023-05-01"}]}  # fmt: skip
    assert api.post("/v1/aeo", json=doc).json() == {"imported": 1}
    plain = api.post("/v1/shipments", json=vague("A1", "CN91440300MA5FYY002")).json()
    foreign = api.post("/v1/shipments", json=vague("A2", "CN91440300MA5FXX001")).json()
    assert plain["score"] > 0 and foreign["score"] == plain["score"]  # CN's AEOs not recognised yet
    api.post("/v1/aeo/partners", json={"country": "CN", "name": "GACC", "since": "2024-01-01"})
    recognised = api.post("/v1/shipments", json=vague("A3", "CN91440300MA5FXX001")).json()
    assert recognised["score"] == pytest.approx(plain["score"] * 0.5)
    assert recognised["lane"] == plain["lane"]
