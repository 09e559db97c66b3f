"""`clearway trs`, `clearway stats` and `clearway export …`: release times, statistics, benchmarking and
the Parquet export (Polars; imported inside the commands)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from clearway.cli import _common
from clearway.cli._common import DbOption, begin, connect, console, known_errors
from clearway.kit.csvsafe import safe_dict

if TYPE_CHECKING:
    from clearway.measurement.scope import Scope
    from clearway.measurement.sources import Tables

export_app = typer.Typer(help="Exports for analysis and benchmarking.", no_args_is_help=True)


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
    _common.fail(message, to=console())  # on standard output, as scripts of these commands expect


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
    from clearway.measurement.sources import from_database, from_parquet

    if parquet is not None:
        try:
            return from_parquet(parquet)
        except FileNotFoundError as exc:
            _fail(str(exc))
    with connect(db) as conn:
        return from_database(conn, scope.date_from, scope.date_to)


def _emit(rows: list[dict[str, Any]], fmt: OutputFormat, title: str, document: dict[str, Any]) -> None:
    """Rows as a table or CSV; with --format json, one JSON object on the last line."""
    if fmt is OutputFormat.JSON:
        print(json.dumps(document, default=str))
        return
    if fmt is OutputFormat.CSV:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            safe_dict({k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in r.items()})
            for r in rows
        )
        return
    from rich.table import Table

    table = Table(title=title)
    for column in rows[0] if rows else []:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(v) for v in row.values()))
    console().print(table)


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
    from clearway.measurement import study
    from clearway.measurement.study import get_runs, run_study, save_run

    if compare:
        with connect(db) as conn:
            runs = get_runs(conn, [int(x) for x in compare.split(",") if x.strip()])
        if not runs:
            _fail(f"no stored runs {compare}; see `clearway trs --list`")
        rows = study.compare(runs)
        _emit(rows, fmt, "TRS runs compared (arrival to release, hours)", {"runs": rows})
        return
    scope = _scope(date_from, date_to, office)
    with known_errors(to=console()):  # EmptyScope, UnknownDimension
        result = run_study(_tables(db, parquet, scope), scope, by)
    if save:
        with begin(db) as conn:
            result["run_id"] = save_run(conn, save, result)
    if fmt is not OutputFormat.JSON:
        counts = (
            f"{result['shipments']} shipments, {result['arrived']} arrived, {result['released']} released"
        )
        console().print(
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
    from clearway.measurement.statistics import by_dimension, data_quality

    scope = _scope(date_from, date_to, office)
    tables = _tables(db, parquet, scope)
    with known_errors(to=console()):  # EmptyScope, UnknownDimension
        rows = data_quality(tables, scope) if by == "quality" else by_dimension(tables, scope, by)
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
    from clearway.measurement.sources import export_parquet

    with connect(db) as conn:
        counts = export_parquet(conn, out)
    console().print(f"wrote {', '.join(f'{k}: {v} rows' for k, v in counts.items())} to {out}")


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

    scope = _scope(date_from, date_to, None)
    with known_errors(ValueError, ArithmeticError, to=console()):  # and EmptyScope
        rows = revenue_benchmark(_tables(db, parquet, scope), scope, Decimal(cost_per_declaration), period)
    document = {"scope": scope.as_dict(), "cost_per_declaration": cost_per_declaration, "rows": rows}
    _emit(rows, fmt, "Revenue benchmarking", document)
