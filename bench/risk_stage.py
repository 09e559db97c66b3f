"""Throughput of the risk stage on one core, in batch: rules, indicators, model scoring.

    OMP_NUM_THREADS=1 uv run python bench/risk_stage.py [--shipments 100000] [--batch 2000] [--ingest N]

Generates N shipments (not timed) and prepares, outside the timings, what the pipeline has at hand
when the risk stage runs: the rules' inputs, and the indicator frames with their history (a unit value
reference learned from the generated items, 5 % of shipments with a control outcome one day before
the batch, first sightings). Then, per batch of `--batch` shipments, times separately:

- rules: `assess_batch` of the built-in rule set;
- indicators: `indicators.compute` (unit value, split, description, entity risk, novelty);
- model: `scoring.score_frame` and the stored form of its top-5 path contributions (what the pipeline
  writes) of a LightGBM model trained (not timed) on the generated labels with the same features as
  the pipeline (one thread). The model's per-leaf path tables, built once per process when a model is
  first used, are built before the timings (`model_warm_up_s`).

One core: LightGBM and Polars run on one thread (``OMP_NUM_THREADS`` and ``POLARS_MAX_THREADS``
default to 1), and the process is tuned as the pipeline's (`runtime.prepare_for_batches`: reference
tables out of the garbage collector's sight) before anything is timed.

Reads from and writes to the database are not part of this figure. ``--ingest N`` adds the end to
end check: N generated shipments of one day through `ingest_file` (SQLite, one process) into two
databases that already hold the day before, one without a model and one with a `shipments` model
trained on the day before's control outcomes and active, so that the pipeline computes indicators and
stores a score and contributions per shipment; ``--rounds R`` repeats both, alternating, on fresh
copies of the two databases and reports the medians. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("POLARS_MAX_THREADS", "1")  # before Polars is imported

import polars as pl

from clearway.declarations.model import Shipment
from clearway.declarations.normalise import consignee_key, name_key, normalise_tin
from clearway.reference.rates import convert
from clearway.risk import indicators, scoring
from clearway.risk.history import BATCH_SCHEMA, ITEM_SCHEMA, OUTCOME_SCHEMA, Stored
from clearway.risk.indicators import IndicatorContext, IndicatorSettings
from clearway.risk.rules import RiskContext, RiskInput, RiskItem, RiskSettings, assess_batch
from clearway.runtime import prepare_for_batches
from clearway.traffic.export import write_traffic

ROLE_OF = {"seller": "seller", "marketplace": "platform", "carrier": "carrier", "declarant": "declarant"}


def _key(party: Any) -> str | None:
    if party is None:
        return None
    return normalise_tin(party.tin) if party.tin else name_key(party.name)


def prepare(path: Path) -> tuple[list[RiskInput], pl.DataFrame, pl.DataFrame, list[bool]]:
    rule_inputs: list[RiskInput] = []
    rows: list[tuple[Any, ...]] = []
    items: list[tuple[Any, ...]] = []
    labels_path = path.with_name(path.stem + ".labels.jsonl")
    fraud = {(d["filer"], d["lrn"]): bool(d["fraud"]) for d in map(json.loads, labels_path.open())}
    labels: list[bool] = []
    with path.open() as f:
        for k, line in enumerate(f):
            s = Shipment.model_validate_json(line)
            sid = f"s{k:07d}"
            lodged = s.lodged_at or dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
            day = lodged.date()
            value = float(convert(s.total_value, s.currency, "EUR", day))
            c = s.parties.consignee
            a = c.address
            ckey = consignee_key(
                c.name, a.line if a else None, a.postcode if a else None, a.country if a else None,
                s.destination_country,
            )  # fmt: skip
            uv = [(g, float(convert(g.value / g.quantity, s.currency, "EUR", day))) for g in s.goods]
            rule_inputs.append(
                RiskInput(
                    shipment_id=sid,
                    value_eur=Decimal(str(value)),
                    consignee_key=ckey,
                    party_tins=frozenset(),
                    party_names=frozenset(),
                    items=[RiskItem(g.hs_code, g.description, Decimal(str(u))) for g, u in uv],
                    vendor_registration=s.fiscal.vendor_registration,
                    vendor_scheme_limit=None,
                )
            )
            keys = {ROLE_OF[r]: _key(getattr(s.parties, r)) for r in ROLE_OF}
            rows.append((
                sid, lodged, value, ckey, s.departure_country, s.destination_country, s.transport_mode.value,
                s.channel.value, s.office_of_entry, "green", "assessed", len(s.goods), s.goods[0].hs_code[:2],
                s.filer, keys["seller"], keys["platform"], keys["carrier"], keys["declarant"] or s.filer,
            ))  # fmt: skip
            items.extend((sid, g.hs_code[:6], g.origin_country, g.description, u) for g, u in uv)
            labels.append(fraud.get((s.filer, s.lrn), False))
    batch = pl.DataFrame(rows, schema=BATCH_SCHEMA, orient="row")
    return rule_inputs, batch, pl.DataFrame(items, schema=ITEM_SCHEMA, orient="row"), labels


def history_for(batch: pl.DataFrame, labels: list[bool]) -> pl.DataFrame:
    """Control outcomes for every 20th shipment, a day before the traffic: entity risk has work to do."""
    controlled = batch.with_columns(pl.Series("hit", [int(x) for x in labels])).gather_every(20)
    return controlled.select(
        pl.col("shipment_id"),
        (pl.col("lodged_at") - pl.duration(days=1)).alias("at"),
        pl.col("hit").cast(pl.Int64),
        *(pl.col(r) for r in ("seller", "platform", "carrier")),
        pl.col("consignee_key").alias("consignee"),
        pl.col("declarant"),
    ).select(list(OUTCOME_SCHEMA))


def _controls(url: str, labels_path: Path) -> None:
    """Control outcomes for a quarter of the stored shipments, from the generator's ground truth."""
    from sqlalchemy import insert, select

    from clearway.declarations.tables import events, shipments
    from clearway.kit.database import make_engine
    from clearway.risk.rules import stable_fraction

    fraud = {(d["filer"], d["lrn"]): bool(d["fraud"]) for d in map(json.loads, labels_path.open())}
    engine = make_engine(url)
    with engine.begin() as conn:
        rows = conn.execute(select(shipments.c.id, shipments.c.filer, shipments.c.lrn, shipments.c.lodged_at))
        conn.execute(
            insert(events),
            [
                {"shipment_id": r.id, "type": "inspection_result", "wco_id": "356",
                 "at": r.lodged_at + dt.timedelta(hours=2), "actor": "bench", "reason": None,
                 "state_after": "held",
                 "data": {"control": "physical",
                          "result": "non_compliant" if fraud.get((r.filer, r.lrn)) else "compliant"}}
                for r in rows
                if stable_fraction(str(r.id)) < 0.25
            ],
        )  # fmt: skip
    engine.dispose()


