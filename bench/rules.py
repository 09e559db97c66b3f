"""Analyst rules throughput: a batch of 10,000 shipments against 100 rules.

    uv run python bench/rules.py [--shipments 10000] [--rules 100] [--repeat 5] [--threads 1] [--seed 1]

Shipments are synthetic rule-language rows (1-3 goods items, seeded); the rules cycle through ten
templates (value, origin lists, HS prefixes with unit values, description regexes, counts, arithmetic,
scopes) with different constants. Times, best of --repeat: compiling the rules; building the batch frame
from the rows; evaluating all rules in one Polars pass; and the whole risk stage (`assess_batch`:
built-in checks plus the analyst rules) against the built-in checks alone. Polars runs on --threads
threads (default 1, the one-core figure). The last line printed is one JSON object with the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--shipments", type=int, default=10_000)
ARGS.add_argument("--rules", type=int, default=100)
ARGS.add_argument("--repeat", type=int, default=5)
ARGS.add_argument("--threads", type=int, default=1)
ARGS.add_argument("--seed", type=int, default=1)
OPTIONS = ARGS.parse_args()
os.environ["POLARS_MAX_THREADS"] = str(OPTIONS.threads)  # before Polars is imported

import datetime as dt  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from clearway.risk.language import build_frame  # noqa: E402
from clearway.risk.rules import RiskContext, RiskInput, RiskItem, RiskSettings, assess_batch  # noqa: E402
from clearway.risk.ruleset import Effect, RuleSpec, compile_rules  # noqa: E402

COUNTRIES = ["CN", "HK", "US", "GB", "TR", "JP", "IN", "VN", "KR", "DE"]
GOODS = [
    ("85171300", "Smartphone", 40, 400),
    ("851830", "Wireless earbuds", 5, 80),
    ("610910", "Cotton T-shirt", 2, 30),
    ("640399", "Leather shoes", 10, 120),
    ("950300", "Toy car", 1, 25),
    ("330499", "Face cream", 2, 60),
    ("420221", "Handbag", 5, 300),
    ("910211", "Wrist watch", 3, 500),
]
TEMPLATES: list[Callable[[int], tuple[str, Effect]]] = [
    lambda k: (f"consignment.total_value_eur > {600 + k * 50}", Effect.SCORE),
    lambda k: (
        f"origin in {json.dumps(COUNTRIES[k % 5 : k % 5 + 2])} and packages > 1 and gift",
        Effect.DOCUMENTS,
    ),
    lambda k: (
        f"any(goods, goods.hs_code.startsWith('{GOODS[k % 8][0][:4]}') and goods.unit_value_eur < {2 + k})",
        Effect.INSPECT,
    ),
    lambda k: (
        f"any(goods, goods.description.lower().matches('(leather|cream|watch) {k % 3}?'))",
        Effect.SCORE,
    ),
    lambda k: (f"count(goods, goods.value_eur > {100 + k * 10}) >= 2", Effect.SCORE),
    lambda k: (f"consignment.total_value_eur / consignment.net_mass_kg > {900 + k * 50}", Effect.DOCUMENTS),
    lambda k: (
        f"seller.name.contains('Trading') and destination_country == '{COUNTRIES[k % 10]}'",
        Effect.SCORE,
    ),
    lambda k: (f"indicator.split_count >= {4 + k % 3} and not gift", Effect.DOCUMENTS),
    lambda k: (
        f"all(goods, goods.origin_country == '{COUNTRIES[k % 10]}') and irg_category == 3",
        Effect.SCORE,
    ),
    lambda k: (
        f"office_of_entry in ['FRCDG00{k % 9}'] and channel == 'postal' and packages > 1 and size(goods) > 2",
        Effect.SCORE,
    ),
]


def make_rules(n: int) -> list[RuleSpec]:
    specs = []
    for k in range(n):
        condition, effect = TEMPLATES[k % len(TEMPLATES)](k // len(TEMPLATES))
        specs.append(RuleSpec(id=f"A-BENCH-{k}", title=f"bench {k}", condition=condition, effect=effect))
    return specs


def make_inputs(n: int, seed: int) -> tuple[list[RiskInput], list[dict[str, Any]]]:
    rng = random.Random(seed)
    day = dt.date(2026, 11, 27)
    out, rows = [], []
    for k in range(n):
        goods: list[dict[str, Any]] = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            hs, description, low, high = rng.choice(GOODS)
            quantity = rng.choice((1, 1, 2, 5))
            unit = round(rng.uniform(low * 0.5, high), 2)
            goods.append({"hs_code": hs, "description": description, "origin_country": rng.choice(COUNTRIES),
                          "quantity": quantity, "net_mass_kg": 0.3 * quantity, "value_eur": unit * quantity,
                          "unit_value_eur": unit})  # fmt: skip
        total = sum(g["value_eur"] for g in goods)
        fields: dict[str, Any] = {
            "origin": goods[0]["origin_country"],
            "destination_country": rng.choice([*COUNTRIES[-3:], "FR", "IT"]),
            "channel": rng.choice(("express", "postal")),
            "office_of_entry": rng.choice(("DELEJ001", "FRCDG001", None)),
            "packages": rng.choice((1, 1, 2)),
            "gift": rng.random() < 0.05,
            "irg_category": rng.choice((2, 3, 4)),
            "consignment.total_value_eur": total,
            "consignment.net_mass_kg": sum(g["net_mass_kg"] for g in goods),
            "seller.name": rng.choice(("Shenzhen Trading", "Acme", "Bright Star Trading", "Nord GmbH")),
            "goods": goods,
            "_lodged_date": day,
        }
        rows.append(fields)
        items = [RiskItem(g["hs_code"], g["description"], Decimal(str(g["unit_value_eur"]))) for g in goods]
        out.append(
            RiskInput(
                shipment_id=f"s-{k}",
                value_eur=Decimal(str(round(total, 2))),
                consignee_key=f"c-{rng.randrange(n // 3 + 1)}",
                party_tins=frozenset(),
                party_names=frozenset(),
                items=items,
                vendor_registration=None,
                vendor_scheme_limit=None,
                fields=fields,
            )
        )
    return out, rows


def best(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n, r = OPTIONS.shipments, OPTIONS.rules
    specs = make_rules(r)
    inputs, rows = make_inputs(n, OPTIONS.seed)
    compiled = compile_rules(specs, version=1)
    frame = build_frame(rows)
    settings, context = RiskSettings(control_rate=0.0), RiskContext()
    hits = sum(len(h) for h in compiled.evaluate(frame))
    numbers: dict[str, Any] = {
        "shipments": n, "rules": r, "polars_threads": OPTIONS.threads, "rule_hits": hits,
        "compile_s": best(OPTIONS.repeat, lambda: compile_rules(specs, version=1)),
        "frame_s": best(OPTIONS.repeat, lambda: build_frame(rows)),
        "evaluate_s": best(OPTIONS.repeat, lambda: compiled.evaluate(frame)),
        "risk_stage_builtin_s": best(OPTIONS.repeat, lambda: assess_batch(inputs, context, settings)),
        "risk_stage_with_rules_s": best(
            OPTIONS.repeat, lambda: assess_batch(inputs, context, settings, compiled)
        ),
    }  # fmt: skip
    numbers["evaluate_shipments_per_s"] = round(n / numbers["evaluate_s"])
    numbers["frame_and_evaluate_shipments_per_s"] = round(n / (numbers["frame_s"] + numbers["evaluate_s"]))
    numbers["risk_stage_with_rules_shipments_per_s"] = round(n / numbers["risk_stage_with_rules_s"])
    numbers["risk_stage_builtin_shipments_per_s"] = round(n / numbers["risk_stage_builtin_s"])
    for key, value in numbers.items():
        print(f"{key:42} {value:,.4f}" if isinstance(value, float) else f"{key:42} {value:,}")
    sys.stdout.write(
        json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in numbers.items()}) + "\n"
    )


if __name__ == "__main__":
    main()
