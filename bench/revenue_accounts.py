"""De minimis simulator and bulk ledger posting over a generated day of stored traffic (SQLite).

    uv run python bench/revenue_accounts.py --shipments 20000 [--seed 7]

Generates N shipments and ingests them into a fresh SQLite file (not timed). Then times:
- the simulator (`clearway.revenue.simulator.simulate`: read the stored tables, re-assess, report)
  for three policies, best of three runs each;
- releasing every intermediary-model shipment on its account in one `secure_on_account` call (read
  the shipments, resolve the accounts, check the limits, post every assessment in one bulk insert).
The last line printed is one JSON object with the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from clearway.config import Settings
from clearway.declarations import tables
from clearway.intake.files import ingest_file
from clearway.kit.database import make_engine
from clearway.migrations import upgrade
from clearway.revenue import accounts, simulator
from clearway.revenue.tables import ledger_entries
from clearway.runtime import prepare_for_batches
from clearway.traffic.export import write_traffic

POLICIES = (("150", "0"), ("0", "0"), ("50", "22"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    out: dict[str, Any] = {"shipments": args.shipments}
    with tempfile.TemporaryDirectory() as folder:
        day = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
        traffic = Path(folder) / "day.jsonl"
        write_traffic(args.shipments, args.seed, traffic, day)
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        settings = Settings(database_url=url)
        prepare_for_batches()
        engine = make_engine(url)
        ingest_file(engine, traffic, settings)
        s = tables.shipments
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(s)).scalar_one()
            items = conn.execute(select(func.count()).select_from(tables.goods_items)).scalar_one()
        out.update(stored=stored, goods_items=items)
        print(f"stored {stored} shipments, {items} goods items")

        runs = []
        for duty, tax in POLICIES:
            policy = simulator.parse_policy("EU", duty, tax)
            best = float("inf")
            result: dict[str, Any] = {}
            for _ in range(3):
                started = time.perf_counter()
                with engine.connect() as conn:
                    result = simulator.simulate(conn, policy)
                best = min(best, time.perf_counter() - started)
            runs.append(
                {
                    "duty_threshold": duty,
                    "tax_threshold": tax,
                    "seconds": round(best, 3),
                    "shipments_per_s": round(result["shipments"] / best),
                    "revenue_change": result["revenue_total"]["change"],
                    "category_changes": result["category_changes"],
                    "net_effect": result["net_effect"],
                }
            )
            rate = result["shipments"] / best
            print(
                f"simulate duty {duty} / tax {tax}: {best:.3f} s ({rate:,.0f} shipments/s), "
                f"revenue change {result['revenue_total']['change']} EUR"
            )
        out["simulator"] = runs

        # Open an account, with room for everything, for every account the traffic refers to.
        with engine.connect() as conn:
            rows = conn.execute(
                select(s.c.id, s.c.filer, s.c.declaration).where(s.c.collection_model == "intermediary")
            ).all()
        refs = sorted(
            {(r.declaration.get("fiscal") or {}).get("deferred_payment_account") or "" for r in rows}
        )
        opened = [
            accounts.Account(
                ref,
                ref,
                f"account {ref}",
                accounts.AccountKind.CARRIER,
                "EUR",
                accounts.LimitKind.GUARANTEE,
                10**12,
            )
            for ref in refs
            if ref
        ]
        with engine.begin() as conn:
            accounts.open_accounts(conn, opened)
        ids = [r.id for r in rows]
        started = time.perf_counter()
        with engine.begin() as conn:
            secured = accounts.secure_on_account(conn, ids)
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            entries = conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one()
        out["secure_on_account"] = {
            "shipments": len(ids),
            "secured": sum(secured.values()),
            "accounts": len(opened),
            "ledger_entries": entries,
            "seconds": round(seconds, 3),
            "shipments_per_s": round(len(ids) / seconds) if seconds else None,
        }
        print(f"secure_on_account: {len(ids)} shipments, {entries} ledger entries in {seconds:.3f} s")
        engine.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
