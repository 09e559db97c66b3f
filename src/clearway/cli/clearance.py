"""`clearway offices|aeo|agencies|notify …`: the clearance workflow's master data and notifications."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.table import Table

from clearway.clearance import aeo, agencies, notify, offices
from clearway.clearance.errors import ExchangeError
from clearway.cli import _common
from clearway.cli._common import DbOption, begin, console, known_errors, settings

offices_app = typer.Typer(help="Customs office master data (UN/LOCODE + suffix).", no_args_is_help=True)
aeo_app = typer.Typer(help="AEO registry, mutual recognition, exchange files.", no_args_is_help=True)
agencies_app = typer.Typer(
    help="Other government agencies (Single Window) and subscriptions.", no_args_is_help=True
)
notify_app = typer.Typer(help="Notifications: webhooks and the NATS JetStream stream.", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    _common.fail(message, to=console())  # these commands have always reported on standard output


# --- offices --------------------------------------------------------------------------------------------


@offices_app.command("list")
def offices_list(
    db: DbOption = None, role: Annotated[str | None, typer.Option(help="Only offices with this role")] = None
) -> None:
    with begin(db, migrate=True) as conn:
        found = [o for o in offices.load(conn).values() if role is None or role in o.roles]
    table = Table("code", "name", "roles", "opening hours", "valid")
    for o in found:
        table.add_row(
            o.code, o.name, " ".join(o.roles), o.opening_hours, f"{o.valid_from} to {o.valid_to or ''}"
        )
    console().print(table)


@offices_app.command("add")
def offices_add(
    code: Annotated[str, typer.Argument(help="UN/LOCODE + suffix (BEBRU000); a bare LOCODE gets 000")],
    name: Annotated[str, typer.Option(help="Office name")],
    roles: Annotated[
        str, typer.Option(help="Comma-separated: entry,exit,transit,destination,declaration,payment")
    ],
    hours: Annotated[str, typer.Option(help="Opening hours")] = "Mo-Fr 08:00-18:00",
    valid_from: Annotated[str, typer.Option(help="YYYY-MM-DD")] = "2020-01-01",
    valid_to: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    db: DbOption = None,
) -> None:
    try:
        item = offices.office(
            code,
            name,
            [r.strip() for r in roles.split(",") if r.strip()],
            hours,
            dt.date.fromisoformat(valid_from),
            dt.date.fromisoformat(valid_to) if valid_to else None,
        )
    except ValueError as exc:  # a bad date, or an InvalidOffice
        _fail(str(exc))
    with begin(db, migrate=True) as conn:
        offices.save(conn, [item])
    console().print(f"office {item.code} saved")


# --- AEO ------------------------------------------------------------------------------------------------


@aeo_app.command("import")
def aeo_import(
    file: Annotated[Path, typer.Argument(help="CSV or JSON in the exchange format")], db: DbOption = None
) -> None:
    """Import an AEO list (docs/aeo-exchange.md); all or nothing, every error listed."""
    text = file.read_text(encoding="utf-8")
    try:
        items = aeo.read_csv(text) if file.suffix.lower() == ".csv" else aeo.read_json(text)
    except ExchangeError as exc:
        for e in exc.errors:  # line: the row, column: the field
            console().print(f"row {e.line}, {e.column}: {e.message}", highlight=False)
        _fail(f"{file}: {len(exc.errors)} error(s), nothing imported")
    with begin(db, migrate=True) as conn:
        stored = aeo.store(conn, items)
    console().print(f"{stored} authorisation(s) imported")


@aeo_app.command("export")
def aeo_export(
    out: Annotated[
        Path | None, typer.Option("--out", help="File (.csv or .json); standard output when absent")
    ] = None,
    format: Annotated[str, typer.Option(help="csv or json (default from --out, else json)")] = "",
    issuing_country: Annotated[
        str | None, typer.Option(help="Only this administration's authorisations")
    ] = None,
    db: DbOption = None,
) -> None:
    fmt = format or (out.suffix.lstrip(".").lower() if out else "json")
    if fmt not in ("csv", "json"):
        _fail(f"format '{fmt}': csv or json")
    with begin(db, migrate=True) as conn:
        items = aeo.load(conn, issuing_country)
    text = (
        aeo.write_csv(items)
        if fmt == "csv"
        else aeo.write_json(items, issuing_country or "EU", dt.date.today())
    )
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console().print(f"{len(items)} authorisation(s) written to {out}")


@aeo_app.command("partner")
def aeo_partner(
    country: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 of the partner administration")],
    name: Annotated[str, typer.Option(help="Partner administration")],
    since: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    until: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    db: DbOption = None,
) -> None:
    """Record a mutual recognition arrangement: that administration's AEOs count here."""
    try:
        with begin(db, migrate=True) as conn:
            aeo.add_partner(
                conn,
                country.upper(),
                name,
                dt.date.fromisoformat(since),
                dt.date.fromisoformat(until) if until else None,
            )
    except ValueError as exc:
        _fail(str(exc))
    console().print(f"mutual recognition with {country.upper()} recorded")


