"""De minimis policy simulator: stored traffic re-assessed under other duty and tax thresholds.

For every stored shipment of a jurisdiction (optionally in a lodgement period) the simulator decides,
with the proposed thresholds, its IRG category, whether duty is relieved, flat or ad valorem, and
whether the tax is relieved; shipments whose treatment does not change keep their stored amounts,
the others are re-computed from their stored tax lines (customs value and tax rate of each item) and
the tariff. The result: shipments that change category, revenue gained or lost per duty/tax type and
collection point, declarations that need collection at the border and their cost, and the net effect.
The method and its assumptions are in docs/de-minimis-simulator.md. All arithmetic is in integer
minor units with half-up rounding, in Polars over the stored tables (read by `repository`).

The rules are the revenue engine's: the thresholds in force come from the same `Period.thresholds_for`
as `calculation.rules_in_force`, the duty rate of a goods code from `calculation.duty_rate` with the
jurisdiction's tariff (`engine.tariff_for`) and the one fallback rate, specific duties from
`calculation.specific_duty`, and the tax is collected at checkout only under a declared vendor
registration, as `calculation.under_vendor_scheme` decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import polars as pl
from sqlalchemy.engine import Connection

from clearway.reference import eu_cet_rate
from clearway.reference.errors import NoProfileForDate
from clearway.reference.jurisdictions import Jurisdiction, jurisdictions
from clearway.reference.money import format_minor, minor_units, to_minor
from clearway.revenue import repository
from clearway.revenue.calculation import FALLBACK_DUTY_RATE, Item, duty_rate, specific_duty
from clearway.revenue.engine import declared_pieces, tariff_for, threshold_channel
from clearway.revenue.errors import NothingToSimulate, SimulationError

MICRO = repository.MICRO
TAX_TYPES = ("duty", "flat_duty", "vat")
DEFAULT_COST_PER_DECLARATION = Decimal("2.50")
DEFAULT_FALLBACK_DUTY_RATE = FALLBACK_DUTY_RATE


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


def _read(conn: Connection, policy: Policy) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    start = dt.datetime.combine(policy.date_from, dt.time(), tzinfo=dt.UTC) if policy.date_from else None
    end = (
        dt.datetime.combine(policy.date_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        if policy.date_to
        else None
    )
    return repository.stored_traffic(conn, policy.jurisdiction, start, end)


# The simulation (pure, over frames) -------------------------------------------------------------------


def _half_up_div(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """Integer division rounded half up, for non-negative numerators and positive denominators."""
    return (numerator * 2 + denominator) // (pl.lit(2) * denominator)


THRESHOLD_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "channel": pl.String(),
    "departure_country": pl.String(),
    "old_duty_threshold": pl.Int64(),
    "old_tax_threshold": pl.Int64(),
    "flat_below": pl.Int64(),
    "ceiling": pl.Int64(),
    "gift_relief": pl.Int64(),
    "flat": pl.Int64(),
    "scheme_limit": pl.Int64(),
}


def _rules_in_force(j: Jurisdiction, keys: pl.DataFrame) -> pl.DataFrame:
    """Per (lodgement day, channel, place of shipment): the thresholds in force (`thresholds_for`, as the
    revenue engine takes them) and the period's limits the proposal does not move."""
    cur = j.currency

    def m(x: Decimal | None) -> int | None:
        return None if x is None else to_minor(x, cur)

    rows = []
    for day, channel, origin in keys.iter_rows():
        try:
            p = j.period(day)
        except NoProfileForDate as exc:
            raise SimulationError("from", str(exc)) from exc
        duty_dm, tax_dm, _basis = p.thresholds_for(threshold_channel(channel), origin)
        limits = (m(p.low_value_ceiling), m(p.gift_relief), m(p.flat_duty_per_subheading))
        rows.append(
            (
                day,
                channel,
                origin,
                m(duty_dm),
                m(tax_dm),
                m(p.duty_de_minimis),
                *limits,
                m(p.vendor_scheme_limit),
            )
        )
    return pl.DataFrame(rows, schema=THRESHOLD_SCHEMA, orient="row")


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


def _with_declared_facts(ships: pl.DataFrame) -> pl.DataFrame:
    """Frames made before the channel, place of shipment and vendor registration were read: none."""
    missing = [c for c in ("channel", "departure_country", "vendor_registration") if c not in ships.columns]
    return ships.with_columns(pl.lit(None, dtype=pl.String()).alias(c) for c in missing)


