"""The one preamble of every command group: the `--db` option and its resolution, engines, the consoles,
and known errors turned into one clear line and exit status 2. Every domain error (`ClearwayError`) is a
known error: a command needs no list of its own for them.

Nothing heavy at import time: SQLAlchemy, Alembic, pydantic-settings and even Rich are loaded inside the
functions that need them, so that a command pays only for what it uses (`clearway estimate` never loads
SQLAlchemy; `clearway keys create` on an upgraded database never loads Alembic).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Connection, Engine

    from clearway.config import Settings

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CLEARWAY_DATABASE_URL or sqlite:///clearway.db)"),
]


@cache
def console() -> Console:
    """Standard output."""
    from rich.console import Console

    return Console()


@cache
def wide() -> Console:
    """Standard output for wide tables (keys, audit entries): not squeezed into 80 columns when piped."""
    from rich.console import Console

    return Console(width=max(console().width, 132))


@cache
def err() -> Console:
    """Standard error; its lines stay whole (not wrapped to the terminal), for grep and editors."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def settings(db: str | None = None) -> Settings:
    """The settings (CLEARWAY_* environment), with `--db` over CLEARWAY_DATABASE_URL when given."""
    from clearway.config import Settings

    current = Settings()
    return current.model_copy(update={"database_url": db}) if db else current


def database_url(db: str | None) -> str:
    """`--db`, else CLEARWAY_DATABASE_URL, else sqlite:///clearway.db."""
    return db or settings().database_url


@contextmanager
def engine(db: str | None, *, migrate: bool = False) -> Iterator[Engine]:
    """An engine on the database, disposed afterwards; `migrate` brings the schema up to date first."""
    from clearway.kit.database import make_engine

    url = database_url(db)
    if migrate:
        from clearway.migrations import upgrade

        upgrade(url)
    opened = make_engine(url)
    try:
        yield opened
    finally:
        opened.dispose()


@contextmanager
def begin(db: str | None, *, migrate: bool = False) -> Iterator[Connection]:
    """The command's one transaction (the kit's unit of work): committed when the block ends, rolled back
    on any error, an exit included."""
    from clearway.kit.database import transaction

    with engine(db, migrate=migrate) as opened, transaction(opened) as conn:
        yield conn


@contextmanager
def connect(db: str | None, *, migrate: bool = False) -> Iterator[Connection]:
    """A connection for reading."""
    with engine(db, migrate=migrate) as opened, opened.connect() as conn:
        yield conn


def fail(message: str, *, to: Console | None = None) -> NoReturn:
    """Print `error: message` (on standard error unless `to` says otherwise) and exit with status 2: bad
    input, or a request the service refused."""
    (to or err()).print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(2)


@contextmanager
def known_errors(*errors: type[Exception], to: Console | None = None) -> Iterator[None]:
    """Turn any domain error (`ClearwayError`), and the other exceptions named, into
    `error: <exception text>` and exit status 2."""
    from clearway.kit.errors import ClearwayError

    caught: tuple[type[Exception], ...] = (ClearwayError, *errors)
    try:
        yield
    except caught as exc:
        fail(str(exc), to=to)


def day(value: str | None, option: str) -> dt.date | None:
    """An optional YYYY-MM-DD option as a date; a bad one exits naming `option`."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (YYYY-MM-DD)")


def print_json(document: Any) -> None:
    """One JSON document on one line of standard output (never wrapped: scripts read the last line)."""
    print(json.dumps(document, default=str))
