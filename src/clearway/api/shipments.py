"""/v1/shipments: submit advance data (one or a batch), read a shipment, record lifecycle events."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from clearway.api.problems import Problem, invalid, parse_id
from clearway.api.security import Principal, Role, ensure_visible, require
from clearway.clearance.lifecycle import ShipmentEvent, TransitionRefused
from clearway.clearance.service import NotPermitted, ShipmentNotFound, StaleVersion, record_event
from clearway.declarations.findings import from_pydantic
from clearway.declarations.repository import shipment_detail
from clearway.intake.pipeline import Submission, process_batch
from clearway.security import audit, personal

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
async def submit(request: Request, principal: Principal = Depends(require(Role.FILER))) -> JSONResponse:
    body = _json_body(await request.body())
    records, is_batch = _records(body)
    if not records:
        raise invalid([], "the batch is empty")
    if len(records) > MAX_BATCH:
        raise Problem(413, "Batch too large", f"{len(records)} shipments; at most {MAX_BATCH} per request")
    _own_records_only(principal, records, is_batch)
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


# Filers report what they see happen to their parcels; controls are for officers.
FILER_EVENTS = frozenset({"arrival", "payment", "return"})


def _detail_for(request: Request, principal: Principal, sid: uuid.UUID) -> dict[str, Any] | None:
    """The shipment detail, with the consignee in clear only for roles that need it (and audited)."""
    with request.app.state.engine.begin() as conn:
        detail = shipment_detail(conn, sid)
        if detail is None:
            return None
        if not principal.sees_personal_data:
            personal.mask(detail)
            return detail
        consignee = personal.reveal(conn, personal.vault_for(request.app.state.settings), [sid]).get(sid)
        personal.disclose(detail, consignee)
        if consignee is not None:
            audit.append(conn, principal, [audit.Entry("personal_data.read", str(sid), {"via": "api"})])
    return detail


@router.get("/{shipment_id}", summary="State, lane with reasons, duties, holds and events")
async def get_shipment(
    shipment_id: str,
    request: Request,
    principal: Principal = Depends(require(Role.FILER, Role.OFFICER, Role.AGENCY)),
) -> dict[str, Any]:
    sid = parse_id(shipment_id)
    await ensure_visible(request, principal, sid)
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
    body = _json_body(await request.body())
    try:
        event = _events.validate_python(body)
    except ValidationError as exc:
        raise invalid(from_pydantic(exc)) from exc
    engine = request.app.state.engine
    sid = parse_id(shipment_id)
    await ensure_visible(request, principal, sid)
    if principal.role is Role.FILER and event.type not in FILER_EVENTS:
        raise Problem(
            403,
            "Forbidden",
            f"a filer may record {', '.join(sorted(FILER_EVENTS))}; '{event.type}' is an officer's decision",
            "https://clearway.dev/problems/forbidden-role",
        )
    expected = request.headers.get("if-match")
    try:
        # An agency key acts for its agency: it may place and lift only its own holds (NotPermitted).
        agency = principal.party if principal.role is Role.AGENCY else None
        await run_in_threadpool(
            record_event, engine, sid, event, None, int(expected) if expected else None, agency
        )
    except ShipmentNotFound as exc:
        raise Problem(404, "Not found", f"no shipment {shipment_id}") from exc
    except NotPermitted as exc:
        raise Problem(403, "Forbidden", str(exc), "https://clearway.dev/problems/forbidden-role") from exc
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
    detail = await run_in_threadpool(_detail_for, request, principal, sid)
    assert detail is not None
    return detail
