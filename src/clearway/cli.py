"""Command line: the same services as the API, for operators and scripts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from clearway.config import Settings
from clearway.ingest import IngestSummary, ingest_file
from clearway.runtime import prepare_for_batches
from clearway.storage.database import make_engine, upgrade

app = typer.Typer(
    help="Clearway: customs clearance and risk management for cross-border e-commerce.", no_args_is_help=True
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

    settings = _settings(db)
    upgrade(settings.database_url)
    prepare_for_batches()
    console.print(f"Clearway on http://{host}:{port}  (API docs at /docs)")
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
    console.print(json.dumps(result))
    if serve_after:
        serve(db=settings.database_url, port=port)


if __name__ == "__main__":
    app()
