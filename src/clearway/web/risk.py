"""Risk analytics pages: feedback and drift, case files. Same functions as /v1/risk/drift and /v1/cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from clearway.http.problems import Problem
from clearway.http.security import Role, require
from clearway.risk import cases, drift
from clearway.risk.errors import NoData
from clearway.web import charts
from clearway.web.dashboard import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.ANALYST, Role.OFFICER))])


def _day(value: str | None) -> tuple[dt.date | None, str | None]:
    """A filter day, or the error to show on the page (a mistyped form gives a message, not a 422)."""
    if not value:
        return None, None
    try:
        return dt.date.fromisoformat(value), None
    except ValueError:
        return None, f"{value!r} is not a date (YYYY-MM-DD)"


def _percent(value: float) -> str:
    return f"{value:.0%}"


def drift_view(report: dict[str, Any]) -> dict[str, Any]:
    weeks = report["weeks"]
    hit_bars = [charts.Bar(w["week"], w["hit_rate"] or 0.0, _percent(w["hit_rate"] or 0.0)) for w in weeks]
    explore_bars = [
        charts.Bar(w["week"], w["exploration_hit_rate"] or 0.0, _percent(w["exploration_hit_rate"] or 0.0))
        for w in weeks
    ]
    psi_bars = [
        charts.Bar(w["week"], w["psi"] or 0.0, f"{w['psi'] or 0:.3f}") for w in weeks if w["psi"] is not None
    ]
    return {
        "hit_chart": charts.bar_chart(
            hit_bars, label="Hit rate of all controls per week", value_format=_percent
        ),
        "explore_chart": charts.bar_chart(
            explore_bars,
            label="Hit rate of the exploration sample per week",
            value_format=_percent,
            color=charts.PALETTE[1],
        ),
        "psi_chart": charts.bar_chart(
            psi_bars, label="Score shift per week (PSI against the training scores)", color=charts.PALETTE[2]
        )
        if psi_bars
        else None,
    }


@router.get("/risk/drift", response_class=HTMLResponse)
async def drift_page(request: Request) -> HTMLResponse:
    date_from, error_from = _day(request.query_params.get("from"))
    date_to, error_to = _day(request.query_params.get("to"))
    error = error_from or error_to
    report: dict[str, Any] | None = None
    if error is None:

        def work() -> dict[str, Any]:
            with request.app.state.engine.connect() as conn:
                return drift.drift(conn, date_from, date_to)

        try:
            report = await run_in_threadpool(work)
        except NoData as exc:
            error = str(exc)
    return templates.TemplateResponse(
        request,
        "risk_drift.html",
        {
            "report": report,
            "view": drift_view(report) if report else None,
            "error": error,
            "date_from": request.query_params.get("from", ""),
            "date_to": request.query_params.get("to", ""),
        },
    )


@router.get("/risk/cases", response_class=HTMLResponse)
async def cases_page(request: Request) -> HTMLResponse:
    date_from, error_from = _day(request.query_params.get("from"))
    date_to, error_to = _day(request.query_params.get("to"))
    error = error_from or error_to
    found: dict[str, Any] | None = None
    if error is None:

        def work() -> dict[str, Any]:
            with request.app.state.engine.connect() as conn:
                return cases.find_cases(conn, date_from, date_to)

        found = await run_in_threadpool(work)
    return templates.TemplateResponse(
        request,
        "risk_cases.html",
        {
            "found": found,
            "error": error,
            "date_from": request.query_params.get("from", ""),
            "date_to": request.query_params.get("to", ""),
        },
    )


@router.get("/risk/cases/{case_id}", response_class=HTMLResponse)
async def case_page(case_id: str, request: Request) -> HTMLResponse:
    date_from, _ = _day(request.query_params.get("from"))
    date_to, _ = _day(request.query_params.get("to"))

    def work() -> dict[str, Any] | None:
        with request.app.state.engine.connect() as conn:
            return cases.get_case(conn, case_id, date_from, date_to)

    case = await run_in_threadpool(work)
    if case is None:
        raise Problem(404, "Not found", f"no case {case_id}")
    return templates.TemplateResponse(request, "risk_case.html", {"case": case, "query": request.url.query})
