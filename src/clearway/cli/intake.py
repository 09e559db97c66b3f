"""`clearway generate` and `clearway ingest`: synthetic traffic, and bulk files through the pipeline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clearway.cli._common import DbOption, console, settings

if TYPE_CHECKING:
    from clearway.config import Settings
    from clearway.intake.files import IngestSummary


def _yesterday() -> dt.datetime:
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(days=1)


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
    console().print(f"wrote {count} shipments to {out} and their labels to {labels}")


def _print_summary(summary: IngestSummary) -> None:
    from rich.table import Table

    from clearway.declarations.vocabulary import IngestStatus, Lane

    table = Table(title="Ingest summary")
    table.add_column("outcome")
    table.add_column("shipments", justify="right")
    for status in IngestStatus:
        table.add_row(status.value, str(summary.statuses[status]))
    for lane in Lane:
        table.add_row(f"lane {lane}", str(summary.lanes[lane]))
    console().print(table)
    if summary.rejected_path:
        console().print(f"rejected records with their errors: {summary.rejected_path}")


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def run_ingest(path: Path, current: Settings, quiet: bool = False) -> IngestSummary:
    """Bring the schema up to date, then ingest `path` with a progress bar (none when `quiet`)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from clearway.intake.files import ingest_file
    from clearway.kit.database import make_engine
    from clearway.migrations import upgrade
    from clearway.runtime import prepare_for_batches

    upgrade(current.database_url)
    prepare_for_batches()
    engine = make_engine(current.database_url)
    total = _count_lines(path) - (1 if path.suffix.lower() == ".csv" else 0)
    with Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console(),
        disable=quiet,
    ) as progress:
        task = progress.add_task("ingest", total=total)
        summary = ingest_file(engine, path, current, lambda n: progress.advance(task, n))
        progress.update(task, completed=total)
    engine.dispose()
    return summary


def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines or CSV of shipments")],
    db: DbOption = None,
) -> None:
    """Run a bulk file through the pipeline; rejected records go next to the input."""
    summary = run_ingest(file, settings(db))
    _print_summary(summary)
