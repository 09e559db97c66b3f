"""`clearway estimate`, `clearway accounts …`, `clearway registrations …` and `clearway simulate
de-minimis …`: the public estimator, intermediary accounts and statements, the vendor registration
registry and its misuse check, and the de minimis simulator.

The revenue modules are imported inside the commands: `clearway estimate` needs neither SQLAlchemy nor
Polars, and must start fast.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from clearway.cli import _common
from clearway.cli._common import DbOption, begin, console, known_errors, settings

accounts_app = typer.Typer(
    help="Intermediary accounts: open, pay, adjust, monthly statements.", no_args_is_help=True
)
registrations_app = typer.Typer(help="Vendor registration numbers (IOSS and others).", no_args_is_help=True)
simulate_app = typer.Typer(help="Policy simulations over stored traffic.", no_args_is_help=True)

# The simulator's default (clearway.revenue.simulator.DEFAULT_COST_PER_DECLARATION), spelt out so that the
# option can be declared without importing the simulator and Polars; tests/architecture/test_cli.py checks
# that the two agree.
DEFAULT_COST_PER_DECLARATION = "2.50"


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _fail(message: str) -> NoReturn:
    _common.fail(message, to=console())  # these commands have always reported on standard output


def _decimal(raw: str, field: str) -> Decimal:
    try:
        return Decimal(raw)
    except InvalidOperation:
        _fail(f"{field}: '{raw}' is not a decimal amount")


def _when(raw: str | None) -> dt.datetime | None:
    if raw is None:
        return None
    try:
        at = dt.datetime.fromisoformat(raw)
    except ValueError:
        _fail(f"at: '{raw}' is not an ISO date-time")
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _table(title: str, rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for column in rows[0] if rows else []:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console().print(table)


# Estimate ---------------------------------------------------------------------------------------------


def estimate(
    destination: Annotated[
        str, typer.Option(help="Destination country, ISO 3166-1 alpha-2 (DE, GB, US, ...)")
    ],
    date: Annotated[str, typer.Option(help="Import date, YYYY-MM-DD (selects rules and exchange rate)")],
    origin: Annotated[str, typer.Option(help="Country the parcel is shipped from, ISO 3166-1 alpha-2")],
    value: Annotated[str, typer.Option(help="Price of the goods (intrinsic value)")],
    currency: Annotated[str, typer.Option(help="Currency of --value and --shipping, ISO 4217")],
    hs: Annotated[str, typer.Option(help="HS code of the goods, 6, 8 or 10 digits")],
    shipping: Annotated[str, typer.Option(help="Transport and insurance paid")] = "0",
    vendor_registration: Annotated[
        str | None, typer.Option(help="Seller's VAT/GST scheme number (IOSS, UK VAT, AU ARN)")
    ] = None,
    gift: Annotated[bool, typer.Option("--gift", help="A gift between private individuals")] = False,
    channel: Annotated[str, typer.Option(help="courier or post")] = "courier",
) -> None:
    """Estimate duty, taxes and fees for one parcel; prints the explanation, then one JSON object."""
    from clearway.revenue.engine import EstimateRequest, parse_amount, parse_date
    from clearway.revenue.engine import estimate as estimate_parcel
    from clearway.revenue.errors import EstimateError

    try:
        request = EstimateRequest(
            destination=destination,
            on=parse_date(date),
            origin=origin,
            value=parse_amount(value, "value"),
            currency=currency,
            hs=hs,
            shipping=parse_amount(shipping, "shipping"),
            vendor_registration=vendor_registration,
            gift=gift,
            channel=channel,
        )
        # The configured fallback duty rate, as the API, the page and the pipeline use (one answer).
        result = estimate_parcel(request, _common.settings(None).fallback_duty_rate)
    except EstimateError as exc:
        typer.echo(f"error: --{exc.field.replace('_', '-')}: {exc.message}", err=True)
        typer.echo(json.dumps({"error": {"field": exc.field, "message": exc.message}}), err=True)
        raise typer.Exit(2) from None
    for line in result.explanations:
        typer.echo(f"  {line}")
    typer.echo(json.dumps(result.as_json(), ensure_ascii=False))


# Accounts ---------------------------------------------------------------------------------------------


@accounts_app.command("open")
def open_account(
    account_id: Annotated[str, typer.Option("--id", help="Account id, e.g. DHL-DE-01")],
    party: Annotated[str, typer.Option("--party", help="Holder's TIN or filer id")],
    name: Annotated[str, typer.Option("--name")],
    kind: Annotated[str, typer.Option("--kind", help="carrier, post or marketplace")],
    currency: Annotated[str, typer.Option("--currency")],
    limit: Annotated[str, typer.Option("--limit", help="Credit limit or guarantee amount")],
    limit_kind: Annotated[str, typer.Option("--limit-kind", help="credit or guarantee")] = "credit",
    db: DbOption = None,
) -> None:
    """Open a deferred-payment account for a carrier, post or marketplace."""
    from clearway.revenue import accounts

    data = {
        "id": account_id,
        "party_id": party,
        "name": name,
        "kind": kind,
        "currency": currency,
        "limit": limit,
        "limit_kind": limit_kind,
    }
    with known_errors(to=console()):  # AccountError
        account = accounts.parse_account(data)
        with begin(db, migrate=True) as conn:
            accounts.open_accounts(conn, [account])
    print(json.dumps(account.as_dict(0)))


@accounts_app.command("list")
def list_accounts(
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE, db: DbOption = None
) -> None:
    """Accounts with their open balance and what is left under the limit."""
    from clearway.revenue import accounts

    with begin(db) as conn:
        found = accounts.get_accounts(conn)
        balances = accounts.account_balances(conn, found.values())
    rows = [a.as_dict(balances[a.id]) for a in found.values()]
    if fmt is Format.TABLE:
        _table("Revenue accounts", rows)
    else:
        print(json.dumps({"accounts": rows}))


@accounts_app.command("pay")
def pay(
    account: Annotated[str, typer.Option("--account")],
    amount: Annotated[str, typer.Option("--amount")],
    reference: Annotated[str, typer.Option("--reference")] = "",
    at: Annotated[str | None, typer.Option("--at", help="When it was received (ISO); now if absent")] = None,
    db: DbOption = None,
) -> None:
    """Record a payment received on an account."""
    from clearway.revenue import accounts

    with known_errors(to=console()), begin(db) as conn:  # AccountError, UnknownAccount
        posting = accounts.pay(conn, account, _decimal(amount, "amount"), _when(at), reference)
    print(json.dumps({"posting_id": str(posting.id), "account": account.upper(), "amount": amount}))


@accounts_app.command("adjust")
def adjust(
    account: Annotated[str, typer.Option("--account")],
    amount: Annotated[
        str, typer.Option("--amount", help="Positive charges the account, negative credits it")
    ],
    reason: Annotated[str, typer.Option("--reason")],
    at: Annotated[str | None, typer.Option("--at")] = None,
    db: DbOption = None,
) -> None:
    """Post an adjustment (an officer's correction) to an account."""
    from clearway.revenue import accounts

    with known_errors(to=console()), begin(db) as conn:  # AccountError, UnknownAccount
        posting = accounts.adjust(conn, account, _decimal(amount, "amount"), reason, _when(at))
    print(json.dumps({"posting_id": str(posting.id), "account": account.upper(), "amount": amount}))


@accounts_app.command("statement")
def statement(
    account: Annotated[str, typer.Option("--account")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.CSV,
    db: DbOption = None,
) -> None:
    """Monthly statement: opening balance, charges, payments, refunds, adjustments, closing balance."""
    from clearway.revenue import accounts

    with known_errors(to=console()), begin(db) as conn:  # AccountError, UnknownAccount
        doc = accounts.statement(conn, account, month)
    if fmt is Format.JSON:
        print(json.dumps(doc))
    elif fmt is Format.CSV:
        print(accounts.statement_csv(doc), end="")
    else:
        _table(f"Account {doc['account']['id']} — {month} ({doc['currency']})", doc["lines"])
        balances = (doc["opening_balance"], doc["closing_balance"], doc["available"])
        console().print("opening {}  closing {}  available {}".format(*balances))


# Registrations ----------------------------------------------------------------------------------------


@registrations_app.command("import")
def import_registrations(
    path: Annotated[Path, typer.Argument(help="CSV: number,scheme,holder,valid_from,valid_to,revoked_at")],
    db: DbOption = None,
) -> None:
    """Load registrations into the registry (a number already there is replaced)."""
    from clearway.revenue import registrations

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"file: {exc}")
    with known_errors(to=console()):  # RegistrationError
        regs = registrations.parse_csv(text)
    with begin(db, migrate=True) as conn:
        count = registrations.upsert(conn, regs)
    print(json.dumps({"imported": count}))


@registrations_app.command("list")
def list_registrations(
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE, db: DbOption = None
) -> None:
    """The registry (first 1,000 numbers)."""
    from clearway.revenue import registrations

    with begin(db) as conn:
        rows = [r.as_dict() for r in registrations.list_registrations(conn)]
    if fmt is Format.TABLE:
        _table("Vendor registrations", rows)
    else:
        print(json.dumps({"registrations": rows}))


@registrations_app.command("revoke")
def revoke(
    number: Annotated[str, typer.Argument()],
    at: Annotated[str | None, typer.Option("--at", help="When (ISO); now if absent")] = None,
    db: DbOption = None,
) -> None:
    """Mark a registration revoked: consignments declared under it from that day are flagged."""
    from clearway.revenue import registrations

    try:
        with begin(db) as conn:
            reg = registrations.revoke(conn, number, _when(at) or dt.datetime.now(dt.UTC))
    except LookupError as exc:
        _fail(str(exc))
    print(json.dumps(reg.as_dict()))


@registrations_app.command("check")
def check(
    number: Annotated[str, typer.Option("--number")],
    value: Annotated[str, typer.Option("--value", help="Intrinsic value of the consignment")],
    currency: Annotated[str, typer.Option("--currency")],
    date: Annotated[str, typer.Option("--date", help="YYYY-MM-DD")],
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction")] = None,
    db: DbOption = None,
) -> None:
    """Check one use of a registration number; prints the findings (none: it is fine)."""
    from clearway.revenue import registrations

    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        _fail(f"date: '{date}' is not a date (YYYY-MM-DD)")
    use = registrations.RegistrationUse(
        "cli", number, _decimal(value, "value"), currency.upper(), day, jurisdiction
    )
    with begin(db) as conn:
        findings = registrations.check_registrations(conn, [use])
    scheme = registrations.scheme_of(number)
    print(
        json.dumps(
            {
                "number": registrations.normalise(number),
                "scheme": scheme.id if scheme else None,
                "findings": [f.as_dict() for f in findings],
            }
        )
    )
    if findings:
        raise typer.Exit(1)


# Simulator --------------------------------------------------------------------------------------------


@simulate_app.command("de-minimis")
def de_minimis(
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="Profile id, e.g. EU")],
    duty_threshold: Annotated[str, typer.Option("--duty-threshold", help="Duty de minimis to simulate")],
    tax_threshold: Annotated[str, typer.Option("--tax-threshold", help="Tax de minimis to simulate")],
    cost_per_declaration: Annotated[
        str, typer.Option("--cost-per-declaration", help="Cost of collecting at the border per declaration")
    ] = DEFAULT_COST_PER_DECLARATION,
    date_from: Annotated[str | None, typer.Option("--from", help="First lodgement day")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last lodgement day")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """Re-assess stored traffic under other de minimis thresholds: category changes, revenue gained or
    lost per duty/tax type, collection cost and net effect (JSON on the last line)."""
    from clearway.revenue import simulator

    with known_errors(to=console()):  # SimulationError, NothingToSimulate
        policy = simulator.parse_policy(
            jurisdiction, duty_threshold, tax_threshold, cost_per_declaration, date_from, date_to
        )
        with begin(db) as conn:
            result = simulator.simulate(conn, policy, fallback_rate=settings().fallback_duty_rate)
    if fmt is not Format.JSON:
        cur = result["currency"]
        console().print(
            f"{result['jurisdiction']}: {result['shipments']} shipments; duty threshold "
            f"{result['current_thresholds']['duty']} → {duty_threshold}, tax threshold "
            f"{result['current_thresholds']['tax']} → {tax_threshold} {cur}; "
            f"{result['category_changes']} change IRG category.",
            highlight=False,
        )
        _table(f"Revenue ({cur})", [*result["revenue"], {"tax_type": "total", **result["revenue_total"]}])
        c = result["collection"]
        _table(
            f"Collection at the border ({cur})",
            [
                {
                    "": "declarations",
                    "baseline": c["declarations_baseline"],
                    "simulated": c["declarations_simulated"],
                },
                {"": "cost", "baseline": c["cost_baseline"], "simulated": c["cost_simulated"]},
            ],
        )
        console().print(f"net effect: {result['net_effect']} {cur}", highlight=False)
    print(json.dumps(result))
