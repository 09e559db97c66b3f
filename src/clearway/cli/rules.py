"""`clearway rules …` and `clearway watchlist …`: analyst rules, backtests and watch lists."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.table import Table

from clearway.cli._common import (
    DbOption,
    begin,
    connect,
    console,
    err,
    fail,
    known_errors,
    print_json,
    settings,
)
from clearway.risk import ruleset
from clearway.risk import watchlist as watch_lists
from clearway.risk.backtest import backtest
from clearway.risk.errors import RuleError, RuleExists, WatchlistCsvError

rules_app = typer.Typer(
    help="Analyst risk rules: list, add, update, disable, backtest.", no_args_is_help=True
)
watchlist_app = typer.Typer(help="Watch lists: import, export, list.", no_args_is_help=True)

FormatOption = Annotated[str, typer.Option("--format", help="table or json")]


def _rule_error(exc: RuleError, condition: str) -> NoReturn:
    p = exc.position
    line = condition.splitlines()[p.line - 1] if condition.splitlines() else ""
    err().print(f"[red]error:[/red] {exc.kind}: {exc.reason}", highlight=False)
    err().print(f"  line {p.line}, column {p.column} (offset {p.offset})", highlight=False)
    err().print(f"  {line}\n  {' ' * (p.column - 1)}^", highlight=False, markup=False)
    raise typer.Exit(2)


@rules_app.command("list")
def list_rules(
    db: DbOption = None,
    output: FormatOption = "table",
    all_: Annotated[bool, typer.Option("--all", help="include disabled rules")] = False,
) -> None:
    """The analyst rules and the live rule-set version."""
    with connect(db, migrate=True) as conn:
        rules = ruleset.list_rules(conn, include_disabled=all_)
        version = ruleset.version_string(ruleset.current_version(conn))
    if output == "json":
        print_json({"rule_set_version": version, "rules": rules})
        return
    table = Table(title=f"rule set {version}")
    for column in ("id", "effect", "weight", "enabled", "valid", "scope", "condition"):
        table.add_column(column)
    for r in rules:
        scope = " ".join(filter(None, [r["jurisdiction"], ",".join(r["offices"])])) or "all"
        valid = f"{r['valid_from'] or '…'} to {r['valid_to'] or '…'}"
        table.add_row(
            r["id"], r["effect"], f"{r['weight']:g}", str(r["enabled"]), valid, scope, r["condition"]
        )
    console().print(table)


@rules_app.command("show")
def show_rule(rule_id: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """One rule as stored (JSON)."""
    with known_errors(), connect(db, migrate=True) as conn:  # RuleNotFound
        print_json(ruleset.get_rule(conn, rule_id))


def _specs_from_file(path: Path) -> list[ruleset.RuleSpec]:
    text = path.read_text()
    try:
        data: Any = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        fail(f"{path}: {exc}")
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    items = data if isinstance(data, list) else [data]
    specs = []
    for k, item in enumerate(items):
        try:
            specs.append(ruleset.RuleSpec.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            fail(f"{path}: rule {k + 1}: {'.'.join(map(str, first['loc'])) or 'rule'}: {first['msg']}")
    return specs


def _spec_from_options(**options: Any) -> ruleset.RuleSpec:
    values = {k: v for k, v in options.items() if v not in (None, [])}
    try:
        return ruleset.RuleSpec.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{'.'.join(map(str, first['loc'])) or 'rule'}: {first['msg']}")


IdOpt = Annotated[str | None, typer.Option("--id")]
TitleOpt = Annotated[str | None, typer.Option("--title")]
DescOpt = Annotated[str | None, typer.Option("--description")]
CondOpt = Annotated[str | None, typer.Option("--condition", help="rule language, docs/rule-language.md")]
EffectOpt = Annotated[str | None, typer.Option("--effect", help="documents, inspect, release or score")]
WeightOpt = Annotated[float | None, typer.Option("--weight", help="0-1, default by effect")]
FromOpt = Annotated[str | None, typer.Option("--valid-from")]
ToOpt = Annotated[str | None, typer.Option("--valid-to")]
JurOpt = Annotated[str | None, typer.Option("--jurisdiction")]
OfficeOpt = Annotated[list[str] | None, typer.Option("--office", help="repeat for several offices")]
FileOpt = Annotated[Path | None, typer.Option("--file", exists=True, dir_okay=False, help="TOML or JSON")]


def _apply(specs: list[ruleset.RuleSpec], db: str | None, update_id: str | None = None) -> None:
    version = 0
    with known_errors(ValueError):  # RuleNotFound, an id that is not the rule's
        try:
            # One transaction: a bad rule in a file leaves the active rule set as it was.
            with begin(db, migrate=True) as conn:
                for spec in specs:
                    if update_id is None:
                        version = ruleset.add_rule(conn, spec, "cli")
                    else:
                        version = ruleset.update_rule(conn, update_id, spec, "cli")
        except RuleError as exc:
            bad = next(s for s in specs if _fails(s))
            err().print(f"rule {bad.id}:", highlight=False)
            _rule_error(exc, bad.condition)
        except RuleExists as exc:
            fail(f"rule {exc.rule_id} exists: use `clearway rules update {exc.rule_id}`")
    console().print(f"{', '.join(s.id for s in specs)}: rule set {ruleset.version_string(version)}")


def _fails(spec: ruleset.RuleSpec) -> bool:
    try:
        ruleset.check_rule(spec)
    except RuleError:
        return True
    return False


@rules_app.command("add")
def add_rule(
    rule_id: IdOpt = None,
    title: TitleOpt = None,
    description: DescOpt = None,
    condition: CondOpt = None,
    effect: EffectOpt = None,
    weight: WeightOpt = None,
    valid_from: FromOpt = None,
    valid_to: ToOpt = None,
    jurisdiction: JurOpt = None,
    office: OfficeOpt = None,
    file: FileOpt = None,
    db: DbOption = None,
) -> None:
    """Add a rule from options, or every rule of a TOML/JSON file (`[[rules]]` or a list)."""
    specs = (
        _specs_from_file(file)
        if file
        else [
            _spec_from_options(
                id=rule_id,
                title=title,
                description=description,
                condition=condition,
                effect=effect,
                weight=weight,
                valid_from=valid_from,
                valid_to=valid_to,
                jurisdiction=jurisdiction,
                offices=office,
            )
        ]
    )
    _apply(specs, db)


@rules_app.command("update")
def update_rule(
    rule_id: Annotated[str, typer.Argument()],
    title: TitleOpt = None,
    description: DescOpt = None,
    condition: CondOpt = None,
    effect: EffectOpt = None,
    weight: WeightOpt = None,
    valid_from: FromOpt = None,
    valid_to: ToOpt = None,
    jurisdiction: JurOpt = None,
    office: OfficeOpt = None,
    file: FileOpt = None,
    db: DbOption = None,
) -> None:
    """Change a rule: options override its stored values (or the whole rule from a file)."""
    if file:
        specs = _specs_from_file(file)
        if len(specs) != 1:
            fail(f"{file}: one rule expected for an update, found {len(specs)}")
        _apply(specs, db, rule_id)
        return
    with known_errors(), connect(db, migrate=True) as conn:  # RuleNotFound
        current = ruleset.get_rule(conn, rule_id)
    changes = {
        "title": title,
        "description": description,
        "condition": condition,
        "effect": effect,
        "weight": weight,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "jurisdiction": jurisdiction,
        "offices": office,
    }
    merged = {
        k: current[k]
        for k in (
            "id",
            "title",
            "description",
            "condition",
            "effect",
            "weight",
            "valid_from",
            "valid_to",
            "jurisdiction",
            "offices",
        )
    }
    merged.update({k: v for k, v in changes.items() if v is not None})
    _apply([_spec_from_options(**merged)], db, rule_id)


@rules_app.command("disable")
def disable_rule(rule_id: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Take a rule out of the active set (it stays listed, disabled)."""
    with known_errors(), begin(db, migrate=True) as conn:  # RuleNotFound
        version = ruleset.disable_rule(conn, rule_id, "cli")
    console().print(f"{rule_id} disabled: rule set {ruleset.version_string(version)}")


