"""Command line: the same services as the API, for operators and scripts."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import json
import sys
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from clearway.config import Settings

if TYPE_CHECKING:
    # Typer vendors Click; its command and context types live here.
    from typer._click import core as click

    from clearway.intake.files import IngestSummary
    from clearway.measurement.scope import Scope
    from clearway.measurement.sources import Tables

# Command groups imported only when used: each pulls in its own stack (Polars, LightGBM, NATS, ...), and
# an operator running `clearway keys create` should not wait for all of them.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "rules": ("clearway.risk.rules_cli", "rules_app"),
    "watchlist": ("clearway.risk.rules_cli", "watchlist_app"),
    "estimate": ("clearway.revenue.estimate_cli", "estimate_command"),
    "model": ("clearway.risk.model.cli", "model_app"),
    "risk": ("clearway.risk.analytics_cli", "risk_app"),
    "keys": ("clearway.security.cli", "keys_app"),
    "privacy": ("clearway.security.cli", "privacy_app"),
    "accounts": ("clearway.revenue.accounts_cli", "accounts_app"),
    "registrations": ("clearway.revenue.accounts_cli", "registrations_app"),
    "simulate": ("clearway.revenue.accounts_cli", "simulate_app"),
    "offices": ("clearway.clearance.cli", "offices_app"),
    "aeo": ("clearway.clearance.cli", "aeo_app"),
    "agencies": ("clearway.clearance.cli", "agencies_app"),
    "notify": ("clearway.clearance.cli", "notify_app"),
}


class _LazyGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *sorted(LAZY_COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attribute = LAZY_COMMANDS[cmd_name]
        target = getattr(importlib.import_module(module), attribute)
        if isinstance(target, typer.Typer):  # a group, even with one command (`simulate de-minimis`)
            command: click.Command = typer.main.get_group(target)
        else:  # a plain function: a command of its own
            single = typer.Typer()
            single.command(cmd_name)(target)
            command = typer.main.get_command(single)
        command.name = cmd_name
        return command


app = typer.Typer(
    help="Clearway: customs clearance and risk management for cross-border e-commerce.",
    no_args_is_help=True,
    cls=_LazyGroup,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CLEARWAY_DATABASE_URL or sqlite:///clearway.db)"),
]


def _settings(db: str | None) -> Settings:
    settings = Settings()
    if db:
        settings = settings.model_copy(update={"database_url": db})
    return settings


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to the latest version."""
    from clearway.migrations import upgrade

    settings = _settings(db)
    upgrade(settings.database_url)
    console.print(f"schema up to date: {settings.database_url}")


def _yesterday() -> dt.datetime:
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(days=1)


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Output file: .jsonl or .csv")],
    shipments: Annotated[int, typer.Option("--shipments", min=1)] = 1000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    start: Annotated[
        str | None, typer.Option("--start", help="ISO date of the day (default yesterday)")
    ] = None,
) -> None:
    """Synthetic e-commerce traffic with planted fraud; ground truth in <out>.labels.jsonl."""
    from clearway.traffic.export import write_traffic

    day = dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC) if start else _yesterday()
    count, labels = write_traffic(shipments, seed, out, day)
    console.print(f"wrote {count} shipments to {out} and their labels to {labels}")


def _print_summary(summary: IngestSummary) -> None:
    table = Table(title="Ingest summary")
    table.add_column("outcome")
    table.add_column("shipments", justify="right")
    for status in ("accepted", "duplicate", "conflict", "rejected"):
        table.add_row(status, str(summary.statuses[status]))
    for lane in ("green", "yellow", "red"):
        table.add_row(f"lane {lane}", str(summary.lanes[lane]))
    console.print(table)
    if summary.rejected_path:
        console.print(f"rejected records with their errors: {summary.rejected_path}")


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def run_ingest(path: Path, settings: Settings, quiet: bool = False) -> IngestSummary:
    from clearway.intake.files import ingest_file
    from clearway.kit.database import make_engine
    from clearway.migrations import upgrade
    from clearway.runtime import prepare_for_batches

    upgrade(settings.database_url)
    prepare_for_batches()
    engine = make_engine(settings.database_url)
    total = _count_lines(path) - (1 if path.suffix.lower() == ".csv" else 0)
    with Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        task = progress.add_task("ingest", total=total)
        summary = ingest_file(engine, path, settings, lambda n: progress.advance(task, n))
        progress.update(task, completed=total)
    engine.dispose()
    return summary


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines or CSV of shipments")],
    db: DbOption = None,
) -> None:
    """Run a bulk file through the pipeline; rejected records go next to the input."""
    summary = run_ingest(file, _settings(db))
    _print_summary(summary)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """API and dashboard."""
    import uvicorn

    from clearway.api.app import create_app
    from clearway.migrations import upgrade
    from clearway.runtime import prepare_for_batches
    from clearway.security.cli import security_banner

    settings = _settings(db)
    upgrade(settings.database_url)
    prepare_for_batches()
    console.print(f"Clearway on http://{host}:{port}  (API docs at /docs)")
    security_banner(settings)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command()
