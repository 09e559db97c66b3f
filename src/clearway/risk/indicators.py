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
from dataclasses import dataclass, field
from functools import cache, lru_cache

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


# How `compute` runs
# ------------------
# Each group of indicators is a lazy query over the batch rows (keyed by `_ROW`, the row's position)
# or over the items, and `compute` joins them into one query that it collects once, on the in-memory
# engine. Polars has a fixed cost per eager operation (plan, optimise, run: a few hundred µs), which
# was most of the time when every step ran on its own; the streaming engine, the default for lazy
# queries, costs more than the work itself on frames of a batch. Python work is done once per
# distinct value (description, HS code), and the control outcomes are prepared once per outcomes frame.

_ROW = "_i"


def _collect(query: pl.LazyFrame) -> pl.DataFrame:
    """Run a query on the in-memory engine: the streaming one costs more than a batch's work."""
    return query.collect(engine="in-memory")


def _rows(batch: pl.DataFrame) -> pl.LazyFrame:
    """The batch with each row's position, `_ROW`."""
    return batch.lazy().with_row_index(_ROW)


def _join_rows(out: pl.LazyFrame, part: pl.LazyFrame | None) -> pl.LazyFrame:
    """``out`` in its order with the columns that ``part`` has for the same batch rows."""
    return out if part is None else out.join(part, on=_ROW, how="left", maintain_order="left")


# Unit value and description ------------------------------------------------------------------------

_ITEM_KEYS = ["description", "hs6", "origin_country"]
_Facts = tuple[float | None, int | None, int | None, float | None]


@lru_cache(maxsize=1 << 16)
def _item_facts(description: str | None, hs6: str | None) -> _Facts:
    """What Python computes for a description under an HS6: its similarity to the HS texts, vague or
    not, its words (split on single spaces, as ``str.split(" ")`` counts) and the packaged minimum unit
    value of the HS6."""
    minimum = None if hs6 is None else _packaged_minimum(hs6)
    if description is None:
        return None, None, None, minimum
    return (
        None if hs6 is None else description_similarity(description, hs6),
        _vague(description),
        len(description.split(" ")),
        minimum,
    )


def _item_table(
    items: pl.DataFrame, reference: UnitValueReference, settings: IndicatorSettings
) -> pl.LazyFrame:
    """One row per distinct (description, HS6, origin) of the items, with its `_item_facts` and the
    reference prices for the HS6 and origin (``ref_*``) and for the HS6 (``hs_*``).

    Descriptions and codes repeat across items (and batches: `_item_facts` is cached), so the Python
    functions and the reference look-ups run once per distinct value, not once per item.
    """
    distinct = _collect(items.lazy().select(_ITEM_KEYS).unique())
    facts = [
        _item_facts(d, h)
        for d, h in zip(distinct["description"].to_list(), distinct["hs6"].to_list(), strict=True)
    ]
    similarity, vague, words, minimum = zip(*facts, strict=True) if facts else ((), (), (), ())
    n = settings.min_reference_rows
    by_origin = reference.by_origin.lazy().filter(pl.col("ref_n") >= n).drop("ref_n")
    by_hs6 = (
        reference.by_hs6.lazy()
        .filter(pl.col("ref_n") >= n)
        .select("hs6", pl.col("ref_median").alias("hs_median"), pl.col("ref_mad").alias("hs_mad"))
    )
    table = distinct.hstack(
        [
            pl.Series("hs_similarity", similarity, dtype=pl.Float64),
            pl.Series("vague", vague, dtype=pl.Int8),
            pl.Series("words", words, dtype=pl.Int64),
            pl.Series("pkg_min", minimum, dtype=pl.Float64),
        ]
    )
    return (
        table.lazy()
        .join(by_origin, on=["hs6", "origin_country"], how="left")
        .join(by_hs6, on="hs6", how="left")
    )


