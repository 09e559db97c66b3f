"""`clearway risk …`: selection for control, inspection capacity, feedback and drift, case files."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from clearway.cli._common import DbOption, begin, connect, console, day, fail, known_errors, print_json
from clearway.risk import cases, drift, selection

risk_app = typer.Typer(help="Risk analytics: selection for control, drift, case files.", no_args_is_help=True)

FromOption = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD)")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD)")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


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
    filing_day = day(date, "--date")
    assert filing_day is not None
    with known_errors(), begin(db) as conn:  # SelectionError
        run = selection.run_selection(conn, office, filing_day, capacity, exploration, seed)
    if fmt is Format.JSON:
        print_json(run)
        return
    console().print(
        f"run {run['id']}: office {office}, {filing_day}, {run['candidates']} candidates, "
        f"capacity {run['capacity']} ({run['exploration_slots']} exploration), seed {run['seed']}, "
        f"model {run['model_version'] or '-'}",
        highlight=False,
    )
    table = Table()
    for column in ("shipment", "chosen by", "control", "score"):
        table.add_column(column)
    for p in run["selected"]:
        table.add_row(p["shipment_id"], p["kind"], p["control"], f"{p['score']:.4f}")
    console().print(table)


@risk_app.command("capacity")
def capacity_command(
    office: Annotated[str, typer.Option("--office")],
    per_day: Annotated[int, typer.Option("--per-day", min=0)],
    db: DbOption = None,
) -> None:
    """Set an office's daily inspection capacity."""
    with begin(db) as conn:
        selection.set_capacity(conn, office, per_day)
    console().print(f"{office}: {per_day} controls per day")


@risk_app.command("drift")
def drift_command(
    date_from: FromOption = None,
    date_to: ToOption = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    db: DbOption = None,
) -> None:
    """Weekly hit rate, exploration hit rate and score shift (PSI against the training scores)."""
    with known_errors(), connect(db) as conn:  # NoData
        report = drift.drift(conn, day(date_from, "--from"), day(date_to, "--to"))
    if fmt is Format.JSON:
        print_json(report)
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
    console().print(table)


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
    with connect(db) as conn:
        found = cases.find_cases(conn, day(date_from, "--from"), day(date_to, "--to"), max_key)
    if case is not None:
        one = next((c for c in found["cases"] if c["id"] == case), None)
        if one is None:
            fail(f"--case: no case {case} in the range")
        if fmt is Format.CSV:
            print(cases.case_csv(one), end="")
        else:
            print_json(one)
        return
    if fmt is Format.JSON:
        print_json(found)
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
    console().print(table)
