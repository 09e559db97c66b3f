"""Clearance workflow API: holds, control results, returns, the officers' queue, pre-loading, agencies,
customs offices, traders and AEO, webhooks. Transitions answer the shipment's new state and holds."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from clearway.api.problems import Problem, invalid, parse_id
from clearway.api.security import Principal, Role, ensure_visible, require
from clearway.clearance import aeo, agencies, notify, offices, parties, preloading
from clearway.clearance import queue as work_queue
from clearway.clearance.lifecycle import (
    AnyEvent,
    InspectionResult,
    LiftHold,
    PlaceHold,
    Refusal,
    Return,
    TransitionRefused,
)
from clearway.clearance.service import NotPermitted, ShipmentNotFound, StaleVersion, record_event
from clearway.clearance.tables import webhooks
from clearway.declarations.findings import Finding, from_pydantic
from clearway.declarations.tables import holds, shipments

router = APIRouter(prefix="/v1", tags=["clearance"])
M = TypeVar("M", bound=BaseModel)
_PROBLEMS = "https://clearway.dev/problems/"


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Problem(400, "Malformed JSON", f"the body is not valid JSON: {exc}") from exc


def _parse(model: type[M], body: Any) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise invalid(from_pydantic(exc)) from exc


def _state_view(request: Request, sid: uuid.UUID) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        s = conn.execute(select(shipments.c.state, shipments.c.version).where(shipments.c.id == sid)).one()
        rows = conn.execute(select(holds).where(holds.c.shipment_id == sid).order_by(holds.c.id)).all()
    return {
        "id": str(sid),
        "state": s.state,
        "version": s.version,
        "holds": [work_queue.hold_view(h) for h in rows],
    }


async def transition(
    request: Request, principal: Principal, sid: uuid.UUID, event: AnyEvent
) -> dict[str, Any]:
    """Record one event as the principal (who), with If-Match for a conditional update."""
    await ensure_visible(request, principal, sid)
    if principal.key_id is not None:  # with keys, the event names the key's holder, not a claimed actor
        event = event.model_copy(update={"actor": principal.actor[:70]})
    expected = request.headers.get("if-match")
    if expected is not None and not expected.strip('"').isdigit():
        raise Problem(
            400, "Bad If-Match", "If-Match is the shipment's version number", _PROBLEMS + "if-match"
        )
    agency = principal.party if principal.role is Role.AGENCY else None
    try:
        await run_in_threadpool(
            record_event,
            request.app.state.engine,
            sid,
            event,
            None,
            int(expected.strip('"')) if expected else None,
            agency,
        )
    except ShipmentNotFound as exc:
        raise Problem(404, "Not found", f"no shipment {sid}") from exc
    except NotPermitted as exc:
        raise Problem(403, "Forbidden", str(exc), _PROBLEMS + "forbidden-role") from exc
    except TransitionRefused as exc:
        raise Problem(
            409, "Transition not allowed", str(exc), _PROBLEMS + "transition", state=exc.current.value
        ) from exc
    except StaleVersion as exc:
        raise Problem(
            409,
            "Stale version",
            "the shipment changed meanwhile; reload and retry",
            _PROBLEMS + "stale-version",
            state=exc.state,
            version=exc.version,
        ) from exc
    return await run_in_threadpool(_state_view, request, sid)


# --- holds, results, returns --------------------------------------------------------------------------


@router.get("/shipments/{shipment_id}/holds", summary="Holds of a shipment, open and closed, with ids")
async def list_holds(
    shipment_id: str,
    request: Request,
    principal: Principal = Depends(require(Role.OFFICER, Role.AGENCY, Role.FILER)),
) -> dict[str, Any]:
    sid = parse_id(shipment_id)
    await ensure_visible(request, principal, sid)
    try:
        return await run_in_threadpool(_state_view, request, sid)
    except Exception as exc:  # the shipment vanished between the check and the read: it does not exist
        raise Problem(404, "Not found", f"no shipment {shipment_id}") from exc


@router.post(
    "/shipments/{shipment_id}/holds", summary="Place a hold (documents / RFI, NII, inspection, agency)"
)
async def place_hold(
    shipment_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER, Role.AGENCY))
) -> dict[str, Any]:
    body = await _json(request)
    if isinstance(body, dict):
        body = {**body, "type": "hold"}
        if principal.role is Role.AGENCY:  # an agency holds for itself
            body.setdefault("kind", "agency")
            body.setdefault("agency", principal.party)
    return await transition(request, principal, parse_id(shipment_id), _parse(PlaceHold, body))


class _Lift(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    actor: Annotated[str, Field(min_length=1, max_length=70)] = "officer"


@router.post("/shipments/{shipment_id}/holds/{hold_id}/lift", summary="Lift one hold with a reason")
async def lift_hold(
    shipment_id: str,
    hold_id: int,
    request: Request,
    principal: Principal = Depends(require(Role.OFFICER, Role.AGENCY)),
) -> dict[str, Any]:
    body = _parse(_Lift, await _json(request))
    event = LiftHold(type="lift_hold", hold_id=hold_id, reason=body.reason, actor=body.actor)
    return await transition(request, principal, parse_id(shipment_id), event)


@router.post(
    "/shipments/{shipment_id}/results", summary="Document check, NII scan or physical inspection result"
)
async def record_result(
    shipment_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER))
) -> dict[str, Any]:
    body = await _json(request)
    event = _parse(
        InspectionResult, {**body, "type": "inspection_result"} if isinstance(body, dict) else body
    )
    return await transition(request, principal, parse_id(shipment_id), event)


class _Reasoned(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str | None, Field(max_length=1000)] = None
    actor: Annotated[str, Field(min_length=1, max_length=70)] = "system"


@router.post("/shipments/{shipment_id}/return", summary="Return request: released → returned, refund")
async def request_return(
    shipment_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER, Role.FILER))
) -> dict[str, Any]:
    body = _parse(_Reasoned, await _json(request) if await request.body() else {})
    event = Return(type="return", reason=body.reason, actor=body.actor)
    return await transition(request, principal, parse_id(shipment_id), event)


@router.post("/shipments/{shipment_id}/refuse", summary="Refuse entry (pre-arrival or while held)")
async def refuse(
    shipment_id: str, request: Request, principal: Principal = Depends(require(Role.OFFICER))
) -> dict[str, Any]:
    body = _parse(_Reasoned, await _json(request))
    if not body.reason:
        raise invalid([Finding("refusal.reason", "/reason", "a refusal states its reason")])
    event = Refusal(type="refuse", reason=body.reason, actor=body.actor)
    return await transition(request, principal, parse_id(shipment_id), event)


@router.get("/queue", summary="Held shipments by priority and age (the officers' work queue)")
def queue(
    request: Request, limit: int = Query(200, ge=1, le=2000), _: Principal = Depends(require(Role.OFFICER))
) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        items = work_queue.held(
            conn, dt.datetime.now(dt.UTC), limit=limit, settings=request.app.state.settings
        )
    return {"shipments": items}


# --- pre-loading --------------------------------------------------------------------------------------


@router.post("/preloading", summary="Pre-loading screening (air, 7+1 data set)", status_code=201)
async def submit_preloading(
    request: Request, principal: Principal = Depends(require(Role.FILER))
) -> JSONResponse:
    req = _parse(preloading.PreloadingRequest, await _json(request))
    if principal.role is Role.FILER and req.filer != principal.party:
        raise Problem(
            403, "Forbidden", f"filer '{req.filer}' is not the key's filer", _PROBLEMS + "other-filer"
        )

    def run() -> tuple[dict[str, Any], bool]:
        with request.app.state.engine.begin() as conn:
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


# --- agencies (Single Window) -------------------------------------------------------------------------


class _Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str


class _Subscription(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hs: str | None = Field(None, description="HS prefix ('0207') or range ('0201-0210')")
    origin: str | None = None
    party_tin: str | None = None
    hold_on_arrival: bool = False
    reason_code: str = "AGENCY-CHECK"
    text: str = "Held for another government agency"


@router.get("/agencies", summary="Agencies and their subscriptions")
def list_agencies(request: Request, _: Principal = Depends(require(Role.OFFICER))) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        return {"agencies": agencies.list_agencies(conn)}


@router.post("/agencies", status_code=201, summary="Create an agency")
async def create_agency(request: Request, _: Principal = Depends(require())) -> dict[str, Any]:
    body = _parse(_Agency, await _json(request))
    try:
        with request.app.state.engine.begin() as conn:
            agencies.create_agency(conn, body.code, body.name)
    except agencies.InvalidSubscription as exc:
        raise invalid([Finding(f"agency.{exc.field}", f"/{exc.field}", str(exc))]) from exc
    except IntegrityError as exc:
        raise Problem(409, "Conflict", f"agency {body.code} exists", _PROBLEMS + "exists") from exc
    return {"code": body.code, "name": body.name}


@router.post("/agencies/{code}/subscriptions", status_code=201, summary="Subscribe an agency")
async def subscribe(code: str, request: Request, _: Principal = Depends(require())) -> dict[str, Any]:
    body = _parse(_Subscription, await _json(request))
    try:
        sub = agencies.subscription(
            code, body.hs, body.origin, body.party_tin, body.hold_on_arrival, body.reason_code, body.text
        )
    except agencies.InvalidSubscription as exc:
        raise invalid([Finding(f"subscription.{exc.field}", f"/{exc.field}", str(exc))]) from exc
    with request.app.state.engine.begin() as conn:
        if not agencies.agency_exists(conn, code):
            raise Problem(404, "Not found", f"no agency {code}")
        agencies.add_subscriptions(conn, [sub])
    return {
        "agency": code,
        "hs_from": sub.hs_from,
        "hs_to": sub.hs_to,
        "origin": sub.origin,
        "party_tin": sub.party_tin,
        "hold_on_arrival": sub.hold_on_arrival,
    }


@router.get("/agencies/{code}/shipments", summary="The shipments an agency's subscriptions match")
def agency_shipments(
    code: str,
    request: Request,
    limit: int = Query(200, ge=1, le=2000),
    principal: Principal = Depends(require(Role.AGENCY, Role.OFFICER)),
) -> dict[str, Any]:
    if principal.role is Role.AGENCY and principal.party != code:
        raise Problem(404, "Not found", f"no agency {code}")
    with request.app.state.engine.connect() as conn:
        if not agencies.agency_exists(conn, code):
            raise Problem(404, "Not found", f"no agency {code}")
        return {"agency": code, "shipments": work_queue.for_agency(conn, code, limit)}


# --- customs offices ----------------------------------------------------------------------------------


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
    body = _parse(_Office, await _json(request))
    try:
        item = offices.office(code, body.name, body.roles, body.opening_hours, body.valid_from, body.valid_to)
    except offices.InvalidOffice as exc:
        raise invalid([Finding(f"office.{exc.field}", f"/{exc.field}", str(exc))]) from exc
    with request.app.state.engine.begin() as conn:
        offices.save(conn, [item])
    return item.as_dict()


# --- traders, AEO, mutual recognition -----------------------------------------------------------------


@router.get("/traders/{tin}", summary="A trader by TIN, with its AEO authorisations and their recognition")
def get_trader(
    tin: str, request: Request, _: Principal = Depends(require(Role.OFFICER, Role.ANALYST))
) -> dict[str, Any]:
    try:
        key = parties.parse_tin(tin).value
    except parties.InvalidTin as exc:
        raise invalid([Finding(exc.code, "/tin", str(exc))]) from exc
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
    "/aeo", summary="Export the AEO list (exchange format, docs/aeo-exchange.md)", response_model=None
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
    try:
        items = aeo.read_csv(text) if is_csv else aeo.read_json(text)
    except aeo.ExchangeError as exc:
        raise Problem(
            422,
            "Unprocessable content",
            str(exc),
            _PROBLEMS + "aeo-exchange",
            errors=[e.as_dict() for e in exc.errors],
        ) from exc
    with request.app.state.engine.begin() as conn:
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
    body = _parse(_Partner, await _json(request))
    try:
        with request.app.state.engine.begin() as conn:
            aeo.add_partner(conn, body.country, body.name, body.since, body.until)
    except ValueError as exc:
        raise invalid([Finding("partner.country", "/country", str(exc))]) from exc
    return body.model_dump(mode="json")


# --- webhooks and notifications -----------------------------------------------------------------------


class _Webhook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, Field(pattern=r"^https?://", max_length=500)]
    secret: Annotated[str, Field(min_length=16, max_length=200)]
    filer: str | None = None


@router.post("/webhooks", status_code=201, summary="Register a webhook (HMAC-signed notifications)")
async def add_webhook(
    request: Request, principal: Principal = Depends(require(Role.FILER))
) -> dict[str, Any]:
    body = _parse(_Webhook, await _json(request))
    filer = principal.party if principal.role is Role.FILER else body.filer
    with request.app.state.engine.begin() as conn:
        hook_id = notify.add_webhook(conn, body.url, body.secret, filer)
    return {"id": hook_id, "url": body.url, "filer": filer}


@router.get("/webhooks", summary="Webhooks (a filer sees its own)")
def list_webhooks(request: Request, principal: Principal = Depends(require(Role.FILER))) -> dict[str, Any]:
    query = select(webhooks.c.id, webhooks.c.url, webhooks.c.filer, webhooks.c.active).order_by(webhooks.c.id)
    if principal.role is Role.FILER:
        query = query.where(webhooks.c.filer == principal.party)
    with request.app.state.engine.connect() as conn:
        return {"webhooks": [dict(r._mapping) for r in conn.execute(query)]}


@router.get("/notifications", summary="Outbox and delivery counts (pending, delivered, dead)")
def notification_counts(request: Request, _: Principal = Depends(require())) -> dict[str, int]:
    with request.app.state.engine.connect() as conn:
        return notify.counts(conn)