def _stored_revenue(ships: pl.DataFrame, lines: pl.DataFrame, j: Jurisdiction) -> pl.DataFrame:
    """Per shipment: what is stored (by duty/tax type and collection point), the rules in force on its
    lodgement day, and the facts the rules need (documents, gift relief, vendor registration)."""
    paid = pl.col("collection") != "relieved"
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
    keyed = ships.with_columns(pl.col("channel", "departure_country").fill_null(""))
    keys = (
        keyed.select("day", "channel", "departure_country")
        .unique()
        .sort("day", "channel", "departure_country")
    )
    return (
        keyed.join(_rules_in_force(j, keys), on=["day", "channel", "departure_country"], how="left")
        .join(stored, on="sid", how="left")
        .with_columns(
            pl.col("gift").fill_null(False),
            pl.col("had_checkout").fill_null(False),
            *(
                pl.col(c).fill_null(0)
                for c in (*(f"old_{t}" for t in TAX_TYPES), "old_border", "old_checkout")
            ),
            (pl.col("irg_category") == 1).alias("docs"),
            # Checkout collection needs the registration number in the declaration (IOSS: Directive
            # 2006/112/EC Art. 143(1)(ca)); stored checkout lines show one was declared.
            (pl.col("vendor_registration").is_not_null() | pl.col("had_checkout")).alias("registered"),
        )
    )


def _treatments(s: pl.DataFrame, policy: Policy, j: Jurisdiction) -> pl.DataFrame:
    """Duty treatment (none, relieved, flat, ad valorem) and whether the tax is due, under the rules in
    force and under the proposal; the IRG category under the proposal; which shipments change."""
    cur = j.currency
    x_new, y_new = to_minor(policy.duty_threshold, cur), to_minor(policy.tax_threshold, cur)
    v = pl.col("value_minor")
    relieved_all = pl.col("docs") | (pl.col("gift") & (v <= pl.col("gift_relief")))

    def duty_mode(threshold: pl.Expr, flat_below: pl.Expr) -> pl.Expr:
        # Within the de minimis, the flat duty applies below its limit (the proposal moves it with the
        # duty threshold: the low-value regime is the consignments the threshold relieves).
        return (
            pl.when(relieved_all)
            .then(pl.lit("none"))
            .when(v > threshold)
            .then(pl.lit("ad_valorem"))
            .when(pl.col("flat").is_not_null() & (v < flat_below))
            .then(pl.lit("flat"))
            .otherwise(pl.lit("relieved"))
        )

    def tax_due(threshold: pl.Expr) -> pl.Expr:
        return ~relieved_all & (v > threshold)

    return s.with_columns(
        duty_mode(pl.col("old_duty_threshold"), pl.col("flat_below")).alias("old_duty_mode"),
        duty_mode(pl.lit(x_new), pl.lit(x_new)).alias("new_duty_mode"),
        tax_due(pl.col("old_tax_threshold")).alias("old_tax_due"),
        tax_due(pl.lit(y_new)).alias("new_tax_due"),
        _category(v, pl.col("old_duty_threshold"), pl.col("old_tax_threshold")).alias("old_category_check"),
        _category(v, pl.lit(x_new), pl.lit(y_new)).alias("new_category"),
    ).with_columns(
        (
            (pl.col("old_duty_mode") != pl.col("new_duty_mode"))
            | (pl.col("old_tax_due") != pl.col("new_tax_due"))
        ).alias("changed")
    )


