"""Measurement dashboard: release times (TRS), stored study runs side by side, e-commerce statistics.

The pages mirror /v1/trs and /v1/statistics over the same functions and the same loaded tables; what
they add is presentation: headline numbers, server-rendered SVG charts and tables a customs director
can show. Filters arrive as plain strings so that a half-filled or mistyped form gives a page that says
what is wrong, not a JSON validation error.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from clearway.declarations.tables import shipments
from clearway.http.security import Role, require
from clearway.http.uow import unit_of_work
from clearway.measurement import study, trs
from clearway.measurement.benchmarking import revenue_benchmark
from clearway.measurement.errors import EmptyScope, UnknownDimension
from clearway.measurement.scope import Scope, shipments_in
from clearway.measurement.service import tables_for
from clearway.measurement.sources import Tables
from clearway.measurement.statistics import by_dimension, data_quality
from clearway.web import charts
from clearway.web.dashboard import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.ANALYST, Role.OFFICER))])

# The breakdowns offered on the page: agency involvement and AEO status are left out because they are
# false for every shipment until agencies and the AEO registry exist, so a breakdown would show nothing.
BY_CHOICES: tuple[tuple[str, str], ...] = (
    ("lane", "lane"),
    ("irg_category", "IRG category"),
    ("transport_mode", "transport mode"),
    ("channel", "channel"),
    ("office", "office of entry"),
    ("collection_model", "collection model"),
    ("pre_arrival", "pre-arrival lodgement"),
)
INTERVAL_LABELS: dict[str, str] = {
    "arrival_to_lodgement": "arrival → lodgement",
    "lodgement_to_acceptance": "lodgement → acceptance",
    "acceptance_to_inspection": "acceptance → inspection",
    "inspection_to_payment": "inspection → payment",
    "payment_to_release": "payment → release",
    "arrival_to_release": "arrival → release (total)",
}
HISTOGRAM_LIMIT_HOURS = 48
CURVE_HOURS = tuple(range(HISTOGRAM_LIMIT_HOURS + 1))
TARGET_HOURS = 24.0
LANES = ("green", "yellow", "red")
LANE_COLORS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
TAX_LABELS = {"duty": "customs duty", "flat_duty": "flat duty", "vat": "import VAT"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TOP = 10
_OFFICE_SPLIT = re.compile(r"[\s,;]+")


# Filters ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    """The form as typed (to put back in the inputs) and the scope it means, or why it means none."""

    date_from: str
    date_to: str
    office: str
    by: str
    scope: Scope | None
    error: str | None

    def query(self, **extra: str) -> str:
        fields = {"from": self.date_from, "to": self.date_to, "office": self.office, "by": self.by, **extra}
        return urllib.parse.urlencode({k: v for k, v in fields.items() if v})


def _date(text: str, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a date for '{field}': use YYYY-MM-DD") from exc


def parse_filters(params: Mapping[str, str], offices: Sequence[str] = ()) -> Filters:
    date_from = params.get("from", "").strip()
    date_to = params.get("to", "").strip()
    office = " ".join(offices).strip() if offices else params.get("office", "").strip()
    by = params.get("by", "").strip()
    codes = tuple(dict.fromkeys(c.upper() for c in _OFFICE_SPLIT.split(office) if c))
    try:
        if by and by not in dict(BY_CHOICES):
            raise UnknownDimension(by, trs.DIMENSIONS, "TRS")
        scope = Scope(_date(date_from, "from"), _date(date_to, "to"), codes)
    except ValueError as exc:
        return Filters(date_from, date_to, office, by, None, str(exc))
    return Filters(date_from, date_to, " ".join(codes), by, scope, None)


def _request_filters(request: Request) -> Filters:
    return parse_filters(request.query_params, request.query_params.getlist("office"))


def _known_offices(request: Request) -> list[str]:
    """Every office with shipments, whatever the period: the choices of the office filter. Asked of the
    database directly, since the pages read the measured tables for the requested period only."""
    office = shipments.c.office_of_entry
    with request.app.state.engine.connect() as conn:
        rows = conn.execute(select(office).where(office.is_not(None)).distinct().order_by(office))
        return [str(code) for code in rows.scalars()]


# Formatting ------------------------------------------------------------------------------------------


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f} h"


def share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def money(value: Decimal | str) -> str:
    return f"{Decimal(value):,.2f}"


# Release times ---------------------------------------------------------------------------------------


def _overall(rows: list[dict[str, Any]], interval: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["interval"] == interval), None)


def _interval_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "label": INTERVAL_LABELS.get(r["interval"], r["interval"]),
            "mode_bin": f"{r['mode_bin_start']:g} to {r['mode_bin_end']:g} h"
            if r["mode_bin_start"] is not None
            else "—",
        }
        for r in rows
    ]


def _grouped(result: dict[str, Any], by: str) -> list[dict[str, Any]]:
    """The interval table split per value of ``by``, each group with its share released within 24 h."""
    within = {r[by]: r for r in result["released_within"] if r["hours"] == TARGET_HOURS and r[by] is not None}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in result["intervals"]:
        groups[row[by]].append(row)
    return [
        {
            "value": value,
            "arrived": within[value]["arrived"] if value in within else 0,
            "within_text": share(within[value]["share"]) if value in within else "—",
            "rows": _interval_rows(rows),
        }
        for value, rows in groups.items()
    ]


def load_tables(request: Request, scope: Scope | None = None) -> Tables:
    with unit_of_work(request) as conn:
        return tables_for(conn, scope)


def release_times_view(tables: Tables, scope: Scope, by: str | None) -> dict[str, Any]:
    """Everything the release-times page shows; raises EmptyScope when the scope holds no shipment."""
    result = study.run_study(tables, scope, None)
    frame = trs.with_intervals(study.milestones(shipments_in(tables, scope)))
    totals = frame.select(pl.col("arrival_to_release").drop_nulls()).collect().to_series().to_list()
    total = _overall(result["intervals"], "arrival_to_release")
    within = {r["hours"]: r for r in result["released_within"]}
    day = within.get(TARGET_HOURS)
    curve = trs.released_within(frame, CURVE_HOURS).to_dicts()
    points = [(r["hours"], r["share"]) for r in curve if r["share"] is not None]
    by_hour = [
        charts.Bar(
            f"{r['hour']:02d}",
            r["arrivals"],
            tooltip=f"{r['arrivals']} arrived, {r['released']} released, "
            f"median {hours(r['median_arrival_to_release_hours'])}",
        )
        for r in result["hour_of_day"]
    ]
    by_weekday = [
        charts.Bar(
            WEEKDAYS[r["weekday"] - 1],
            r["arrivals"],
            tooltip=f"{r['arrivals']} arrived, median {hours(r['median_arrival_to_release_hours'])}",
        )
        for r in result["day_of_week"]
    ]
    return {
        "headline": {
            "shipments": result["shipments"],
            "arrived": result["arrived"],
            "released": result["released"],
            "within_24h": share(day["share"]) if day else "—",
            "within_24h_count": f"{day['released']} of {day['arrived']} arrived" if day else "",
            "median": hours(total["median"]) if total else "—",
            "p90": hours(total["p90"]) if total else "—",
        },
        "nothing_released": total is None,
        "intervals": _interval_rows(result["intervals"]),
        "released_within": [{**r, "share_text": share(r["share"])} for r in result["released_within"]],
        "groups": _grouped(study.run_study(tables, scope, by), by) if by else None,
        "percentile_definition": result["percentile_definition"],
        "outlier_rule": result["outlier_rule"],
        "mode_bin_hours": result["mode_bin_hours"],
        "histogram": charts.histogram(
            totals,
            label=f"Arrival to release, {len(totals)} released shipments in 1-hour bins up to "
            f"{HISTOGRAM_LIMIT_HOURS} h, then one bin for longer",
            limit=HISTOGRAM_LIMIT_HOURS,
        ),
        "curve": charts.line_chart(
            points,
            label="Share of arrived shipments released within X hours of arrival, "
            f"0 to {HISTOGRAM_LIMIT_HOURS} h",
            y_max=1.0,
            y_format=lambda v: f"{100 * v:.0f} %",
            x_format=lambda v: f"{v:g} h",
            x_ticks=range(0, HISTOGRAM_LIMIT_HOURS + 1, 6),
            markers=(TARGET_HOURS,),
        ),
        "hour_chart": charts.bar_chart(
            by_hour, label="Arrivals by hour of day (UTC)", integer=True, show_values=False
        ),
        "weekday_chart": charts.bar_chart(
            by_weekday, label="Arrivals by day of week", integer=True, color=charts.PALETTE[2]
        ),
    }


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _base_context(request: Request, tab: str, filters: Filters) -> dict[str, Any]:
    return {
        "tab": tab,
        "show_by": tab == "trs",
        "described": filters.scope.describe() if filters.scope else "",
        "f": filters,
        "by_choices": BY_CHOICES,
        "offices": _known_offices(request),
        "path": request.url.path,
    }


def _release_times(request: Request, filters: Filters, save_error: str | None = None) -> HTMLResponse:
    context = _base_context(request, "trs", filters) | {
        "view": None,
        "empty": None,
        "error": None,
        "save_error": save_error,
        "suggested_name": "",
    }
    if filters.scope is None:
        return _page(request, "measurement_release_times.html", context | {"error": filters.error}, 400)
    try:
        # Only the requested period is read (the scope still filters exactly).
        tables = load_tables(request, filters.scope)
        context["view"] = release_times_view(tables, filters.scope, filters.by or None)
    except EmptyScope as exc:
        context["empty"] = str(exc)
    context["suggested_name"] = "TRS " + filters.scope.describe()
    return _page(request, "measurement_release_times.html", context, 400 if save_error else 200)


@router.get("/measurement")
def measurement_home() -> RedirectResponse:
    return RedirectResponse("/measurement/release-times", status_code=307)


@router.get("/measurement/release-times", response_class=HTMLResponse)
def release_times(request: Request) -> HTMLResponse:
    return _release_times(request, _request_filters(request))


@router.post("/measurement/release-times", response_class=HTMLResponse)
async def save_study(request: Request) -> Response:
    """Store the study over the scope in the form (overall, without breakdown: compare reads that)."""
    # The form is parsed by hand: python-multipart, which FastAPI's Form needs, is not a dependency.
    form = urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    fields = {k: v[0] for k, v in form.items() if v}
    filters = parse_filters(fields, form.get("office", []))
    name = fields.get("name", "").strip()
    if filters.scope is None:
        return await run_in_threadpool(_release_times, request, filters)
    if not name or len(name) > 120:
        problem = "give the study a name of 1 to 120 characters"
        return await run_in_threadpool(_release_times, request, filters, problem)
    scope = filters.scope
    try:
        run_id = await run_in_threadpool(_save, request, name, scope)
    except EmptyScope:
        # The page itself shows the EmptyScope text; the save error only says that nothing was stored.
        return await run_in_threadpool(
            _release_times, request, filters, "Nothing saved: this scope is empty."
        )
    return RedirectResponse(f"/measurement/runs?saved={run_id}", status_code=303)


def _save(request: Request, name: str, scope: Scope) -> int:
    result = study.run_study(load_tables(request, scope), scope, None)
    with unit_of_work(request) as conn:
        return study.save_run(conn, name, result)


# Stored runs -----------------------------------------------------------------------------------------


def _run_ids(request: Request) -> tuple[list[int], str | None]:
    raw = [part for value in request.query_params.getlist("ids") for part in value.split(",") if part.strip()]
    try:
        return [int(x) for x in raw], None
    except ValueError:
        return [], "run numbers are whole numbers, e.g. ids=1&ids=2"


def comparison_charts(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Small multiples, one per measure, so that hours and shares never share an axis."""
    colors = {row["id"]: charts.PALETTE[i % len(charts.PALETTE)] for i, row in enumerate(rows)}

    def bars(key: str) -> list[charts.Bar]:
        fmt = share if key == "released_within_24h" else hours
        return [
            charts.Bar(f"#{r['id']} {r['name']}", r[key] or 0.0, text=fmt(r[key]), color=colors[r["id"]])
            for r in rows
        ]

    def in_hours(v: float) -> str:
        return f"{v:g} h"

    def pct(v: float) -> str:
        return f"{100 * v:.0f} %"

    measures = (
        ("median", "Median arrival → release", in_hours),
        ("p90", "P90 arrival → release", in_hours),
        ("released_within_24h", "Released within 24 h of arrival", pct),
    )
    return [
        (title, charts.bar_chart(bars(key), label=f"{title} per run", width=300, value_format=fmt))
        for key, title, fmt in measures
    ]


