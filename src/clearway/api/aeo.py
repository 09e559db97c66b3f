"""Traders, AEO authorisations (exchange format, docs/aeo-exchange.md) and mutual recognition."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from clearway.clearance import aeo, parties
from clearway.clearance.errors import InvalidTin
from clearway.http.bodies import parse_model, read_json
from clearway.http.problems import JSON_OR_CSV, Problem, invalid, problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.kit.errors import Finding

router = APIRouter(prefix="/v1", tags=["clearance"], responses=problems(400, 404, 409))


@router.get("/traders/{tin}", summary="A trader by TIN, with its AEO authorisations and their recognition")
def get_trader(
    tin: str, request: Request, _: Principal = Depends(require(Role.OFFICER, Role.ANALYST))
) -> dict[str, Any]:
    try:
        key = parties.parse_tin(tin).value
    except InvalidTin as exc:  # the generic detail of a request with invalid fields, as always
        raise invalid(exc.errors) from exc
    today = dt.datetime.now(dt.UTC).date()
    with request.app.state.engine.connect() as conn:
        found = parties.trader(conn, key)
        auths = [a for a in aeo.load(conn) if a.tin == key]
        partners = aeo.partners_on(conn, today)
    if found is None:
        raise Problem(404, "Not found", f"no trader {key}")
    return {
        **found,
        "aeo": [{**a.as_dict(), "recognised": aeo.recognised(a, today, partners)} for a in auths],
    }


@router.get(
    "/aeo",
    summary="Export the AEO list (exchange format, docs/aeo-exchange.md)",
    response_model=None,
    responses=JSON_OR_CSV,
)
def export_aeo(
    request: Request,
    format: Literal["json", "csv"] = "json",
    issuing_country: str | None = None,
    _: Principal = Depends(require(Role.OFFICER)),
) -> PlainTextResponse | JSONResponse:
    with request.app.state.engine.connect() as conn:
        items = aeo.load(conn, issuing_country)
    if format == "csv":
        return PlainTextResponse(aeo.write_csv(items), media_type="text/csv")
    doc = json.loads(aeo.write_json(items, issuing_country or "EU", dt.datetime.now(dt.UTC).date()))
    return JSONResponse(doc)


@router.post("/aeo", summary="Import an AEO list (CSV or JSON exchange format); all or nothing")
async def import_aeo(request: Request, _: Principal = Depends(require())) -> dict[str, Any]:
    text = (await request.body()).decode("utf-8", errors="replace")
    is_csv = request.headers.get("content-type", "").startswith("text/csv")
    items = aeo.read_csv(text) if is_csv else aeo.read_json(text)  # an ExchangeError lists every row
    with unit_of_work(request) as conn:
        stored = aeo.store(conn, items)
    return {"imported": stored}


class _Partner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    name: Annotated[str, Field(min_length=1, max_length=120)]
    since: dt.date
    until: dt.date | None = None


@router.post("/aeo/partners", summary="Record a mutual recognition partner administration")
async def add_partner(request: Request, _: Principal = Depends(require())) -> dict[str, Any]:
    body = parse_model(_Partner, await read_json(request))
    try:
        with unit_of_work(request) as conn:
            aeo.add_partner(conn, body.country, body.name, body.since, body.until)
    except ValueError as exc:
        raise invalid([Finding("partner.country", "/country", str(exc))]) from exc
    return body.model_dump(mode="json")