def _changed_items(changed: pl.DataFrame, lines: pl.DataFrame, goods: pl.DataFrame) -> pl.DataFrame:
    """Goods items of the shipments whose treatment changes, with their stored VAT base and rate and
    stored ad valorem duty, and their customs value: the duty line's base, else the VAT base less its
    share of the stored flat duty."""
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
    return (
        goods.join(ids, on="sid", how="semi")
        .join(vat, on=["sid", "seq"], how="left")
        .join(duty_items, on=["sid", "seq"], how="left")
        .join(changed.select("sid", "old_flat_duty", "new_duty_mode", "new_tax_due", "flat"), on="sid")
        .with_columns(pl.col("vat_base").fill_null(0), pl.col("vat_rate").fill_null(0))
        .with_columns(pl.col("vat_base").sum().over("sid").alias("base_sum"))
        .with_columns(
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
    )


def _micro(amount: Decimal, scale: int = 0) -> int:
    return int((amount.scaleb(scale) * MICRO).to_integral_value(rounding=ROUND_HALF_UP))


def _tariff_of_items(
    items: pl.DataFrame, j: Jurisdiction, tariff: TariffMicro | None, fallback_rate: Decimal
) -> pl.DataFrame:
    """Per item: the ad valorem rate in millionths and the specific duty (per kg, per item, ...) in
    millionths of a minor unit, from the jurisdiction's tariff through `calculation.duty_rate`, as
    the revenue engine assesses a goods item. A `tariff` given explicitly is ad valorem only."""
    codes = sorted(set(items["hs_code"].to_list()))
    specific = pl.lit(0, dtype=pl.Int64()).alias("specific_micro")
    if tariff is not None:
        fallback = _micro(fallback_rate)
        rates = [(r if (r := tariff(c)) is not None else fallback) for c in codes]
        table = pl.DataFrame(
            {"hs_code": codes, "tariff": rates}, schema={"hs_code": pl.String(), "tariff": pl.Int64()}
        )
        return items.join(table, on="hs_code", how="left").with_columns(specific)
    lookup = tariff_for(j)
    found = {c: duty_rate(lookup, fallback_rate, c) for c in codes}
    table = pl.DataFrame(
        {"hs_code": codes, "tariff": [_micro(found[c].ad_valorem) for c in codes]},
        schema={"hs_code": pl.String(), "tariff": pl.Int64()},
    )
    with_rates = items.join(table, on="hs_code", how="left")
    with_specifics = [c for c in codes if found[c].specifics]
    if not with_specifics:
        return with_rates.with_columns(specific)
    exponent = minor_units(j.currency)
    scale = 2 if exponent is None else exponent
    rows = []
    for sid, seq, hs, quantity, unit, mass in (
        with_rates.filter(pl.col("hs_code").is_in(with_specifics))
        .select("sid", "seq", "hs_code", "quantity", "unit", "net_mass_kg")
        .iter_rows()
    ):
        pieces = declared_pieces(Decimal(quantity), unit) if quantity is not None and unit else None
        item = Item(seq, hs, Decimal(0), Decimal(mass) if mass is not None else Decimal(0), pieces)
        amount, _how = specific_duty(found[hs], item, j.currency)
        rows.append((sid, seq, _micro(amount, scale)))
    parts = pl.DataFrame(
        rows, schema={"sid": pl.String(), "seq": pl.Int64(), "specific_micro": pl.Int64()}, orient="row"
    )
    return with_rates.join(parts, on=["sid", "seq"], how="left").with_columns(
        pl.col("specific_micro").fill_null(0)
    )


def _reassessed_items(items: pl.DataFrame) -> pl.DataFrame:
    """Per item of a changed shipment: ad valorem duty (the stored line when there was one), the flat
    duty per distinct sub-heading shared by customs value into the tax base, and the VAT."""
    return (
        items.with_columns(
            pl.col("cv").sum().over("sid").alias("cv_sum"),
            pl.col("hs_code").str.slice(0, 6).n_unique().over("sid").alias("subheadings"),
        )
        .with_columns(
            pl.when(pl.col("new_duty_mode") == "ad_valorem")
            .then(
                pl.coalesce(
                    "old_item_duty",
                    _half_up_div(pl.col("tariff") * pl.col("cv") + pl.col("specific_micro"), MICRO),
                )
            )
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


def _simulated_revenue(s: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """Per shipment: the simulated amounts (re-computed where the treatment changed, stored otherwise)
    and their collection points: flat duty with the VAT at checkout under a vendor registration, the
    VAT at checkout within the vendor scheme's limit, everything else at the border."""
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
    v, registered = pl.col("value_minor"), pl.col("registered")
    under_scheme = registered & pl.col("scheme_limit").is_not_null() & (v <= pl.col("scheme_limit"))
    new_checkout = pl.when(under_scheme).then(pl.col("new_vat")).otherwise(0) + pl.when(registered).then(
        pl.col("new_flat_duty")
    ).otherwise(0)
    return s.with_columns(
        pl.when(pl.col("changed")).then(new_checkout).otherwise(pl.col("old_checkout")).alias("new_checkout")
    ).with_columns(
        (pl.col("new_duty") + pl.col("new_flat_duty") + pl.col("new_vat") - pl.col("new_checkout")).alias(
            "new_border"
        )
    )


def simulate_frames(
    ships: pl.DataFrame,
    lines: pl.DataFrame,
    goods: pl.DataFrame,
    policy: Policy,
    tariff: TariffMicro | None = None,
    fallback_rate: Decimal = DEFAULT_FALLBACK_DUTY_RATE,
) -> dict[str, Any]:
    """The simulation over stored frames: rules in force and treatments per shipment, the changed
    shipments re-assessed item by item, and the report. `tariff` (ad valorem rates in millionths)
    replaces the jurisdiction's tariff when given."""
    j = next(x for x in jurisdictions() if x.id == policy.jurisdiction)
    if ships.height == 0:
        period = f"{policy.date_from or 'the start'} to {policy.date_to or 'today'}"
        raise NothingToSimulate("from", f"no stored shipments for {j.id} lodged from {period}")
    if "quantity" not in goods.columns:  # frames made before goods quantities were read
        goods = goods.with_columns(
            pl.lit(None, dtype=pl.String()).alias(c) for c in ("quantity", "unit", "net_mass_kg")
        )
    s = _treatments(_stored_revenue(_with_declared_facts(ships), lines, j), policy, j)
    changed = s.filter(pl.col("changed"))
    items = _tariff_of_items(_changed_items(changed, lines, goods), j, tariff, fallback_rate)
    return _report(_simulated_revenue(s, _reassessed_items(items)), policy, j)


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
    return simulate_frames(ships, lines, goods, policy, tariff, fallback_rate)
