"""Revenue benchmarking in the spirit of the WCO Customs Revenue Benchmarking Database proposal:
revenue by duty/tax type and period, with the cost of collection as a stated estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from clearway.measurement.scope import Scope, by_row
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
    ships = by_row(tables, scope, pl.col("lodged_at").dt.truncate(PERIODS[period]).dt.date().alias("period"))
    declarations = ships.scoped().group_by("period").agg(pl.len().alias("declarations"))
    border, checkout = (
        pl.col("amount_minor").filter(pl.col("collection") == c).sum() for c in ("border", "checkout")
    )
    lines = (
        # each line takes its shipment's period by position: no join of the lines to the shipments
        ships.rows_in(tables.tax_lines)
        .group_by(ships.of("period").alias("period"), "tax_type", "currency")
        .agg(border.alias("border"), checkout.alias("checkout"))
        .collect()
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
