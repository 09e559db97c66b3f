"""``clearway risk``: selection for control, drift, case files; and ``clearway model retrain``."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from clearway.config import Settings
from clearway.kit.database import make_engine
from clearway.risk import cases, drift, selection
from clearway.risk.retrain import RetrainError, retrain

risk_app = typer.Typer(help="Risk analytics: selection for control, drift, case files.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CLEARWAY_DATABASE_URL or sqlite:///clearway.db)"),
]
FromOption = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD)")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD)")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(2)


def _url(db: str | None) -> str:
    return db or Settings().database_url


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: {value!r} is not a date (YYYY-MM-DD)")


def _json(document: Any) -> None:
    print(json.dumps(document, default=str))


@risk_app.command("select")
def select_command(
    office: Annotated[str, typer.Option("--office", help="Customs office code")],
    date: Annotated[str, typer.Option("--date", help="Filing day (YYYY-MM-DD)")],
    capacity: Annotated[
        int | None, typer.Option("--capacity", min=0, help="Controls that day (default: the office's)")
    ] = None,
    exploration: Annotated[float, typer.Option("--exploration", min=0.0, max=1.0)] = 0.1,
    seed: Annotated[int | None, typer.Option("--seed", help="Default: fixed by office and day")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """Choose shipments for control by score within capacity, plus a random exploration share."""
    day = _day(date, "--date")
    assert day is not None
    engine = make_engine(_url(db))
    try:
        with engine.begin() as conn:
            run = selection.run_selection(conn, office, day, capacity, exploration, seed)
    except selection.SelectionError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    if fmt is Format.JSON:
        _json(run)
        return
    out.print(
        f"run {run['id']}: office {office}, {day}, {run['candidates']} candidates, "
        f"capacity {run['capacity']} ({run['exploration_slots']} exploration), seed {run['seed']}, "
        f"model {run['model_version'] or '-'}",
        highlight=False,
    )
    table = Table()
    for column in ("shipment", "chosen by", "control", "score"):
        table.add_column(column)
    for p in run["selected"]:
        table.add_row(p["shipment_id"], p["kind"], p["control"], f"{p['score']:.4f}")
    out.print(table)


@risk_app.command("capacity")
def capacity_command(
    office: Annotated[str, typer.Option("--office")],
    per_day: Annotated[int, typer.Option("--per-day", min=0)],
    db: DbOption = None,
) -> None:
    """Set an office's daily inspection capacity."""
    engine = make_engine(_url(db))
    with engine.begin() as conn:
        selection.set_capacity(conn, office, per_day)
    engine.dispose()
    out.print(f"{office}: {per_day} controls per day")


@risk_app.command("drift")
def drift_command(
    date_from: FromOption = None,
    date_to: ToOption = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """Weekly hit rate, exploration hit rate and score shift (PSI against the training scores)."""
    engine = make_engine(_url(db))
    try:
        with engine.connect() as conn:
            report = drift.drift(conn, _day(date_from, "--from"), _day(date_to, "--to"))
    except drift.NoData as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    if fmt is Format.JSON:
        _json(report)
        return
    table = Table(title=f"Feedback and drift (PSI: {report['psi_reading']})")
    columns = (
        "week",
        "controls",
        "hit_rate",
        "exploration_controls",
        "exploration_hit_rate",
        "scored",
        "psi",
    )
    for column in columns:
        table.add_column(column.replace("_", " "))
    for w in report["weeks"]:
        table.add_row(*("" if w[c] is None else str(w[c]) for c in columns))
    out.print(table)


@risk_app.command("cases")
def cases_command(
    date_from: FromOption = None,
    date_to: ToOption = None,
    case: Annotated[str | None, typer.Option("--case", help="Export this case only")] = None,
    max_key: Annotated[
        int, typer.Option("--max-key-shipments", min=2, help="Ignore keys shared by more shipments")
    ] = cases.MAX_KEY_SHIPMENTS,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """Shipments linked by shared parties, addresses, payment or waybill references."""
    engine = make_engine(_url(db))
    with engine.connect() as conn:
        found = cases.find_cases(conn, _day(date_from, "--from"), _day(date_to, "--to"), max_key)
    engine.dispose()
    if case is not None:
        one = next((c for c in found["cases"] if c["id"] == case), None)
        if one is None:
            _fail(f"--case: no case {case} in the range")
        if fmt is Format.CSV:
            print(cases.case_csv(one), end="")
        else:
            _json(one)
        return
    if fmt is Format.JSON:
        _json(found)
        return
    if fmt is Format.CSV:
        print(cases.case_csv(*found["cases"]), end="")
        return
    table = Table(title=f"{len(found['cases'])} cases among {found['shipments']} shipments")
    for column in ("case", "shipments", "value", "controlled", "non-compliant", "linked by"):
        table.add_column(column)
    for c in found["cases"]:
        kinds = sorted({link["kind"] for link in c["links"]})
        table.add_row(
            c["id"], str(c["shipments"]), f"{c['value']:.2f}", str(c["controlled"]), str(c["non_compliant"]),
            ", ".join(kinds),
        )  # fmt: skip
    out.print(table)


def run_retrain(
    date_from: str | None,
    date_to: str | None,
    *,
    activate: bool,
    seed: int,
    unbiased_only: bool,
    db: str | None,
) -> None:
    """The body of `clearway model retrain` (risk/model/cli.py holds its options): train a `shipments`
    model on stored shipments and their control results; JSON on the last line."""
    engine = make_engine(_url(db))
    try:
        result = retrain(
            engine, _day(date_from, "--from"), _day(date_to, "--to"), activate=activate, seed=seed,
            unbiased_only=unbiased_only,
        )  # fmt: skip
    except RetrainError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    _json(result.as_dict())