_LOG_UV = pl.col("unit_value_eur").clip(lower_bound=1e-6).log()
_MEDIAN = pl.coalesce("ref_median", "hs_median")
_MAD = pl.coalesce("ref_mad", "hs_mad")
_UNIT_VALUE = (
    pl.when(_MEDIAN.is_not_null())
    .then(_LOG_UV - _MEDIAN)
    .otherwise(_LOG_UV - pl.col("pkg_min").log())
    .fill_null(0.0)
    .alias("uv_log_ratio"),
    pl.when(_MEDIAN.is_not_null())
    .then((_LOG_UV - _MEDIAN) / pl.max_horizontal(_MAD * _MAD_TO_SD, pl.lit(_MIN_SPREAD)))
    .otherwise(0.0)
    .alias("uv_z"),
)


def _item_rows(
    items: pl.DataFrame, reference: UnitValueReference, settings: IndicatorSettings
) -> pl.LazyFrame:
    """The items in their order with their `_item_table` row, ``uv_log_ratio`` and ``uv_z``."""
    return (
        items.lazy()
        .join(
            _item_table(items, reference, settings),
            on=_ITEM_KEYS,
            how="left",
            nulls_equal=True,  # an item without a description or an origin has its row too
            maintain_order="left",
        )
        .with_columns(_UNIT_VALUE)
    )


def unit_value_indicators(
    items: pl.DataFrame, reference: UnitValueReference, settings: IndicatorSettings
) -> pl.DataFrame:
    """Per item: log of unit value over the reference price, and its robust z.

    The reference is the historical median for the HS6 and origin, else for the HS6, else the packaged
    lowest plausible unit value (where the z is unknown and left at 0).
    """
    return _collect(_item_rows(items, reference, settings).select(_ID, "uv_log_ratio", "uv_z"))