@router.get("/measurement/runs", response_class=HTMLResponse)
def runs(request: Request) -> HTMLResponse:
    wanted, error = _run_ids(request)
    saved = request.query_params.get("saved", "")
    with request.app.state.engine.connect() as conn:
        stored = study.list_runs(conn)
        chosen = study.get_runs(conn, wanted) if wanted else []
    missing = sorted(set(wanted) - {r["id"] for r in chosen})
    if missing:
        error = f"no stored TRS run {', '.join(map(str, missing))}"
    rows = study.compare(chosen) if chosen else []
    context = {
        "tab": "runs",
        "runs": stored,
        "selected": set(wanted) | ({int(saved)} if saved.isdigit() else set()),
        "saved": saved,
        "error": error,
        "comparison": [
            {
                **r,
                "median_text": hours(r["median"]),
                "mean_text": hours(r["mean"]),
                "p90_text": hours(r["p90"]),
                "within_text": share(r["released_within_24h"]),
            }
            for r in rows
        ],
        "charts": comparison_charts(rows) if rows else [],
    }
    return _page(request, "measurement_runs.html", context, 404 if missing else 400 if error else 200)


# Statistics ------------------------------------------------------------------------------------------


def _lanes_by_day(ships: pl.DataFrame) -> dict[str, Any]:
    """Shipments per lodgement day and lane, with the hit rate of controls (non-compliant / controlled)."""
    frame = (
        ships.group_by(pl.col("lodged_at").dt.date().alias("day"), pl.col("lane").fill_null("(none)"))
        .agg(
            pl.len().alias("shipments"),
            pl.col("inspected_at").is_not_null().sum().alias("controlled"),
            (pl.col("state") == "seized").sum().alias("non_compliant"),
        )
        .sort("day", "lane")
    )
    rows = frame.to_dicts()
    days = sorted({r["day"] for r in rows})
    lanes = [*LANES, *sorted({r["lane"] for r in rows} - set(LANES))]
    counts = {(r["day"], r["lane"]): r["shipments"] for r in rows}
    series = [
        charts.Series(
            lane,
            [counts.get((day, lane), 0) for day in days],
            LANE_COLORS.get(lane, charts.PALETTE[-1]),
        )
        for lane in lanes
    ]
    chart = charts.stacked_bar_chart(
        [d.isoformat() for d in days],
        series,
        label="Shipments per lodgement day by lane",
        integer=True,
        width=1100,
    )
    table = [
        {
            **r,
            "day": r["day"].isoformat(),
            "hit_rate": share(r["non_compliant"] / r["controlled"]) if r["controlled"] else "—",
        }
        for r in sorted(rows, key=lambda r: (r["day"], lanes.index(r["lane"])))
    ]
    return {"chart": chart, "rows": table}


