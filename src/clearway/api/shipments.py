"""/v1/shipments: submit advance data (one or a batch), read a shipment, record lifecycle events."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from clearway.clearance.lifecycle import ShipmentEvent
from clearway.clearance.service import record_transition
from clearway.config import Settings
from clearway.declarations.repository import shipment_detail
from clearway.declarations.vocabulary import IngestStatus
from clearway.http.bodies import parse_json
from clearway.http.problems import Problem, invalid, parse_id, problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import record_change, unit_of_work
from clearway.intake.pipeline import ItemResult, Submission, process_batch
from clearway.kit.errors import from_pydantic
from clearway.security import audit, personal
from clearway.security.visibility import can_see

router = APIRouter(prefix="/v1/shipments", tags=["shipments"], responses=problems(400, 404, 409, 413))
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
async def submit(request: Request, principal: Principal = Depends(require(Role.FILER))) -> JSONResponse:
    body = parse_json(await request.body())  # NUL text is checked record by record (intake)
    records, is_batch = _records(body)
    if not records:
        raise invalid([], "the batch is empty")
    if len(records) > MAX_BATCH:
        raise Problem(413, "Batch too large", f"{len(records)} shipments; at most {MAX_BATCH} per request")
    _own_records_only(principal, records, is_batch)
    engine, settings = request.app.state.engine, request.app.state.settings
    submissions = [Submission(r) for r in records]

    def submit_batch() -> list[ItemResult]:
        # The request's audit entry is written in the batch's own transaction.
        return process_batch(
            engine, submissions, settings, before_commit=lambda conn: record_change(conn, request)
        )

    results = await run_in_threadpool(submit_batch)
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
    counts = {str(s): sum(1 for r in results if r.status == s) for s in IngestStatus}
    return JSONResponse({**counts, "results": [r.as_dict() for r in results]})


def _own_records_only(principal: Principal, records: list[Any], is_batch: bool) -> None:
    """A filer key files for its own filer account only (checked before anything is stored)."""
    if principal.role is not Role.FILER:
        return
    for k, record in enumerate(records):
        filer = record.get("filer") if isinstance(record, dict) else None
        if isinstance(filer, str) and filer != principal.party:
            where = f"shipment {k}: " if is_batch else ""
            raise Problem(
                403,
                "Forbidden",
                f"{where}filer '{filer}' is not the key's filer '{principal.party}'",
                "https://clearway.dev/problems/other-filer",
                pointer=f"/{k}/filer" if is_batch else "/filer",
            )


def _detail(
    conn: Connection, settings: Settings, principal: Principal, sid: uuid.UUID
) -> dict[str, Any] | None:
    """The shipment detail, with the consignee in clear only for roles that need it (and audited)."""
    detail = shipment_detail(conn, sid)
    if detail is None:
        return None
    if not principal.sees_personal_data:
        personal.mask(detail)
        return detail
    consignee = personal.reveal(conn, personal.vault_for(settings), [sid]).get(sid)
    personal.disclose(detail, consignee)
    if consignee is not None:
        audit.append(conn, principal, [audit.Entry("personal_data.read", str(sid), {"via": "api"})])
    return detail


def _detail_for(request: Request, principal: Principal, sid: uuid.UUID) -> dict[str, Any] | None:
    with unit_of_work(request) as conn:
        if not can_see(conn, principal, sid):
            return None
        return _detail(conn, request.app.state.settings, principal, sid)


@router.get("/{shipment_id}", summary="State, lane with reasons, duties, holds and events")
async def get_shipment(
    shipment_id: str,
    request: Request,
    principal: Principal = Depends(require(Role.FILER, Role.OFFICER, Role.AGENCY)),
) -> dict[str, Any]:
    sid = parse_id(shipment_id)
    detail = await run_in_threadpool(_detail_for, request, principal, sid)
    if detail is None:
        raise Problem(404, "Not found", f"no shipment {shipment_id}")
    return detail


@router.post("/{shipment_id}/events", summary="Arrival, inspection result, payment or return")
async def post_event(
    shipment_id: str,
    request: Request,
    principal: Principal = Depends(require(Role.OFFICER, Role.FILER, Role.AGENCY)),
) -> dict[str, Any]:
    body = parse_json(await request.body())
    try:
        event = _events.validate_python(body)
    except ValidationError as exc:
        tag = body.get("type") if isinstance(body, dict) and isinstance(body.get("type"), str) else None
        raise invalid(from_pydantic(exc, union_tag=tag)) from exc
    sid = parse_id(shipment_id)
    if_match, key = request.headers.get("if-match"), request.headers.get("idempotency-key")

    def run() -> dict[str, Any] | None:
        # One transaction: the event and the detail answered are the same state.
        with unit_of_work(request) as conn:
            record_transition(conn, principal, sid, event, if_match=if_match, idempotency_key=key)
            return _detail(conn, request.app.state.settings, principal, sid)

    detail = await run_in_threadpool(run)
    assert detail is not None  # the transition found it, in this transaction
    return detail
