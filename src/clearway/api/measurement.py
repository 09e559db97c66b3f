"""/v1/trs and /v1/statistics: release times, e-commerce statistics, data quality, revenue benchmark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from clearway.http.problems import Problem, parse_row_id
from clearway.http.security import Role, require
from clearway.http.uow import unit_of_work
from clearway.measurement import study
from clearway.measurement.benchmarking import PERIODS, revenue_benchmark
from clearway.measurement.scope import Scope
from clearway.measurement.service import tables_for
from clearway.measurement.sources import Tables
from clearway.measurement.statistics import by_dimension, data_quality

router = APIRouter(tags=["measurement"], dependencies=[Depends(require(Role.ANALYST, Role.OFFICER))])
T = TypeVar("T")

DateFrom = Annotated[dt.date | None, Query(alias="from", description="First lodgement day")]
DateTo = Annotated[dt.date | None, Query(alias="to", description="Last lodgement day")]
Offices = Annotated[list[str] | None, Query(alias="office", description="Customs office codes")]


def _scope(date_from: dt.date | None, date_to: dt.date | None, offices: list[str] | None) -> Scope:
    try:
        return Scope(date_from, date_to, tuple(offices or ()))
    except ValueError as exc:
        raise Problem(400, "Bad period", str(exc)) from exc


def load_tables(request: Request, scope: Scope | None = None) -> Tables:
    with unit_of_work(request) as conn:
        return tables_for(conn, scope)


async def _measure(request: Request, scope: Scope, compute: Callable[[Tables], T]) -> T:
    """Read the tables and compute off the event loop; an empty scope (EmptyScope, 404) or an unknown
    dimension (UnknownDimension, 400) reaches the one handler."""
    tables = await run_in_threadpool(load_tables, request, scope)
    return await run_in_threadpool(compute, tables)


@router.get("/v1/trs", summary="Time Release Study over a period (not stored)")
async def get_trs(
    request: Request,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    office: Offices = None,
    by: str | None = None,
) -> dict[str, Any]:
    scope = _scope(date_from, date_to, office)
    return await _measure(request, scope, lambda tables: study.run_study(tables, scope, by))


@router.post("/v1/trs/runs", status_code=201, summary="Run a Time Release Study and store it with its scope")
async def post_trs_run(
    request: Request,
    name: Annotated[str, Query(min_length=1, max_length=120)],
    date_from: DateFrom = None,
    date_to: DateTo = None,
    office: Offices = None,
    by: str | None = None,
) -> dict[str, Any]:
    result = await get_trs(request, date_from, date_to, office, by)
    with unit_of_work(request) as conn:
        run_id = study.save_run(conn, name, result)
    return {"id": run_id, "name": name, **result}


@router.get("/v1/trs/runs", summary="Stored study runs; with ids=1,2 their side-by-side comparison")
def get_trs_runs(request: Request, ids: str | None = None) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        if not ids:
            return {"runs": study.list_runs(conn)}
        parts = [x.strip() for x in ids.split(",") if x.strip()]
        if not all(x.isascii() and x.isdigit() for x in parts):
            raise Problem(400, "Bad ids", "ids is a comma-separated list of run numbers")
        wanted = [parse_row_id(x, "stored TRS run") for x in parts]  # past 64 bits: none such, 404
        runs = study.get_runs(conn, wanted)
    missing = sorted(set(wanted) - {r["id"] for r in runs})
    if missing:
        raise Problem(404, "Not found", f"no stored TRS run {', '.join(map(str, missing))}")
    return {"comparison": study.compare(runs), "runs": runs}


@router.get("/v1/statistics/quality", summary="Data quality per filer: refusals and commonest errors")
async def get_quality(
    request: Request, date_from: DateFrom = None, date_to: DateTo = None, office: Offices = None
) -> dict[str, Any]:
    scope = _scope(date_from, date_to, office)
    rows = await _measure(request, scope, lambda tables: data_quality(tables, scope))
    return {"scope": scope.as_dict(), "rows": rows}


@router.get("/v1/statistics/revenue-benchmark", summary="Revenue by tax type and period, cost of collection")
async def get_revenue_benchmark(
    request: Request,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    period: str = "month",
    cost_per_declaration: str = "2.50",
) -> dict[str, Any]:
    scope = _scope(date_from, date_to, None)
    try:
        cost = Decimal(cost_per_declaration)
    except InvalidOperation as exc:
        raise Problem(400, "Bad cost", "cost_per_declaration must be a decimal number") from exc
    if period not in PERIODS:
        raise Problem(400, "Bad period", f"unknown period '{period}'; choose one of: {', '.join(PERIODS)}")
    rows = await _measure(request, scope, lambda tables: revenue_benchmark(tables, scope, cost, period))
    return {"scope": scope.as_dict(), "cost_per_declaration": cost_per_declaration, "rows": rows}


@router.get("/v1/statistics/{dimension}", summary="Shipments, items, declared value and revenue by dimension")
async def get_statistics(
    request: Request,
    dimension: str,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    office: Offices = None,
) -> dict[str, Any]:
    scope = _scope(date_from, date_to, office)
    rows = await _measure(request, scope, lambda tables: by_dimension(tables, scope, dimension))
    return {"scope": scope.as_dict(), "by": dimension, "rows": rows}