def demo(
    shipments: Annotated[int, typer.Option("--shipments", min=1)] = 5000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard afterwards")
    ] = True,
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """A day of traffic through the pipeline, arrivals and controls, then the dashboard."""
    from clearway.demo import run_demo

    settings = _settings(db)
    folder = Path("demo-data")
    folder.mkdir(exist_ok=True)
    result = run_demo(settings, shipments, seed, folder, console)
    typer.echo(json.dumps(result))  # one line, never wrapped to the terminal: scripts read it
    if serve_after:
        from clearway.security.cli import demo_key

        demo_key(settings)
        serve(db=settings.database_url, port=port)


# Measurement -----------------------------------------------------------------------------------------

export_app = typer.Typer(help="Exports for analysis and benchmarking.", no_args_is_help=True)
app.add_typer(export_app, name="export")


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


FromOption = Annotated[str | None, typer.Option("--from", help="First lodgement day (YYYY-MM-DD)")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last lodgement day (YYYY-MM-DD)")]
OfficeOption = Annotated[list[str] | None, typer.Option("--office", help="Customs office code; repeatable")]
FormatOption = Annotated[OutputFormat, typer.Option("--format")]
ParquetOption = Annotated[
    Path | None,
    typer.Option("--parquet", help="Read a `clearway export parquet` folder instead of the database"),
]


def _fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def _scope(date_from: str | None, date_to: str | None, offices: list[str] | None) -> Scope:
    from clearway.measurement.scope import Scope

    try:
        return Scope(
            dt.date.fromisoformat(date_from) if date_from else None,
            dt.date.fromisoformat(date_to) if date_to else None,
            tuple(offices or ()),
        )
    except ValueError as exc:
        _fail(str(exc))


def _tables(db: str | None, parquet: Path | None, scope: Scope) -> Tables:
    from clearway.kit.database import make_engine
    from clearway.measurement.sources import from_database, from_parquet

    if parquet is not None:
        try:
            return from_parquet(parquet)
        except FileNotFoundError as exc:
            _fail(str(exc))
    engine = make_engine(_settings(db).database_url)
    with engine.connect() as conn:
        tables = from_database(conn, scope.date_from, scope.date_to)
    engine.dispose()
    return tables


def _emit(rows: list[dict[str, Any]], fmt: OutputFormat, title: str, document: dict[str, Any]) -> None:
    """Rows as a table or CSV; with --format json, one JSON object on the last line."""
    if fmt is OutputFormat.JSON:
        print(json.dumps(document, default=str))
        return
    if fmt is OutputFormat.CSV:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in r.items()} for r in rows
        )
        return
    table = Table(title=title)
    for column in rows[0] if rows else []:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(v) for v in row.values()))
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _brief(row: dict[str, Any], by: str | None) -> dict[str, Any]:
    """The columns that fit a terminal; CSV and JSON carry every statistic."""
    out = {by: row[by]} if by else {}
    out.update({k: row[k] for k in ("interval", "n", "mean", "std", "p10", "median", "p90", "max")})
    out["mode bin"] = f"{row['mode_bin_start']:g} to {row['mode_bin_end']:g}"
    out["outliers"] = f"{row['outliers_low']} low, {row['outliers_high']} high"
    return out


