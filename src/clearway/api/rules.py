"""/v1/rules, /v1/rule-sets, /v1/rules/backtest and /v1/watchlist: risk rules as data and watch lists.

The feature's errors reach the one handler: a bad condition (`RuleError`, 422 with the `position`), no
such rule (`RuleNotFound`, 404), an empty backtest range (`EmptyRange`, 404).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from clearway.http.problems import JSON_OR_CSV, Problem, problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.risk import ruleset
from clearway.risk import watchlist as watch_lists
from clearway.risk.backtest import backtest
from clearway.risk.errors import RuleExists, WatchlistCsvError

router = APIRouter(tags=["risk rules"], responses=problems(404, 409))
Reader = Annotated[Principal, Depends(require(Role.ANALYST, Role.OFFICER))]
Writer = Annotated[Principal, Depends(require(Role.ANALYST))]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _actor(principal: Principal) -> str:
    return principal.key_id or principal.party or principal.role.value


def _concurrent() -> Problem:
    # Two changes at once both took the next version number: the second is rolled back, nothing changed.
    return Problem(409, "Conflict", "another change to the rule set was stored at the same time; try again")


@router.get("/v1/rules")
def list_rules(request: Request, _: Reader) -> dict[str, Any]:
    with _engine(request).connect() as conn:
        version = ruleset.current_version(conn)
        return {
            "rule_set_version": ruleset.version_string(version),
            "rules": ruleset.list_rules(conn),
        }


@router.get("/v1/rules/{rule_id}")
def show_rule(request: Request, rule_id: str, _: Reader) -> dict[str, Any]:
    with _engine(request).connect() as conn:
        return ruleset.get_rule(conn, rule_id)


def _changed(request: Request, rule_id: str, version: int) -> dict[str, Any]:
    with _engine(request).connect() as conn:
        return {"rule": ruleset.get_rule(conn, rule_id), "rule_set_version": ruleset.version_string(version)}


@router.post("/v1/rules", status_code=201)
def add_rule(request: Request, spec: ruleset.RuleSpec, principal: Writer) -> dict[str, Any]:
    try:
        with unit_of_work(request) as conn:
            version = ruleset.add_rule(conn, spec, _actor(principal))
    except RuleExists:  # with the route to use instead
        raise Problem(409, "Conflict", f"rule {spec.id} exists: use PUT /v1/rules/{spec.id}") from None
    except IntegrityError:
        raise _concurrent() from None
    return _changed(request, spec.id, version)


@router.put("/v1/rules/{rule_id}")
def update_rule(request: Request, rule_id: str, spec: ruleset.RuleSpec, principal: Writer) -> dict[str, Any]:
    if spec.id != rule_id:
        raise Problem(422, "Unprocessable content", f"id: the body names {spec.id}, the path {rule_id}")
    try:
        with unit_of_work(request) as conn:
            version = ruleset.update_rule(conn, rule_id, spec, _actor(principal))
    except IntegrityError:
        raise _concurrent() from None
    return _changed(request, rule_id, version)


@router.post("/v1/rules/{rule_id}/disable")
def disable_rule(request: Request, rule_id: str, principal: Writer) -> dict[str, Any]:
    try:
        with unit_of_work(request) as conn:
            version = ruleset.disable_rule(conn, rule_id, _actor(principal))
    except IntegrityError:
        raise _concurrent() from None
    return _changed(request, rule_id, version)


@router.get("/v1/rule-sets")
def rule_sets(request: Request, _: Reader) -> dict[str, Any]:
    with _engine(request).connect() as conn:
        return {"versions": ruleset.list_versions(conn)}


class BacktestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    condition: Annotated[str | None, Field(max_length=4000)] = None
    rule: Annotated[str | None, Field(max_length=40, description="a stored rule's id")] = None
    date_from: Annotated[dt.date, Field(alias="from")]
    date_to: Annotated[dt.date, Field(alias="to")]

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.condition is None) == (self.rule is None):
            raise ValueError("condition: give exactly one of condition and rule")
        if self.date_to < self.date_from:
            raise ValueError("to: before from")
        return self


@router.post("/v1/rules/backtest")
def run_backtest(request: Request, body: BacktestRequest, _: Reader) -> dict[str, Any]:
    settings = request.app.state.settings
    with _engine(request).connect() as conn:
        if body.condition is not None:
            rules, label = ruleset.condition_only(body.condition), body.condition
        else:
            assert body.rule is not None
            rules, label = ruleset.stored_rule(conn, body.rule), body.rule
        result = backtest(conn, rules, body.date_from, body.date_to, settings.split_window_hours, label)
    return result.as_dict()


# Watch list ---------------------------------------------------------------------------------------


class WatchEntryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tin: Annotated[str | None, Field(max_length=40)] = None
    name: Annotated[str | None, Field(max_length=70)] = None
    address: Annotated[str | None, Field(max_length=256, description="line, postcode, country")] = None
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    source: Annotated[str, Field(min_length=1, max_length=70)] = "api"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if not (self.tin or self.name or self.address):
            raise ValueError("tin: one of tin, name or address is required")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to: before valid_from")
        return self


@router.get("/v1/watchlist", response_model=None, responses=JSON_OR_CSV)
def list_watchlist(
    request: Request,
    _: Reader,
    on: Annotated[dt.date | None, Query(description="only entries valid on this day")] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> dict[str, Any] | PlainTextResponse:
    with _engine(request).connect() as conn:
        if format == "csv":
            return PlainTextResponse(watch_lists.export_csv(conn), media_type="text/csv")
        return {"entries": watch_lists.list_entries(conn, on)}


@router.post("/v1/watchlist", status_code=201)
def add_watchlist(request: Request, body: WatchEntryBody | list[WatchEntryBody], _: Writer) -> dict[str, Any]:
    entries = body if isinstance(body, list) else [body]
    with unit_of_work(request) as conn:
        added = watch_lists.add_entries(conn, [watch_lists.WatchEntry(**e.model_dump()) for e in entries])
    return {"added": added}


_CSV_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.post("/v1/watchlist/import", status_code=201, openapi_extra=_CSV_BODY)
async def import_watchlist(request: Request, _: Writer) -> dict[str, Any]:
    """CSV as documented in risk/watchlist.py (README: Risk rules): all rows or none."""
    raw = await request.body()
    try:
        entries = watch_lists.parse_csv(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise Problem(400, "Bad request", "the file is not UTF-8") from None
    except WatchlistCsvError as exc:  # the count as the detail (the error's text lists the rows)
        raise Problem(
            422,
            exc.title,
            f"{len(exc.problems)} bad row(s); nothing imported",
            exc.type_uri,
            errors=exc.errors,
        ) from None

    def store() -> int:
        with unit_of_work(request) as conn:
            return watch_lists.add_entries(conn, entries)

    return {"added": await run_in_threadpool(store)}
