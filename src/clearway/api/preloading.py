"""Pre-loading screening API (air cargo, 7+1 data set)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from clearway.clearance import preloading
from clearway.http.bodies import parse_model, read_json
from clearway.http.problems import Problem, parse_id, problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.kit.errors import PROBLEM_TYPES

router = APIRouter(prefix="/v1", tags=["clearance"], responses=problems(400, 404, 409))
_PROBLEMS = PROBLEM_TYPES


@router.post("/preloading", summary="Pre-loading screening (air, 7+1 data set)", status_code=201)
async def submit_preloading(
    request: Request, principal: Principal = Depends(require(Role.FILER))
) -> JSONResponse:
    req = parse_model(preloading.PreloadingRequest, await read_json(request))
    if principal.role is Role.FILER and req.filer != principal.party:
        raise Problem(
            403, "Forbidden", f"filer '{req.filer}' is not the key's filer", _PROBLEMS + "other-filer"
        )

    def run() -> tuple[dict[str, Any], bool]:
        with unit_of_work(request) as conn:
            return preloading.submit(
                conn, req, dt.datetime.now(dt.UTC), request.app.state.settings.watchlist_threshold
            )

    try:
        view, created = await run_in_threadpool(run)
    except IntegrityError:  # the same waybill at the same moment from another request: answer that one
        view, created = await run_in_threadpool(run)
    return JSONResponse(view, status_code=201 if created else 200)


@router.get("/preloading/{preloading_id}", summary="A pre-loading answer")
def get_preloading(
    preloading_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER, Role.FILER))
) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        view = preloading.get(conn, parse_id(preloading_id, "pre-loading request"))
    if view is None or (principal.role is Role.FILER and view["filer"] != principal.party):
        raise Problem(404, "Not found", f"no pre-loading request {preloading_id}")
    return view
