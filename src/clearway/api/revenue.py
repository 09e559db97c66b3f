"""/v1/accounts, /v1/registrations, payment requests and /v1/simulations/de-minimis.

Collection models (vendor registrations, intermediary accounts, buyer payment requests), the ledger's
statements and the de minimis policy simulator. Bad input is a 422 problem naming the field: the
feature's own errors (`clearway.revenue.errors`) answered by the one handler.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from clearway.http.bodies import read_json
from clearway.http.problems import JSON_OR_CSV, Problem, invalid, parse_id
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work
from clearway.kit.errors import Finding
from clearway.revenue import accounts, registrations, service, simulator
from clearway.revenue.errors import RegistrationError
from clearway.security.visibility import can_see

router = APIRouter(tags=["revenue"])

Reader = Annotated[Principal, Depends(require(Role.OFFICER, Role.ANALYST))]
Officer = Annotated[Principal, Depends(require(Role.OFFICER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


def _bad(field: str, message: str, code: str) -> Problem:
    return invalid([Finding(code, f"/{field}", message)], f"{field}: {message}")


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _bad("", "expected a JSON object", "schema.object")
    return body


def _decimal(data: dict[str, Any], field: str) -> Decimal:
    try:
        return Decimal(str(data.get(field, "")))
    except InvalidOperation as exc:
        raise _bad(field, f"'{data.get(field)}' is not a decimal amount", "amount.format") from exc


def _at(data: dict[str, Any]) -> dt.datetime | None:
    raw = data.get("at")
    if raw in (None, ""):
        return None
    try:
        at = dt.datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise _bad("at", f"'{raw}' is not an ISO date-time", "at.format") from exc
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _run_account(request: Request, work: Any) -> Any:
    """The work in one transaction; UnknownAccount (404) and AccountError (422) reach the handler."""
    with unit_of_work(request) as conn:
        return work(conn)


# Accounts ---------------------------------------------------------------------------------------------


@router.post(
    "/v1/accounts", status_code=201, summary="Open an intermediary account (carrier, post, marketplace)"
)
async def post_account(request: Request, _: Admin) -> dict[str, Any]:
    account = accounts.parse_account(_object(await read_json(request)))
    await run_in_threadpool(_run_account, request, lambda conn: service.open_account(conn, account))
    return account.as_dict(0)


@router.get("/v1/accounts", summary="Accounts with open balance and available limit")
async def get_accounts(request: Request, _: Reader) -> dict[str, Any]:
    found = await run_in_threadpool(_run_account, request, service.accounts_with_balances)
    return {"accounts": [a.as_dict(balance) for a, balance in found]}


@router.get("/v1/accounts/{account_id}", summary="One account with its open balance")
async def get_account(request: Request, account_id: str, _: Reader) -> dict[str, Any]:
    account, balance = await run_in_threadpool(
        _run_account, request, lambda conn: service.account_with_balance(conn, account_id)
    )
    result: dict[str, Any] = account.as_dict(balance)
    return result


@router.get(
    "/v1/accounts/{account_id}/statement",
    summary="Monthly statement (JSON, or CSV with format=csv)",
    response_model=None,
    responses=JSON_OR_CSV,
)
async def get_statement(
    request: Request,
    account_id: str,
    _: Reader,
    month: Annotated[str, Query(description="YYYY-MM")],
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> dict[str, Any] | Response:
    doc: dict[str, Any] = await run_in_threadpool(
        _run_account, request, lambda conn: service.account_statement(conn, account_id, month)
    )
    if format == "csv":
        name = f"statement-{doc['account']['id']}-{month}.csv"
        return Response(
            accounts.statement_csv(doc),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return doc


@router.post("/v1/accounts/{account_id}/payments", status_code=201, summary="Record a payment on an account")
async def post_payment(request: Request, account_id: str, _: Officer) -> dict[str, Any]:
    data = _object(await read_json(request))
    amount, at = _decimal(data, "amount"), _at(data)
    reference = str(data.get("reference") or "")[:140]
    posting = await run_in_threadpool(
        _run_account, request, lambda conn: service.pay_account(conn, account_id, amount, at, reference)
    )
    return {"posting_id": str(posting.id), "account": account_id.upper(), "amount": str(amount)}


@router.post(
    "/v1/accounts/{account_id}/adjustments", status_code=201, summary="Post an adjustment to an account"
)
async def post_adjustment(request: Request, account_id: str, _: Officer) -> dict[str, Any]:
    data = _object(await read_json(request))
    amount, at = _decimal(data, "amount"), _at(data)
    reason = str(data.get("reason") or "")[:140]
    posting = await run_in_threadpool(
        _run_account, request, lambda conn: service.adjust_account(conn, account_id, amount, reason, at)
    )
    return {"posting_id": str(posting.id), "account": account_id.upper(), "amount": str(amount)}


# Buyer model ------------------------------------------------------------------------------------------


@router.get(
    "/v1/shipments/{shipment_id}/payment-request",
    summary="What the buyer (or carrier) must pay before release, with the payment reference",
)
async def get_payment_request(
    request: Request,
    shipment_id: str,
    principal: Principal = Depends(require(Role.OFFICER, Role.ANALYST, Role.FILER)),
) -> dict[str, Any]:
    sid = parse_id(shipment_id)

    def work() -> dict[str, Any] | None:
        with unit_of_work(request) as conn:
            if not can_see(conn, principal, sid):  # a filer sees its own shipments only
                return None
            return service.payment_request(conn, sid)

    found = await run_in_threadpool(work)
    if found is None:
        raise Problem(404, "Not found", f"no shipment {shipment_id}")
    return found


# Vendor registrations ---------------------------------------------------------------------------------


@router.post("/v1/registrations", summary="Load registrations (JSON list or CSV body); same number replaced")
async def post_registrations(request: Request, _: Admin) -> dict[str, Any]:
    raw = await request.body()
    try:
        if request.headers.get("content-type", "").startswith("text/csv"):
            regs = registrations.parse_csv(raw.decode("utf-8"))
        else:
            body = await read_json(request)
            items = body.get("registrations") if isinstance(body, dict) else body
            if not isinstance(items, list):
                raise _bad("registrations", "expected a list of registrations", "schema.list")
            regs = [registrations.parse_registration(_object(r), None) for r in items]
    except RegistrationError as exc:  # the detail without the CSV line, as always
        raise _bad(exc.field, exc.message, f"registration.{exc.field}") from exc
    except UnicodeDecodeError as exc:
        raise Problem(400, "Malformed CSV", "the body is not UTF-8 text") from exc

    def work() -> int:
        with unit_of_work(request) as conn:
            return service.load_registrations(conn, regs)

    return {"imported": await run_in_threadpool(work)}


@router.get("/v1/registrations/{number}", summary="One registration number in the registry")
async def get_registration(request: Request, number: str, _: Reader) -> dict[str, Any]:
    def work() -> registrations.Registration | None:
        with unit_of_work(request) as conn:
            return service.find_registration(conn, number)

    found = await run_in_threadpool(work)
    if found is None:
        raise Problem(
            404, "Not found", f"registration {registrations.normalise(number)} is not in the registry"
        )
    return found.as_dict()


@router.post("/v1/registrations/{number}/revoke", summary="Revoke a registration from a time (now if absent)")
async def post_revoke(request: Request, number: str, _: Admin) -> dict[str, Any]:
    raw = await request.body()
    at = _at(_object(await read_json(request))) if raw.strip() else None

    def work() -> registrations.Registration:
        with unit_of_work(request) as conn:
            return service.revoke_registration(conn, number, at or dt.datetime.now(dt.UTC))

    try:
        return (await run_in_threadpool(work)).as_dict()
    except LookupError as exc:
        raise Problem(404, "Not found", str(exc)) from exc


def _use(k: int, item: Any) -> registrations.RegistrationUse:
    data = _object(item)

    def field(name: str) -> str:
        value = data.get(name)
        if value in (None, ""):
            raise invalid([Finding("schema.missing", f"/items/{k}/{name}", f"{name} is required")])
        return str(value)

    try:
        value = Decimal(field("value"))
        day = dt.date.fromisoformat(field("date"))
    except (InvalidOperation, ValueError) as exc:
        raise invalid([Finding("schema.format", f"/items/{k}", f"value or date malformed: {exc}")]) from exc
    jurisdiction = data.get("jurisdiction")
    return registrations.RegistrationUse(
        str(data.get("key", k)),
        field("number"),
        value,
        field("currency").upper(),
        day,
        str(jurisdiction) if jurisdiction else None,
    )


@router.post("/v1/registrations/check", summary="Misuse findings for consignments under registration numbers")
async def post_check(request: Request, _: Reader) -> dict[str, Any]:
    body = _object(await read_json(request))
    items = body.get("items")
    if not isinstance(items, list) or len(items) > 10_000:
        raise _bad("items", "expected a list of up to 10,000 uses", "schema.list")
    uses = [_use(k, item) for k, item in enumerate(items)]

    def work() -> list[registrations.RegistrationFinding]:
        with unit_of_work(request) as conn:
            return service.check_registrations(conn, uses)

    findings = await run_in_threadpool(work)
    return {"checked": len(uses), "findings": [f.as_dict() for f in findings]}


# Simulator --------------------------------------------------------------------------------------------


def _simulate(request: Request, policy: simulator.Policy) -> dict[str, Any]:
    with unit_of_work(request) as conn:
        return service.simulate_de_minimis(conn, policy, request.app.state.settings.fallback_duty_rate)


@router.get("/v1/simulations/de-minimis", summary="De minimis policy simulation over stored traffic")
async def get_de_minimis(
    request: Request,
    _: Reader,
    jurisdiction: str,
    duty_threshold: str,
    tax_threshold: str,
    cost_per_declaration: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    # SimulationError (422, naming the parameter) and NothingToSimulate (404) reach the handler.
    policy = simulator.parse_policy(
        jurisdiction, duty_threshold, tax_threshold, cost_per_declaration, date_from, date_to
    )
    result: dict[str, Any] = await run_in_threadpool(_simulate, request, policy)
    return result
