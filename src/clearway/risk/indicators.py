"""Risk indicators over a batch of shipments and their history: pure, vectorised with Polars.

The caller gathers the history (stored shipments, control outcomes, first sightings) once per batch;
nothing here reads a database. Every indicator is a number per shipment so that the model and the
analyst see the same thing.

Frames
------
``batch`` (one row per shipment): ``shipment_id`` str, ``lodged_at`` datetime (UTC), ``value_eur``
float, ``consignee_key`` str, ``departure_country`` / ``destination_country`` str, and the entity keys
``seller``, ``platform``, ``carrier``, ``declarant`` (str or null; TIN when filed, else the name key).

``items`` (one row per goods item): ``shipment_id``, ``hs6``, ``origin_country``, ``description``,
``unit_value_eur``.

``outcomes`` (one row per control result): ``at`` datetime, ``hit`` 0/1 (non-compliant) and the entity
keys of the controlled shipment (``seller``, ``platform``, ``carrier``, ``consignee``, ``declarant``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt
import polars as pl
from rapidfuzz import fuzz

from clearway.declarations.normalise import fold
from clearway.declarations.quality import is_vague_description
from clearway.reference import reference_unit_value
from clearway.reference.hs import hs_chapter, hs_heading, hs_subheading

ENTITY_ROLES = ("seller", "platform", "carrier", "consignee", "declarant")
NOVELTY_KEYS = ("seller", "consignee", "route")
# Numeric indicators, one column each in the frame `compute` returns (the model's shipment features).
INDICATORS: tuple[str, ...] = (
    "uv_log_ratio_min",
    "uv_z_min",
    "split_count",
    "split_total_eur",
    "split_flag",
    "address_count",
    "address_names",
    "description_words_min",
    "description_vague",
    "hs_similarity_min",
    *(f"risk_{r}" for r in ENTITY_ROLES),
    *(f"controls_{r}" for r in ENTITY_ROLES),
    *(f"new_{k}" for k in NOVELTY_KEYS),
)

# A robust z of a normal sample: MAD * 1.4826 estimates the standard deviation.
_MAD_TO_SD = 1.4826
# Prices of one product legitimately vary; a floor on the spread stops a tight group (every seller
# asking exactly the same price) from turning a cent's difference into a huge z.
_MIN_SPREAD = 0.1
_ID = "shipment_id"


@dataclass(frozen=True, slots=True)
class IndicatorSettings:
    split_window_hours: int = 72
    de_minimis_eur: float = 150.0
    # Entity risk: outcomes lose half their weight every `half_life_days`; the prior counts as
    # `prior_strength` controls at the global (decayed) hit rate, itself shrunk towards `prior_rate`.
    half_life_days: float = 30.0
    prior_strength: float = 5.0
    prior_rate: float = 0.05
    # Unit value reference from history only when a group has at least this many prices.
    min_reference_rows: int = 5


@dataclass(frozen=True, slots=True)
class UnitValueReference:
    """Median and MAD of log unit values per (HS6, origin) and per HS6, learned from stored items."""

    by_origin: pl.DataFrame  # hs6, origin_country, ref_median, ref_mad, ref_n
    by_hs6: pl.DataFrame  # hs6, ref_median, ref_mad, ref_n


def _empty_reference() -> UnitValueReference:
    return learn_unit_values(
        pl.DataFrame(schema={"hs6": pl.String, "origin_country": pl.String, "unit_value_eur": pl.Float64})
    )


@dataclass(frozen=True, slots=True)
class IndicatorContext:
    """History the indicators look at; every part may be empty."""

    reference: UnitValueReference = field(default_factory=_empty_reference)
    # Stored shipments in the split window before the batch: shipment_id, consignee_key, lodged_at,
    # value_eur (the batch's own rows are dropped if present).
    split_history: pl.DataFrame | None = None
    outcomes: pl.DataFrame | None = None
    # First stored sighting per key: kind ("seller" | "consignee" | "route"), key, first_at.
    first_seen: pl.DataFrame | None = None


def learn_unit_values(items: pl.DataFrame) -> UnitValueReference:
    """Robust reference prices: median and median absolute deviation of log unit value."""
    valid = items.filter(pl.col("unit_value_eur") > 0).with_columns(
        pl.col("unit_value_eur").log().alias("log_uv")
    )

    def robust(group: list[str]) -> pl.DataFrame:
        med = valid.group_by(group).agg(
            pl.col("log_uv").median().alias("ref_median"), pl.len().alias("ref_n")
        )
        return (
            valid.join(med, on=group)
            .group_by(group)
            .agg(
                pl.col("ref_median").first(),
                (pl.col("log_uv") - pl.col("ref_median")).abs().median().alias("ref_mad"),
                pl.col("ref_n").first().cast(pl.Int64),
            )
        )

    return UnitValueReference(robust(["hs6", "origin_country"]), robust(["hs6"]))


@cache
def _packaged_minimum(hs6: str) -> float | None:
    hit = reference_unit_value(hs6)
    return float(hit[1]) if hit else None


def unit_value_indicators(
    items: pl.DataFrame, reference: UnitValueReference, settings: IndicatorSettings
) -> pl.DataFrame:
    """Per item: log of unit value over the reference price, and its robust z.

    The reference is the historical median for the HS6 and origin, else for the HS6, else the packaged
    lowest plausible unit value (where the z is unknown and left at 0).
    """
    n = settings.min_reference_rows
    by_origin = reference.by_origin.filter(pl.col("ref_n") >= n)
    by_hs6 = reference.by_hs6.filter(pl.col("ref_n") >= n).rename(
        {"ref_median": "hs_median", "ref_mad": "hs_mad", "ref_n": "hs_n"}
    )
    packaged = pl.DataFrame(
        [(h, _packaged_minimum(h)) for h in items["hs6"].unique().to_list()],
        schema={"hs6": pl.String, "pkg_min": pl.Float64},
        orient="row",
    )
    joined = (
        items.join(by_origin, on=["hs6", "origin_country"], how="left")
        .join(by_hs6, on="hs6", how="left")
        .join(packaged, on="hs6", how="left")
    )
    log_uv = pl.col("unit_value_eur").clip(lower_bound=1e-6).log()
    median = pl.coalesce("ref_median", "hs_median")
    mad = pl.coalesce("ref_mad", "hs_mad")
    return joined.select(
        _ID,
        pl.when(median.is_not_null())
        .then(log_uv - median)
        .otherwise(log_uv - pl.col("pkg_min").log())
        .fill_null(0.0)
        .alias("uv_log_ratio"),
        pl.when(median.is_not_null())
        .then((log_uv - median) / pl.max_horizontal(mad * _MAD_TO_SD, pl.lit(_MIN_SPREAD)))
        .otherwise(0.0)
        .alias("uv_z"),
    )


def address_key(consignee_key: str) -> str:
    """The address part of a consignee key (country|postcode|line), without the name."""
    return consignee_key.rsplit("|", 1)[0]


def _window_totals(
    batch: pl.DataFrame, history: pl.DataFrame, key: str, window: pl.Expr, prefix: str
) -> pl.DataFrame:
    """Count and value of shipments under the same key in the window up to and including each one.

    Shipments at the same instant count in id order, so that the result never depends on row order.
    """
    columns = list(dict.fromkeys((_ID, key, "lodged_at", "value_eur", "consignee_key")))
    pool = pl.concat([history.select(columns), batch.select(columns)]).unique(subset=_ID, keep="last")
    left = batch.select(_ID, key, "lodged_at")
    pairs = left.join(pool, on=key, suffix="_o").filter(
        (pl.col("lodged_at_o") > pl.col("lodged_at") - window)
        & (
            (pl.col("lodged_at_o") < pl.col("lodged_at"))
            | ((pl.col("lodged_at_o") == pl.col("lodged_at")) & (pl.col(f"{_ID}_o") <= pl.col(_ID)))
        )
    )
    return pairs.group_by(_ID).agg(
        pl.len().cast(pl.Int64).alias(f"{prefix}_count"),
        pl.col("value_eur").sum().alias(f"{prefix}_total_eur"),
        pl.col("consignee_key").n_unique().cast(pl.Int64).alias(f"{prefix}_names"),
    )


def split_indicators(
    batch: pl.DataFrame, history: pl.DataFrame | None, settings: IndicatorSettings
) -> pl.DataFrame:
    """Split consignments: the same consignee (or the same address under other names) within the window.

    ``split_flag`` follows the R-SPLIT rule: an earlier consignment in the window, this one under the
    de minimis and the running total over it.
    """
    history = (
        history
        if history is not None
        else batch.clear().select(_ID, "consignee_key", "lodged_at", "value_eur")
    )
    with_address = [
        f.with_columns(
            # address_key, vectorised: drop the last "|name" part.
            pl.col("consignee_key").str.replace(r"\|[^|]*$", "").alias("address")
        )
        for f in (batch, history)
    ]
    window = pl.duration(hours=settings.split_window_hours)
    by_consignee = _window_totals(with_address[0], with_address[1], "consignee_key", window, "split")
    by_address = _window_totals(with_address[0], with_address[1], "address", window, "address")
    out = (
        batch.select(_ID, "value_eur")
        .join(by_consignee.drop("split_names"), on=_ID, how="left")
        .join(by_address.drop("address_total_eur"), on=_ID, how="left")
    )
    threshold = settings.de_minimis_eur
    return out.select(
        _ID,
        pl.col("split_count").fill_null(1),
        pl.col("split_total_eur").fill_null(pl.col("value_eur")),
        (
            (pl.col("split_count") > 1)
            & (pl.col("value_eur") <= threshold)
            & (pl.col("split_total_eur") > threshold)
        )
        .fill_null(False)
        .cast(pl.Int8)
        .alias("split_flag"),
        pl.col("address_count").fill_null(1),
        pl.col("address_names").fill_null(1),
    )


_PLURAL = re.compile(r"(?<=[a-z]{3})s\b")
_STOP = frozenset(
    {"of", "and", "or", "the", "a", "for", "with", "other", "n", "e", "s", "not", "in", "its", "than"}
)


def _words(text: str) -> str:
    return " ".join(w for w in _PLURAL.sub("", fold(text)).split() if w not in _STOP)


@cache
def hs_text(hs6: str) -> str:
    """Chapter, heading and subheading texts of an HS code: subheadings alone are often just "Other"."""
    parts = [e.description for e in (hs_chapter(hs6), hs_heading(hs6), hs_subheading(hs6)) if e is not None]
    return _words(" ".join(parts))


@lru_cache(maxsize=1 << 16)
def description_similarity(description: str, hs6: str) -> float:
    """How well a goods description fits the texts of its HS code, 0..1 (token-set similarity).

    Token-set similarity ignores word order and extra words, so "women's cotton T-shirt" fits
    "T-shirts, singlets ... of cotton" while "phone case" does not fit "footwear".
    """
    reference = hs_text(hs6)
    if not reference:
        return 0.0
    return fuzz.token_set_ratio(_words(description), reference) / 100.0


@lru_cache(maxsize=1 << 16)
def _vague(description: str) -> int:
    return int(is_vague_description(description))


def description_indicators(items: pl.DataFrame) -> pl.DataFrame:
    """Per item: words in the description, vague or not, similarity to its HS texts."""
    descriptions = items["description"].to_list()
    # Both functions are cached: descriptions and HS codes repeat across items and batches.
    similarity = [
        None if d is None or h is None else description_similarity(d, h)
        for d, h in zip(descriptions, items["hs6"].to_list(), strict=True)
    ]
    vague = [None if d is None else _vague(d) for d in descriptions]
    return items.select(
        _ID,
        "description",
        "hs6",
        pl.Series("hs_similarity", similarity, dtype=pl.Float64),
        pl.Series("vague", vague, dtype=pl.Int8),
        pl.col("description").str.split(" ").list.len().cast(pl.Int64).alias("words"),
    )


def _decay_rate(settings: IndicatorSettings) -> float:
    return math.log(2) / (settings.half_life_days * 86400.0)


def _decayed_before(
    batch: pl.DataFrame, outcomes: pl.DataFrame, key: str | None, anchor: float, rate: float
) -> pl.DataFrame:
    """Decayed sums of hits and controls strictly before each shipment's filing time.

    Each outcome carries weight exp(rate * (t_outcome - anchor)); a running sum per key taken at the
    last outcome before the filing time t (as-of join, exact matches excluded), times
    exp(rate * (anchor - t)), is Σ hit * exp(-rate * (t - t_outcome)) over outcomes before t only.
    """
    by = [key] if key else []
    seconds = pl.col("at").dt.epoch("ms").cast(pl.Float64) / 1000.0
    weight = ((seconds - anchor) * rate).clip(-700.0, 700.0).exp()
    o = outcomes.filter(pl.col(key).is_not_null()) if key else outcomes
    o = (
        o.sort("at")
        .with_columns((pl.col("hit") * weight).alias("w_hit"), weight.alias("w_n"))
        .with_columns(
            pl.col("w_hit").cum_sum().over(by) if by else pl.col("w_hit").cum_sum(),
            pl.col("w_n").cum_sum().over(by) if by else pl.col("w_n").cum_sum(),
        )
        .select(*by, "at", "w_hit", "w_n")
    )
    left = batch.select(_ID, "lodged_at", *([pl.col(key)] if key else [])).sort("lodged_at")
    if key:
        left = left.filter(pl.col(key).is_not_null())
    joined = left.join_asof(
        o,
        left_on="lodged_at",
        right_on="at",
        by=key,
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    back = (
        ((anchor - pl.col("lodged_at").dt.epoch("ms").cast(pl.Float64) / 1000.0) * rate)
        .clip(-700.0, 700.0)
        .exp()
    )
    return joined.select(
        _ID,
        (pl.col("w_hit").fill_null(0.0) * back).alias("hits"),
        (pl.col("w_n").fill_null(0.0) * back).alias("controls"),
    )


def entity_risk(
    batch: pl.DataFrame, outcomes: pl.DataFrame | None, settings: IndicatorSettings
) -> pl.DataFrame:
    """Smoothed, time-decayed hit rate per entity role, from outcomes recorded before the filing time.

    risk = (decayed hits + m * p0) / (decayed controls + m), with p0 the global decayed hit rate before
    the filing time (itself shrunk towards ``prior_rate``) and m = ``prior_strength``: an entity with
    no history gets the prior, one with many controls its own rate.
    """
    keyed = batch.with_columns(pl.col("consignee_key").alias("consignee"))
    base = keyed.select(_ID)
    m = settings.prior_strength
    if outcomes is None or outcomes.height == 0:
        return base.with_columns(
            *(pl.lit(settings.prior_rate).alias(f"risk_{r}") for r in ENTITY_ROLES),
            *(pl.lit(0.0).alias(f"controls_{r}") for r in ENTITY_ROLES),
        )
    rate = _decay_rate(settings)
    anchor = keyed["lodged_at"].max().timestamp()  # type: ignore[union-attr]
    hits, controls = _decayed_before_roles(keyed, outcomes, anchor, rate)
    p0 = (hits[0] + m * settings.prior_rate) / (controls[0] + m)
    columns: list[pl.Series] = []
    for k, role in enumerate(ENTITY_ROLES, start=1):
        columns.append(pl.Series(f"risk_{role}", (hits[k] + m * p0) / (controls[k] + m)))
        columns.append(pl.Series(f"controls_{role}", controls[k]))
    return base.with_columns(columns)


def _decayed_before_roles(
    keyed: pl.DataFrame, outcomes: pl.DataFrame, anchor: float, rate: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """`_decayed_before` for every outcome (row 0) and every entity role (rows 1..) in one pass.

    The roles are stacked into one long frame keyed by (role, entity key), so that one sort, one
    running sum and one as-of join serve all of them; a shipment without a key for a role gets 0.
    """
    blocks = 1 + len(ENTITY_ROLES)  # first every outcome, under one constant key, then each role
    n = keyed.height

    def stacked(frame: pl.DataFrame, *index: str) -> pl.DataFrame:
        """(_row, *index, _role, _key), one block per role: row k * n + i is row i under block k."""
        return (
            frame.select(*index, pl.lit("").alias("_all"), *(pl.col(r).cast(pl.String) for r in ENTITY_ROLES))
            .unpivot(on=["_all", *ENTITY_ROLES], index=list(index), variable_name="_role", value_name="_key")
            .with_row_index("_row")
            .filter(pl.col("_key").is_not_null())
        )

    seconds = pl.col("at").dt.epoch("ms").cast(pl.Float64) / 1000.0
    weight = ((seconds - anchor) * rate).clip(-700.0, 700.0).exp()
    by = ["_role", "_key"]
    o = (
        stacked(outcomes, "at", "hit")
        .sort("at")
        .with_columns((pl.col("hit") * weight).alias("w_hit"), weight.alias("w_n"))
        .with_columns(pl.col("w_hit").cum_sum().over(by), pl.col("w_n").cum_sum().over(by))
        .select(*by, "at", "w_hit", "w_n")
    )
    left = stacked(keyed, "lodged_at")
    joined = left.sort("lodged_at").join_asof(
        o,
        left_on="lodged_at",
        right_on="at",
        by=by,
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    back = (
        ((anchor - pl.col("lodged_at").dt.epoch("ms").cast(pl.Float64) / 1000.0) * rate)
        .clip(-700.0, 700.0)
        .exp()
    )
    values = joined.select(
        "_row",
        (pl.col("w_hit").fill_null(0.0) * back).alias("hits"),
        (pl.col("w_n").fill_null(0.0) * back).alias("controls"),
    )
    at = values["_row"].to_numpy()
    hits = np.zeros(blocks * n)
    controls = np.zeros(blocks * n)
    hits[at] = values["hits"].to_numpy()
    controls[at] = values["controls"].to_numpy()
    return hits.reshape(blocks, n), controls.reshape(blocks, n)


def route_key(departure: str, destination: str) -> str:
    return f"{departure}>{destination}"


def novelty(batch: pl.DataFrame, first_seen: pl.DataFrame | None) -> pl.DataFrame:
    """1 for the first shipment of a seller or a consignee, or on a route (departure → destination).

    "First" counts the stored history (first sighting per key) and earlier shipments of the batch.
    """
    keyed = batch.with_columns(
        pl.col("consignee_key").alias("consignee"),
        (pl.col("departure_country") + pl.lit(">") + pl.col("destination_country")).alias("route"),
    )
    seen = (
        first_seen
        if first_seen is not None
        else pl.DataFrame(schema={"kind": pl.String, "key": pl.String, "first_at": keyed.schema["lodged_at"]})
    )
    # The three kinds stacked, one block of the batch's rows each: one rank, one join for all.
    stacked = pl.concat(
        [
            keyed.lazy().select(
                pl.lit(kind).alias("kind"), pl.col(kind).cast(pl.String).alias("key"), _ID, "lodged_at"
            )
            for kind in NOVELTY_KEYS
        ]
    )
    flags = (
        stacked.with_columns(
            # Earliest in the batch under the same key, ties broken by id.
            (pl.struct("lodged_at", _ID).rank("ordinal").over("kind", "key") == 1).alias("first_in_batch")
        )
        .join(
            seen.lazy().select("kind", "key", "first_at"),
            on=["kind", "key"],
            how="left",
            maintain_order="left",
        )
        .select(
            (
                pl.col("key").is_not_null()
                & pl.col("first_in_batch")
                & (pl.col("first_at").is_null() | (pl.col("first_at") >= pl.col("lodged_at")))
            ).cast(pl.Int8)
        )
        .collect()
        .to_series()
    )
    n = keyed.height
    return keyed.select(_ID).with_columns(
        flags.slice(k * n, n).alias(f"new_{kind}") for k, kind in enumerate(NOVELTY_KEYS)
    )


def compute(
    batch: pl.DataFrame,
    items: pl.DataFrame,
    context: IndicatorContext,
    settings: IndicatorSettings = IndicatorSettings(),
) -> pl.DataFrame:
    """Every indicator, one row per shipment of ``batch`` in its order."""
    uv = unit_value_indicators(items, context.reference, settings)
    desc = description_indicators(items)
    item_level = (
        uv.group_by(_ID)
        .agg(pl.col("uv_log_ratio").min().alias("uv_log_ratio_min"), pl.col("uv_z").min().alias("uv_z_min"))
        .join(
            desc.group_by(_ID).agg(
                pl.col("words").min().alias("description_words_min"),
                pl.col("vague").max().alias("description_vague"),
                pl.col("hs_similarity").min().alias("hs_similarity_min"),
            ),
            on=_ID,
            how="full",
            coalesce=True,
        )
    )
    parts: Iterable[pl.DataFrame] = (
        item_level,
        split_indicators(batch, context.split_history, settings),
        entity_risk(batch, context.outcomes, settings),
        novelty(batch, context.first_seen),
    )
    out = batch.select(_ID)
    for part in parts:
        out = out.join(part, on=_ID, how="left", maintain_order="left")
    return out.select(
        _ID,
        *(pl.col(c).cast(pl.Float64).fill_null(0.0) for c in INDICATORS),
    )
