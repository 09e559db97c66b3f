"""`clearway model …`: train and evaluate risk models on historical declarations, manage versions, and
retrain on stored shipments.

LightGBM, Polars and the model modules are imported inside the commands, so that loading this group
(for `clearway model --help`, say) costs little.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from clearway.cli._common import DbOption, console, day, engine, err, fail, known_errors, print_json

if TYPE_CHECKING:
    from clearway.risk.model.gbdt import ModelArtifact

model_app = typer.Typer(
    help="Risk models: train, evaluate, list and activate versions.", no_args_is_help=True
)


class DataFormat(StrEnum):
    kcs = "kcs"


FormatOption = Annotated[DataFormat, typer.Option("--format", help="Layout of the declarations file")]
MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", help='TOML file with a [columns] table: field = "CSV header" (see README)'),
]


def _mapping(path: Path | None) -> dict[str, str]:
    from clearway.risk.model import kcs

    return kcs.mapping_from_toml(path) if path else {}


def _read_model(path: Path) -> ModelArtifact:
    from clearway.risk.errors import ModelFileError
    from clearway.risk.model.gbdt import ModelArtifact

    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read model file {path}: {exc.strerror}")
    try:
        return ModelArtifact.from_bytes(data)
    except ModelFileError as exc:
        fail(f"{path}: {exc}")


@model_app.command("train")
def train_command(
    data: Annotated[Path, typer.Option("--data", help="Training declarations (CSV)")],
    out_path: Annotated[Path, typer.Option("--out", help="Model file to write")],
    valid: Annotated[Path | None, typer.Option("--valid", help="Validation file: metrics only")] = None,
    data_format: FormatOption = DataFormat.kcs,
    mapping: MappingOption = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    params: Annotated[
        str | None,
        typer.Option("--params", help='LightGBM parameters over the tuned ones, as JSON: {"num_leaves": 63}'),
    ] = None,
    register: Annotated[
        bool, typer.Option("--register", help="Also store the version in the database")
    ] = False,
    kind: Annotated[str, typer.Option("--kind", help="Registry kind")] = "kcs",
    db: DbOption = None,
    goods_history: Annotated[
        bool,
        typer.Option(
            "--goods-history/--no-goods-history",
            help="Use the training fraud rate and count of each row's exact goods tuple (see README)",
        ),
    ] = True,
) -> None:
    """Train a gradient-boosted tree model; the last line of output is a JSON summary."""
    from clearway.risk.errors import FeatureError
    from clearway.risk.model import kcs, registry

    overrides: dict[str, Any] = {}
    if params:
        try:
            overrides = json.loads(params)
        except json.JSONDecodeError as exc:
            fail(f"--params is not JSON: {exc}")
        if not isinstance(overrides, dict):
            fail("--params must be a JSON object")
    with known_errors():  # KcsFormatError
        columns = _mapping(mapping)
        train_frame = kcs.load(data, columns)
        valid_frame = kcs.load(valid, columns) if valid else None
    history = "with" if goods_history else "without"
    err().print(
        f"training on {train_frame.height} rows of {data} (seed {seed}, {history} goods history, one thread)"
    )
    try:
        artifact = kcs.train_kcs(
            train_frame,
            valid_frame,
            seed=seed,
            params={**kcs.KCS_PARAMS, **overrides},
            source=data.name,
            goods_history=goods_history,
        )
    except (FeatureError, ValueError) as exc:
        fail(f"{data}: {exc}")
    out_path.write_bytes(artifact.to_bytes())
    summary: dict[str, Any] = {"version": artifact.version, "out": str(out_path), **artifact.metrics}
    if register:
        with known_errors(), engine(db, migrate=True) as opened:  # RegistryError
            registry.register(
                opened, artifact, kind, f"{data_format} model trained on {data.name} (seed {seed})"
            )
        summary["registered"] = kind
    print(json.dumps(summary, sort_keys=True))


@model_app.command("evaluate")
def evaluate_command(
    model: Annotated[Path, typer.Option("--model", help="Model file written by `clearway model train`")],
    data: Annotated[Path, typer.Option("--data", help="Labelled declarations (CSV)")],
    data_format: FormatOption = DataFormat.kcs,
    mapping: MappingOption = None,
) -> None:
    """Precision and recall at 1/2/5/10 %, AUC, the unseen-tuple slice and baselines, as JSON (last line)."""
    from clearway.risk.model import kcs
    from clearway.risk.model.evaluation import evaluate_kcs

    artifact = _read_model(model)
    with known_errors():  # KcsFormatError
        frame = kcs.load(data, _mapping(mapping), fields=kcs.required_fields(artifact))
    result = evaluate_kcs(artifact, frame)
    err().print(
        f"{result['rows']} rows, fraud rate {result['positive_rate']:.3f}: precision@5% "
        f"{result['precision_at']['5']:.3f}, @10% {result['precision_at']['10']:.3f}, AUC {result['auc']:.3f}"
    )
    print(json.dumps(result, sort_keys=True))


@model_app.command("list")
def list_command(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array instead of a table")] = False,
) -> None:
    """Registered model versions."""
    from clearway.risk.model import registry

    with engine(db) as opened:
        versions = registry.list_versions(opened)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "version": v.version,
                        "kind": v.kind,
                        "created_at": v.created_at.isoformat(),
                        "active": v.active,
                        "description": v.description,
                        "metrics": v.metrics,
                    }
                    for v in versions
                ]
            )
        )
        return
    table = Table("version", "kind", "created", "active", "valid AUC", "description")
    for v in versions:
        auc = v.metrics.get("valid_auc")
        table.add_row(
            v.version,
            v.kind,
            v.created_at.strftime("%Y-%m-%d %H:%M"),
            "yes" if v.active else "",
            f"{auc:.3f}" if isinstance(auc, float) else "",
            v.description,
        )
    console().print(table)


@model_app.command("activate")
def activate_command(version: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Make VERSION the active model of its kind."""
    from clearway.risk.model import registry

    with known_errors(), engine(db) as opened:  # RegistryError
        registry.activate(opened, version)
    console().print(f"active: {version}")


@model_app.command("retrain")
def retrain_command(
    date_from: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD)")] = None,
    activate: Annotated[bool, typer.Option("--activate", help="Make the new model the active one")] = False,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    unbiased_only: Annotated[
        bool,
        typer.Option("--unbiased-only", help="Train on random-control and exploration outcomes only"),
    ] = False,
    db: DbOption = None,
) -> None:
    """Train a `shipments` model on stored shipments and their control results; JSON on the last line."""
    # Imported here: the retraining code loads LightGBM, which other commands must not pay for.
    from clearway.risk.retrain import retrain

    start, end = day(date_from, "--from"), day(date_to, "--to")
    with known_errors(), engine(db) as opened:  # RetrainError, RegistryError
        result = retrain(opened, start, end, activate=activate, seed=seed, unbiased_only=unbiased_only)
    print_json(result.as_dict())
