"""Officer work queue (web): held shipments by priority and age; record document checks, NII scan and
physical inspection results, place and lift holds. Forms post back here and redirect (POST/redirect/GET);
a refused transition re-renders the page with the reason. Results are stored as the structured labels
the risk model learns from (`inspection_result` events with `result` compliant / non_compliant)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from clearway.clearance import queue as work_queue
from clearway.clearance.errors import (
    BadIfMatch,
    NotPermitted,
    StaleVersion,
    StatedTimeRefused,
    TransitionRefused,
)
from clearway.clearance.lifecycle import AnyEvent, InspectionResult, LiftHold, PlaceHold
from clearway.clearance.service import record_transition
from clearway.declarations.tables import decisions, holds, shipments
from clearway.http.problems import Problem, parse_id, parse_row_id
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.web.dashboard import templates

router = APIRouter(include_in_schema=False)
_officer = Depends(require(Role.OFFICER))


async def form_fields(request: Request) -> dict[str, str]:
    """An urlencoded form body; empty fields dropped (they mean 'not given')."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0].strip() for k, v in urllib.parse.parse_qs(body).items() if v and v[0].strip()}


def error_text(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()
    )


def apply_event(
    request: Request, principal: Principal, sid: uuid.UUID, event: AnyEvent, version: str | None
) -> str | None:
    """Record the event through the one transition service; None when done, else why not (shown on the
    page). A missing or invisible shipment is a 404 page."""
    try:
        with unit_of_work(request) as conn:
            record_transition(conn, principal, sid, event, if_match=version)
    except (TransitionRefused, NotPermitted, BadIfMatch, StatedTimeRefused) as exc:
        return str(exc)
    except StaleVersion as exc:
        return f"the shipment changed meanwhile (now {exc.state}, version {exc.version}); reload and retry"
    return None


def _case(request: Request, sid: uuid.UUID) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        s = conn.execute(select(shipments).where(shipments.c.id == sid)).first()
        if s is None:
            raise Problem(404, "Not found", f"no shipment {sid}")
        rows = conn.execute(select(holds).where(holds.c.shipment_id == sid).order_by(holds.c.id)).all()
        decision = conn.execute(
            select(decisions.c.score, decisions.c.reasons)
            .where(decisions.c.shipment_id == sid)
            .order_by(decisions.c.id.desc())
        ).first()
    return {
        "id": str(sid),
        "lrn": s.lrn,
        "filer": s.filer,
        "state": s.state,
        "lane": s.lane,
        "version": s.version,
        "reasons": decision.reasons if decision else [],
        "holds": [work_queue.hold_view(h) for h in rows],
    }


def stated_actor(fields: dict[str, str]) -> dict[str, str]:
    """A name typed into the form (e.g. the inspector on duty): kept as `stated_by`, never as the actor."""
    return {"actor": fields["actor"][:70]} if fields.get("actor") else {}


@router.get("/officer", response_class=HTMLResponse)
def officer_queue(request: Request, _: Principal = _officer) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        items = work_queue.held(conn, dt.datetime.now(dt.UTC), settings=request.app.state.settings)
    return templates.TemplateResponse(request, "officer_queue.html", {"queue": items})


@router.get("/officer/shipments/{shipment_id}", response_class=HTMLResponse)
def officer_case(request: Request, shipment_id: str, _: Principal = _officer) -> HTMLResponse:
    return _render(request, parse_id(shipment_id), None, 200)


def _render(request: Request, sid: uuid.UUID, error: str | None, status: int) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "officer_case.html", {"s": _case(request, sid), "error": error}, status_code=status
    )


async def _act(
    request: Request, principal: Principal, sid: uuid.UUID, event: AnyEvent, fields: dict[str, str]
) -> Response:
    error = await run_in_threadpool(apply_event, request, principal, sid, event, fields.get("version"))
    if error is not None:
        return await run_in_threadpool(_render, request, sid, error, 409)
    return RedirectResponse(f"/officer/shipments/{sid}", status_code=303)


@router.post("/officer/shipments/{shipment_id}/result")
async def officer_result(request: Request, shipment_id: str, principal: Principal = _officer) -> Response:
    sid, fields = parse_id(shipment_id), await form_fields(request)
    body: dict[str, Any] = {
        k: fields[k] for k in ("control", "result", "finding", "correct_hs_code", "detail") if k in fields
    }
    if "undervaluation" in fields:  # entered in major units (e.g. 120.50), stored in minor units
        try:
            body["undervaluation_minor"] = round(float(fields["undervaluation"]) * 100)
        except ValueError:
            return await run_in_threadpool(_render, request, sid, "undervaluation: not an amount", 422)
    try:
        event = InspectionResult.model_validate({**body, "type": "inspection_result", **stated_actor(fields)})
    except ValidationError as exc:
        return await run_in_threadpool(_render, request, sid, error_text(exc), 422)
    return await _act(request, principal, sid, event, fields)


@router.post("/officer/shipments/{shipment_id}/hold")
async def officer_hold(request: Request, shipment_id: str, principal: Principal = _officer) -> Response:
    sid, fields = parse_id(shipment_id), await form_fields(request)
    try:
        event = PlaceHold.model_validate(
            {
                "type": "hold",
                "kind": fields.get("kind"),
                "reason_code": fields.get("reason_code", "").upper(),
                "text": fields.get("text"),
                "agency": fields.get("agency"),
                **stated_actor(fields),
            }
        )
    except ValidationError as exc:
        return await run_in_threadpool(_render, request, sid, error_text(exc), 422)
    return await _act(request, principal, sid, event, fields)


@router.post("/officer/shipments/{shipment_id}/lift/{hold_id}")
async def officer_lift(
    request: Request, shipment_id: str, hold_id: str, principal: Principal = _officer
) -> Response:
    sid, fields = parse_id(shipment_id), await form_fields(request)
    try:
        event = LiftHold(
            type="lift_hold",
            hold_id=parse_row_id(hold_id, "hold"),
            reason=fields.get("reason"),
            **stated_actor(fields),
        )
    except ValidationError as exc:
        return await run_in_threadpool(_render, request, sid, error_text(exc), 422)
    if not event.reason:
        return await run_in_threadpool(_render, request, sid, "reason: say why the hold is lifted", 422)
    return await _act(request, principal, sid, event, fields)