def _item_level(
    items: pl.DataFrame, reference: UnitValueReference, settings: IndicatorSettings
) -> pl.LazyFrame:
    """Per shipment with items: its worst item's unit value and description indicators."""
    return (
        _item_rows(items, reference, settings)
        .group_by(_ID)
        .agg(
            pl.col("uv_log_ratio").min().alias("uv_log_ratio_min"),
            pl.col("uv_z").min().alias("uv_z_min"),
            pl.col("words").min().alias("description_words_min"),
            pl.col("vague").max().alias("description_vague"),
            pl.col("hs_similarity").min().alias("hs_similarity_min"),
        )
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
    return _collect(
        _item_rows(items, _no_reference(), IndicatorSettings()).select(
            _ID, "description", "hs6", "hs_similarity", "vague", "words"
        )
    )


@cache
def _no_reference() -> UnitValueReference:
    return _empty_reference()


# Split consignments --------------------------------------------------------------------------------


def address_key(consignee_key: str) -> str:
    """The address part of a consignee key (country|postcode|line), without the name."""
    return consignee_key.rsplit("|", 1)[0]


# address_key, vectorised: drop the last "|name" part.
_ADDRESS = pl.col("consignee_key").str.replace(r"\|[^|]*$", "").alias("address")


def _split_totals(
    rows: pl.LazyFrame, history: pl.DataFrame | None, settings: IndicatorSettings
) -> pl.LazyFrame:
    """Per batch row with an address: count, value and consignee names of the shipments to the same
    consignee (``split_*``) and to the same address (``address_*``) in the window up to and including it.

    One join on the address serves both, as the same consignee key implies the same address. Shipments
    at the same instant count in id order, so that the result never depends on row order.
    """
    columns = [_ID, "consignee_key", "lodged_at", "value_eur"]
    own = rows.select(_ROW, *columns, _ADDRESS)
    # Ids are unique in a batch; history may repeat one of the batch's, whose batch row then counts.
    pool = (
        own.drop(_ROW)
        if history is None
        else pl.concat([history.lazy().select(*columns, _ADDRESS), own.drop(_ROW)]).unique(
            subset=_ID, keep="last"
        )
    )
    window = pl.duration(hours=settings.split_window_hours)
    pairs = (
        own.drop("value_eur")
        .join(pool, on="address", suffix="_o")
        .filter(
            (pl.col("lodged_at_o") > pl.col("lodged_at") - window)
            & (
                (pl.col("lodged_at_o") < pl.col("lodged_at"))
                | ((pl.col("lodged_at_o") == pl.col("lodged_at")) & (pl.col(f"{_ID}_o") <= pl.col(_ID)))
            )
        )
    )
    same = pl.col("consignee_key_o") == pl.col("consignee_key")
    return pairs.group_by(_ROW).agg(
        same.sum().cast(pl.Int64).alias("split_count"),
        pl.col("value_eur").filter(same).sum().alias("split_total_eur"),
        pl.len().cast(pl.Int64).alias("address_count"),
        pl.col("consignee_key_o").n_unique().cast(pl.Int64).alias("address_names"),
    )


@lru_cache(maxsize=16)
def _split_columns(settings: IndicatorSettings) -> tuple[pl.Expr, ...]:
    """The split indicators of a batch row with its `_split_totals` (the shipment alone without)."""
    threshold = settings.de_minimis_eur
    return (
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


def split_indicators(
    batch: pl.DataFrame, history: pl.DataFrame | None, settings: IndicatorSettings
) -> pl.DataFrame:
    """Split consignments: the same consignee (or the same address under other names) within the window.

    ``split_flag`` follows the R-SPLIT rule: an earlier consignment in the window, this one under the
    de minimis and the running total over it.
    """
    rows = _rows(batch)
    return _collect(
        _join_rows(rows, _split_totals(rows, history, settings)).select(_ID, *_split_columns(settings))
    )


# Entity risk ---------------------------------------------------------------------------------------


def _decay_rate(settings: IndicatorSettings) -> float:
    return math.log(2) / (settings.half_life_days * 86400.0)


def _seconds(column: str) -> pl.Expr:
    return pl.col(column).dt.epoch("ms").cast(pl.Float64) / 1000.0


# Blocks of entity keys: every outcome under one key (the global rate), then each entity role.
_OUTCOME_KEYS: dict[str, pl.Expr] = {
    "_all": pl.lit(""),
    **{r: pl.col(r).cast(pl.String) for r in ENTITY_ROLES},
}
# The same keys of a batch row, whose consignee is its consignee key.
_BATCH_KEYS: dict[str, pl.Expr] = {**_OUTCOME_KEYS, "consignee": pl.col("consignee_key").cast(pl.String)}
_BLOCKS = tuple(_OUTCOME_KEYS)


@dataclass(frozen=True, slots=True)
class _DecayedOutcomes:
    """Control outcomes as running sums, per block of `_OUTCOME_KEYS` and entity key.

    Each outcome carries weight exp(rate * (t_outcome - anchor)); a block's frame holds, in time order,
    the running sums of hit * weight and of weight per key. The running sum at the last outcome before
    a filing time t, times exp(rate * (anchor - t)), is Σ hit * exp(-rate * (t - t_outcome)) over the
    outcomes before t only. The anchor is the latest outcome, so that no weight exceeds 1; with the
    batch's latest filing time as the anchor the sums differ only by rounding (about 1e-15 relative).
    """

    source: pl.DataFrame  # the outcomes summed, held so that its id is not reused while cached
    height: int
    rate: float
    anchor: float
    # Per block: _key_<block>, _at_<block>, _w_hits_<block>, _w_controls_<block>, sorted by time.
    blocks: dict[str, pl.DataFrame]


# The outcomes of the last call: callers keep one outcomes frame across batches (the pipeline until
# new results arrive, when it builds a new frame), and sorting and summing it cost more than a batch's
# look-ups. Replaced whole, so that threads never see it half-built.
_last_outcomes: _DecayedOutcomes | None = None


def _decayed_outcomes(outcomes: pl.DataFrame, rate: float) -> _DecayedOutcomes:
    """The running sums of the outcomes, reused while the same frame comes back.

    "The same" is the same object with the same height: Polars frames change only through in-place
    methods (``extend``, ``insert_column``...), which nothing applies to an outcomes frame.
    """
    global _last_outcomes
    cached = _last_outcomes
    if (
        cached is not None
        and cached.source is outcomes
        and (cached.height, cached.rate) == (outcomes.height, rate)
    ):
        return cached
    latest = outcomes.select(_seconds("at").max()).item()
    anchor = float(latest) if latest is not None else 0.0
    weight = ((_seconds("at") - anchor) * rate).clip(-700.0, 700.0).exp()
    by = ["_block", "_key"]
    stacked = _collect(
        outcomes.lazy()
        .select("at", "hit", *(key.alias(block) for block, key in _OUTCOME_KEYS.items()))
        .unpivot(on=list(_BLOCKS), index=["at", "hit"], variable_name="_block", value_name="_key")
        .filter(pl.col("_key").is_not_null())
        .sort("at")
        .with_columns((pl.col("hit") * weight).alias("w_hit"), weight.alias("w_n"))
        .select(*by, "at", pl.col("w_hit").cum_sum().over(by), pl.col("w_n").cum_sum().over(by))
    )
    parts = stacked.partition_by("_block", as_dict=True, include_key=False, maintain_order=True)
    empty = stacked.clear().drop("_block")
    blocks = {
        b: parts.get((b,), empty).rename(
            {"_key": f"_key_{b}", "at": f"_at_{b}", "w_hit": f"_w_hits_{b}", "w_n": f"_w_controls_{b}"}
        )
        for b in _BLOCKS
    }
    _last_outcomes = _DecayedOutcomes(outcomes, outcomes.height, rate, anchor, blocks)
    return _last_outcomes


def _risk_sums(
    rows: pl.LazyFrame, batch: pl.DataFrame, outcomes: pl.DataFrame | None, settings: IndicatorSettings
) -> pl.LazyFrame | None:
    """Per batch row, the decayed sums of hits (``_hits_<block>``) and controls (``_controls_<block>``)
    from outcomes strictly before its filing time; None without any outcome (entities get the prior).

    One as-of join per block, on a frame of the keys alone (each join carries every column along).
    """
    if outcomes is None or not _has_history(batch, outcomes):
        return None
    rate = _decay_rate(settings)
    decayed = _decayed_outcomes(outcomes, rate)
    out = rows.select(_ROW, "lodged_at", *(key.alias(f"_key_{b}") for b, key in _BATCH_KEYS.items())).sort(
        "lodged_at"
    )
    for block, frame in decayed.blocks.items():
        out = out.join_asof(
            frame.lazy(),
            left_on="lodged_at",
            right_on=f"_at_{block}",
            by=f"_key_{block}",
            strategy="backward",
            allow_exact_matches=False,  # an outcome at the very filing time is not known yet
            check_sortedness=False,
        )
    back = ((decayed.anchor - _seconds("lodged_at")) * rate).clip(-700.0, 700.0).exp()
    return out.select(
        _ROW,
        *(
            (pl.col(f"_w_{kind}_{b}").fill_null(0.0) * back).alias(f"_{kind}_{b}")
            for b in _BLOCKS
            for kind in ("hits", "controls")
        ),
    )


def _has_history(batch: pl.DataFrame, outcomes: pl.DataFrame | None) -> bool:
    return outcomes is not None and outcomes.height > 0 and batch.height > 0


@lru_cache(maxsize=16)
def _risk_columns(settings: IndicatorSettings, with_history: bool) -> tuple[pl.Expr, ...]:
    """risk_* and controls_* of a batch row with its `_risk_sums` (the prior without history)."""
    if not with_history:
        return (
            *(pl.lit(settings.prior_rate).alias(f"risk_{r}") for r in ENTITY_ROLES),
            *(pl.lit(0.0).alias(f"controls_{r}") for r in ENTITY_ROLES),
        )
    m = settings.prior_strength
    p0 = (pl.col("_hits__all") + m * settings.prior_rate) / (pl.col("_controls__all") + m)
    columns: list[pl.Expr] = []
    for role in ENTITY_ROLES:
        hits, controls = pl.col(f"_hits_{role}"), pl.col(f"_controls_{role}")
        columns.append(((hits + m * p0) / (controls + m)).alias(f"risk_{role}"))
        columns.append(controls.alias(f"controls_{role}"))
    return tuple(columns)


def entity_risk(
    batch: pl.DataFrame, outcomes: pl.DataFrame | None, settings: IndicatorSettings
) -> pl.DataFrame:
    """Smoothed, time-decayed hit rate per entity role, from outcomes recorded before the filing time.

    risk = (decayed hits + m * p0) / (decayed controls + m), with p0 the global decayed hit rate before
    the filing time (itself shrunk towards ``prior_rate``) and m = ``prior_strength``: an entity with
    no history gets the prior, one with many controls its own rate.
    """
    rows = _rows(batch)
    return _collect(
        _join_rows(rows, _risk_sums(rows, batch, outcomes, settings)).select(
            _ID, *_risk_columns(settings, _has_history(batch, outcomes))
        )
    )


# Novelty -------------------------------------------------------------------------------------------


def route_key(departure: str, destination: str) -> str:
    """The novelty key of a route, as `_NOVELTY_KEYS` builds it over a frame."""
    return f"{departure}>{destination}"


_NOVELTY_KEYS: dict[str, pl.Expr] = {
    "seller": pl.col("seller").cast(pl.String),
    "consignee": pl.col("consignee_key"),
    "route": pl.col("departure_country") + pl.lit(">") + pl.col("destination_country"),
}
# Filing order, ties broken by id; and where each row stands in it.
_ORDER = pl.arg_sort_by("lodged_at", _ID, maintain_order=True)
_PLACE = _ORDER.arg_sort()


def _novelty_columns(rows: pl.LazyFrame, first_seen: pl.DataFrame | None) -> pl.LazyFrame:
    """The batch rows with ``new_seller``, ``new_consignee`` and ``new_route``.

    "First" counts the stored history (first sighting per key) and earlier shipments of the batch: a
    row is the batch's first under its key when the key is first distinct in filing order.
    """
    out = rows.with_columns(
        *(key.alias(f"_key_{kind}") for kind, key in _NOVELTY_KEYS.items()),
        *(
            key.gather(_ORDER).is_first_distinct().gather(_PLACE).alias(f"_first_{kind}")
            for kind, key in _NOVELTY_KEYS.items()
        ),
    )
    unseen = {kind: pl.lit(True) for kind in NOVELTY_KEYS}
    if first_seen is not None:
        seen = first_seen.lazy()
        for kind in NOVELTY_KEYS:
            out = out.join(
                seen.filter(pl.col("kind") == kind).select(
                    pl.col("key").alias(f"_key_{kind}"), pl.col("first_at").alias(f"_seen_{kind}")
                ),
                on=f"_key_{kind}",
                how="left",
                maintain_order="left",
            )
            at = pl.col(f"_seen_{kind}")
            unseen[kind] = at.is_null() | (at >= pl.col("lodged_at"))
    return out.with_columns(
        (pl.col(f"_key_{kind}").is_not_null() & pl.col(f"_first_{kind}") & unseen[kind])
        .cast(pl.Int8)
        .alias(f"new_{kind}")
        for kind in NOVELTY_KEYS
    )


def novelty(batch: pl.DataFrame, first_seen: pl.DataFrame | None) -> pl.DataFrame:
    """1 for the first shipment of a seller or a consignee, or on a route (departure → destination).

    "First" counts the stored history (first sighting per key) and earlier shipments of the batch.
    """
    return _collect(
        _novelty_columns(_rows(batch), first_seen).select(_ID, *(f"new_{k}" for k in NOVELTY_KEYS))
    )


# Every indicator -----------------------------------------------------------------------------------

_OUTPUT = tuple(pl.col(c).cast(pl.Float64).fill_null(0.0) for c in INDICATORS)


def compute(
    batch: pl.DataFrame,
    items: pl.DataFrame,
    context: IndicatorContext,
    settings: IndicatorSettings = IndicatorSettings(),
) -> pl.DataFrame:
    """Every indicator, one row per shipment of ``batch`` in its order."""
    rows = _rows(batch)
    out = _novelty_columns(rows, context.first_seen).join(
        _item_level(items, context.reference, settings), on=_ID, how="left", maintain_order="left"
    )
    out = _join_rows(out, _split_totals(rows, context.split_history, settings))
    out = _join_rows(out, _risk_sums(rows, batch, context.outcomes, settings))
    return _collect(
        out.with_columns(
            *_split_columns(settings), *_risk_columns(settings, _has_history(batch, context.outcomes))
        ).select(_ID, *_OUTPUT)
    )
