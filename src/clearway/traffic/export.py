"""Generated traffic written in exactly the formats `ingest` and `POST /v1/shipments` accept."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clearway.declarations.csv_layout import write_records
from clearway.traffic.generator import Label, generate, write_files


def label_dict(label: Label) -> dict[str, Any]:
    return {
        "filer": label.filer,
        "lrn": label.lrn,
        "fraud": label.fraud,
        "detail": label.detail,
        "true_value": str(label.true_value),
    }


def write_traffic(shipments: int, seed: int, out: Path, start: dt.datetime) -> tuple[int, Path]:
    """JSON Lines, or the flat CSV layout when `out` ends in .csv; labels beside it as JSON Lines."""
    if out.suffix.lower() != ".csv":
        return write_files(shipments, seed, out, start)
    labels_path = out.with_name(out.stem + ".labels.jsonl")
    with (
        out.open("w", encoding="utf-8", newline="") as data,
        labels_path.open("w", encoding="utf-8") as labels,
    ):

        def records() -> Iterator[dict[str, Any]]:
            for record, label in generate(shipments, seed, start):
                labels.write(json.dumps(label_dict(label)) + "\n")
                yield record

        count = write_records(data, records())
    return count, labels_path
