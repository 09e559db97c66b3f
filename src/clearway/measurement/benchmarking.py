"""Revenue benchmarking in the spirit of the WCO Customs Revenue Benchmarking Database proposal:
revenue by duty/tax type and period, with the cost of collection as a stated estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from clearway.measurement.scope import Scope, aggregate, by_row
from clearway.measurement.sources import Tables

PERIODS = {"day": "1d", "month": "1mo", "year": "1y"}


def revenue_benchmark(
    tables: Tables, scope: Scope, cost_per_declaration: Decimal, period: str = "month"
) -> list[dict[str, Any]]:
    """Per period and tax type: declarations, revenue collected (at the border and at checkout), and
    the estimated cost of collection (declarations times the cost per declaration) shared out in
    proportion to the revenue of each type."""
    if period not in PERIODS:
        raise ValueError(f"unknown period '{period}'; choose one of: {', '.join(PERIODS)}")
    # Everything is counted and summed by lodgement day first, and the days are put in their periods
    # afterwards: truncating a few hundred days costs nothing, tens of millions of times a great deal.
    # The sums are of integers, so summing the days' sums gives the very same totals.
    ships = by_row(tables, scope, pl.col("lodged_at").dt.date().alias("day"))
    period_of = pl.col("day").dt.truncate(PERIODS[period]).alias("period")
    declarations = (
        ships.scoped()
        .group_by("day")
        .agg(pl.len())
        .group_by(period_of)
        .agg(pl.col("len").sum().alias("declarations"))
    )
    amount, collection = pl.col("amount_minor"), pl.col("collection")
    lines = (
        aggregate(
            # each line takes its shipment's day by position: no join of the lines to the shipments
            ships.rows_in(tables.tax_lines)
            .group_by(ships.of("day").alias("day"), "tax_type", "currency", "collection")
            .agg(amount.sum())
        )
        .group_by(period_of, "tax_type", "currency")
        .agg(
            amount.filter(collection == "border").sum().alias("border"),
            amount.filter(collection == "checkout").sum().alias("checkout"),
        )
        .join(declarations, on="period", how="left")
        .with_columns((pl.col("border") + pl.col("checkout")).alias("collected"))
        .sort("period", "tax_type")
    )
    out = []
    totals = lines.group_by("period").agg(pl.col("collected").sum().alias("all")).to_dict(as_series=False)
    all_by_period = dict(zip(totals["period"], totals["all"], strict=True))
    for row in lines.to_dicts():
        cost = cost_per_declaration * row["declarations"]
        period_total = all_by_period[row["period"]]
        share = Decimal(row["collected"]) / period_total if period_total else Decimal(0)
        cost_share = (cost * share).quantize(Decimal("0.01"))
        collected = Decimal(row["collected"]) / 100
        out.append(
            {
                "period": row["period"].isoformat(),
                "tax_type": row["tax_type"],
                "currency": row["currency"],
                "declarations": row["declarations"],
                "collected": f"{collected:.2f}",
                "collected_at_border": f"{Decimal(row['border']) / 100:.2f}",
                "collected_at_checkout": f"{Decimal(row['checkout']) / 100:.2f}",
                "cost_of_collection_estimate": f"{cost_share:.2f}",
                "cost_per_100_collected": f"{(cost_share / collected * 100):.2f}" if collected else None,
            }
        )
    return out
