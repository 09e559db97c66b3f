"""Benchmark: duties and taxes for a batch of goods items, vectorised path vs the scalar `assess`.

Usage: ``uv run python bench/revenue.py [--items 200000] [--seed 7] [--repeat 3]``

Generates consignments of 1-3 goods items for the six jurisdictions (destinations DE, FR, GB, US, AU,
CA, CN), realistic parcel values and HS codes, dates across 2025-2026 (not timed), then times
`assess_batch` (rate lookups once per distinct jurisdiction and HS code, integer arithmetic in numpy)
and, on a 10,000-item sample, the scalar `assess` for comparison. Prints items/s; the last line is
JSON. Single process, single thread: the number is per core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from decimal import Decimal

import numpy as np

from clearway.reference.jurisdictions import profile, profile_for
from clearway.revenue.batch import Batch, assess_batch
from clearway.revenue.calculation import Consignment, Item
from clearway.revenue.engine import assess_for

DESTINATIONS = ["DE", "FR", "NL", "GB", "US", "AU", "CA", "CN"]
HS = [
    "610910",
    "6109100010",
    "851830",
    "640299",
    "420222",
    "950300",
    "392690",
    "851762",
    "611030",
    "330499",
    "711719",
    "620462",
    "847130",
    "870899",
    "401110",
    "621710",
    "960321",
    "850440",
]


def make_batch(items: int, seed: int) -> Batch:
    rng = random.Random(seed)
    jur: list[str] = []
    dest: list[str] = []
    on: list[dt.date] = []
    channel: list[str | None] = []
    shipped: list[str | None] = []
    codes: list[str] = []
    transport: list[int] = []
    values: list[int] = []
    offsets: list[int] = [0]
    gift: list[bool] = []
    reg: list[bool] = []
    start = dt.date(2025, 1, 1)
    while len(codes) < items:
        d = rng.choice(DESTINATIONS)
        jur.append(profile_for(d).id)
        dest.append(d)
        on.append(start + dt.timedelta(days=rng.randrange(600)))
        transport.append(rng.choice([0, 0, 499, 999, 1500]))
        gift.append(rng.random() < 0.05)
        reg.append(rng.random() < 0.3)
        channel.append(rng.choice(["courier", "post"]))
        shipped.append(rng.choice(["CN", "CN", "US", "GB", "TR"]))
        for _ in range(rng.randint(1, 3)):
            codes.append(rng.choice(HS))
            values.append(int(rng.lognormvariate(3.3, 1.1) * 100) + 1)
        offsets.append(len(codes))
    return Batch(
        jur,
        dest,
        on,
        np.array(transport, dtype=np.int64),
        np.array(gift),
        np.array(reg),
        channel,
        shipped,
        np.array(offsets, dtype=np.int64),
        codes,
        np.array(values, dtype=np.int64),
    )


def scalar_items_per_s(b: Batch) -> float:
    """The same consignments through the scalar `assess` (Decimal, one consignment at a time)."""
    consignments = []
    for k in range(len(b.jurisdiction)):
        lo, hi = int(b.offsets[k]), int(b.offsets[k + 1])
        items = [
            Item(i - lo + 1, b.hs_code[i], Decimal(int(b.value_minor[i])) / 100, Decimal(0))
            for i in range(lo, hi)
        ]
        c = Consignment(
            b.destination[k],
            sum((i.value for i in items), Decimal(0)),
            Decimal(int(b.transport_minor[k])) / 100,
            items,
            bool(b.gift[k]),
            False,
            "X" if b.registered[k] else None,
            shipped_from=b.shipped_from[k],
            channel=b.channel[k],
        )
        consignments.append((c, profile(b.jurisdiction[k]), b.on[k]))
    t0 = time.perf_counter()
    for c, j, on in consignments:
        assess_for(c, j, on)
    return len(b.hs_code) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    batch = make_batch(args.items, args.seed)
    n = len(batch.hs_code)
    assess_batch(make_batch(2_000, args.seed + 1))  # warm: profile files, tariff tables, rate cache
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = assess_batch(batch)
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    scalar_share = float(result.scalar.mean())
    scalar_rate = scalar_items_per_s(make_batch(10_000, args.seed + 2))
    runs = ", ".join(f"{t:.3f}s" for t in times)
    print(f"items: {n:,} in {len(batch.jurisdiction):,} consignments, runs: {runs}")
    print(f"vectorised: {n / median:,.0f} items/s (median); scalar assess: {scalar_rate:,.0f} items/s")
    print(f"scalar path: {scalar_share:.2%} of consignments; total {result.total_minor():,} minor units")
    print(
        json.dumps(
            {
                "items": n,
                "consignments": len(batch.jurisdiction),
                "median_s": round(median, 4),
                "items_per_s": round(n / median),
                "scalar_items_per_s": round(scalar_rate),
                "scalar_fallback_share": round(scalar_share, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
