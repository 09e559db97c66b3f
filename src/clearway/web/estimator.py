"""The consumer estimator page `/estimate` (no login): find goods by description, see what a parcel costs.

Search runs over the HS 2022 subheading texts (every word of the query must appear; shorter texts
first) and marks goods on the packaged prohibited/restricted list. The estimate is the same
`clearway.revenue.service.estimate` as `GET /v1/estimate` and `clearway estimate`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from clearway.reference import prohibited_status
from clearway.reference._load import read_rows
from clearway.reference.jurisdictions import all_profiles
from clearway.revenue import service
from clearway.revenue.engine import estimate_request
from clearway.revenue.errors import EstimateError
from clearway.web.dashboard import templates

router = APIRouter(include_in_schema=False)
MAX_RESULTS = 25


@dataclass(frozen=True, slots=True)
class GoodsMatch:
    code: str
    description: str
    status: str | None  # "prohibited", "restricted" or None
    reason: str


@cache
def _subheadings() -> list[tuple[str, str, str]]:
    """(code, description, lower-case description) of every HS 2022 subheading."""
    return [
        (code, text, text.lower())
        for code, parent, text in read_rows("hs.csv.gz")
        if len(code) == 6 and parent
    ]


def search_goods(query: str, limit: int = MAX_RESULTS) -> list[GoodsMatch]:
    words = re.findall(r"\w[\w-]*", query.lower())  # "t-shirts" stays one word
    if not words:
        return []
    if len(words) == 1 and words[0].isdigit():
        hits = [(c, t) for c, t, _ in _subheadings() if c.startswith(words[0])]
    else:
        hits = [(c, t) for c, t, low in _subheadings() if all(w in low for w in words)]
        hits.sort(key=lambda h: (len(h[1]), h[0]))  # the most specific wording first
    out = []
    for code, text in hits[:limit]:
        p = prohibited_status(code)
        out.append(GoodsMatch(code, text, p.status if p else None, p.reason if p else ""))
    return out


def _destinations() -> list[tuple[str, str]]:
    return sorted((m, j.id) for j in all_profiles() for m in j.members)


@router.get("/estimate", response_class=HTMLResponse)
def estimate_page(request: Request) -> HTMLResponse:
    q = dict(request.query_params)
    query = q.get("q", "")
    context: dict[str, Any] = {
        "q": query,
        "matches": search_goods(query) if query else [],
        "form": q,
        "destinations": _destinations(),
        "today": dt.date.today().isoformat(),
        "result": None,
        "error": None,
        "restriction": None,
    }
    if q.get("hs"):
        p = prohibited_status(q["hs"].strip())
        context["restriction"] = p
        try:
            parcel = estimate_request({k: v for k, v in q.items() if k != "q"})
            fallback = request.app.state.settings.fallback_duty_rate
            context["result"] = service.estimate(parcel, fallback).as_json()
        except EstimateError as exc:
            context["error"] = exc
    status = 422 if context["error"] else 200
    return templates.TemplateResponse(request, "estimate.html", context, status_code=status)