def _revenue_by_type(tables: Tables, scope: Scope) -> dict[str, Any]:
    # The benchmark already splits each tax type into border and checkout collection; the cost of
    # collection is not shown here, so it is computed with a cost of zero.
    totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in revenue_benchmark(tables, scope, Decimal(0), "day"):
        totals[(r["tax_type"], r["currency"])][0] += Decimal(r["collected_at_border"])
        totals[(r["tax_type"], r["currency"])][1] += Decimal(r["collected_at_checkout"])
    keys = sorted(totals, key=lambda k: (list(TAX_LABELS).index(k[0]) if k[0] in TAX_LABELS else 99, k))
    currencies = {c for _, c in keys}
    labels = [TAX_LABELS.get(t, t) + (f" ({c})" if len(currencies) > 1 else "") for t, c in keys]
    chart = charts.stacked_bar_chart(
        labels,
        [
            charts.Series("at the border", [float(totals[k][0]) for k in keys], charts.PALETTE[0]),
            charts.Series("at checkout (IOSS)", [float(totals[k][1]) for k in keys], charts.PALETTE[1]),
        ],
        label="Revenue assessed by tax type, collected at the border or at checkout",
        width=480,
        value_format=lambda v: f"{v:,.0f}",
    )
    rows = [
        {
            "type": label,
            "currency": key[1],
            "border": money(totals[key][0]),
            "checkout": money(totals[key][1]),
            "total": money(sum(totals[key], Decimal(0))),
        }
        for label, key in zip(labels, keys, strict=True)
    ]
    return {"chart": chart, "rows": rows, "currency": ", ".join(sorted(currencies))}