# --- agencies -------------------------------------------------------------------------------------------


@agencies_app.command("add")
def agencies_add(
    code: str, name: Annotated[str, typer.Option(help="Agency name")], db: DbOption = None
) -> None:
    with known_errors(to=console()), begin(db, migrate=True) as conn:
        agencies.create_agency(conn, code, name)
    console().print(f"agency {code} created")


@agencies_app.command("subscribe")
def agencies_subscribe(
    code: str,
    hs: Annotated[str | None, typer.Option(help="HS prefix (0207) or range (0201-0210)")] = None,
    origin: Annotated[str | None, typer.Option(help="Origin country (ISO alpha-2)")] = None,
    party_tin: Annotated[str | None, typer.Option(help="A party's TIN")] = None,
    hold: Annotated[
        bool, typer.Option("--hold/--no-hold", help="Hold matching shipments on arrival")
    ] = False,
    reason_code: Annotated[str, typer.Option(help="Reason code of the hold")] = "AGENCY-CHECK",
    text: Annotated[str, typer.Option(help="What the filer reads")] = "Held for another government agency",
    db: DbOption = None,
) -> None:
    with known_errors(to=console()):
        sub = agencies.subscription(code, hs, origin, party_tin, hold, reason_code, text)
    with begin(db, migrate=True) as conn:
        if not agencies.agency_exists(conn, code):
            _fail(f"no agency {code} (create it with `clearway agencies add`)")
        agencies.add_subscriptions(conn, [sub])
    console().print(f"subscription added to {code}")


@agencies_app.command("list")
def agencies_list(db: DbOption = None) -> None:
    with begin(db, migrate=True) as conn:
        console().print_json(json.dumps(agencies.list_agencies(conn)))


# --- notifications --------------------------------------------------------------------------------------


@notify_app.command("run")
def notify_run(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes")] = 1.0,
    no_nats: Annotated[bool, typer.Option("--no-nats", help="Webhooks only")] = False,
    db: DbOption = None,
) -> None:
    """Deliver the outbox: webhooks (signed, retried, dead-lettered) and the NATS JetStream stream."""
    with _common.engine(db, migrate=True) as engine:
        try:
            report = asyncio.run(notify.run(engine, settings(), interval, once, nats_enabled=not no_nats))
        except KeyboardInterrupt:
            return
    for error in report.errors:
        console().print(error, highlight=False)
    typer.echo(json.dumps(report.as_dict()))


@notify_app.command("webhook")
def notify_webhook(
    url: str,
    secret: Annotated[str, typer.Option(help="Shared secret for X-Clearway-Signature (16+ characters)")],
    filer: Annotated[str | None, typer.Option(help="Only this filer's notifications")] = None,
    db: DbOption = None,
) -> None:
    try:
        with begin(db, migrate=True) as conn:
            hook_id = notify.add_webhook(conn, url, secret, filer)
    except ValueError as exc:
        _fail(str(exc))
    console().print(f"webhook {hook_id} registered")


@notify_app.command("status")
def notify_status(db: DbOption = None) -> None:
    with begin(db, migrate=True) as conn:
        typer.echo(json.dumps(notify.counts(conn)))


@notify_app.command("retry-dead")
def notify_retry_dead(db: DbOption = None) -> None:
    """Put dead-lettered deliveries back in the queue once the receiver is fixed."""
    with _common.engine(db, migrate=True) as engine:
        console().print(f"{notify.retry_dead(engine)} delivery(ies) requeued")