def ingest_check(shipments: int, seed: int, rounds: int = 1) -> dict[str, Any]:
    from clearway.config import Settings
    from clearway.intake.files import ingest_file
    from clearway.kit.database import make_engine
    from clearway.migrations import upgrade
    from clearway.risk import scoring
    from clearway.risk.retrain import retrain

    prepare_for_batches()
    out: dict[str, Any] = {}
    modes = ("rules_only", "with_model")
    rates: dict[str, list[float]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as folder:
        before, day = Path(folder) / "before.jsonl", Path(folder) / "day.jsonl"
        write_traffic(shipments, seed, before, dt.datetime(2026, 11, 26, tzinfo=dt.UTC))
        write_traffic(shipments, seed + 1, day, dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
        for mode in modes:  # the day before, stored once per mode
            url = f"sqlite:///{folder}/{mode}.db"
            upgrade(url)
            engine = make_engine(url)
            ingest_file(engine, before, Settings(database_url=url))
            if mode == "with_model":
                _controls(url, before.with_name("before.labels.jsonl"))
                out["model"] = retrain(engine, activate=True).version
            engine.dispose()
        for _ in range(rounds):
            for mode in modes:
                shutil.copyfile(f"{folder}/{mode}.db", f"{folder}/run.db")
                url = f"sqlite:///{folder}/run.db"
                engine = make_engine(url)
                settings = Settings(database_url=url)
                scoring.reset_cache()
                started = time.perf_counter()
                summary = ingest_file(engine, day, settings)
                elapsed = time.perf_counter() - started
                rates[mode].append(summary.statuses["accepted"] / elapsed)
                engine.dispose()
    for mode in modes:
        out[f"{mode}_per_s"] = round(statistics.median(rates[mode]))
    out["rounds"] = rounds
    out["drop"] = round(
        1 - statistics.median(rates["with_model"]) / statistics.median(rates["rules_only"]), 3
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ingest", type=int, default=0, help="Also the end-to-end check with N shipments")
    parser.add_argument("--rounds", type=int, default=1, help="Rounds of the end-to-end check (median)")
    args = parser.parse_args()

    from clearway.risk.model.gbdt import train

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "traffic.jsonl"
        write_traffic(args.shipments, args.seed, path, dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
        rule_inputs, batch, items, labels = prepare(path)
    settings = IndicatorSettings()
    outcomes = history_for(batch, labels)
    context = IndicatorContext(reference=indicators.learn_unit_values(items), outcomes=outcomes)
    # Train (not timed) on the first half with the pipeline's features.
    half = batch.height // 2
    train_frame = scoring.features(
        Stored(
            batch.head(half),
            items.filter(pl.col("shipment_id").is_in(batch["shipment_id"].head(half).to_list())),
        ),
        context,
        settings,
    ).with_columns(pl.Series("label", [int(x) for x in labels[:half]]))
    model = train(train_frame, "label", scoring.feature_spec(), seed=0, params={"num_boost_round": 200})
    prepare_for_batches()
    # Once per process and model, as in the pipeline (not counted): the per-leaf path tables.
    started = time.perf_counter()
    scoring.score_frame(model, train_frame.head(1))
    warm_up_s = time.perf_counter() - started

    rules_s = indicators_s = model_s = 0.0
    by_item = items.partition_by("shipment_id", as_dict=True)
    for start in range(0, batch.height, args.batch):
        part = batch.slice(start, args.batch)
        ids = part["shipment_id"].to_list()
        # One chunk, as the pipeline's frame built from the batch in memory (`history.from_assessed`).
        part_items = pl.concat([by_item[(i,)] for i in ids], rechunk=True)
        t0 = time.perf_counter()
        assess_batch(rule_inputs[start : start + args.batch], RiskContext(), RiskSettings())
        t1 = time.perf_counter()
        frame = scoring.features(Stored(part, part_items), context, settings)
        t2 = time.perf_counter()
        scoring.score_frame(model, frame).stored_contributions()  # scores and contributions as stored
        t3 = time.perf_counter()
        rules_s += t1 - t0
        indicators_s += t2 - t1
        model_s += t3 - t2
    n = batch.height
    total = rules_s + indicators_s + model_s
    result = {
        "shipments": n,
        "batch": args.batch,
        "threads": 1,
        "rules_per_s": round(n / rules_s),
        "indicators_per_s": round(n / indicators_s),
        "model_per_s": round(n / model_s),
        "risk_stage_per_s": round(n / total),
        "seconds": {
            "rules": round(rules_s, 2),
            "indicators": round(indicators_s, 2),
            "model": round(model_s, 2),
        },
        "target_per_s": 50_000,
        "model_warm_up_s": round(warm_up_s, 3),
    }
    print(
        f"{n} shipments in batches of {args.batch}: rules {result['rules_per_s']}/s, indicators "
        f"{result['indicators_per_s']}/s, model with contributions {result['model_per_s']}/s; "
        f"whole risk stage {result['risk_stage_per_s']}/s"
    )
    if args.ingest:
        result["ingest_sqlite"] = ingest_check(args.ingest, args.seed, args.rounds)
        print(f"ingest (SQLite, one process): {result['ingest_sqlite']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
