"""Bulk files (JSON Lines or CSV) through the pipeline, batch by batch.

Each batch is one transaction, so a run killed half-way leaves whole batches stored; running the same
command again stores the rest and reports the stored ones as duplicates. Rejected records go to
`<input>.rejected.jsonl` with their line numbers and errors.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from clearway.config import Settings
from clearway.declarations.csv_layout import read_records
from clearway.pipeline import ItemResult, Submission, process_batch


@dataclass(slots=True)
class IngestSummary:
    records: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    lanes: Counter[str] = field(default_factory=Counter)
    rejected_path: Path | None = None


@dataclass(slots=True)
class _Broken:
    line: int
    lines: list[int]
    message: str


def rejected_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".rejected.jsonl")


def _jsonl(path: Path) -> Iterator[Submission | _Broken]:
    with path.open(encoding="utf-8") as stream:
        for line_no, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield Submission(json.loads(line), line_no)
            except json.JSONDecodeError as exc:
                yield _Broken(line_no, [line_no], f"malformed JSON: {exc.msg} at column {exc.colno}")


def _csv(path: Path) -> Iterator[Submission | _Broken]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for record in read_records(stream):
            if record.data is None:
                yield _Broken(record.line, record.lines, record.error or "broken line")
            else:
                yield Submission(record.data, record.line, record.lines)


def read_submissions(path: Path) -> Iterator[Submission | _Broken]:
    return _csv(path) if path.suffix.lower() == ".csv" else _jsonl(path)


def _rejection(result: ItemResult, lines: list[int] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"line": result.line}
    if lines and len(lines) > 1:
        out["lines"] = lines
    out.update({"filer": result.filer, "lrn": result.lrn, "status": result.status})
    out["errors"] = [e.as_dict() for e in result.errors]
    return out


def ingest_file(
    engine: Engine,
    path: Path,
    settings: Settings,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """`on_progress` is called after each batch with the number of input lines it consumed."""
    summary = IngestSummary(rejected_path=rejected_path_for(path))
    assert summary.rejected_path is not None
    with summary.rejected_path.open("w", encoding="utf-8") as rejected:

        def flush(batch: list[Submission]) -> None:
            for result, sub in zip(process_batch(engine, batch, settings), batch, strict=True):
                summary.statuses[result.status] += 1
                if result.summary:
                    summary.lanes[result.summary["lane"]] += 1
                if result.status in ("rejected", "conflict"):
                    rejected.write(json.dumps(_rejection(result, sub.lines)) + "\n")
            if on_progress:
                on_progress(sum(len(sub.lines) if sub.lines else 1 for sub in batch))

        batch: list[Submission] = []
        for item in read_submissions(path):
            summary.records += 1
            if isinstance(item, _Broken):
                summary.statuses["rejected"] += 1
                if on_progress:
                    on_progress(len(item.lines))
                rejected.write(
                    json.dumps(
                        {
                            "line": item.line,
                            "status": "rejected",
                            "errors": [{"code": "file.broken_line", "path": "", "message": item.message}],
                        }
                    )
                    + "\n"
                )
                continue
            batch.append(item)
            if len(batch) >= settings.batch_size:
                flush(batch)
                batch = []
        if batch:
            flush(batch)
    if not summary.statuses["rejected"] and not summary.statuses["conflict"]:
        summary.rejected_path.unlink()
        summary.rejected_path = None
    return summary
