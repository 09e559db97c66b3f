"""Revenue pages: the de minimis policy simulator with its chart, and the intermediary accounts.

The page runs the same `clearway.revenue.service.simulate_de_minimis` as `GET /v1/simulations/de-minimis`
and adds the presentation: headline numbers, an SVG chart of revenue per duty/tax type now and under the
proposed thresholds, and the shipments that change IRG category. The form arrives as plain strings so that a
mistyped threshold gives a page that says what is wrong.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from clearway.http.security import Role, require
from clearway.http.uow import unit_of_work
from clearway.reference.jurisdictions import jurisdictions
from clearway.revenue import service, simulator
from clearway.revenue.errors import AccountError, NothingToSimulate, SimulationError, UnknownAccount
from clearway.web import charts
from clearway.web.dashboard import templates

# The same roles as the /v1 revenue reads: analysts and officers (administrators always).
router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.ANALYST, Role.OFFICER))])

TAX_LABELS = {"duty": "customs duty", "flat_duty": "flat duty", "vat": "import VAT"}
CATEGORY_LABELS = {
    1: "1 documents",
    2: "2 low value, relieved",
    3: "3 low value, dutiable",
    4: "4 high value",
}
NOW, SIMULATED = charts.PALETTE[0], charts.PALETTE[1]


def revenue_chart(result: dict[str, Any]) -> str:
    """Two bars per duty/tax type: what the stored traffic yields now and under the proposal."""
    bars: list[charts.Bar] = []
    for row in result["revenue"]:
        label = TAX_LABELS.get(row["tax_type"], row["tax_type"])
        bars.append(charts.Bar(f"{label} now", float(Decimal(row["baseline"])), row["baseline"], NOW))
        bars.append(
            charts.Bar(f"{label} simulated", float(Decimal(row["simulated"])), row["simulated"], SIMULATED)
        )
    return charts.bar_chart(
        bars, label=f"Revenue per duty and tax type, now and simulated ({result['currency']})", gap=0.25
    )


def transitions_chart(result: dict[str, Any]) -> str:
    bars = [
        charts.Bar(f"{CATEGORY_LABELS[t['from']]} → {t['to']}", float(t["shipments"]))
        for t in result["category_transitions"]
    ]
    return charts.horizontal_bar_chart(bars, label="Shipments changing IRG category", label_width=260)


def _simulate(request: Request, policy: simulator.Policy) -> dict[str, Any]:
    with unit_of_work(request) as conn:
        return service.simulate_de_minimis(conn, policy, request.app.state.settings.fallback_duty_rate)


@router.get("/revenue/simulator", response_class=HTMLResponse)
async def simulator_page(request: Request) -> HTMLResponse:
    q = request.query_params
    form = {
        "jurisdiction": q.get("jurisdiction", "EU"),
        "duty_threshold": q.get("duty_threshold", ""),
        "tax_threshold": q.get("tax_threshold", ""),
        "cost_per_declaration": q.get("cost_per_declaration", str(simulator.DEFAULT_COST_PER_DECLARATION)),
        "from": q.get("from", ""),
        "to": q.get("to", ""),
    }
    context: dict[str, Any] = {
        "form": form,
        "jurisdictions": sorted(j.id for j in jurisdictions()),
        "result": None,
        "error": None,
    }
    status = 200
    if form["duty_threshold"] or form["tax_threshold"]:
        try:
            policy = simulator.parse_policy(
                form["jurisdiction"],
                form["duty_threshold"],
                form["tax_threshold"],
                form["cost_per_declaration"],
                form["from"],
                form["to"],
            )
            result = await run_in_threadpool(_simulate, request, policy)
            context.update(
                result=result,
                revenue_chart=revenue_chart(result),
                transitions_chart=transitions_chart(result) if result["category_transitions"] else "",
                tax_labels=TAX_LABELS,
                category_labels=CATEGORY_LABELS,
            )
        except NothingToSimulate as exc:
            context["error"], status = exc.message, 404
        except SimulationError as exc:
            context["error"], status = str(exc), 400
    return templates.TemplateResponse(request, "revenue_simulator.html", context, status_code=status)


@router.get("/revenue/accounts", response_class=HTMLResponse)
async def accounts_page(request: Request) -> HTMLResponse:
    """Intermediary accounts: limit, open balance, what is left, and the month's statement."""
    month = request.query_params.get("month") or dt.date.today().strftime("%Y-%m")
    selected = request.query_params.get("account", "")

    def load() -> tuple[list[dict[str, Any]], dict[str, Any] | None, str | None]:
        with unit_of_work(request) as conn:
            rows = []
            for a, balance in service.accounts_with_balances(conn):
                row = a.as_dict(balance)
                row["used_pct"] = round(100 * balance / a.limit_minor, 1) if a.limit_minor else None
                rows.append(row)
            if not selected:
                return rows, None, None
            try:
                return rows, service.account_statement(conn, selected, month), None
            except (AccountError, UnknownAccount) as exc:
                return rows, None, str(exc)

    rows, statement, error = await run_in_threadpool(load)
    context = {"accounts": rows, "statement": statement, "error": error, "month": month, "selected": selected}
    status = 200 if error is None else (404 if "no account" in error else 400)
    return templates.TemplateResponse(request, "revenue_accounts.html", context, status_code=status)
