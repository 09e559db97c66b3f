"""Clearance workflow API: holds, control results, returns, refusals and the officers' queue. Every
transition goes through the one transition service and answers the shipment's new state and holds."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from clearway.clearance import queue as work_queue
from clearway.clearance.lifecycle import AnyEvent, InspectionResult, LiftHold, PlaceHold, Refusal, Return
from clearway.clearance.service import holds_after_transition, holds_view, record_transition
from clearway.http.bodies import parse_model, read_json
from clearway.http.problems import invalid, parse_id, parse_row_id, problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.kit.errors import Finding

router = APIRouter(prefix="/v1", tags=["clearance"], responses=problems(400, 404, 409))


async def transition(
    request: Request, principal: Principal, sid: uuid.UUID, event: AnyEvent
) -> dict[str, Any]:
    """Record one event through the one transition service and answer the new state and holds, in one
    transaction."""
    if_match = request.headers.get("if-match")

    def run() -> dict[str, Any]:
        with unit_of_work(request) as conn:
            record_transition(conn, principal, sid, event, if_match=if_match)
            return holds_after_transition(conn, sid)

    return await run_in_threadpool(run)


@router.get("/shipments/{shipment_id}/holds", summary="Holds of a shipment, open and closed, with ids")
async def list_holds(
    shipment_id: str,
    request: Request,
    principal: Principal = Depends(require(Role.OFFICER, Role.AGENCY, Role.FILER)),
) -> dict[str, Any]:
    sid = parse_id(shipment_id)

    def run() -> dict[str, Any]:
        with unit_of_work(request) as conn:
            return holds_view(conn, principal, sid)

    return await run_in_threadpool(run)


@router.post(
    "/shipments/{shipment_id}/holds", summary="Place a hold (documents / RFI, NII, inspection, agency)"
)
async def place_hold(
    shipment_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER, Role.AGENCY))
) -> dict[str, Any]:
    body = await read_json(request)
    if isinstance(body, dict):
        body = {**body, "type": "hold"}
        if principal.role is Role.AGENCY:  # an agency holds for itself
            body.setdefault("kind", "agency")
            body.setdefault("agency", principal.party)
    return await transition(request, principal, parse_id(shipment_id), parse_model(PlaceHold, body))


def _stated(actor: str | None) -> dict[str, str]:
    """A name the caller gave, passed on only when given (it is kept as `stated_by`, not as the actor)."""
    return {"actor": actor} if actor else {}


class _Lift(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    actor: Annotated[str | None, Field(min_length=1, max_length=70)] = None


@router.post("/shipments/{shipment_id}/holds/{hold_id}/lift", summary="Lift one hold with a reason")
async def lift_hold(
    shipment_id: str,
    hold_id: str,
    request: Request,
    principal: Principal = Depends(require(Role.OFFICER, Role.AGENCY)),
) -> dict[str, Any]:
    body = parse_model(_Lift, await read_json(request))
    hold = parse_row_id(hold_id, "hold")
    event = LiftHold(type="lift_hold", hold_id=hold, reason=body.reason, **_stated(body.actor))
    return await transition(request, principal, parse_id(shipment_id), event)


@router.post(
    "/shipments/{shipment_id}/results", summary="Document check, NII scan or physical inspection result"
)
async def record_result(
    shipment_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER))
) -> dict[str, Any]:
    body = await read_json(request)
    event = parse_model(
        InspectionResult, {**body, "type": "inspection_result"} if isinstance(body, dict) else body
    )
    return await transition(request, principal, parse_id(shipment_id), event)


class _Reasoned(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str | None, Field(max_length=1000)] = None
    actor: Annotated[str | None, Field(min_length=1, max_length=70)] = None


@router.post("/shipments/{shipment_id}/return", summary="Return request: released → returned, refund")
async def request_return(
    shipment_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER, Role.FILER))
) -> dict[str, Any]:
    body = parse_model(_Reasoned, await read_json(request) if await request.body() else {})
    event = Return(type="return", reason=body.reason, **_stated(body.actor))
    return await transition(request, principal, parse_id(shipment_id), event)


@router.post("/shipments/{shipment_id}/refuse", summary="Refuse entry (pre-arrival or while held)")
async def refuse(
    shipment_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER))
) -> dict[str, Any]:
    body = parse_model(_Reasoned, await read_json(request))
    if not body.reason:
        raise invalid([Finding("refusal.reason", "/reason", "a refusal states its reason")])
    event = Refusal(type="refuse", reason=body.reason, **_stated(body.actor))
    return await transition(request, principal, parse_id(shipment_id), event)


@router.get("/queue", summary="Held shipments by priority and age (the officers' work queue)")
def queue(
    request: Request, limit: int = Query(200, ge=1, le=2000), _: Principal = Depends(require(Role.OFFICER))
) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        items = work_queue.held(
            conn, dt.datetime.now(dt.UTC), limit=limit, settings=request.app.state.settings
        )
    return {"shipments": items}