@rules_app.command("versions")
def versions(db: DbOption = None) -> None:
    """Every rule-set version, newest first (JSON)."""
    with connect(db, migrate=True) as conn:
        print_json(ruleset.list_versions(conn))


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: '{value}' is not a date (YYYY-MM-DD)")


@rules_app.command("backtest")
def run_backtest(
    date_from: Annotated[str, typer.Option("--from", help="first lodgement day")],
    date_to: Annotated[str, typer.Option("--to", help="last lodgement day")],
    condition: CondOpt = None,
    rule_id: Annotated[str | None, typer.Option("--rule", help="a stored rule's id")] = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """What would this rule have hit? Hits, share of traffic, hit rate against control outcomes."""
    if (condition is None) == (rule_id is None):
        fail("give exactly one of --condition and --rule")
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    window = settings(db).split_window_hours
    with known_errors(ValueError), connect(db, migrate=True) as conn:  # RuleNotFound, EmptyRange
        try:
            if condition is not None:
                rules, label = ruleset.condition_only(condition), condition
            else:
                assert rule_id is not None
                rules, label = ruleset.stored_rule(conn, rule_id), rule_id
            result = backtest(conn, rules, start, end, window, label)
        except RuleError as exc:
            _rule_error(exc, condition or "")
    numbers = result.as_dict()
    if output == "json":
        print_json(numbers)
        return
    table = Table(title=f"backtest {label} {start} to {end}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for k, v in numbers.items():
        if k not in ("date_from", "date_to", "rule_set"):
            table.add_row(k, "-" if v is None else f"{v:g}" if isinstance(v, float) else str(v))
    console().print(table)


# Watch list -----------------------------------------------------------------------------------------


@watchlist_app.command("import")
def import_watchlist(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV: " + ",".join(watch_lists.COLUMNS))
    ],
    db: DbOption = None,
) -> None:
    """Import a CSV watch list: all rows, or none with every bad row by line number."""
    try:
        entries = watch_lists.parse_csv(file.read_text(encoding="utf-8-sig"))
    except WatchlistCsvError as exc:
        for p in exc.problems:
            err().print(f"{file}:{p}", highlight=False, markup=False)
        fail(f"{len(exc.problems)} bad row(s); nothing imported")
    with begin(db, migrate=True) as conn:
        added = watch_lists.add_entries(conn, entries)
    console().print(f"imported {added} watch-list entries from {file}")


@watchlist_app.command("export")
def export_watchlist(
    out: Annotated[Path | None, typer.Option("--out", help="file (default: standard output)")] = None,
    db: DbOption = None,
) -> None:
    """The whole watch list as CSV, in the import format."""
    with connect(db, migrate=True) as conn:
        text = watch_lists.export_csv(conn)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)
        console().print(f"wrote {out}")


@watchlist_app.command("list")
def list_watchlist(
    on: Annotated[str | None, typer.Option("--on", help="only entries valid on this day")] = None,
    db: DbOption = None,
    output: FormatOption = "table",
) -> None:
    """Watch-list entries (all, or those valid on a day)."""
    with connect(db, migrate=True) as conn:
        entries = watch_lists.list_entries(conn, _date(on, "--on") if on else None)
    if output == "json":
        print_json(entries)
        return
    table = Table(title=f"watch list ({len(entries)})")
    for column in ("id", "tin", "name", "address", "reason", "source", "valid_from", "valid_to"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            *(
                ("" if e[c] is None else str(e[c]))
                for c in ("id", "tin", "name", "address", "reason", "source", "valid_from", "valid_to")
            )
        )
    console().print(table)
