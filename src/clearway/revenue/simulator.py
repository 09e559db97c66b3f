"""De minimis policy simulator: stored traffic re-assessed under other duty and tax thresholds.

For every stored shipment of a jurisdiction (optionally in a lodgement period) the simulator decides,
with the proposed thresholds, its IRG category, whether duty is relieved, flat or ad valorem, and
whether the tax is relieved; shipments whose treatment does not change keep their stored amounts,
the others are re-computed from their stored tax lines (customs value and tax rate of each item) and
the tariff. The result: shipments that change category, revenue gained or lost per duty/tax type and
collection point, declarations that need collection at the border and their cost, and the net effect.
The method and its assumptions are in docs/de-minimis-simulator.md. All arithmetic is in integer
minor units with half-up rounding, in Polars over the stored tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from sqlalchemy import BigInteger, ColumnElement, String, and_, case, cast, func, select, true
from sqlalchemy.engine import Connection

from clearway.reference import eu_cet_rate
from clearway.reference.jurisdictions import Jurisdiction, NoProfileForDate, jurisdictions
from clearway.reference.money import format_minor, to_minor

MICRO = 1_000_000
TAX_TYPES = ("duty", "flat_duty", "vat")
DEFAULT_COST_PER_DECLARATION = Decimal("2.50")
DEFAULT_FALLBACK_DUTY_RATE = Decimal("0.12")


class SimulationError(ValueError):
    """Bad parameters or nothing to simulate; `field` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class NothingToSimulate(SimulationError):
    """No stored shipment in the jurisdiction and period: said plainly rather than a table of zeros."""


@dataclass(frozen=True, slots=True)
class Policy:
    jurisdiction: str
    duty_threshold: Decimal  # in the jurisdiction currency
    tax_threshold: Decimal
    cost_per_declaration: Decimal = DEFAULT_COST_PER_DECLARATION
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _amount(raw: str | Decimal | None, field: str, default: Decimal | None = None) -> Decimal:
    if raw is None or raw == "":
        if default is None:
            raise SimulationError(field, "is required")
        return default
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise SimulationError(field, f"'{raw}' is not a decimal amount") from exc
    if not value.is_finite() or value < 0 or value > Decimal("1e9"):
        raise SimulationError(field, f"{raw} must be between 0 and 1,000,000,000")
    return value


def _day(raw: str | dt.date | None, field: str) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise SimulationError(field, f"'{raw}' is not a date (YYYY-MM-DD)") from exc


def parse_policy(
    jurisdiction: str,
    duty_threshold: str | Decimal | None,
    tax_threshold: str | Decimal | None,
    cost_per_declaration: str | Decimal | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
) -> Policy:
    """A policy from loose input (CLI options, query string); errors name the parameter."""
    j = jurisdiction.strip().upper()
    if j not in {x.id for x in jurisdictions()}:
        known = ", ".join(sorted(x.id for x in jurisdictions()))
        raise SimulationError("jurisdiction", f"'{jurisdiction}' is not a jurisdiction (known: {known})")
    start, end = _day(date_from, "from"), _day(date_to, "to")
    if start and end and start > end:
        raise SimulationError("from", f"the period starts ({start}) after it ends ({end})")
    return Policy(
        j,
        _amount(duty_threshold, "duty_threshold"),
        _amount(tax_threshold, "tax_threshold"),
        _amount(cost_per_declaration, "cost_per_declaration", DEFAULT_COST_PER_DECLARATION),
        start,
        end,
    )


# Reading ----------------------------------------------------------------------------------------------


