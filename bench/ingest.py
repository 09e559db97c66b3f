"""End-to-end ingest throughput on SQLite and PostgreSQL, against a raw COPY of the same rows.

    uv run python bench/ingest.py --shipments 100000 [--postgres-url URL] [--batch-size 2000]

Generates N shipments (not timed), runs the JSON Lines file through `ingest_file` (read, parse,
validate, categorise, revenue, risk, persist, commit per batch) into a fresh SQLite file and a fresh
PostgreSQL database, then reads back every row the pipeline wrote, empties the tables and times a
bare COPY of exactly those rows into the same tables: the physical limit of the write path.
The last line printed is one JSON object with the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from clearway.config import Settings
from clearway.declarations import tables
from clearway.intake.files import ingest_file
from clearway.kit.bulk import RawJson, insert_rows
from clearway.kit.database import make_engine, normalise_url
from clearway.migrations import upgrade
from clearway.runtime import prepare_for_batches
from clearway.traffic.export import write_traffic

TABLES = [
    tables.shipments,
    tables.goods_items,
    tables.parties,
    tables.decisions,
    tables.tax_lines,
    tables.events,
]


def timed_ingest(url: str, path: Path, settings: Settings) -> tuple[float, dict[str, int]]:
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    summary = ingest_file(engine, path, settings)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, dict(summary.statuses)


def fresh_postgres(admin_url: str, name: str) -> str:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(normalise_url(admin_url)).set(database=name).render_as_string(hide_password=False)


def timed_copy(engine: Engine) -> tuple[float, int]:
    """Read back what the pipeline stored, empty the tables, and COPY the same rows in again.

    JSON values are serialised before the clock starts, so the timing is the COPY alone.
    """
    rows: dict[str, tuple[list[str], list[list[Any]]]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            columns = [c.name for c in table.columns if c.name != "id" or table is tables.shipments]
            json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
            data = [list(r) for r in conn.execute(select(*(table.c[c] for c in columns)))]
            for row in data:
                for i in json_at:
                    row[i] = RawJson(json.dumps(row[i]))
            rows[table.name] = (columns, data)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(t.name for t in TABLES) + " CASCADE"))
    total = sum(len(data) for _, data in rows.values())
    started = time.perf_counter()
    with engine.begin() as conn:
        for table in TABLES:
            columns, data = rows[table.name]
            insert_rows(conn, table, columns, data)
    return time.perf_counter() - started, total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CLEARWAY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    settings = Settings(batch_size=args.batch_size)
    prepare_for_batches()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "traffic.jsonl"
        now = dt.datetime.now(dt.UTC)
        day = now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
        count, _ = write_traffic(args.shipments, args.seed, path, day)
        sqlite_s, sqlite_status = timed_ingest(f"sqlite:///{Path(folder) / 'bench.db'}", path, settings)
        print(f"sqlite: {count} shipments in {sqlite_s:.1f} s {sqlite_status}")
        pg_url = fresh_postgres(args.postgres_url, "clearway_bench")
        pg_s, pg_status = timed_ingest(pg_url, path, settings)
        print(f"postgres: {count} shipments in {pg_s:.1f} s {pg_status}")
        engine = make_engine(pg_url)
        copy_s, copy_rows = timed_copy(engine)
        engine.dispose()
        print(f"copy: {copy_rows} rows in {copy_s:.2f} s")
    accepted = pg_status.get("accepted", 0)
    result = {
        "shipments": count,
        "accepted": accepted,
        "batch_size": args.batch_size,
        "sqlite_s": round(sqlite_s, 2),
        "sqlite_per_s": round(count / sqlite_s),
        "postgres_s": round(pg_s, 2),
        "postgres_per_s": round(count / pg_s),
        "copy_rows": copy_rows,
        "copy_s": round(copy_s, 2),
        "copy_rows_per_s": round(copy_rows / copy_s),
        "copy_shipments_per_s": round(accepted / copy_s),
        "postgres_vs_copy": round((count / pg_s) / (accepted / copy_s), 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
