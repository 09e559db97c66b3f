"""`clearway keys ...` and `clearway privacy ...`: API keys, data keys, retention purge, audit log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from clearway.config import Settings
from clearway.kit.database import make_engine
from clearway.migrations import upgrade
from clearway.security import audit, keys
from clearway.security.personal import new_data_key
from clearway.security.retention import purge

keys_app = typer.Typer(
    help="API keys: create, list, revoke; data keys for personal data.", no_args_is_help=True
)
privacy_app = typer.Typer(help="Personal data: retention purge and the audit log.", no_args_is_help=True)
console = Console()
# Tables of keys and audit entries are wide: don't squeeze them into 80 columns when piped.
wide = Console(width=max(console.width, 132))
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CLEARWAY_DATABASE_URL or sqlite:///clearway.db)"),
]


def _settings(db: str | None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"database_url": db}) if db else settings


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="filer, officer, agency, analyst or admin")],
    party: Annotated[
        str | None, typer.Option("--party", help="Filer id (filer keys) or agency id (agency keys)")
    ] = None,
    expires_in_days: Annotated[int | None, typer.Option("--expires-in-days", min=1)] = None,
    label: Annotated[str | None, typer.Option("--label", help="Who or what the key is for")] = None,
    db: DbOption = None,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    settings = _settings(db)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            created = keys.create_key(conn, role, party, expires_in_days, label)
            detail = {"role": created.role.value, "party": party, "via": "cli"}
            audit.append(conn, None, [audit.Entry("key.create", created.prefix, detail)])
    except keys.InvalidKeyRequest as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    scope = f" for {created.party}" if created.party else ""
    expiry = f", expires {_when(created.expires_at)}" if created.expires_at else ""
    err.print(f"{created.role} key {created.prefix}{scope}{expiry} — shown once, store it now:")
    print(created.key)


@keys_app.command("list")
def list_(db: DbOption = None) -> None:
    """Every key with its role, party and status (never the secret)."""
    settings = _settings(db)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        rows = keys.list_keys(conn)
    engine.dispose()
    now = dt.datetime.now(dt.UTC)
    table = Table()
    for column in ("prefix", "role", "party", "status", "created (UTC)", "expires (UTC)", "label"):
        table.add_column(column, no_wrap=column != "label")
    for k in rows:
        table.add_row(
            k.prefix,
            k.role,
            k.party or "-",
            k.status(now),
            _when(k.created_at),
            _when(k.expires_at),
            k.label or "-",
        )
    wide.print(table)


@keys_app.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (as in `keys list`) or the whole key")],
    db: DbOption = None,
) -> None:
    """Revoke a key at once: requests and dashboard sessions with it are refused from now on."""
    settings = _settings(db)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        done = keys.revoke_key(conn, prefix)
        if done:
            audit.append(conn, None, [audit.Entry("key.revoke", prefix, {"via": "cli"})])
    engine.dispose()
    if not done:
        err.print(f"[red]no active key with prefix {prefix}[/red]")
        raise typer.Exit(2)
    console.print(f"revoked {prefix}")


@keys_app.command("data-key")
def data_key() -> None:
    """Print a fresh random key for CLEARWAY_DATA_KEY (personal data at rest)."""
    print(new_data_key())


@privacy_app.command("purge")
def purge_command(
    now: Annotated[
        bool, typer.Option("--now", help="Purge every closed shipment now, whatever the retention period")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would be purged")] = False,
    db: DbOption = None,
) -> None:
    """Remove the consignee's personal data of shipments closed more than CLEARWAY_RETENTION_DAYS ago."""
    settings = _settings(db)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    days = 0 if now else settings.retention_days
    with engine.begin() as conn:
        result = purge(conn, days, dry_run=dry_run)
    engine.dispose()
    verb = "would remove" if dry_run else "removed"
    console.print(
        f"{verb} the personal data of {result.shipments} closed shipments "
        f"(closed before {_when(result.cutoff)}, retention {days} days)"
    )
    print(json.dumps({"purged": result.shipments, "dry_run": dry_run, "retention_days": days}))


@privacy_app.command("seal-existing")
def seal_existing_command(db: DbOption = None) -> None:
    """Seal the consignee data of shipments stored before sealing existed (safe to run again)."""
    from clearway.security.backfill import seal_existing
    from clearway.security.personal import vault_for

    settings = _settings(db)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        count = seal_existing(conn, vault_for(settings))
        if count:
            audit.append(conn, None, [audit.Entry("privacy.seal_existing", None, {"shipments": count})])
    engine.dispose()
    console.print(f"sealed the personal data of {count} shipments stored before sealing")


@privacy_app.command("audit")
def audit_command(
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    subject: Annotated[str | None, typer.Option("--subject", help="A shipment id or key prefix")] = None,
    db: DbOption = None,
) -> None:
    """The latest audit log entries, newest first."""
    settings = _settings(db)
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        rows = audit.read(conn, limit, subject)
    engine.dispose()
    table = Table("at", "actor", "action", "subject", "detail")
    for r in rows:
        table.add_row(r["at"], r["actor"], r["action"], r["subject"] or "-", json.dumps(r["detail"]))
    wide.print(table)


def security_banner(settings: Settings) -> None:
    """What `clearway serve` says about access control and the data key, loudly when it is not safe."""
    from clearway.security.personal import vault_for

    if settings.auth == "off":
        err.print(
            "[bold red]CLEARWAY_AUTH=off: no API keys are checked, every caller is an administrator. "
            "For a local demo only.[/bold red]"
        )
    else:
        err.print("API keys required (create one with `clearway keys create --role officer`)")
    if vault_for(settings).is_development:
        err.print(
            "[bold yellow]CLEARWAY_DATA_KEY is not set: personal data is sealed with the public development "
            "key. Set one (`clearway keys data-key`) before storing real data.[/bold yellow]"
        )


def demo_key(settings: Settings) -> None:
    """The demo serves with keys required and prints an administrator key for the dashboard."""
    if settings.auth == "off":
        return
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        created = keys.create_key(conn, "admin", None, 1, "demo dashboard")
        audit.append(
            conn, None, [audit.Entry("key.create", created.prefix, {"role": "admin", "via": "demo"})]
        )
    engine.dispose()
    err.print("[bold green]Dashboard key (administrator, 24 hours), for the sign-in page:[/bold green]")
    print(created.key)
