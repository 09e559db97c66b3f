"""Agencies (Single Window): agencies, their subscriptions and the shipments they match."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from clearway.clearance import agencies
from clearway.clearance import queue as work_queue
from clearway.clearance.errors import InvalidSubscription
from clearway.http.bodies import parse_model, read_json
from clearway.http.problems import Problem, invalid, problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.kit.errors import PROBLEM_TYPES, Finding

router = APIRouter(prefix="/v1", tags=["clearance"], responses=problems(400, 404, 409))
_PROBLEMS = PROBLEM_TYPES


class _Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str


class _Subscription(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hs: str | None = Field(None, description="HS prefix ('0207') or range ('0201-0210')")
    origin: str | None = None
    party_tin: str | None = None
    hold_on_arrival: bool = False
    reason_code: str = "AGENCY-CHECK"
    text: str = "Held for another government agency"


@router.get("/agencies", summary="Agencies and their subscriptions")
def list_agencies(request: Request, _: Principal = Depends(require(Role.OFFICER))) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        return {"agencies": agencies.list_agencies(conn)}


@router.post("/agencies", status_code=201, summary="Create an agency")
async def create_agency(request: Request, _: Principal = Depends(require())) -> dict[str, Any]:
    body = parse_model(_Agency, await read_json(request))
    try:
        with unit_of_work(request) as conn:
            agencies.create_agency(conn, body.code, body.name)
    except InvalidSubscription as exc:  # codes agency.*, the generic detail: the answer as always
        raise invalid([Finding(f"agency.{exc.field}", f"/{exc.field}", str(exc))]) from exc
    except IntegrityError as exc:
        raise Problem(409, "Conflict", f"agency {body.code} exists", _PROBLEMS + "exists") from exc
    return {"code": body.code, "name": body.name}


@router.post("/agencies/{code}/subscriptions", status_code=201, summary="Subscribe an agency")
async def subscribe(code: str, request: Request, _: Principal = Depends(require())) -> dict[str, Any]:
    body = parse_model(_Subscription, await read_json(request))
    try:
        sub = agencies.subscription(
            code, body.hs, body.origin, body.party_tin, body.hold_on_arrival, body.reason_code, body.text
        )
    except InvalidSubscription as exc:  # the generic detail of a request with invalid fields, as always
        raise invalid([Finding(f"subscription.{exc.field}", f"/{exc.field}", str(exc))]) from exc
    with unit_of_work(request) as conn:
        if not agencies.agency_exists(conn, code):
            raise Problem(404, "Not found", f"no agency {code}")
        agencies.add_subscriptions(conn, [sub])
    return {
        "agency": code,
        "hs_from": sub.hs_from,
        "hs_to": sub.hs_to,
        "origin": sub.origin,
        "party_tin": sub.party_tin,
        "hold_on_arrival": sub.hold_on_arrival,
    }


@router.get("/agencies/{code}/shipments", summary="The shipments an agency's subscriptions match")
def agency_shipments(
    code: str,
    request: Request,
    limit: int = Query(200, ge=1, le=2000),
    principal: Principal = Depends(require(Role.AGENCY, Role.OFFICER)),
) -> dict[str, Any]:
    if principal.role is Role.AGENCY and principal.party != code:
        raise Problem(404, "Not found", f"no agency {code}")
    with request.app.state.engine.connect() as conn:
        if not agencies.agency_exists(conn, code):
            raise Problem(404, "Not found", f"no agency {code}")
        return {"agency": code, "shipments": work_queue.for_agency(conn, code, limit)}