def _top(rows: list[dict[str, Any]], key: str, what: str, currency: str) -> dict[str, Any]:
    top = rows[:TOP]
    bars = [
        charts.Bar(
            str(r[key]),
            r["shipments"],
            text=f"{r['shipments']:,} · {money(r['declared_value'])} {currency}",
        )
        for r in top
    ]
    label = f"Top {len(top)} {what} by shipments (of {len(rows)}), with declared value"
    chart = charts.horizontal_bar_chart(bars, label=label, width=1100, label_width=380)
    return {"chart": chart, "count": len(rows)}


def _band_order(label: str) -> tuple[bool, int]:
    # "0-22 EUR", "22-150 EUR", ..., "over 1000 EUR": order by the lower edge, the open band last.
    number = re.search(r"\d+", label)
    return label.startswith("over"), int(number.group()) if number else 0


def statistics_view(tables: Tables, scope: Scope) -> dict[str, Any]:
    ships = shipments_in(tables, scope)
    currencies = sorted({str(c) for c in ships["revenue_currency"].drop_nulls().unique().to_list()})
    currency = ", ".join(currencies)
    lanes = by_dimension(tables, scope, "lane")
    bands = sorted(by_dimension(tables, scope, "value_band"), key=lambda r: _band_order(r["value_band"]))
    declared = sum((Decimal(r["declared_value"]) for r in lanes), Decimal(0))
    assessed = sum((Decimal(r[t]) for r in lanes for t in TAX_LABELS), Decimal(0))
    border = sum((Decimal(r["collected_at_border"]) for r in lanes), Decimal(0))
    return {
        "currency": currency,
        "headline": {
            "shipments": ships.height,
            "declared": money(declared),
            "assessed": money(assessed),
            "border": money(border),
        },
        "lanes": _lanes_by_day(ships),
        "revenue": _revenue_by_type(tables, scope),
        "origins": _top(by_dimension(tables, scope, "origin"), "origin", "origins", currency),
        "chapters": _top(by_dimension(tables, scope, "hs_chapter"), "hs_chapter", "HS chapters", currency),
        "bands": {
            "chart": charts.bar_chart(
                [charts.Bar(r["value_band"], r["shipments"]) for r in bands],
                label="Shipments by declared value band",
                integer=True,
                width=480,
                color=charts.PALETTE[3],
            ),
            "rows": [
                {
                    **r,
                    **{k: money(r[k]) for k in ("declared_value", *TAX_LABELS, "collected_at_border")},
                }
                for r in bands
            ],
        },
        "quality": [
            {**r, "rate": share(r["rejection_rate"]), "errors": ", ".join(r["top_errors"])}
            for r in data_quality(tables, scope)
        ],
    }


@router.get("/measurement/statistics", response_class=HTMLResponse)
def statistics(request: Request) -> HTMLResponse:
    filters = _request_filters(request)
    context = _base_context(request, "stats", filters) | {
        "view": None,
        "empty": None,
        "error": filters.error,
    }
    if filters.scope is None:
        return _page(request, "measurement_statistics.html", context, 400)
    try:
        context["view"] = statistics_view(load_tables(request, filters.scope), filters.scope)
    except EmptyScope as exc:
        context["empty"] = str(exc)
    return _page(request, "measurement_statistics.html", context)
