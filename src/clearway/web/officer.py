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

from clearway.api.problems import Problem, parse_id
from clearway.api.security import Principal, Role, require
from clearway.clearance import queue as work_queue
from clearway.clearance.lifecycle import AnyEvent, InspectionResult, LiftHold, PlaceHold, TransitionRefused
from clearway.clearance.service import NotPermitted, ShipmentNotFound, StaleVersion, record_event
from clearway.declarations.tables import decisions, holds, shipments
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
    request: Request, sid: uuid.UUID, event: AnyEvent, version: str | None, agency: str | None
) -> str | None:
    """Record the event; None when done, else why not (shown on the page)."""
    try:
        record_event(request.app.state.engine, sid, event, None, int(version) if version else None, agency)
    except ShipmentNotFound as exc:
        raise Problem(404, "Not found", f"no shipment {sid}") from exc
    except (TransitionRefused, NotPermitted) as exc:
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


def _actor(principal: Principal, fields: dict[str, str]) -> str:
    return (principal.actor if principal.key_id else fields.get("actor", "officer"))[:70]


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


async def _act(request: Request, sid: uuid.UUID, event: AnyEvent, fields: dict[str, str]) -> Response:
    error = await run_in_threadpool(apply_event, request, sid, event, fields.get("version"), None)
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
        event = InspectionResult.model_validate(
            {**body, "type": "inspection_result", "actor": _actor(principal, fields)}
        )
    except ValidationError as exc:
        return await run_in_threadpool(_render, request, sid, error_text(exc), 422)
    return await _act(request, sid, event, fields)


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
                "actor": _actor(principal, fields),
            }
        )
    except ValidationError as exc:
        return await run_in_threadpool(_render, request, sid, error_text(exc), 422)
    return await _act(request, sid, event, fields)


@router.post("/officer/shipments/{shipment_id}/lift/{hold_id}")
async def officer_lift(
    request: Request, shipment_id: str, hold_id: int, principal: Principal = _officer
) -> Response:
    sid, fields = parse_id(shipment_id), await form_fields(request)
    try:
        event = LiftHold(
            type="lift_hold", hold_id=hold_id, reason=fields.get("reason"), actor=_actor(principal, fields)
        )
    except ValidationError as exc:
        return await run_in_threadpool(_render, request, sid, error_text(exc), 422)
    if not event.reason:
        return await run_in_threadpool(_render, request, sid, "reason: say why the hold is lifted", 422)
    return await _act(request, sid, event, fields)
