"""Officer dashboard: server-rendered pages over the same storage as the API; no build step."""

from __future__ import annotations

import datetime as dt
from importlib import resources

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from clearway.clearance import queue as held_queue
from clearway.declarations.repository import shipment_detail
from clearway.http.problems import Problem, parse_id
from clearway.http.security import Role, require
from clearway.risk import scoring
from clearway.web import queries

# Officer pages: a session (see web/login.py) of an officer or administrator.
router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.OFFICER))])
templates = Jinja2Templates(directory=str(resources.files("clearway.web") / "templates"))


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    now = dt.datetime.now(dt.UTC)
    with request.app.state.engine.connect() as conn:
        data = queries.overview(conn, now.date())
        queue = held_queue.held(conn, now, limit=10, settings=request.app.state.settings)
    return templates.TemplateResponse(request, "overview.html", {"o": data, "queue": queue})


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        # The officer queue's order (/officer, GET /v1/queue): one priority rule everywhere.
        items = held_queue.held(conn, dt.datetime.now(dt.UTC), settings=request.app.state.settings)
    return templates.TemplateResponse(request, "queue.html", {"queue": items})


@router.get("/shipments/{shipment_id}", response_class=HTMLResponse)
def shipment(shipment_id: str, request: Request) -> HTMLResponse:
    sid = parse_id(shipment_id)
    with request.app.state.engine.connect() as conn:
        detail = shipment_detail(conn, sid)
        model = scoring.stored_score(conn, sid)
    if detail is None:
        raise Problem(404, "Not found", f"no shipment {shipment_id}")
    return templates.TemplateResponse(request, "shipment.html", {"s": detail, "model": model})