def _frame(conn: Connection, query: Any, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    frame = pl.read_database(query, conn, infer_schema_length=None)
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    return frame.select(pl.col(c).cast(t) for c, t in schema.items())


def _lodgement_day(conn: Connection, column: Any) -> ColumnElement[str]:
    """The UTC lodgement day as YYYY-MM-DD text: parsing a timestamp per row in Python costs more
    than the whole simulation."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(cast(column, String), 1, 10)  # SQLite keeps UTC times as ISO text


def _read(conn: Connection, policy: Policy) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from clearway.declarations.tables import goods_items, shipments, tax_lines

    s = shipments.c
    start = dt.datetime.combine(policy.date_from, dt.time(), tzinfo=dt.UTC) if policy.date_from else None
    end = (
        dt.datetime.combine(policy.date_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        if policy.date_to
        else None
    )
    where = and_(
        s.jurisdiction == policy.jurisdiction,
        *([s.lodged_at >= start] if start else []),
        *([s.lodged_at < end] if end else [true()]),
    )
    ids = select(s.id).where(where).scalar_subquery()
    ships = _frame(
        conn,
        select(
            cast(s.id, String).label("sid"),
            s.irg_category,
            s.value_minor,
            s.collection_model,
            s.revenue_currency,
            _lodgement_day(conn, s.lodged_at).label("day"),
        ).where(where),
        {
            "sid": pl.String(),
            "irg_category": pl.Int64(),
            "value_minor": pl.Int64(),
            "collection_model": pl.String(),
            "revenue_currency": pl.String(),
            "day": pl.String(),
        },
    )
    t = tax_lines.c
    lines = _frame(
        conn,
        select(
            cast(t.shipment_id, String).label("sid"),
            t.item_seq,
            t.tax_type,
            t.base_minor,
            cast(func.round(t.rate * MICRO), BigInteger).label("rate_micro"),
            t.amount_minor,
            t.collection,
            case((t.legal_basis.ilike("%gift%"), 1), else_=0).label("gift"),
        ).where(t.shipment_id.in_(ids)),
        {
            "sid": pl.String(),
            "item_seq": pl.Int64(),
            "tax_type": pl.String(),
            "base_minor": pl.Int64(),
            "rate_micro": pl.Int64(),
            "amount_minor": pl.Int64(),
            "collection": pl.String(),
            "gift": pl.Boolean(),
        },
    )
    g = goods_items.c
    goods = _frame(
        conn,
        select(cast(g.shipment_id, String).label("sid"), g.seq, g.hs_code).where(g.shipment_id.in_(ids)),
        {"sid": pl.String(), "seq": pl.Int64(), "hs_code": pl.String()},
    )
    return ships.with_columns(pl.col("day").str.to_date("%Y-%m-%d")), lines, goods


# The simulation (pure, over frames) -------------------------------------------------------------------


def _half_up_div(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """Integer division rounded half up, for non-negative numerators and positive denominators."""
    return (numerator * 2 + denominator) // (pl.lit(2) * denominator)


def _periods(j: Jurisdiction, dates: list[dt.date]) -> pl.DataFrame:
    rows = []
    cur = j.currency
    for day in dates:
        try:
            p = j.period(day)
        except NoProfileForDate as exc:
            raise SimulationError("from", str(exc)) from exc
        rows.append(
            {
                "day": day,
                "old_duty_threshold": to_minor(p.duty_de_minimis, cur),
                "old_tax_threshold": to_minor(p.tax_de_minimis, cur),
                "ceiling": to_minor(p.low_value_ceiling, cur),
                "gift_relief": to_minor(p.gift_relief, cur),
                "flat": None
                if p.flat_duty_per_subheading is None
                else to_minor(p.flat_duty_per_subheading, cur),
                "scheme_limit": None
                if p.vendor_scheme_limit is None
                else to_minor(p.vendor_scheme_limit, cur),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "day": pl.Date(),
            "old_duty_threshold": pl.Int64(),
            "old_tax_threshold": pl.Int64(),
            "ceiling": pl.Int64(),
            "gift_relief": pl.Int64(),
            "flat": pl.Int64(),
            "scheme_limit": pl.Int64(),
        },
    )


TariffMicro = Callable[[str], int | None]


def eu_tariff_micro(hs_code: str) -> int | None:
    rate = eu_cet_rate(hs_code)
    return None if rate is None else int((rate.ad_valorem * MICRO).to_integral_value())


def _category(value: pl.Expr, duty: pl.Expr, tax: pl.Expr) -> pl.Expr:
    """IRG category (EDIFACT 7085) as `clearway.declarations.category.irg_category` decides it."""
    return (
        pl.when(pl.col("docs"))
        .then(1)
        .when(value > pl.col("ceiling"))
        .then(4)
        .when((pl.col("gift") & (value <= pl.col("gift_relief"))) | ((value <= duty) & (value <= tax)))
        .then(2)
        .otherwise(3)
    )


def simulate_frames(
    ships: pl.DataFrame,
    lines: pl.DataFrame,
    goods: pl.DataFrame,
    policy: Policy,
    tariff: TariffMicro,
    fallback_rate: Decimal = DEFAULT_FALLBACK_DUTY_RATE,
) -> dict[str, Any]:
    j = next(x for x in jurisdictions() if x.id == policy.jurisdiction)
    cur = j.currency
    if ships.height == 0:
        period = f"{policy.date_from or 'the start'} to {policy.date_to or 'today'}"
        raise NothingToSimulate("from", f"no stored shipments for {j.id} lodged from {period}")
    x_new, y_new = to_minor(policy.duty_threshold, cur), to_minor(policy.tax_threshold, cur)
    periods = _periods(j, sorted(ships["day"].unique().to_list()))
    paid = pl.col("collection") != "relieved"

    # Per shipment: what is stored, and the facts the rules need.
    stored = lines.group_by("sid").agg(
        *(
            pl.col("amount_minor").filter(paid & (pl.col("tax_type") == t)).sum().alias(f"old_{t}")
            for t in TAX_TYPES
        ),
        pl.col("amount_minor").filter(pl.col("collection") == "border").sum().alias("old_border"),
        pl.col("amount_minor").filter(pl.col("collection") == "checkout").sum().alias("old_checkout"),
        pl.col("gift").any().alias("gift"),  # gift relief, as the stored legal basis says
        (pl.col("collection") == "checkout").any().alias("had_checkout"),
    )
    s = (
        ships.join(periods, on="day", how="left")
        .join(stored, on="sid", how="left")
        .with_columns(
            pl.col("gift").fill_null(False),
            pl.col("had_checkout").fill_null(False),
            *(
                pl.col(c).fill_null(0)
                for c in (*(f"old_{t}" for t in TAX_TYPES), "old_border", "old_checkout")
            ),
            (pl.col("irg_category") == 1).alias("docs"),
        )
    )
    v = pl.col("value_minor")
    relieved_all = pl.col("docs") | (pl.col("gift") & (v <= pl.col("gift_relief")))

    def duty_mode(threshold: pl.Expr) -> pl.Expr:
        return (
            pl.when(relieved_all)
            .then(pl.lit("none"))
            .when(v > threshold)
            .then(pl.lit("ad_valorem"))
            .when(pl.col("flat").is_not_null() & (v < threshold))
            .then(pl.lit("flat"))
            .otherwise(pl.lit("relieved"))
        )

    def tax_due(threshold: pl.Expr) -> pl.Expr:
        return ~relieved_all & (v > threshold)

    s = s.with_columns(
        duty_mode(pl.col("old_duty_threshold")).alias("old_duty_mode"),
        duty_mode(pl.lit(x_new)).alias("new_duty_mode"),
        tax_due(pl.col("old_tax_threshold")).alias("old_tax_due"),
        tax_due(pl.lit(y_new)).alias("new_tax_due"),
        _category(v, pl.col("old_duty_threshold"), pl.col("old_tax_threshold")).alias("old_category_check"),
        _category(v, pl.lit(x_new), pl.lit(y_new)).alias("new_category"),
        ((pl.col("collection_model") == "vendor") | pl.col("had_checkout")).alias("vendor"),
    ).with_columns(
        (
            (pl.col("old_duty_mode") != pl.col("new_duty_mode"))
            | (pl.col("old_tax_due") != pl.col("new_tax_due"))
        ).alias("changed")
    )

    # Items of the shipments whose treatment changes: customs value, tax rate, tariff rate.
    changed = s.filter(pl.col("changed"))
    ids = changed.select("sid")
    item_lines = lines.join(ids, on="sid", how="semi")
    vat = item_lines.filter((pl.col("tax_type") == "vat") & pl.col("item_seq").is_not_null()).select(
        "sid",
        pl.col("item_seq").alias("seq"),
        pl.col("base_minor").alias("vat_base"),
        pl.col("rate_micro").alias("vat_rate"),
    )
    duty_items = item_lines.filter(
        (pl.col("tax_type") == "duty")
        & pl.col("item_seq").is_not_null()
        & (pl.col("collection") != "relieved")
    ).select(
        "sid",
        pl.col("item_seq").alias("seq"),
        pl.col("base_minor").alias("duty_base"),
        pl.col("amount_minor").alias("old_item_duty"),
    )
    hs = goods.join(ids, on="sid", how="semi")
    codes = sorted(set(hs["hs_code"].to_list()))
    fallback = int((fallback_rate * MICRO).to_integral_value())
    tariffs = pl.DataFrame(
        {"hs_code": codes, "tariff": [(r if (r := tariff(c)) is not None else fallback) for c in codes]},
        schema={"hs_code": pl.String(), "tariff": pl.Int64()},
    )
    items = (
        hs.join(tariffs, on="hs_code", how="left")
        .join(vat, on=["sid", "seq"], how="left")
        .join(duty_items, on=["sid", "seq"], how="left")
        .join(changed.select("sid", "old_flat_duty", "new_duty_mode", "new_tax_due", "flat"), on="sid")
        .with_columns(pl.col("vat_base").fill_null(0), pl.col("vat_rate").fill_null(0))
        .with_columns(pl.col("vat_base").sum().over("sid").alias("base_sum"))
        .with_columns(
            # Customs value: the duty line's base, else the VAT base less its share of the stored flat duty.
            pl.when(pl.col("duty_base").is_not_null())
            .then(pl.col("duty_base"))
            .when((pl.col("old_flat_duty") > 0) & (pl.col("base_sum") > 0))
            .then(
                _half_up_div(
                    pl.col("vat_base") * (pl.col("base_sum") - pl.col("old_flat_duty")), pl.col("base_sum")
                )
            )
            .otherwise(pl.col("vat_base"))
            .alias("cv")
        )
        .with_columns(
            pl.col("cv").sum().over("sid").alias("cv_sum"),
            pl.col("hs_code").str.slice(0, 6).n_unique().over("sid").alias("subheadings"),
        )
        .with_columns(
            pl.when(pl.col("new_duty_mode") == "ad_valorem")
            .then(pl.coalesce("old_item_duty", _half_up_div(pl.col("tariff") * pl.col("cv"), MICRO)))
            .otherwise(0)
            .alias("new_item_duty"),
            pl.when(pl.col("new_duty_mode") == "flat")
            .then(pl.col("flat") * pl.col("subheadings"))
            .otherwise(0)
            .alias("new_flat_total"),
        )
        .with_columns(
            pl.when(pl.col("new_flat_total") > 0)
            .then(
                pl.when(pl.col("cv_sum") > 0)
                .then(_half_up_div(pl.col("new_flat_total") * pl.col("cv"), pl.col("cv_sum")))
                .otherwise(0)
            )
            .otherwise(pl.col("new_item_duty"))
            .alias("duty_in_base")
        )
        .with_columns(
            pl.when(pl.col("new_tax_due"))
            .then(_half_up_div(pl.col("vat_rate") * (pl.col("cv") + pl.col("duty_in_base")), MICRO))
            .otherwise(0)
            .alias("new_item_vat")
        )
    )
    recomputed = items.group_by("sid").agg(
        pl.col("new_item_duty").sum().alias("r_duty"),
        pl.col("new_flat_total").first().alias("r_flat_duty"),
        pl.col("new_item_vat").sum().alias("r_vat"),
    )
    s = s.join(recomputed, on="sid", how="left").with_columns(
        *(
            pl.when(pl.col("changed"))
            .then(pl.col(f"r_{t}").fill_null(0))
            .otherwise(pl.col(f"old_{t}"))
            .alias(f"new_{t}")
            for t in TAX_TYPES
        )
    )
    under_scheme = pl.col("vendor") & pl.col("scheme_limit").is_not_null() & (v <= pl.col("scheme_limit"))
    new_checkout = pl.when(under_scheme).then(pl.col("new_vat")).otherwise(0) + pl.when(
        pl.col("vendor")
    ).then(pl.col("new_flat_duty")).otherwise(0)
    s = s.with_columns(
        pl.when(pl.col("changed")).then(new_checkout).otherwise(pl.col("old_checkout")).alias("new_checkout")
    ).with_columns(
        (pl.col("new_duty") + pl.col("new_flat_duty") + pl.col("new_vat") - pl.col("new_checkout")).alias(
            "new_border"
        )
    )
    return _report(s, policy, j)


def _report(s: pl.DataFrame, policy: Policy, j: Jurisdiction) -> dict[str, Any]:
    cur = j.currency

    def money(minor: int) -> str:
        return format_minor(minor, cur)

    sums = s.select(
        *(pl.col(f"old_{t}").sum() for t in TAX_TYPES),
        *(pl.col(f"new_{t}").sum() for t in TAX_TYPES),
        pl.col("old_border").sum(),
        pl.col("new_border").sum(),
        pl.col("old_checkout").sum(),
        pl.col("new_checkout").sum(),
        (pl.col("old_border") > 0).sum().alias("old_declarations"),
        (pl.col("new_border") > 0).sum().alias("new_declarations"),
        (pl.col("irg_category") != pl.col("new_category")).sum().alias("category_changes"),
        pl.col("changed").sum().alias("treatment_changes"),
    ).row(0, named=True)
    transitions = (
        s.filter(pl.col("irg_category") != pl.col("new_category"))
        .group_by("irg_category", "new_category")
        .agg(pl.len().alias("shipments"))
        .sort("irg_category", "new_category")
    )
    revenue = []
    for t in TAX_TYPES:
        old, new = int(sums[f"old_{t}"]), int(sums[f"new_{t}"])
        revenue.append(
            {"tax_type": t, "baseline": money(old), "simulated": money(new), "change": money(new - old)}
        )
    old_total = sum(int(sums[f"old_{t}"]) for t in TAX_TYPES)
    new_total = sum(int(sums[f"new_{t}"]) for t in TAX_TYPES)
    cost = policy.cost_per_declaration
    old_cost = to_minor(cost * int(sums["old_declarations"]), cur)
    new_cost = to_minor(cost * int(sums["new_declarations"]), cur)
    first_day = s["day"].min()
    period = j.period(first_day) if isinstance(first_day, dt.date) else None
    return {
        "jurisdiction": j.id,
        "currency": cur,
        "scope": {
            "from": policy.date_from.isoformat() if policy.date_from else None,
            "to": policy.date_to.isoformat() if policy.date_to else None,
        },
        "policy": {
            "duty_threshold": str(policy.duty_threshold),
            "tax_threshold": str(policy.tax_threshold),
            "cost_per_declaration": str(cost),
        },
        "current_thresholds": {
            "duty": str(period.duty_de_minimis) if period else None,
            "tax": str(period.tax_de_minimis) if period else None,
        },
        "shipments": s.height,
        "treatment_changes": int(sums["treatment_changes"]),
        "category_changes": int(sums["category_changes"]),
        "category_transitions": [
            {"from": int(r["irg_category"]), "to": int(r["new_category"]), "shipments": int(r["shipments"])}
            for r in transitions.to_dicts()
        ],
        "revenue": revenue,
        "revenue_total": {
            "baseline": money(old_total),
            "simulated": money(new_total),
            "change": money(new_total - old_total),
        },
        "by_collection": {
            "border": {
                "baseline": money(int(sums["old_border"])),
                "simulated": money(int(sums["new_border"])),
            },
            "checkout": {
                "baseline": money(int(sums["old_checkout"])),
                "simulated": money(int(sums["new_checkout"])),
            },
        },
        "collection": {
            "declarations_baseline": int(sums["old_declarations"]),
            "declarations_simulated": int(sums["new_declarations"]),
            "cost_baseline": money(old_cost),
            "cost_simulated": money(new_cost),
            "cost_change": money(new_cost - old_cost),
        },
        "net_effect": money((new_total - old_total) - (new_cost - old_cost)),
    }


def simulate(
    conn: Connection,
    policy: Policy,
    tariff: TariffMicro | None = None,
    fallback_rate: Decimal = DEFAULT_FALLBACK_DUTY_RATE,
) -> dict[str, Any]:
    """Run the simulation over the stored traffic of the policy's jurisdiction and period."""
    ships, lines, goods = _read(conn, policy)
    return simulate_frames(ships, lines, goods, policy, tariff or eu_tariff_micro, fallback_rate)
