"""Bulk files: JSON Lines and CSV with broken lines, reruns, and a run killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from clearway.config import Settings
from clearway.declarations import tables
from clearway.declarations.csv_layout import write_records
from clearway.intake.files import ingest_file
from tests.e2e.api.test_shipments import now_record

SETTINGS = Settings(control_rate=0.0, batch_size=3)


def stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.shipments)).scalar_one())


def records(n: int, prefix: str) -> list[dict[str, Any]]:
    return [now_record(f"{prefix}{k:05d}") for k in range(n)]


def test_jsonl_broken_lines_are_reported_with_line_numbers_and_good_lines_stored(
    engine: Engine, tmp_path: Path
) -> None:
    good = records(5, "J")
    invalid = now_record("JBAD", currency="ZZZ")
    lines = [
        json.dumps(good[0]),
        json.dumps(good[1]),
        '{"filer": "X", broken',
        json.dumps(invalid),
        "",
        json.dumps(good[2]),
        json.dumps(good[3]),
        json.dumps(good[4]),
    ]
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(lines) + "\n")
    summary = ingest_file(engine, path, SETTINGS)
    assert summary.statuses["accepted"] == 5 and summary.statuses["rejected"] == 2
    assert stored(engine) == 5
    assert summary.rejected_path == tmp_path / "day.jsonl.rejected.jsonl"
    rejected = [json.loads(x) for x in summary.rejected_path.read_text().splitlines()]
    assert [(r["line"], r["errors"][0]["code"]) for r in rejected] == [
        (3, "file.broken_line"),
        (4, "currency.unknown"),
    ]
    assert rejected[1]["errors"][0]["path"] == "/currency"
    rerun = ingest_file(engine, path, SETTINGS)
    assert rerun.statuses["duplicate"] == 5 and rerun.statuses["accepted"] == 0
    assert stored(engine) == 5


def test_csv_one_row_per_item_with_a_broken_line(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    with path.open("w", newline="") as f:
        write_records(f, records(3, "C"))  # two items each: lines 2-7
    lines = path.read_text().splitlines()
    lines.insert(3, "only,three,cells")  # becomes line 4, inside the first record's neighbourhood
    path.write_text("\n".join(lines) + "\n")
    summary = ingest_file(engine, path, SETTINGS)
    assert summary.statuses["accepted"] == 3 and summary.statuses["rejected"] == 1
    assert summary.rejected_path is not None
    (broken,) = [json.loads(x) for x in summary.rejected_path.read_text().splitlines()]
    assert broken["line"] == 4 and "columns" in broken["errors"][0]["message"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.goods_items)).scalar_one() == 6


def _running(pattern: str) -> bool:
    return subprocess.run(["pgrep", "-f", pattern], capture_output=True).returncode == 0


def _wait_for_orphans(path: Path) -> None:
    """Workers of a killed ingest finish their batch and exit on their own, within seconds."""
    deadline = time.monotonic() + 30
    while _running(f"clearway.cli ingest {path}") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(f"clearway.cli ingest {path}"), "ingest workers outlived their killed parent"


def test_killed_ingest_rerun_stores_every_record_exactly_once(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "big.jsonl"
    total = 4000
    path.write_text("".join(json.dumps(r) + "\n" for r in records(total, "K")))
    env = {**os.environ, "CLEARWAY_BATCH_SIZE": "100", "CLEARWAY_CONTROL_RATE": "0"}
    command = [sys.executable, "-m", "clearway.cli", "ingest", str(path), "--db", db_url]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while stored(engine) < 300 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    _wait_for_orphans(path)
    partial = stored(engine)
    assert 0 < partial < total, "the kill must land mid-way for this test to mean anything"
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    assert stored(engine) == total
    with engine.connect() as conn:
        keys = conn.execute(select(func.count(func.distinct(tables.shipments.c.lrn)))).scalar_one()
        items = conn.execute(select(func.count()).select_from(tables.goods_items)).scalar_one()
    assert keys == total and items == 2 * total
