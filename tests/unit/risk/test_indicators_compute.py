"""`indicators.compute` as one query: the same values as each indicator group on its own, in any row
order, and control outcomes prepared once per outcomes frame without going stale."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

from clearway.risk import indicators as ind
from clearway.risk.history import ITEM_SCHEMA  # the items frame the pipeline hands over
from clearway.risk.indicators import IndicatorContext, IndicatorSettings

T0 = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)
SETTINGS = IndicatorSettings()
UTC = pl.Datetime("us", "UTC")
BATCH_SCHEMA: dict[str, Any] = {
    "shipment_id": pl.String,
    "lodged_at": UTC,
    "value_eur": pl.Float64,
    "consignee_key": pl.String,
    "departure_country": pl.String,
    "destination_country": pl.String,
    **{r: pl.String for r in ("seller", "platform", "carrier", "declarant")},
}
PRODUCTS = [
    ("610910", "Cotton T-shirt"),
    ("610910", "gift"),
    ("851830", "Wireless earphones"),
    ("330300", "Perfume 50 ml"),
    ("420221", None),
]


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def pick(rng: random.Random, values: list[str | None]) -> str | None:
    return values[rng.randrange(len(values))]


def traffic(seed: int, n: int = 80) -> tuple[pl.DataFrame, pl.DataFrame, IndicatorContext]:
    """A batch with repeated parties, addresses and filing times, its items, and every kind of history."""
    rng = random.Random(seed)
    consignees = [f"DE|1011{k % 3}|hauptstr {k % 4}|name {k}" for k in range(6)] + [None]
    sellers: list[str | None] = ["S1", "S2", "S3", None]
    rows = [
        {
            "shipment_id": f"s{k:03d}",
            "lodged_at": at(rng.choice([0, 0, 1, 2, 5, 30, 80]) + rng.randrange(3)),
            "value_eur": round(rng.uniform(5, 200), 2),
            "consignee_key": pick(rng, consignees),
            "departure_country": pick(rng, ["CN", "CN", "US", None]),
            "destination_country": "DE",
            "seller": pick(rng, sellers),
            "platform": pick(rng, ["P1", None]),
            "carrier": pick(rng, ["C1", "C2"]),
            "declarant": pick(rng, ["D1", "D2", None]),
        }
        for k in range(n)
    ]
    batch = pl.DataFrame(rows, schema=BATCH_SCHEMA)
    item_rows = []
    for row in rows[: n - 3]:  # the last shipments have no items
        for _ in range(rng.randrange(1, 4)):
            hs6, description = rng.choice(PRODUCTS)
            origin = pick(rng, ["CN", "US", None])
            item_rows.append((row["shipment_id"], hs6, origin, description, round(rng.uniform(0.5, 50), 2)))
    items = pl.DataFrame(item_rows, schema=ITEM_SCHEMA, orient="row")
    history_items = pl.DataFrame(
        [(f"h{k}", hs, "CN", "x", float(5 + k % 7)) for k in range(40) for hs in ("610910", "851830")],
        schema=ITEM_SCHEMA,
        orient="row",
    )
    outcomes = pl.DataFrame(
        [
            {
                "shipment_id": f"o{k}",
                "at": at(rng.choice([-200, -50, -1, 0, 1, 3, 40])),
                "hit": rng.randrange(2),
                "seller": pick(rng, sellers),
                "platform": pick(rng, ["P1", None]),
                "carrier": pick(rng, ["C1", "C2", None]),
                "consignee": pick(rng, consignees),
                "declarant": pick(rng, ["D1", None]),
            }
            for k in range(30)
        ],
        schema={
            "shipment_id": pl.String,
            "at": UTC,
            "hit": pl.Int64,
            **{r: pl.String for r in ind.ENTITY_ROLES},
        },
    )
    split_history = pl.DataFrame(
        {
            "shipment_id": ["old1", "old2", "s000"],  # a batch id in history: the batch row counts
            "consignee_key": [consignees[0], consignees[3], consignees[1]],
            "lodged_at": [at(-10), at(-100), at(-5)],
            "value_eur": [120.0, 90.0, 1.0],
        },
        schema={
            "shipment_id": pl.String,
            "consignee_key": pl.String,
            "lodged_at": UTC,
            "value_eur": pl.Float64,
        },
    )
    first_seen = pl.DataFrame(
        {
            "kind": ["seller", "consignee", "route", "seller"],
            "key": ["S1", consignees[2], "CN>DE", "S2"],
            "first_at": [at(-100), at(-1), at(-100), at(2)],  # S2 first stored after some of its filings
        },
        schema={"kind": pl.String, "key": pl.String, "first_at": UTC},
    )
    context = IndicatorContext(
        reference=ind.learn_unit_values(history_items),
        split_history=split_history,
        outcomes=outcomes,
        first_seen=first_seen,
    )
    return batch, items, context


def by_group(batch: pl.DataFrame, items: pl.DataFrame, context: IndicatorContext) -> pl.DataFrame:
    """Every indicator from the group functions, joined per shipment: what `compute` must equal."""
    uv = ind.unit_value_indicators(items, context.reference, SETTINGS)
    desc = ind.description_indicators(items)
    item_level = uv.group_by("shipment_id").agg(
        pl.col("uv_log_ratio").min().alias("uv_log_ratio_min"), pl.col("uv_z").min().alias("uv_z_min")
    )
    item_level = item_level.join(
        desc.group_by("shipment_id").agg(
            pl.col("words").min().alias("description_words_min"),
            pl.col("vague").max().alias("description_vague"),
            pl.col("hs_similarity").min().alias("hs_similarity_min"),
        ),
        on="shipment_id",
    )
    out = batch.select("shipment_id")
    for part in (
        item_level,
        ind.split_indicators(batch, context.split_history, SETTINGS),
        ind.entity_risk(batch, context.outcomes, SETTINGS),
        ind.novelty(batch, context.first_seen),
    ):
        out = out.join(part, on="shipment_id", how="left", maintain_order="left")
    return out.select("shipment_id", *(pl.col(c).cast(pl.Float64).fill_null(0.0) for c in ind.INDICATORS))


def test_compute_equals_each_indicator_group_on_its_own() -> None:
    for seed in range(5):
        batch, items, context = traffic(seed)
        out = ind.compute(batch, items, context, SETTINGS)
        assert out.columns == ["shipment_id", *ind.INDICATORS]
        assert_frame_equal(out, by_group(batch, items, context), check_exact=False, rel_tol=1e-12)


def test_compute_does_not_depend_on_row_order() -> None:
    batch, items, context = traffic(7)
    out = ind.compute(batch, items, context, SETTINGS)
    shuffled = batch.sample(fraction=1.0, shuffle=True, seed=1)
    again = ind.compute(shuffled, items.sample(fraction=1.0, shuffle=True, seed=2), context, SETTINGS)
    assert again["shipment_id"].to_list() == shuffled["shipment_id"].to_list()
    assert_frame_equal(again.sort("shipment_id"), out.sort("shipment_id"), check_exact=False, rel_tol=1e-12)


def test_outcomes_prepared_once_follow_a_new_or_grown_frame() -> None:
    batch, _, context = traffic(3)
    assert context.outcomes is not None
    first = context.outcomes.filter(pl.col("at") < at(0))
    later = context.outcomes.filter(pl.col("at") >= at(0))
    before = ind.entity_risk(batch, first, SETTINGS)
    grown = pl.concat([first, later])
    assert not ind.entity_risk(batch, grown, SETTINGS).equals(before)
    assert ind.entity_risk(batch, first, SETTINGS).equals(before)  # back to the first frame
    # A frame extended in place is the same object, with another height: prepared again.
    in_place = first.clone()
    assert ind.entity_risk(batch, in_place, SETTINGS).equals(before)
    in_place.extend(later)
    assert ind.entity_risk(batch, in_place, SETTINGS).equals(ind.entity_risk(batch, grown.clone(), SETTINGS))
    # Another half-life prepares the same frame again.
    slow = IndicatorSettings(half_life_days=300.0)
    ind.entity_risk(batch, grown, SETTINGS)
    assert ind.entity_risk(batch, grown, slow).equals(ind.entity_risk(batch, grown.clone(), slow))
