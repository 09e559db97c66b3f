"""Risk-model scoring throughput on one thread: 100,000 declarations through a trained KCS artifact.

    OMP_NUM_THREADS=1 uv run python bench/model_scoring.py [--rows 100000] [--repeat 3] [--seed 0]
        [--data DIR]   # folder with df_syn_train_eng.csv and df_syn_valid_eng.csv

Trains the KCS model on the train split (timed, printed, not part of the scoring numbers), draws
``--rows`` rows from the valid split with replacement (seeded), then times, best of ``--repeat``:
``predict`` on the ready feature matrix (the generic GBDT core, what a caller with its own features
pays), the KCS feature engineering plus ``predict`` (from loaded declarations), and ``contributions``
(top 5 per row), exact (TreeSHAP) and fast (path attribution, ``exact=False``). LightGBM runs with
one thread (``num_threads=1``, ``OMP_WAIT_POLICY=passive``).
The last line printed is one JSON object with the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import polars as pl

from clearway.risk.model import kcs

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "customs-declarations"


def best_of(repeat: int, step: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()

    train = kcs.load(args.data / "df_syn_train_eng.csv")
    valid = kcs.load(args.data / "df_syn_valid_eng.csv")
    start = time.perf_counter()
    artifact = kcs.train_kcs(train, seed=args.seed)
    train_s = time.perf_counter() - start
    print(f"trained {artifact.version} on {train.height} rows in {train_s:.1f} s")

    rows = valid.sample(args.rows, with_replacement=True, seed=args.seed)
    encoder = kcs.Encoder.from_dict(artifact.meta["encoder"])
    ready = kcs.features(rows, encoder)

    predict_s = best_of(args.repeat, lambda: artifact.predict(ready))
    end_to_end_s = best_of(args.repeat, lambda: kcs.score(artifact, rows))
    contributions_s = best_of(args.repeat, lambda: artifact.contributions(ready, top=5))
    fast_s = best_of(args.repeat, lambda: artifact.contributions(ready, top=5, exact=False))
    n = rows.height
    result = {
        "rows": n,
        "features": len(artifact.spec.names),
        "trees": artifact.metrics["iterations"],
        "threads": 1,
        "train_seconds": round(train_s, 2),
        "predict_rows_per_s": round(n / predict_s),
        "features_and_predict_rows_per_s": round(n / end_to_end_s),
        "contributions_top5_rows_per_s": round(n / contributions_s),
        "path_contributions_top5_rows_per_s": round(n / fast_s),
        "predict_seconds": round(predict_s, 3),
        "features_and_predict_seconds": round(end_to_end_s, 3),
        "contributions_top5_seconds": round(contributions_s, 3),
        "path_contributions_top5_seconds": round(fast_s, 3),
        "polars": pl.__version__,
    }
    for key in ("predict", "features_and_predict", "contributions_top5", "path_contributions_top5"):
        print(f"{key.replace('_', ' ')}: {result[f'{key}_rows_per_s']:,} rows/s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
