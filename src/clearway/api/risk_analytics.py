"""/v1/risk/selections, /v1/risk/drift, /v1/cases, /v1/shipments/{id}/score: risk analytics."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from clearway.http.problems import JSON_OR_CSV, Problem, parse_id, parse_row_id, problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.risk import cases, drift, scoring, selection

router = APIRouter(prefix="/v1", tags=["risk analytics"], responses=problems(404))
Reader = Annotated[Principal, Depends(require(Role.ANALYST, Role.OFFICER))]
Selector = Annotated[Principal, Depends(require(Role.ANALYST, Role.OFFICER))]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _day(value: str | None, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Problem(
            400,
            "Bad request",
            f"{name}: {value!r} is not a date (YYYY-MM-DD)",
            errors=[{"code": "date.invalid", "path": f"/{name}", "message": "expected YYYY-MM-DD"}],
        ) from exc


class SelectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office: str = Field(min_length=1, max_length=8, description="Customs office code")
    date: dt.date = Field(description="Filing day of the candidates")
    capacity: int | None = Field(
        default=None, ge=0, le=1_000_000, description="Controls that day (default: the office's)"
    )
    exploration: float = Field(default=0.1, ge=0.0, le=1.0, description="Share of capacity drawn at random")
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, description="Default: fixed by office and day")


@router.post("/risk/selections", status_code=201)
def create_selection(body: SelectionRequest, request: Request, _: Selector) -> dict[str, Any]:
    """Choose shipments for control; the run is stored with its inputs and can be replayed. A
    SelectionError (422, naming the field) reaches the one handler."""
    with unit_of_work(request) as conn:
        return selection.run_selection(
            conn, body.office, body.date, body.capacity, body.exploration, body.seed
        )


@router.get("/risk/selections/{run_id}")
def get_selection(run_id: str, request: Request, _: Reader) -> dict[str, Any]:
    number = parse_row_id(run_id, "selection run")
    with _engine(request).connect() as conn:
        run = selection.get_run(conn, number)
        if run is None:
            raise Problem(404, "Not found", f"no selection run {run_id}")
        replayed = selection.replay(conn, number)
    stored = [(p["shipment_id"], p["kind"], p["control"]) for p in run["selected"]]
    run["reproduced"] = stored == [(p.shipment_id, p.kind, p.control) for p in replayed]
    return run


@router.get("/risk/drift")
async def get_drift(
    request: Request,
    _: Reader,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Weekly hit rate, exploration hit rate, score shift (PSI) against the training scores."""
    start, end = _day(date_from, "from"), _day(date_to, "to")

    def work() -> dict[str, Any]:
        with _engine(request).connect() as conn:
            return drift.drift(conn, start, end)

    return await run_in_threadpool(work)  # NoData (404) reaches the one handler


@router.get("/cases")
async def list_cases(
    request: Request,
    _: Reader,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    max_key_shipments: Annotated[int, Query(ge=2, le=100_000)] = cases.MAX_KEY_SHIPMENTS,
) -> dict[str, Any]:
    """Cases (linked shipments) in the range, largest first; members are in `GET /v1/cases/{id}`."""
    start, end = _day(date_from, "from"), _day(date_to, "to")

    def work() -> dict[str, Any]:
        with _engine(request).connect() as conn:
            return cases.find_cases(conn, start, end, max_key_shipments)

    found = await run_in_threadpool(work)
    found["cases"] = [{k: v for k, v in c.items() if k != "members"} for c in found["cases"]]
    return found


@router.get("/cases/{case_id}", response_model=None, responses=JSON_OR_CSV)
async def get_case(
    case_id: str,
    request: Request,
    _: Reader,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> dict[str, Any] | Response:
    """One case with its members and the keys that link them; `format=csv` exports the members."""
    start, end = _day(date_from, "from"), _day(date_to, "to")

    def work() -> dict[str, Any] | None:
        with _engine(request).connect() as conn:
            return cases.get_case(conn, case_id, start, end)

    case = await run_in_threadpool(work)
    if case is None:
        raise Problem(404, "Not found", f"no case {case_id} among shipments in the range")
    if format == "csv":
        return PlainTextResponse(
            cases.case_csv(case),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{case_id}.csv"'},
        )
    return case


@router.get("/shipments/{shipment_id}/score")
def get_score(shipment_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """The model score of a shipment with its top feature contributions."""
    sid = parse_id(shipment_id)
    with _engine(request).connect() as conn:
        found = scoring.stored_score(conn, sid)
    if found is None:
        raise Problem(404, "Not found", f"no model score for shipment {shipment_id}")
    return found
