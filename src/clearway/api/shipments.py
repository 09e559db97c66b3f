"""/v1/shipments: submit advance data (one or a batch), read a shipment, record lifecycle events."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from clearway.api.problems import Problem, invalid
from clearway.clearance.lifecycle import ShipmentEvent, TransitionRefused
from clearway.clearance.service import ShipmentNotFound, StaleVersion, record_event
from clearway.declarations.findings import from_pydantic
from clearway.pipeline import Submission, process_batch
from clearway.storage.repository import shipment_detail

router = APIRouter(prefix="/v1/shipments", tags=["shipments"])
MAX_BATCH = 10_000
_events = TypeAdapter(ShipmentEvent)

_SUBMIT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Shipment"},
                        {"$ref": "#/components/schemas/ShipmentBatch"},
                    ]
                }
            }
        },
    }
}


def _json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Problem(400, "Malformed JSON", f"the body is not valid JSON: {exc}") from exc


def _records(body: Any) -> tuple[list[Any], bool]:
    """The submitted records and whether the body was a batch ({"shipments": [...]} or a JSON array)."""
    if isinstance(body, list):
        return body, True
    if isinstance(body, dict) and set(body) == {"shipments"}:
        if not isinstance(body["shipments"], list):
            raise invalid([], "'shipments' must be an array of shipments")
        return body["shipments"], True
    return [body], False


@router.post("", openapi_extra=_SUBMIT_BODY, status_code=200, summary="Submit one shipment or a batch")
async def submit(request: Request) -> JSONResponse:
    body = _json_body(await request.body())
    records, is_batch = _records(body)
    if not records:
        raise invalid([], "the batch is empty")
    if len(records) > MAX_BATCH:
        raise Problem(413, "Batch too large", f"{len(records)} shipments; at most {MAX_BATCH} per request")
    engine, settings = request.app.state.engine, request.app.state.settings
    results = await run_in_threadpool(process_batch, engine, [Submission(r) for r in records], settings)
    if not is_batch:
        result = results[0]
        if result.status == "rejected":
            raise invalid(
                result.errors,
                "the shipment has invalid fields",
                warnings=[w.as_dict() for w in result.warnings],
            )
        if result.status == "conflict":
            raise Problem(
                409,
                "Conflict",
                result.errors[0].message,
                "https://clearway.dev/problems/lrn-conflict",
                shipment_id=str(result.shipment_id),
                errors=[e.as_dict() for e in result.errors],
            )
        return JSONResponse(result.as_dict(), status_code=201 if result.status == "accepted" else 200)
    counts = {
        s: sum(1 for r in results if r.status == s) for s in ("accepted", "duplicate", "conflict", "rejected")
    }
    return JSONResponse({**counts, "results": [r.as_dict() for r in results]})


def _uuid(shipment_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(shipment_id)
    except ValueError as exc:
        raise Problem(404, "Not found", f"no shipment {shipment_id}") from exc


@router.get("/{shipment_id}", summary="State, lane with reasons, duties, holds and events")
def get_shipment(shipment_id: str, request: Request) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        detail = shipment_detail(conn, _uuid(shipment_id))
    if detail is None:
        raise Problem(404, "Not found", f"no shipment {shipment_id}")
    return detail


@router.post("/{shipment_id}/events", summary="Arrival, inspection result, payment or return")
async def post_event(shipment_id: str, request: Request) -> dict[str, Any]:
    body = _json_body(await request.body())
    try:
        event = _events.validate_python(body)
    except ValidationError as exc:
        raise invalid(from_pydantic(exc)) from exc
    engine = request.app.state.engine
    sid = _uuid(shipment_id)
    expected = request.headers.get("if-match")
    try:
        await run_in_threadpool(record_event, engine, sid, event, None, int(expected) if expected else None)
    except ShipmentNotFound as exc:
        raise Problem(404, "Not found", f"no shipment {shipment_id}") from exc
    except TransitionRefused as exc:
        raise Problem(
            409,
            "Transition not allowed",
            str(exc),
            "https://clearway.dev/problems/transition",
            state=exc.current.value,
        ) from exc
    except StaleVersion as exc:
        raise Problem(
            409,
            "Stale version",
            "the shipment changed meanwhile; reload and retry",
            "https://clearway.dev/problems/stale-version",
            state=exc.state,
            version=exc.version,
        ) from exc
    with engine.connect() as conn:
        detail = shipment_detail(conn, sid)
    assert detail is not None
    return detail
