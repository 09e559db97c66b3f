"""Agency view (Single Window, web): the shipments an agency's subscriptions match, its own holds,
forms to place and lift them. An agency key sees only its own page; officers and administrators
may open any agency's page."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from clearway.clearance import agencies
from clearway.clearance import queue as work_queue
from clearway.clearance.lifecycle import AnyEvent, LiftHold, PlaceHold
from clearway.http.problems import Problem, parse_id, parse_row_id
from clearway.http.security import Principal, Role, require
from clearway.web.dashboard import templates
from clearway.web.officer import apply_event, error_text, form_fields

router = APIRouter(include_in_schema=False)
_agency_or_officer = Depends(require(Role.AGENCY, Role.OFFICER))


def _own(principal: Principal, code: str) -> None:
    if principal.role is Role.AGENCY and principal.party != code:
        raise Problem(404, "Not found", f"no agency {code}")


def _render(request: Request, code: str, error: str | None, status: int) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        if not agencies.agency_exists(conn, code):
            raise Problem(404, "Not found", f"no agency {code}")
        items = work_queue.for_agency(conn, code)
    return templates.TemplateResponse(
        request, "agency.html", {"agency": code, "shipments": items, "error": error}, status_code=status
    )


@router.get("/agency/{code}", response_class=HTMLResponse)
def agency_page(request: Request, code: str, principal: Principal = _agency_or_officer) -> HTMLResponse:
    _own(principal, code)
    return _render(request, code, None, 200)


def _visible_sid(request: Request, code: str, shipment_id: str) -> uuid.UUID:
    sid = parse_id(shipment_id)
    with request.app.state.engine.connect() as conn:
        if not agencies.is_visible(conn, code, sid):
            raise Problem(404, "Not found", f"no shipment {shipment_id}")
    return sid


async def _act(
    request: Request, principal: Principal, code: str, sid: uuid.UUID, event: AnyEvent
) -> Response:
    error = await run_in_threadpool(apply_event, request, principal, sid, event, None)
    if error is not None:
        return await run_in_threadpool(_render, request, code, error, 409)
    return RedirectResponse(f"/agency/{code}", status_code=303)


@router.post("/agency/{code}/shipments/{shipment_id}/hold")
async def agency_hold(
    request: Request, code: str, shipment_id: str, principal: Principal = _agency_or_officer
) -> Response:
    _own(principal, code)
    sid = await run_in_threadpool(_visible_sid, request, code, shipment_id)
    fields = await form_fields(request)
    try:
        event = PlaceHold.model_validate(
            {
                "type": "hold",
                "kind": "agency",
                "agency": code,
                "reason_code": fields.get("reason_code", "").upper(),
                "text": fields.get("text"),
            }
        )
    except ValidationError as exc:
        return await run_in_threadpool(_render, request, code, error_text(exc), 422)
    return await _act(request, principal, code, sid, event)


@router.post("/agency/{code}/shipments/{shipment_id}/lift/{hold_id}")
async def agency_lift(
    request: Request, code: str, shipment_id: str, hold_id: str, principal: Principal = _agency_or_officer
) -> Response:
    _own(principal, code)
    sid = await run_in_threadpool(_visible_sid, request, code, shipment_id)
    fields = await form_fields(request)
    if not fields.get("reason"):
        return await run_in_threadpool(_render, request, code, "reason: say why the hold is lifted", 422)
    return await _act(
        request,
        principal,
        code,
        sid,
        LiftHold(type="lift_hold", hold_id=parse_row_id(hold_id, "hold"), reason=fields["reason"]),
    )
