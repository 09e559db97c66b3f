"""Bulk files (JSON Lines or CSV) through the pipeline, batch by batch.

Each batch is one transaction, so a run killed half-way leaves whole batches stored; running the same
command again stores the rest and reports the stored ones as duplicates. Rejected records go to
`<input>.rejected.jsonl` with their line numbers and errors.

On PostgreSQL the records are shared among worker processes by consignee (the partition key a stream
would use): each consignee's shipments go to one worker in file order, so the split-consignment rule
sees them exactly as a single process would, while both cores work.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import queue
import threading
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine

from clearway.config import Settings
from clearway.declarations.csv_layout import read_records
from clearway.declarations.normalise import consignee_key
from clearway.declarations.vocabulary import REFUSED
from clearway.intake.pipeline import ItemResult, Submission, process_batch
from clearway.kit.database import make_engine

# One record's outcome: status, lane (when assessed), rejection to report (when refused), lines read.
Outcome = tuple[str, str | None, dict[str, Any] | None, int]


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


def _lines_of(sub: Submission) -> int:
    return len(sub.lines) if sub.lines else 1


def _rejection(result: ItemResult, lines: list[int] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"line": result.line}
    if lines and len(lines) > 1:
        out["lines"] = lines
    out.update({"filer": result.filer, "lrn": result.lrn, "status": result.status})
    out["errors"] = [e.as_dict() for e in result.errors]
    return out


def _broken_outcome(item: _Broken) -> Outcome:
    rejection = {
        "line": item.line,
        "status": "rejected",
        "errors": [{"code": "file.broken_line", "path": "", "message": item.message}],
    }
    return ("rejected", None, rejection, len(item.lines))


def run_batch(
    engine: Engine, batch: list[Submission], settings: Settings, received_at: dt.datetime | None = None
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for result, sub in zip(process_batch(engine, batch, settings, received_at), batch, strict=True):
        refused = result.status in REFUSED
        lane = result.summary["lane"] if result.summary else None
        outcomes.append(
            (result.status, lane, _rejection(result, sub.lines) if refused else None, _lines_of(sub))
        )
    return outcomes


class _Recorder:
    """Counts outcomes and writes rejections; safe to call from the collector thread and the reader."""

    def __init__(self, summary: IngestSummary, rejected: TextIO, on_progress: Callable[[int], None] | None):
        self.summary, self.rejected, self.on_progress = summary, rejected, on_progress
        self.lock = threading.Lock()

    def __call__(self, outcomes: Sequence[Outcome]) -> None:
        with self.lock:
            for status, lane, rejection, _ in outcomes:
                self.summary.statuses[status] += 1
                if lane:
                    self.summary.lanes[lane] += 1
                if rejection is not None:
                    self.rejected.write(json.dumps(rejection) + "\n")
            if self.on_progress:
                self.on_progress(sum(o[3] for o in outcomes))


def ingest_file(
    engine: Engine,
    path: Path,
    settings: Settings,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """`on_progress` is called as batches finish with the number of input lines they consumed."""
    summary = IngestSummary(rejected_path=rejected_path_for(path))
    assert summary.rejected_path is not None
    with summary.rejected_path.open("w", encoding="utf-8") as rejected:
        record = _Recorder(summary, rejected, on_progress)
        workers = settings.ingest_workers if engine.dialect.name == "postgresql" else 1
        if workers > 1:
            _ingest_partitioned(engine, path, settings, workers, record)
        else:
            _ingest_sequential(engine, path, settings, record)
    if not summary.statuses["rejected"] and not summary.statuses["conflict"]:
        summary.rejected_path.unlink()
        summary.rejected_path = None
    return summary


def _ingest_sequential(engine: Engine, path: Path, settings: Settings, record: _Recorder) -> None:
    batch: list[Submission] = []
    for item in read_submissions(path):
        record.summary.records += 1
        if isinstance(item, _Broken):
            record([_broken_outcome(item)])
            continue
        batch.append(item)
        if len(batch) >= settings.batch_size:
            record(run_batch(engine, batch, settings))
            batch = []
    if batch:
        record(run_batch(engine, batch, settings))


# Partitioned ingest (PostgreSQL) ---------------------------------------------------------------------


def partition_of(data: Any, partitions: int) -> int:
    """Worker for a record: by its consignee's normalised name and address, 0 when it has none."""
    try:
        consignee = data["parties"]["consignee"]
        address = consignee.get("address") or {}
        key = consignee_key(
            consignee["name"],
            address.get("line"),
            address.get("postcode"),
            address.get("country"),
            data.get("destination_country") or "",
        )
    except (KeyError, TypeError, AttributeError):
        return 0
    return zlib.crc32(key.encode()) % partitions


_DONE = "done"


def _exit_with(parent: int) -> None:
    """Workers die with the reader. Blocking reads can't notice on their own: every worker holds the
    write ends of the others' pipes. An open transaction is rolled back by the server, which is safe:
    a rerun stores that batch."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _worker(url: str, settings: Settings, inbox: Queue[Any], outbox: Queue[Any]) -> None:
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    engine = make_engine(url)
    try:
        while (batch := inbox.get()) is not None:
            outbox.put(run_batch(engine, batch, settings))
        outbox.put(_DONE)
    except BaseException:
        outbox.put(("error", traceback.format_exc()))
    finally:
        engine.dispose()


def _ingest_partitioned(
    engine: Engine, path: Path, settings: Settings, workers: int, record: _Recorder
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()  # no pooled connection may be inherited by a forked worker
    context = mp.get_context("fork")
    inboxes: list[Queue[Any]] = [context.Queue(maxsize=2) for _ in range(workers)]
    outbox: Queue[Any] = context.Queue()
    processes = [
        context.Process(target=_worker, args=(url, settings, inbox, outbox), daemon=True) for inbox in inboxes
    ]
    for p in processes:
        p.start()
    errors: list[str] = []

    def collect() -> None:
        finished = 0
        while finished < workers:
            try:
                message = outbox.get(timeout=1)
            except queue.Empty:
                if not any(p.is_alive() for p in processes):
                    errors.append("a worker exited without finishing its batches (killed?)")
                    return
                continue
            if message == _DONE:
                finished += 1
            elif isinstance(message, tuple) and message[0] == "error":
                errors.append(message[1])
                finished += 1
            else:
                record(message)

    collector = threading.Thread(target=collect, daemon=True)
    collector.start()
    batches: list[list[Submission]] = [[] for _ in range(workers)]
    try:
        for item in read_submissions(path):
            record.summary.records += 1
            if isinstance(item, _Broken):
                record([_broken_outcome(item)])
                continue
            w = partition_of(item.data, workers)
            batches[w].append(item)
            if len(batches[w]) >= settings.batch_size:
                _put(inboxes[w], batches[w], processes[w])
                batches[w] = []
        for w, batch in enumerate(batches):
            if batch:
                _put(inboxes[w], batch, processes[w])
            _put(inboxes[w], None, processes[w])
    finally:
        collector.join()
        for p in processes:
            p.join()
    if errors:
        raise RuntimeError("ingest worker failed:\n" + "\n".join(errors))


def _put(inbox: Queue[Any], item: Any, process: Any) -> None:
    """Hand a batch to a worker, noticing if it died instead of waiting forever."""
    while True:
        try:
            inbox.put(item, timeout=1)
            return
        except queue.Full:
            if not process.is_alive():
                return
