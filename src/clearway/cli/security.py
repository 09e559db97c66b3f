"""`clearway keys …` and `clearway privacy …`: API keys, data keys, retention purge, the audit log; and
what `clearway serve` and `clearway demo` say and issue about access."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated

import typer

from clearway.cli._common import DbOption, begin, connect, console, err, fail, known_errors, settings, wide
from clearway.security import audit, keys

if TYPE_CHECKING:
    from clearway.config import Settings

keys_app = typer.Typer(
    help="API keys: create, list, revoke; data keys for personal data.", no_args_is_help=True
)
privacy_app = typer.Typer(help="Personal data: retention purge and the audit log.", no_args_is_help=True)
audit_app = typer.Typer(help="The trail: verify that no stored event was altered.", no_args_is_help=True)


@audit_app.command("verify")
def verify_command(db: DbOption = None) -> None:
    """Recompute every shipment's event chain; exit 1 naming the first broken link."""
    from clearway.declarations.repository import verify_trail

    with connect(db) as conn:
        checked, broken = verify_trail(conn)
    if broken is not None:
        console().print(f"[red]broken:[/red] {broken} ({checked} events checked)")
        raise typer.Exit(1)
    console().print(f"trail intact: {checked} events checked")


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
    with known_errors(), begin(db, migrate=True) as conn:  # InvalidKeyRequest
        created = keys.create_key(conn, role, party, expires_in_days, label)
        detail = {"role": created.role.value, "party": party, "via": "cli"}
        audit.append(conn, None, [audit.Entry("key.create", created.prefix, detail)])
    scope = f" for {created.party}" if created.party else ""
    expiry = f", expires {_when(created.expires_at)}" if created.expires_at else ""
    # Plain text, no Rich: this command is run often, and Rich costs a tenth of its start-up.
    typer.echo(f"{created.role} key {created.prefix}{scope}{expiry} — shown once, store it now:", err=True)
    print(created.key)


@keys_app.command("list")
def list_(db: DbOption = None) -> None:
    """Every key with its role, party and status (never the secret)."""
    from rich.table import Table

    with connect(db, migrate=True) as conn:
        rows = keys.list_keys(conn)
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
    wide().print(table)


@keys_app.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (as in `keys list`) or the whole key")],
    db: DbOption = None,
) -> None:
    """Revoke a key at once: requests and dashboard sessions with it are refused from now on."""
    with begin(db, migrate=True) as conn:
        done = keys.revoke_key(conn, prefix)
        if done:
            audit.append(conn, None, [audit.Entry("key.revoke", prefix, {"via": "cli"})])
    if not done:
        fail(f"no active key with prefix {prefix}")
    console().print(f"revoked {prefix}")


@keys_app.command("data-key")
def data_key() -> None:
    """Print a fresh random key for CLEARWAY_DATA_KEY (personal data at rest)."""
    from clearway.security.personal import new_data_key

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
    from clearway.security.retention import purge

    days = 0 if now else settings(db).retention_days
    with begin(db, migrate=True) as conn:
        result = purge(conn, days, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    console().print(
        f"{verb} the personal data of {result.shipments} closed shipments "
        f"(closed before {_when(result.cutoff)}, retention {days} days)"
    )
    print(json.dumps({"purged": result.shipments, "dry_run": dry_run, "retention_days": days}))


@privacy_app.command("seal-existing")
def seal_existing_command(db: DbOption = None) -> None:
    """Seal the consignee data of shipments stored before sealing existed (safe to run again)."""
    from clearway.security.backfill import seal_existing
    from clearway.security.personal import vault_for

    vault = vault_for(settings(db))
    with begin(db, migrate=True) as conn:
        count = seal_existing(conn, vault)
        if count:
            audit.append(conn, None, [audit.Entry("privacy.seal_existing", None, {"shipments": count})])
    console().print(f"sealed the personal data of {count} shipments stored before sealing")


@privacy_app.command("audit")
def audit_command(
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    subject: Annotated[str | None, typer.Option("--subject", help="A shipment id or key prefix")] = None,
    db: DbOption = None,
) -> None:
    """The latest audit log entries, newest first."""
    from rich.table import Table

    with connect(db) as conn:
        rows = audit.read(conn, limit, subject)
    table = Table("at", "actor", "action", "subject", "detail")
    for r in rows:
        table.add_row(r["at"], r["actor"], r["action"], r["subject"] or "-", json.dumps(r["detail"]))
    wide().print(table)


def security_banner(current: Settings) -> None:
    """What `clearway serve` says about access control and the data key, loudly when it is not safe."""
    from clearway.security.personal import vault_for

    if current.auth == "off":
        err().print(
            "[bold red]CLEARWAY_AUTH=off: no API keys are checked, every caller is an administrator. "
            "For a local demo only.[/bold red]"
        )
    else:
        err().print("API keys required (create one with `clearway keys create --role officer`)")
    if vault_for(current).is_development:
        err().print(
            "[bold yellow]CLEARWAY_DATA_KEY is not set: personal data is sealed with the public development "
            "key. Set one (`clearway keys data-key`) before storing real data.[/bold yellow]"
        )


def demo_key(current: Settings) -> None:
    """The demo serves with keys required and prints an administrator key for the dashboard."""
    if current.auth == "off":
        return
    with begin(current.database_url) as conn:
        created = keys.create_key(conn, "admin", None, 1, "demo dashboard")
        audit.append(
            conn, None, [audit.Entry("key.create", created.prefix, {"role": "admin", "via": "demo"})]
        )
    err().print("[bold green]Dashboard key (administrator, 24 hours), for the sign-in page:[/bold green]")
    print(created.key)
