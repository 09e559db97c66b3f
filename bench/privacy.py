"""What sealing personal data costs the pipeline: the same batches with sealing on and off, interleaved.

    uv run python bench/privacy.py [--shipments 10000] [--rounds 2] [--postgres-url URL]

Generates N shipments once (not timed), then runs them through `process_batch` in batches of 2,000
into a fresh database per run, alternating "sealed" (the real code: consignee sealed with AES-GCM,
declaration masked, blind index) and "plain" (sealing and blinding replaced by pass-throughs), so both
see the same machine load. Prints per-shipment wall-clock and CPU times (of this process) and the
overhead; the last line is JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from clearway.config import Settings
from clearway.intake import repository as intake_repository
from clearway.intake.pipeline import Submission, process_batch
from clearway.kit.database import make_engine, normalise_url
from clearway.migrations import upgrade
from clearway.runtime import prepare_for_batches
from clearway.security import personal
from clearway.traffic.export import write_traffic

BATCH = 2000


@contextmanager
def plain() -> Iterator[None]:
    """Sealing and blinding as pass-throughs: the pipeline as it was before personal data was sealed."""

    def no_seal(
        vault: Any, shipment_id: uuid.UUID, document: str, consignee_json: str, country: str | None
    ) -> personal.Sealed:
        return personal.Sealed(document, "none", b"")

    sealed, blind = getattr(intake_repository, "seal_declaration"), personal.Vault.blind  # noqa: B009
    setattr(intake_repository, "seal_declaration", no_seal)  # noqa: B010
    personal.Vault.blind = lambda self, value: value  # type: ignore[method-assign]
    try:
        yield
    finally:
        setattr(intake_repository, "seal_declaration", sealed)  # noqa: B010
        personal.Vault.blind = blind  # type: ignore[method-assign]


def fresh_postgres(admin_url: str, name: str) -> str:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(normalise_url(admin_url)).set(database=name).render_as_string(hide_password=False)


def timed_run(url: str, records: list[dict[str, Any]], received_at: dt.datetime) -> tuple[float, float]:
    """Wall-clock and CPU seconds of this process (CPU is what sealing adds, and it is far less disturbed
    than wall-clock by other work on a shared machine)."""
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(database_url=url)
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(records), BATCH):
        batch = [Submission(r) for r in records[start : start + BATCH]]
        process_batch(engine, batch, settings, received_at)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CLEARWAY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    prepare_for_batches()
    now = dt.datetime.now(dt.UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    result: dict[str, Any] = {"shipments": args.shipments, "rounds": args.rounds}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "traffic.jsonl"
        write_traffic(args.shipments, 1, path, day)
        with path.open(encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        for database in ("sqlite", "postgres"):
            times: dict[str, list[tuple[float, float]]] = {"sealed": [], "plain": []}
            for k in range(args.rounds):
                for mode in ("sealed", "plain") if k % 2 == 0 else ("plain", "sealed"):
                    if database == "sqlite":
                        url = f"sqlite:///{Path(folder) / f'{mode}{k}.db'}"
                    else:
                        url = fresh_postgres(args.postgres_url, "clearway_bench_privacy")
                    if mode == "plain":
                        with plain():
                            times[mode].append(timed_run(url, records, now))
                    else:
                        times[mode].append(timed_run(url, records, now))
            out: dict[str, float] = {}
            for measure, at in (("wall", 0), ("cpu", 1)):
                sealed_us = 1e6 * statistics.median(t[at] for t in times["sealed"]) / args.shipments
                plain_us = 1e6 * statistics.median(t[at] for t in times["plain"]) / args.shipments
                print(
                    f"{database} {measure}: sealed {sealed_us:.0f} µs, plain {plain_us:.0f} µs per shipment"
                )
                out[f"{measure}_sealed_us"] = round(sealed_us, 1)
                out[f"{measure}_plain_us"] = round(plain_us, 1)
                out[f"{measure}_overhead_us"] = round(sealed_us - plain_us, 1)
                out[f"{measure}_overhead_pct"] = round(100 * (sealed_us - plain_us) / plain_us, 1)
            result[database] = out
    print(json.dumps(result))


if __name__ == "__main__":
    main()
