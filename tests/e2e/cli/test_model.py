"""`clearway model` end to end: train and evaluate KCS-format files never seen before; the registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.unit.risk.model.test_kcs import write_kcs

TUPLE = ["HS6 Code", "Country of Departure", "Country of Origin", "Tax Rate", "Tax Type", "Net Mass"]


def clearway(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "clearway.cli", "model", *args], capture_output=True, text=True, env=env
    )
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def last_json(output: str) -> dict[str, object]:
    document = json.loads(output.strip().splitlines()[-1])
    assert isinstance(document, dict)
    return document


def test_train_then_evaluate_a_new_file(tmp_path: Path) -> None:
    import datetime as dt

    train = write_kcs(tmp_path / "train.csv", 800, seed=5)
    valid = write_kcs(tmp_path / "valid.csv", 300, seed=6, start=dt.date(2021, 1, 1))
    model = tmp_path / "model.clw"
    trained = last_json(
        clearway("train", "--data", str(train), "--valid", str(valid), "--format", "kcs", "--out", str(model),
                 "--seed", "1").stdout
    )  # fmt: skip
    assert trained["train_rows"] == 800 and trained["valid_rows"] == 300
    assert trained["goods_history"] is True  # the default
    assert str(trained["version"]).startswith("gbdt-")

    result = last_json(
        clearway("evaluate", "--model", str(model), "--data", str(valid), "--format", "kcs").stdout
    )
    assert result["rows"] == 300
    assert result["model"] == trained["version"]
    assert result["goods_history"] is True
    precision = result["precision_at"]
    assert isinstance(precision, dict) and set(precision) == {"1", "2", "5", "10"}
    assert set(result) >= {"recall_at", "auc", "unseen_tuple", "random", "lookup", "critical_fraud"}
    # The unseen slice: rows of valid whose goods tuple is not in train, counted here independently.
    raw_train = pl.read_csv(train, infer_schema=False)
    raw_valid = pl.read_csv(valid, infer_schema=False)
    unseen_rows = raw_valid.join(raw_train.select(TUPLE).unique(), on=TUPLE, how="anti").height
    unseen = result["unseen_tuple"]
    assert isinstance(unseen, dict) and unseen["rows"] == unseen_rows > 0
    base_rate = raw_valid["Fraud"].cast(pl.Float64).mean()
    random = result["random"]
    assert isinstance(random, dict)
    assert random["precision_at"] == pytest.approx({k: base_rate for k in ("1", "2", "5", "10")})
    assert (
        isinstance(result["auc"], float) and result["auc"] > 0.6
    )  # the generated fraud follows HS chapter and origin

    # Another layout of the same declarations, read through a column mapping: the same result.
    renamed = tmp_path / "renamed.csv"
    raw_valid.rename({"HS6 Code": "Tariff", "Fraud": "Outcome", "Net Mass": "kg"}).write_csv(renamed)
    mapping = tmp_path / "columns.toml"
    mapping.write_text('[columns]\nhs_code = "Tariff"\nfraud = "Outcome"\nnet_mass = "kg"\n')
    args = ["--model", str(model), "--data", str(renamed), "--format", "kcs", "--mapping", str(mapping)]
    assert last_json(clearway("evaluate", *args).stdout) == result

    # Same data, same seed: the same model (the validation file adds metrics, not trees).
    again = tmp_path / "again.clw"
    out = clearway(
        "train", "--data", str(train), "--format", "kcs", "--out", str(again), "--seed", "1"
    ).stdout
    assert last_json(out)["version"] == trained["version"]

    # Without the goods history: another model, and the flag says so in both outputs.
    plain = tmp_path / "plain.clw"
    args = ["--data", str(train), "--format", "kcs", "--out", str(plain), "--seed", "1", "--no-goods-history"]
    without = last_json(clearway("train", *args).stdout)
    assert without["goods_history"] is False and without["version"] != trained["version"]
    evaluated = clearway("evaluate", "--model", str(plain), "--data", str(valid), "--format", "kcs").stdout
    assert last_json(evaluated)["goods_history"] is False


def test_bad_files_fail_before_training_with_the_column_names(tmp_path: Path) -> None:
    train = write_kcs(tmp_path / "train.csv", 100, seed=5)
    pl.read_csv(train, infer_schema=False).drop("Net Mass", "Tax Type").write_csv(train)
    model = tmp_path / "model.clw"
    done = clearway("train", "--data", str(train), "--format", "kcs", "--out", str(model), ok=False)
    assert done.returncode == 2
    assert "missing column(s): Tax Type, Net Mass" in done.stderr.replace("\n", " ")
    assert not model.exists()
    done = clearway("train", "--data", str(train), "--out", str(model), "--params", "[1]", ok=False)
    assert done.returncode == 2 and "--params must be a JSON object" in done.stderr


def test_a_foreign_model_file_is_refused(tmp_path: Path) -> None:
    data = write_kcs(tmp_path / "valid.csv", 50, seed=6)
    foreign = tmp_path / "model.clw"
    foreign.write_text("tree\nversion=v4\n")  # a LightGBM text model, not ours
    done = clearway("evaluate", "--model", str(foreign), "--data", str(data), "--format", "kcs", ok=False)
    assert done.returncode == 2
    assert "not a Clearway model file" in done.stderr


def test_register_list_and_activate(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'clearway.db'}"
    train = write_kcs(tmp_path / "train.csv", 300, seed=5)
    versions = []
    for seed in ("1", "2"):
        model = str(tmp_path / f"m{seed}.clw")
        args = ["--format", "kcs", "--out", model, "--seed", seed, "--register", "--db", db]
        out = clearway("train", "--data", str(train), *args).stdout
        versions.append(str(last_json(out)["version"]))
    listed = json.loads(clearway("list", "--json", "--db", db).stdout)
    assert [(v["version"], v["kind"], v["active"]) for v in listed] == [
        (versions[0], "kcs", False),
        (versions[1], "kcs", False),
    ]
    clearway("activate", versions[1], "--db", db)
    clearway("activate", versions[0], "--db", db)
    listed = json.loads(clearway("list", "--json", "--db", db).stdout)
    assert [v["active"] for v in listed] == [True, False]
    done = clearway("activate", "gbdt-unknown", "--db", db, ok=False)
    assert done.returncode == 2 and "no model version 'gbdt-unknown'" in done.stderr
