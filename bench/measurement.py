"""Measurement throughput: the Time Release Study and the main statistics over N generated shipments.

    uv run python bench/measurement.py [--shipments 10000000] [--out DIR] [--keep] [--seed 1]
    uv run python bench/measurement.py --out DIR --reuse [--repeat 3]   # time files kept earlier

Generates N shipments with their goods items, tax lines and a share of refused submissions in the
columns `clearway.measurement.sources` reads from the database (not through the ingest pipeline: that
would take an hour at this size) and writes them with `write_export`, the very function behind
`clearway export parquet` (which links items and lines to their shipment and sums per shipment: timed
apart as `export_s`). It then times, each on its own and over `from_parquet(DIR)` with a scope of the
whole period, what `clearway trs --parquet DIR` and `clearway stats --parquet DIR` run: the study
overall and by lane, the statistics by origin, HS chapter, channel and value band, data quality per
filer and the monthly revenue benchmark, in wall-clock and CPU seconds (the median of `--repeat` runs).
Generation is timed and printed but not counted in the total. The last line printed is one JSON object
with the numbers.

Everything is generated with vectorised Polars expressions: every random draw is a seeded hash of a row
key, so the same seed, N and Polars version give the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from clearway.measurement.benchmarking import revenue_benchmark
from clearway.measurement.scope import Scope
from clearway.measurement.sources import (
    ITEM_COLUMNS,
    REJECTION_COLUMNS,
    SHIPMENT_COLUMNS,
    TAX_COLUMNS,
    UTC_TIME,
    from_parquet,
    write_export,
)
from clearway.measurement.statistics import by_dimension, data_quality
from clearway.measurement.study import run_study

START = dt.datetime(2026, 10, 17, tzinfo=dt.UTC)  # the period spans two calendar months
DAYS = 30
NOW = START + dt.timedelta(days=DAYS, hours=12)  # when the export was taken: later milestones are missing
US_PER_SECOND = 1_000_000
US_PER_HOUR = 3600 * US_PER_SECOND

# Lodgement weight per UTC hour: filers in China lodge in their working day, EU posts in theirs.
HOUR_WEIGHTS = (3, 4, 5, 6, 7, 7, 7, 6, 6, 6, 5, 5, 5, 5, 5, 4, 4, 3, 3, 2, 2, 2, 2, 2)
LANES = {"green": 89, "yellow": 6, "red": 5}
CHANNELS = {"express": 50, "post": 45, "other": 5}
COLLECTION_MODELS = {"vendor": 55, "intermediary": 30, "buyer": 15}
FILERS = {
    "DHLEXPRESS": 750, "CAINIAO": 568, "YUNEXPRESS": 446, "DEUTSCHEPOST": 336, "4PX": 308,
    "LAPOSTE": 298, "FEDEX": 282, "UPS": 275, "DRAGONMART": 272, "POSTEITALIANE": 193, "CORREOS": 175,
    "SFEXPRESS": 151, "POSTNL": 147, "POCZTAPOLSKA": 132, "BPOST": 75, "POSTNORDSE": 65, "POSTAT": 60,
    "ANPOST": 52, "DPDUK": 51, "CESKAPOSTA": 40, "POSTAROMANA": 39, "MAGYARPOSTA": 36, "CTT": 34,
    "POSTNORDDK": 28, "POSTI": 27, "ANADOLUEXP": 25, "ELTA": 20, "EURASIARAIL": 19,
}  # fmt: skip
# Refused submissions per accepted one, relative: some filers send far worse data than others.
FILER_QUALITY = {"DRAGONMART": 6.0, "4PX": 3.0, "ANADOLUEXP": 4.0, "EURASIARAIL": 3.0, "YUNEXPRESS": 2.0}
REJECTION_SHARE = 0.025
# Destination weight, standard VAT rate (per cent) and offices of entry: 25 member states, 40 offices.
DESTINATIONS: dict[str, tuple[int, float, tuple[str, ...]]] = {
    "DE": (220, 19, ("DEFRA004", "DEFRA005", "DELEJ004", "DECGN004", "DEMUC004")),
    "FR": (180, 20, ("FRCDG004", "FRPAR005", "FRLYS004")),
    "NL": (90, 21, ("NLAMS004", "NLAMS005")),
    "IT": (110, 22, ("ITMXP004", "ITMIL005", "ITFCO004")),
    "ES": (100, 21, ("ESMAD004", "ESMAD005", "ESBCN004")),
    "PL": (70, 23, ("PLWAW004", "PLKTW005")),
    "BE": (40, 21, ("BELGG004", "BEANR005")),
    "AT": (30, 20, ("ATVIE004",)),
    "SE": (30, 25, ("SEARN004",)),
    "CZ": (25, 21, ("CZPRG004",)),
    "PT": (25, 23, ("PTLIS004",)),
    "IE": (20, 23, ("IEDUB004",)),
    "RO": (20, 19, ("ROOTP004",)),
    "HU": (18, 27, ("HUBUD004",)),
    "GR": (18, 24, ("GRATH004",)),
    "DK": (15, 25, ("DKCPH004",)),
    "FI": (12, 25.5, ("FIVAT004",)),
    "SK": (8, 23, ("SKBTS004",)),
    "BG": (8, 20, ("BGSOF004",)),
    "HR": (7, 25, ("HRZAG004",)),
    "LT": (6, 21, ("LTVNO004",)),
    "SI": (5, 22, ("SILJU004",)),
    "LV": (4, 21, ("LVRIX004",)),
    "EE": (4, 24, ("EETLL004",)),
    "CY": (2, 19, ("CYLCA004",)),
}
DEPARTURES = {"CN": 75, "HK": 6, "US": 5, "GB": 4, "TR": 3, "JP": 2, "KR": 2, "IN": 2, "VN": 1}
ORIGINS = {"CN": 70, "US": 5, "GB": 4, "TR": 4, "VN": 3, "IN": 3, "HK": 2, "JP": 2, "KR": 2, "BD": 2, "TW": 2,
           "TH": 1}  # fmt: skip
# HS 2022 subheadings common in e-commerce, with a relative frequency and the third-country duty (%).
HS_CODES: dict[str, tuple[int, float]] = {
    "610910": (60, 12), "610462": (20, 12), "610990": (15, 12), "611020": (20, 12), "611030": (15, 12),
    "610821": (8, 12), "610520": (8, 12), "611595": (12, 12), "620342": (20, 12), "620462": (20, 12),
    "620442": (12, 12), "621710": (8, 6.3), "621142": (6, 12), "640299": (40, 16.9), "640399": (15, 8),
    "640419": (20, 16.9), "640411": (12, 16.9), "640391": (6, 8), "420222": (25, 3.7), "420221": (10, 3),
    "420292": (15, 2.7), "420232": (12, 3.7), "420310": (5, 8), "711719": (30, 4), "711790": (20, 4),
    "711319": (8, 2.5), "910211": (10, 4.5), "910219": (6, 4.5), "910221": (4, 4.5), "851830": (50, 2),
    "851762": (30, 0), "851671": (6, 2.7), "851660": (5, 2.7), "851672": (4, 2.7), "851679": (10, 2.7),
    "851631": (8, 2.7), "851632": (10, 2.7), "851713": (15, 0), "847130": (8, 0), "847160": (12, 0),
    "847330": (15, 0), "852351": (10, 0), "852589": (4, 4.9), "852872": (3, 14), "850440": (25, 0),
    "850760": (20, 2.7), "853710": (3, 2.1), "854442": (30, 3.7), "854449": (10, 3.7), "940549": (10, 4.7),
    "940542": (15, 4.7), "940161": (3, 0), "940360": (3, 0), "940490": (6, 3.7), "950300": (60, 0),
    "950440": (4, 0), "950490": (8, 0), "950691": (10, 2.7), "950699": (8, 2.7), "950662": (4, 2.7),
    "950720": (4, 2.7), "960321": (10, 3.7), "961511": (6, 2.7), "961519": (10, 2.7), "330499": (40, 0),
    "330410": (15, 0), "330420": (10, 0), "330430": (10, 0), "330590": (10, 0), "330510": (5, 0),
    "330300": (8, 0), "330720": (3, 6.5), "340111": (4, 0), "392410": (12, 6.5), "392690": (30, 6.5),
    "392310": (6, 6.5), "732393": (8, 3.2), "821110": (3, 8.5), "821191": (3, 8.5), "830140": (4, 2.7),
    "830249": (4, 2.7), "830250": (3, 2.7), "900410": (12, 2.9), "900490": (4, 2.9), "901910": (4, 0),
    "901890": (3, 0), "902519": (3, 2.1), "870899": (4, 3), "871200": (2, 14), "871494": (3, 4.7),
    "871499": (8, 4.7), "871160": (2, 6), "630790": (15, 6.3), "630231": (4, 12), "630260": (4, 12),
    "630140": (3, 12), "482110": (4, 0), "491199": (3, 0), "481920": (3, 0), "560600": (2, 8),
    "670419": (6, 2.2), "392620": (8, 6.5), "621410": (5, 8), "650500": (8, 2.7), "847150": (3, 0),
}  # fmt: skip
ERROR_CODES = {
    "hs.unknown": 25, "hs.format": 12, "value.total_mismatch": 15, "office.unknown": 8, "tin.format": 10,
    "country.unknown": 5, "description.vague": 12, "date.future": 3, "date.too_old": 2, "lrn.format": 4,
    "mass.gross_below_net": 6, "mass.not_positive": 3, "currency.unknown": 2, "ioss.format": 7,
    "locode.unknown": 3,
}  # fmt: skip
ITEM_COUNTS = {1: 78, 2: 16, 3: 4, 4: 2}  # 1.30 items per shipment
LOW_VALUE_CEILING_MINOR = 150_00
FLAT_DUTY_MINOR = 3_00  # per item of a low-value consignment
GIFT_RELIEF_MINOR = 45_00

TABLE_NAMES = ("shipments", "goods", "tax_lines", "rejections")
_TABLE_SLOTS = 1 << 16
_HEX4 = pl.Series([f"{i:04x}" for i in range(1 << 16)])
_HEX3 = pl.Series([f"{i:03x}" for i in range(1 << 12)])
_VARIANT = pl.Series(list("89ab"))


# Random draws ---------------------------------------------------------------------------------------


Key = str | pl.Expr  # a column name or an expression (pl.element() inside list.eval)


class Draws:
    """Independent streams of uniform numbers: stream ``n`` of key ``k`` is a seeded hash of ``k``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def bits(self, stream: int, key: Key = "k") -> pl.Expr:
        column = pl.col(key) if isinstance(key, str) else key
        return column.hash(self.seed * 1_000_003 + stream)

    def uniform(self, stream: int, key: Key = "k") -> pl.Expr:
        """[0, 1) with 53 random bits."""
        return (self.bits(stream, key) // 2048).cast(pl.Float64) * 2.0**-53

    def normal(self, stream: int, key: Key = "k") -> pl.Expr:
        """Standard normal by Box-Muller."""
        u1 = 1.0 - self.uniform(stream, key)  # (0, 1]
        u2 = self.uniform(stream + 1000, key)
        return (-2.0 * u1.log()).sqrt() * (2.0 * 3.141592653589793 * u2).cos()

    def pick(self, stream: int, weights: Mapping[Any, float], key: Key = "k") -> pl.Expr:
        """One of the keys of ``weights``, with those relative weights (to 1 part in 65536)."""
        values = list(weights)
        total = sum(weights.values())
        table, cumulative, at = [], 0.0, 0
        for value in values:
            cumulative += weights[value] / total
            end = round(cumulative * _TABLE_SLOTS)
            table.extend([value] * (end - at))
            at = end
        table.extend([values[-1]] * (_TABLE_SLOTS - len(table)))
        index = (self.bits(stream, key) % _TABLE_SLOTS).cast(pl.UInt32)
        return pl.lit(pl.Series(table)).gather(index)

    def lognormal_minor(self, stream: int, median_minor: float, sigma: float, key: Key = "k") -> pl.Expr:
        return (pl.lit(median_minor) * (sigma * self.normal(stream, key)).exp()).round(0).cast(pl.Int64)

    def hours(self, stream: int, low: float, high: float, key: Key = "k") -> pl.Expr:
        """A duration uniform in [low, high) hours."""
        hours = low + (high - low) * self.uniform(stream, key)
        return pl.duration(microseconds=(hours * US_PER_HOUR).round(0).cast(pl.Int64))

    def lognormal_hours(self, stream: int, median: float, sigma: float, key: Key = "k") -> pl.Expr:
        hours = median * (sigma * self.normal(stream, key)).exp()
        return pl.duration(microseconds=(hours * US_PER_HOUR).round(0).cast(pl.Int64))

    def uuid(self, stream: int) -> pl.Expr:
        """Version-4 UUID text from 122 hashed bits (the ids are text in every source)."""
        a, b = self.bits(stream), self.bits(stream + 1)

        def hex4(bits: pl.Expr, shift: int) -> pl.Expr:
            return pl.lit(_HEX4).gather(((bits // (1 << shift)) % 65536).cast(pl.UInt32))

        def hex3(bits: pl.Expr, shift: int) -> pl.Expr:
            return pl.lit(_HEX3).gather(((bits // (1 << shift)) % 4096).cast(pl.UInt32))

        variant = pl.lit(_VARIANT).gather(((b // (1 << 60)) % 4).cast(pl.UInt32))
        return pl.format(
            "{}{}-{}-4{}-{}{}-{}{}{}",
            hex4(a, 0), hex4(a, 16), hex4(a, 32), hex3(a, 48),
            variant, hex3(b, 0), hex4(b, 12), hex4(b, 28), hex4(b, 44),
        )  # fmt: skip


# Generation -----------------------------------------------------------------------------------------


def _lookup(mapping: dict[str, Any], key: str) -> pl.Expr:
    return pl.col(key).replace_strict(list(mapping), list(mapping.values()))


def _shipments(n: int, draw: Draws) -> pl.LazyFrame:
    """One row per shipment with helper columns (k, item keys and values) next to the real ones."""
    destination_weights = {code: w for code, (w, _, _) in DESTINATIONS.items()}
    office_count = {code: len(offices) for code, (_, _, offices) in DESTINATIONS.items()}
    offices = [office for _, _, codes in DESTINATIONS.values() for office in codes]
    first_office = {}
    for code, (_, _, codes) in DESTINATIONS.items():
        first_office[code] = offices.index(codes[0])
    vat_rate = {code: float(rate) for code, (_, rate, _) in DESTINATIONS.items()}
    hour_weights = dict(enumerate(HOUR_WEIGHTS))

    documents = draw.uniform(10) < 0.005  # a pouch of documents: one item worth nothing
    base = pl.LazyFrame({"k": pl.int_range(n, dtype=pl.UInt64, eager=True)})
    base = base.with_columns(
        draw.uuid(1).alias("id"),
        draw.pick(3, FILERS).alias("filer"),
        draw.pick(4, LANES).alias("lane"),
        draw.pick(5, CHANNELS).alias("channel"),
        draw.pick(6, destination_weights).alias("destination_country"),
        draw.pick(7, DEPARTURES).alias("departure_country"),
        draw.pick(8, COLLECTION_MODELS).alias("_model"),
        documents.alias("_documents"),
        pl.when(documents).then(1).otherwise(draw.pick(9, ITEM_COUNTS)).cast(pl.UInt64).alias("_n_items"),
        (draw.uniform(11) < 0.03).alias("_gift"),
        # lodgement: a day of the period, an hour by the weights, a moment in that hour
        (
            pl.lit(START)
            + pl.duration(days=(draw.uniform(12) * DAYS).floor().cast(pl.Int64))
            + pl.duration(hours=draw.pick(13, hour_weights).cast(pl.Int64))
            + pl.duration(microseconds=(draw.uniform(14) * US_PER_HOUR).cast(pl.Int64))
        )
        .dt.cast_time_unit("us")
        .alias("lodged_at"),
    )
    base = base.with_columns(
        # express mostly flies, posts fly or go by road, a few come by rail and sea
        pl.when(pl.col("channel") == "express")
        .then(draw.pick(15, {"air": 92, "road": 8}))
        .when(pl.col("channel") == "post")
        .then(draw.pick(15, {"post": 70, "air": 20, "road": 10}))
        .otherwise(draw.pick(15, {"rail": 40, "sea": 30, "road": 30}))
        .alias("transport_mode"),
        (
            pl.lit(pl.Series(offices)).gather(
                (
                    _lookup(first_office, "destination_country").cast(pl.UInt64)
                    + draw.bits(16) % _lookup(office_count, "destination_country").cast(pl.UInt64)
                ).cast(pl.UInt32)
            )
        ).alias("office_of_entry"),
        _lookup(vat_rate, "destination_country").cast(pl.Float64).alias("_vat_rate"),
        # goods: one key per item, values log-normal around 16 EUR (a document pouch is worth nothing)
        pl.int_ranges(pl.col("k") * 4, pl.col("k") * 4 + pl.col("_n_items"), dtype=pl.UInt64).alias(
            "_item_keys"
        ),
        (pl.col("lodged_at") + draw.hours(17, 0.0005, 0.01)).alias("received_at"),
    )
    base = base.with_columns(
        pl.when(pl.col("_documents"))
        .then(pl.lit([0], dtype=pl.List(pl.Int64)))
        .otherwise(pl.col("_item_keys").list.eval(draw.lognormal_minor(20, 16_00, 1.1, key=pl.element())))
        .alias("_item_values"),
    ).with_columns(pl.col("_item_values").list.sum().alias("value_minor"))
    irg = (
        pl.when(pl.col("_documents"))
        .then(1)
        .when(pl.col("value_minor") > LOW_VALUE_CEILING_MINOR)
        .then(4)
        .when(pl.col("_gift") & (pl.col("value_minor") <= GIFT_RELIEF_MINOR))
        .then(2)
        .otherwise(3)
    )
    return base.with_columns(
        irg.cast(pl.Int64).alias("irg_category"),
        # IOSS (vendor collection) covers low-value consignments only
        pl.when((pl.col("_model") == "vendor") & (pl.col("value_minor") > LOW_VALUE_CEILING_MINOR))
        .then(pl.lit("intermediary"))
        .otherwise("_model")
        .alias("collection_model"),
        (
            pl.col("value_minor")
            + pl.when(draw.uniform(21) < 0.3).then(draw.lognormal_minor(22, 4_00, 0.6)).otherwise(0)
        ).alias("total_value_minor"),
        pl.lit("EUR").alias("revenue_currency"),
    )


def _goods(ships: pl.DataFrame, draw: Draws) -> pl.DataFrame:
    hs_weights = {code: w for code, (w, _) in HS_CODES.items()}
    duty_rate = {code: float(rate) / 100 for code, (_, rate) in HS_CODES.items()}
    return (
        ships.lazy()
        .select("k", "id", "irg_category", "collection_model", "_item_keys", "_item_values")
        .explode("_item_keys", "_item_values")
        .with_columns(
            (pl.col("_item_keys") % 4 + 1).cast(pl.Int64).alias("seq"),
            draw.pick(30, hs_weights, key="_item_keys").alias("hs6"),
            draw.pick(31, ORIGINS, key="_item_keys").alias("origin_country"),
            pl.col("_item_values").alias("value_minor"),
        )
        .with_columns(
            pl.when(pl.col("irg_category") == 4)
            .then((pl.col("value_minor") * _lookup(duty_rate, "hs6")).round(0).cast(pl.Int64))
            .when(pl.col("irg_category") == 3)
            .then(pl.lit(FLAT_DUTY_MINOR, dtype=pl.Int64))
            .otherwise(None)
            .alias("_duty"),
        )
        .drop("_item_keys", "_item_values")
        .collect()
    )


def _tax_lines(ships: pl.DataFrame, goods: pl.DataFrame) -> pl.DataFrame:
    """Item duties (flat duty under 150 EUR, the tariff duty above), then one VAT line per shipment."""
    checkout = pl.col("collection_model") == "vendor"
    duties = (
        goods.lazy()
        .filter(pl.col("_duty").is_not_null() & (pl.col("_duty") > 0))
        .select(
            "k",
            pl.col("id").alias("shipment_id"),
            pl.col("seq").alias("item_seq"),
            pl.when(pl.col("irg_category") == 3)
            .then(pl.lit("flat_duty"))
            .otherwise(pl.lit("duty"))
            .alias("tax_type"),
            pl.col("_duty").alias("amount_minor"),
            pl.lit("EUR").alias("currency"),
            pl.when(checkout).then(pl.lit("checkout")).otherwise(pl.lit("border")).alias("collection"),
        )
    )
    duty_by_shipment = duties.group_by("k").agg(pl.col("amount_minor").sum().alias("_duty_total"))
    vat = (
        ships.lazy()
        .filter(pl.col("irg_category") > 1)
        .select("k", "id", "irg_category", "collection_model", "value_minor", "_vat_rate")
        .join(duty_by_shipment, on="k", how="left")
        .select(
            "k",
            pl.col("id").alias("shipment_id"),
            pl.lit(None, dtype=pl.Int64).alias("item_seq"),
            pl.lit("vat").alias("tax_type"),
            ((pl.col("value_minor") + pl.col("_duty_total").fill_null(0)) * pl.col("_vat_rate") / 100)
            .round(0)
            .cast(pl.Int64)
            .alias("amount_minor"),
            pl.lit("EUR").alias("currency"),
            pl.when(pl.col("irg_category") == 2)
            .then(pl.lit("relieved"))
            .when(checkout)
            .then(pl.lit("checkout"))
            .otherwise(pl.lit("border"))
            .alias("collection"),
        )
    )
    return pl.concat([duties, vat]).sort("k", "item_seq", nulls_last=True).collect()


def _milestones(ships: pl.DataFrame, due: pl.DataFrame, draw: Draws) -> pl.DataFrame:
    """Arrival, controls, payment and release from the lane, leaving out what happens after NOW."""
    now = pl.lit(NOW).dt.cast_time_unit("us")
    lane = pl.col("lane")
    frame = (
        ships.lazy()
        # in the shipments' order: a join does not keep it unless told, and the files would differ from
        # run to run (the same numbers, but means and deviations summed in another order)
        .join(due.lazy(), on="k", how="left", maintain_order="left")
        .with_columns(pl.col("due_at_border_minor").fill_null(0))
    )
    frame = frame.with_columns(
        # most goods arrive 2-22 h after lodgement; a few were lodged after they arrived
        pl.when(draw.uniform(40) < 0.04)
        .then(pl.col("lodged_at") - draw.hours(41, 0.5, 12))
        .otherwise(pl.col("lodged_at") + draw.hours(42, 2, 22))
        .alias("_arrival"),
        (draw.uniform(43) < 0.865).alias("_will_arrive"),
    ).with_columns(
        pl.when(pl.col("_will_arrive") & (pl.col("_arrival") <= now)).then("_arrival").alias("arrived_at"),
    )
    ready = pl.max_horizontal("arrived_at", "received_at")
    arrived = pl.col("arrived_at").is_not_null()
    frame = frame.with_columns(
        pl.when(arrived & (lane == "red") & (draw.uniform(44) < 0.92))
        .then(ready + draw.lognormal_hours(45, 8, 0.7))
        .alias("_inspection"),
        pl.when(arrived & (pl.col("collection_model") == "buyer") & (pl.col("due_at_border_minor") > 0))
        .then(ready + draw.lognormal_hours(47, 10, 1.2))
        .alias("_payment"),
        draw.uniform(49).alias("_fate"),
    ).with_columns(
        pl.when(pl.col("_inspection") <= now).then("_inspection").alias("inspected_at"),
        pl.when(pl.col("_payment") <= now).then("_payment").alias("paid_at"),
        pl.when(lane == "green")
        .then(
            pl.when(draw.uniform(50) < 0.97).then(ready).otherwise(ready + draw.lognormal_hours(51, 2, 1.0))
        )
        .when(lane == "yellow")
        .then(pl.when(pl.col("_fate") < 0.95).then(ready + draw.lognormal_hours(52, 3, 0.9)))
        .otherwise(
            pl.when(pl.col("_fate") < 0.88).then(pl.col("_inspection") + draw.lognormal_hours(53, 2, 0.8))
        )
        .alias("_control_release"),
    )
    release = pl.max_horizontal("_control_release", pl.col("_payment") + draw.lognormal_hours(54, 0.05, 1.0))
    frame = frame.with_columns(
        pl.when(
            pl.col("arrived_at").is_not_null() & pl.col("_control_release").is_not_null() & (release <= now)
        )
        .then(release)
        .alias("released_at"),
    ).with_columns(
        pl.when(pl.col("released_at").is_not_null())
        .then(pl.lit("released"))
        .when(pl.col("arrived_at").is_null())
        .then(pl.when(draw.uniform(55) < 0.02).then(pl.lit("filed")).otherwise(pl.lit("assessed")))
        .when((lane == "red") & pl.col("inspected_at").is_not_null() & (pl.col("_fate") >= 0.96))
        .then(pl.lit("seized"))
        .when((lane == "red") & pl.col("inspected_at").is_not_null() & (pl.col("_fate") >= 0.88))
        .then(pl.lit("returned"))
        .when(lane == "green")
        .then(pl.lit("arrived"))
        .otherwise(pl.lit("held"))
        .alias("state"),
    )
    return frame.select(
        *(pl.col(c).cast(UTC_TIME) if c.endswith("_at") else pl.col(c) for c in SHIPMENT_COLUMNS)
    ).collect()


def _rejections(n: int, draw: Draws) -> pl.DataFrame:
    weights = {f: w * FILER_QUALITY.get(f, 1.0) for f, w in FILERS.items()}
    count = max(1, round(n * REJECTION_SHARE))
    codes = pl.concat_list([draw.pick(62 + i, ERROR_CODES) for i in range(3)])
    return (
        pl.LazyFrame({"k": pl.int_range(count, dtype=pl.UInt64, eager=True)})
        .with_columns(draw.pick(60, weights).alias("filer"), draw.pick(61, {1: 70, 2: 22, 3: 8}).alias("_n"))
        .select(
            "filer",
            pl.when(draw.uniform(65) < 0.05)
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(pl.format("LRN{}", (draw.bits(66) % 10**12).cast(pl.String).str.zfill(12)))
            .alias("lrn"),
            pl.when(draw.uniform(67) < 0.04)
            .then(pl.lit("conflict"))
            .otherwise(pl.lit("rejected"))
            .alias("status"),
            codes.list.head(pl.col("_n")).list.unique().list.sort().alias("codes"),
            (
                pl.lit(START)
                + pl.duration(microseconds=(draw.uniform(68) * DAYS * 24 * US_PER_HOUR).cast(pl.Int64))
            )
            .cast(UTC_TIME)
            .alias("received_at"),
        )
        .collect()
    )


def generate(folder: Path, n: int, seed: int) -> tuple[dict[str, int], float]:
    """Write shipments, goods, tax_lines and rejections .parquet for N shipments; returns the row counts
    and the seconds `write_export` took."""
    draw = Draws(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ships = _shipments(n, draw).collect()
    goods = _goods(ships, draw)
    taxes = _tax_lines(ships, goods)
    due = (
        taxes.lazy()
        .filter(pl.col("collection") == "border")
        .group_by("k")
        .agg(pl.col("amount_minor").sum().alias("due_at_border_minor"))
        .collect()
    )
    shipments = _milestones(ships, due, draw)
    del ships, due
    rejections = _rejections(n, draw)
    frames = {
        "shipments": shipments,
        "goods": goods.rename({"id": "shipment_id"}).select(ITEM_COLUMNS),
        "tax_lines": taxes.select(TAX_COLUMNS),
        "rejections": rejections.select(REJECTION_COLUMNS),
    }
    export_s, counts = _timed(lambda: write_export(folder, frames))
    return counts, export_s


# Timing ---------------------------------------------------------------------------------------------


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def _cpu_timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall-clock and CPU seconds (all threads of this process) of one run: on a machine shared with
    other work the wall clock says how long a user waited, the CPU time how much work it took."""
    cpu = time.process_time()
    seconds, result = _timed(run)
    return seconds, time.process_time() - cpu, result


def analyses(folder: Path) -> list[tuple[str, Callable[[], Any]]]:
    tables = from_parquet(folder)
    scope = Scope()
    return [
        ("study_s", lambda: run_study(tables, scope)),
        ("study_by_lane_s", lambda: run_study(tables, scope, by="lane")),
        *(
            (f"by_{dimension}_s", lambda d=dimension: by_dimension(tables, scope, d))
            for dimension in ("origin", "hs_chapter", "channel", "value_band")
        ),
        ("data_quality_s", lambda: data_quality(tables, scope)),
        ("revenue_benchmark_s", lambda: revenue_benchmark(tables, scope, Decimal("2.50"), "month")),
    ]


class PeakMemory:
    """The highest resident set size of this process while in the block, sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(0.02)

    def __enter__(self) -> PeakMemory:
        self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def gib(self) -> float:
        return round(self.peak / 2**30, 2)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, help="folder for the Parquet files (default: a temporary one)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated files (always kept with --reuse)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="skip generation and time the files in --out")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run the analyses this many times and report each one's median"
    )
    args = parser.parse_args(argv)
    if args.reuse and not args.out:
        parser.error("--reuse needs --out")

    folder: Path = args.out or Path(tempfile.mkdtemp(prefix="clearway-measurement-"))
    try:
        if args.reuse:
            tables = from_parquet(folder)
            counts = {name: getattr(tables, name).select(pl.len()).collect().item() for name in TABLE_NAMES}
            generate_s, generate_gib, export_s = 0.0, 0.0, 0.0
        else:
            with PeakMemory() as memory:
                generate_s, (counts, export_s) = _timed(lambda: generate(folder, args.shipments, args.seed))
            generate_gib = memory.gib
            print(
                f"generated {counts} in {generate_s:.1f} s (export {export_s:.1f} s) into {folder}",
                flush=True,
            )

        walls: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        load_before = os.getloadavg()[0]
        with PeakMemory() as memory:
            for _ in range(max(1, args.repeat)):
                for name, run in analyses(folder):
                    seconds, cpu, result = _cpu_timed(run)
                    walls.setdefault(name, []).append(seconds)
                    cpus.setdefault(name, []).append(cpu)
                    size = f"{len(result)} {'keys' if isinstance(result, dict) else 'rows'}"
                    print(f"{name:24} {seconds:7.3f} s  cpu {cpu:7.3f} s  ({size})", flush=True)
        # the median of the repeats: other work on the machine slows some runs down, never speeds one up
        timings = {name: round(statistics.median(values), 3) for name, values in walls.items()}
        cpu_timings = {name: round(statistics.median(values), 3) for name, values in cpus.items()}
        report = {
            "shipments": counts["shipments"],
            "goods": counts["goods"],
            "tax_lines": counts["tax_lines"],
            "rejections": counts["rejections"],
            "generate_s": round(generate_s, 2),
            "export_s": round(export_s, 2),
            **timings,
            "total_s": round(sum(timings.values()), 3),
            "cpu_s": cpu_timings,
            "cpu_total_s": round(sum(cpu_timings.values()), 3),
            "repeat": max(1, args.repeat),
            "peak_rss_gib_generation": generate_gib,
            "peak_rss_gib_analyses": memory.gib,
            "polars": pl.__version__,
            "threads": pl.thread_pool_size(),
            # other work on the machine slows the timings down: the 1-minute load before and after them
            "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }
        print(json.dumps(report))
    finally:
        if not (args.keep or args.reuse):
            for name in TABLE_NAMES:
                (folder / f"{name}.parquet").unlink(missing_ok=True)
            if not args.out:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
