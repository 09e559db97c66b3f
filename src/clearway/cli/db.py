"""`clearway db upgrade|check`: the schema."""

from __future__ import annotations

import typer

from clearway.cli._common import DbOption, console, database_url, fail

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to the latest version."""
    from clearway.migrations import upgrade

    url = database_url(db)
    upgrade(url)
    console().print(f"schema up to date: {url}")


@db_app.command("check")
def db_check(db: DbOption = None) -> None:
    """Compare the models with the database: exit 0 when they agree, 1 naming each difference."""
    from sqlalchemy.exc import SQLAlchemyError

    from clearway.migrations import database_revisions, head_revision
    from clearway.migrations.check import differences

    url = database_url(db)
    try:
        found = differences(url)
    except SQLAlchemyError as exc:
        fail(f"cannot read the schema of {url}: {exc}")
    revisions, head = database_revisions(url), head_revision()
    if head is not None and revisions != {head}:
        at = ", ".join(sorted(revisions)) if revisions else "none"
        found.insert(0, f"database at revision {at}, the latest is {head}: run `clearway db upgrade`")
    for line in found:
        typer.echo(line)
    if found:
        typer.echo(f"{len(found)} difference(s) between the models and {url}", err=True)
        raise typer.Exit(1)
    typer.echo(f"schema agrees with the models: {url}")
