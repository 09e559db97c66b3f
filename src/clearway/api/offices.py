"""Customs office master data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from clearway.clearance import offices
from clearway.clearance.errors import InvalidOffice
from clearway.http.bodies import parse_model, read_json
from clearway.http.problems import Problem, invalid, problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.kit.errors import Finding

router = APIRouter(prefix="/v1", tags=["clearance"], responses=problems(400, 404, 409))


class _Office(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    roles: list[str]
    opening_hours: str = "Mo-Fr 08:00-18:00"
    valid_from: dt.date = dt.date(2020, 1, 1)
    valid_to: dt.date | None = None


@router.get("/offices", summary="Customs office master data")
def list_offices(
    request: Request,
    role: str | None = None,
    _: Principal = Depends(require(Role.OFFICER, Role.FILER, Role.ANALYST, Role.AGENCY)),
) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        found = offices.load(conn).values()
    return {"offices": [o.as_dict() for o in found if role is None or role in o.roles]}


@router.get("/offices/{code}", summary="One customs office")
def get_office(
    code: str,
    request: Request,
    _: Principal = Depends(require(Role.OFFICER, Role.FILER, Role.ANALYST, Role.AGENCY)),
) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        found = offices.load(conn, [code.upper()]).get(code.upper())
    if found is None:
        raise Problem(404, "Not found", f"no customs office {code}")
    return found.as_dict()


@router.put("/offices/{code}", summary="Create or update a customs office")
async def put_office(code: str, request: Request, _: Principal = Depends(require())) -> dict[str, Any]:
    body = parse_model(_Office, await read_json(request))
    try:
        item = offices.office(code, body.name, body.roles, body.opening_hours, body.valid_from, body.valid_to)
    except InvalidOffice as exc:  # the generic detail of a request with invalid fields, as always
        raise invalid([Finding(f"office.{exc.field}", f"/{exc.field}", str(exc))]) from exc
    with unit_of_work(request) as conn:
        offices.save(conn, [item])
    return item.as_dict()
