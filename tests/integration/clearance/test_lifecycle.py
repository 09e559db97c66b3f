"""Lifecycle events against real databases: release, holds, inspection results, payment, concurrency."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select

from clearway.clearance.errors import ShipmentNotFound, StaleVersion, TransitionRefused
from clearway.clearance.lifecycle import Arrival, InspectionResult, Payment, Return
from clearway.declarations import tables
from clearway.declarations.repository import shipment_detail
from clearway.declarations.vocabulary import State
from tests.integration.intake.test_pipeline import run
from tests.sample import PROHIBITED_ITEM, shipment
from tests.transitions import record as record_event

ARRIVAL = Arrival(type="arrival", actor="handler")


def _file(engine: Engine, record: dict[str, Any]) -> uuid.UUID:
    (result,) = run(engine, record)
    assert result.status == "accepted" and result.shipment_id
    return result.shipment_id


def _detail(engine: Engine, shipment_id: uuid.UUID) -> dict[str, Any]:
    with engine.connect() as conn:
        detail = shipment_detail(conn, shipment_id)
    assert detail is not None
    return detail


def _ioss(lrn: str) -> dict[str, Any]:
    return shipment(
        lrn,
        fiscal={
            "collection_model": "vendor",
            "vendor_registration": "IM2760000001",
            "tax_collected_at_checkout": True,
        },
    )


def test_green_with_nothing_owed_is_released_on_arrival(engine: Engine) -> None:
    sid = _file(engine, _ioss("L1"))
    assert _detail(engine, sid)["revenue"]["due_at_border"] == "0.00"
    at = dt.datetime(2026, 11, 28, 7, 30, tzinfo=dt.UTC)
    assert record_event(engine, sid, Arrival(type="arrival", at=at)) is State.RELEASED
    s = tables.shipments
    with engine.connect() as conn:
        arrived, released, inspected = conn.execute(
            select(s.c.arrived_at, s.c.released_at, s.c.inspected_at).where(s.c.id == sid)
        ).one()
    # milestones for release-time studies, kept on the shipment row
    assert (arrived.replace(tzinfo=dt.UTC), released.replace(tzinfo=dt.UTC), inspected) == (at, at, None)
    events = _detail(engine, sid)["events"]
    assert [(e["type"], e["wco_id"]) for e in events] == [
        ("filed", "D011"),
        ("assessed", "023"),
        ("arrival", "172"),
        ("released", "277"),
    ]


def test_owed_duties_hold_until_paid(engine: Engine) -> None:
    sid = _file(engine, shipment("L2"))
    assert record_event(engine, sid, ARRIVAL) is State.HELD
    detail = _detail(engine, sid)
    assert [(h["kind"], h["closed_at"]) for h in detail["holds"]] == [("payment", None)]
    assert record_event(engine, sid, Payment(type="payment", amount_minor=1000)) is State.HELD
    assert record_event(engine, sid, Payment(type="payment", amount_minor=474)) is State.RELEASED
    detail = _detail(engine, sid)
    assert detail["paid"] == "14.74" and detail["holds"][0]["closed_at"] is not None


def test_intermediary_account_releases_without_payment(engine: Engine) -> None:
    from clearway.revenue.accounts import open_accounts, parse_account

    account = {"id": "ACC-1", "party_id": "P", "name": "C", "kind": "post", "currency": "EUR", "limit": "100"}
    with engine.begin() as conn:  # on account only with an account that has room (issue 4)
        open_accounts(conn, [parse_account(account)])
    sid = _file(
        engine,
        shipment("L3", fiscal={"collection_model": "intermediary", "deferred_payment_account": "ACC-1"}),
    )
    assert record_event(engine, sid, ARRIVAL) is State.RELEASED


def test_red_lane_waits_for_inspection_and_non_compliance_seizes(engine: Engine) -> None:
    record = _ioss("L4")
    record["goods"][0]["description"] = "gift"  # vague: yellow
    record["goods"][1] = dict(PROHIBITED_ITEM)
    sid = _file(engine, record)
    detail = _detail(engine, sid)
    assert detail["lane"] == "red"
    assert {r["rule"] for r in detail["reasons"]} == {"R-VAGUE", "R-PROHIBITED"}
    assert record_event(engine, sid, ARRIVAL) is State.HELD
    # The strictest lane decides the control: a physical inspection also covers the documents.
    assert [h["kind"] for h in _detail(engine, sid)["holds"]] == ["inspection"]
    result = InspectionResult(type="inspection_result", result="non_compliant", finding="prohibited")
    assert record_event(engine, sid, result) is State.SEIZED
    assert all(h["closed_at"] for h in _detail(engine, sid)["holds"])
    with pytest.raises(TransitionRefused):
        record_event(engine, sid, Return(type="return"))


def test_compliant_inspection_releases_and_return_follows(engine: Engine) -> None:
    record = _ioss("L5")
    record["goods"][0]["description"] = "parts"
    sid = _file(engine, record)
    assert record_event(engine, sid, ARRIVAL) is State.HELD
    ok = InspectionResult(
        type="inspection_result",
        control="documents",
        result="compliant",
        at=dt.datetime(2026, 11, 28, 9, tzinfo=dt.UTC),
    )
    assert record_event(engine, sid, ok) is State.RELEASED
    assert record_event(engine, sid, Return(type="return")) is State.RETURNED
    assert _detail(engine, sid)["state"] == "returned"


def test_refused_and_unknown(engine: Engine) -> None:
    sid = _file(engine, shipment("L6"))
    with pytest.raises(TransitionRefused) as refused:
        record_event(engine, sid, InspectionResult(type="inspection_result", result="compliant"))
    assert refused.value.current is State.ASSESSED
    with pytest.raises(ShipmentNotFound):
        record_event(engine, uuid.uuid4(), ARRIVAL)


def test_stale_version_loses(engine: Engine) -> None:
    sid = _file(engine, shipment("L7"))
    version = _detail(engine, sid)["version"]
    record_event(engine, sid, ARRIVAL, if_match=str(version))
    with pytest.raises(StaleVersion) as stale:
        record_event(engine, sid, Payment(type="payment", amount_minor=1474), if_match=str(version))
    assert stale.value.state == "held" and stale.value.version == version + 1