@app.command()
def trs(
    date_from: FromOption = None,
    date_to: ToOption = None,
    by: Annotated[str | None, typer.Option("--by", help="Breakdown dimension")] = None,
    office: OfficeOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    save: Annotated[str | None, typer.Option("--save", help="Store the run under this name")] = None,
    compare: Annotated[
        str | None, typer.Option("--compare", help="Compare stored runs, e.g. --compare 1,2")
    ] = None,
    db: DbOption = None,
    parquet: ParquetOption = None,
) -> None:
    """Time Release Study: intervals between milestones, arrival to release, from the event record."""
    from clearway.kit.database import make_engine
    from clearway.measurement import study
    from clearway.measurement.scope import EmptyScope
    from clearway.measurement.study import get_runs, run_study, save_run
    from clearway.measurement.trs import UnknownDimension

    if compare:
        engine = make_engine(_settings(db).database_url)
        with engine.connect() as conn:
            runs = get_runs(conn, [int(x) for x in compare.split(",") if x.strip()])
        if not runs:
            _fail(f"no stored runs {compare}; see `clearway trs --list`")
        rows = study.compare(runs)
        _emit(rows, fmt, "TRS runs compared (arrival to release, hours)", {"runs": rows})
        return
    scope = _scope(date_from, date_to, office)
    try:
        result = run_study(_tables(db, parquet, scope), scope, by)
    except (EmptyScope, UnknownDimension) as exc:
        _fail(str(exc))
    if save:
        engine = make_engine(_settings(db).database_url)
        with engine.begin() as conn:
            result["run_id"] = save_run(conn, save, result)
    if fmt is not OutputFormat.JSON:
        counts = (
            f"{result['shipments']} shipments, {result['arrived']} arrived, {result['released']} released"
        )
        console.print(
            f"{counts}, {result['pre_arrival']} lodged before arrival. Hours; percentiles: "
            f"{result['percentile_definition']}; outliers: {result['outlier_rule']}.",
            markup=False,
        )
    rows = (
        result["intervals"] if fmt is not OutputFormat.TABLE else [_brief(r, by) for r in result["intervals"]]
    )
    _emit(rows, fmt, f"Time Release Study, hours ({scope.describe()})", result)
    if fmt is OutputFormat.TABLE:
        _emit(result["released_within"], fmt, "Released within X hours of arrival", result)


@app.command()
def stats(
    by: Annotated[
        str, typer.Option("--by", help="Dimension, or 'quality' for filer data quality")
    ] = "origin",
    date_from: FromOption = None,
    date_to: ToOption = None,
    office: OfficeOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    db: DbOption = None,
    parquet: ParquetOption = None,
) -> None:
    """E-commerce statistics: shipments, items, declared value and revenue by dimension."""
    from clearway.measurement.scope import EmptyScope
    from clearway.measurement.statistics import UnknownDimension, by_dimension, data_quality

    scope = _scope(date_from, date_to, office)
    tables = _tables(db, parquet, scope)
    try:
        rows = data_quality(tables, scope) if by == "quality" else by_dimension(tables, scope, by)
    except (EmptyScope, UnknownDimension) as exc:
        _fail(str(exc))
    _emit(
        rows,
        fmt,
        f"Statistics by {by} ({scope.describe()})",
        {"scope": scope.as_dict(), "by": by, "rows": rows},
    )


@export_app.command("parquet")
def export_parquet_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for the Parquet files")],
    db: DbOption = None,
) -> None:
    """Shipments, goods items, tax lines and refusals as Parquet, for DuckDB, Polars, Spark…"""
    from clearway.kit.database import make_engine
    from clearway.measurement.sources import export_parquet

    engine = make_engine(_settings(db).database_url)
    with engine.connect() as conn:
        counts = export_parquet(conn, out)
    console.print(f"wrote {', '.join(f'{k}: {v} rows' for k, v in counts.items())} to {out}")


@export_app.command("revenue")
def export_revenue(
    date_from: FromOption = None,
    date_to: ToOption = None,
    period: Annotated[str, typer.Option("--period", help="day, month or year")] = "month",
    cost_per_declaration: Annotated[
        str, typer.Option("--cost-per-declaration", help="Estimated cost of processing one declaration")
    ] = "2.50",
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.CSV,
    db: DbOption = None,
    parquet: ParquetOption = None,
) -> None:
    """Revenue benchmarking (WCO CRBD style): revenue by tax type and period, cost of collection."""
    from clearway.measurement.benchmarking import revenue_benchmark
    from clearway.measurement.scope import EmptyScope

    scope = _scope(date_from, date_to, None)
    try:
        rows = revenue_benchmark(_tables(db, parquet, scope), scope, Decimal(cost_per_declaration), period)
    except (EmptyScope, ValueError, ArithmeticError) as exc:
        _fail(str(exc))
    document = {"scope": scope.as_dict(), "cost_per_declaration": cost_per_declaration, "rows": rows}
    _emit(rows, fmt, "Revenue benchmarking", document)


if __name__ == "__main__":
    app()
