"""Model scoring of stored shipments: indicator features, the active `shipments` model, stored scores.

The pipeline calls `score_stored` once per batch, inside the batch's transaction, after the rows are
written: the features come from the batch in memory, built as the reader retraining uses builds them
(`history.from_assessed`), so a model sees at scoring time exactly what it was trained on. Per
process the model is loaded once per version, control outcomes are read incrementally, and the unit
value reference is relearned at most every `REFERENCE_TTL`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy import Connection, Engine, select

from clearway.kit.bulk import RawJson, insert_rows
from clearway.risk import history
from clearway.risk.indicators import (
    ENTITY_ROLES,
    INDICATORS,
    IndicatorContext,
    IndicatorSettings,
    UnitValueReference,
    compute,
)
from clearway.risk.tables import decision_scores

if TYPE_CHECKING:  # the model package (LightGBM) loads only when a model is used
    from clearway.risk.model.gbdt import FeatureSpec, ModelArtifact

KIND = "shipments"
TOP = 5
ACTIVE_TTL = 30.0  # seconds between checks for a newly activated model
REFERENCE_TTL = 3600.0

LABELS: dict[str, str] = {
    "log_value_eur": "declared value (log EUR)",
    "items": "goods items",
    "uv_log_ratio_min": "unit value vs reference (log ratio, lowest item)",
    "uv_z_min": "unit value robust z (lowest item)",
    "split_count": "consignments to the consignee in the window",
    "split_total_eur": "value to the consignee in the window (EUR)",
    "split_flag": "split consignment over the de minimis",
    "address_count": "consignments to the address in the window",
    "address_names": "consignee names at the address in the window",
    "description_words_min": "words in the shortest description",
    "description_vague": "vague description",
    "hs_similarity_min": "description fits the HS text (lowest item)",
    **{f"risk_{r}": f"{r} hit rate (smoothed, decayed)" for r in ENTITY_ROLES},
    **{f"controls_{r}": f"{r} past controls (decayed)" for r in ENTITY_ROLES},
    "new_seller": "first shipment of the seller",
    "new_consignee": "first shipment to the consignee",
    "new_route": "new route (departure to destination)",
    "departure_country": "departure country",
    "transport_mode": "transport mode",
    "channel": "channel",
    "hs2": "HS chapter (first item)",
}
NUMERIC = ("log_value_eur", "items", *INDICATORS)
CATEGORICAL = ("departure_country", "transport_mode", "channel", "hs2")


def feature_spec() -> FeatureSpec:
    from clearway.risk.model.gbdt import FeatureSpec

    return FeatureSpec(numeric=NUMERIC, categorical=CATEGORICAL, labels=LABELS)


def features(stored: history.Stored, context: IndicatorContext, settings: IndicatorSettings) -> pl.DataFrame:
    """The model's input: shipment attributes and every indicator, one row per stored shipment."""
    indicators = compute(stored.batch, stored.items, context, settings)  # in the batch's order
    return stored.batch.with_columns(
        pl.col("value_eur").clip(lower_bound=0.01).log().alias("log_value_eur"),
        pl.col("items").cast(pl.Float64),
    ).hstack(indicators.drop("shipment_id"))


@dataclass(slots=True)
class _ProcessState:
    """What one process keeps between batches, per database."""

    artifact: ModelArtifact | None = None
    checked_at: float = -1e18
    outcomes: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=history.OUTCOME_SCHEMA))
    last_event_id: int = 0
    reference: UnitValueReference | None = None
    reference_at: float = -1e18
    routes: dict[str, dt.datetime] = field(default_factory=dict)
    sellers: dict[str, dt.datetime] = field(default_factory=dict)
    # API batches run in a thread pool: one refresh of the shared history at a time.
    lock: threading.Lock = field(default_factory=threading.Lock)


_STATE: dict[str, _ProcessState] = {}
_LOCK = threading.Lock()


def _state(engine: Engine) -> _ProcessState:
    key = engine.url.render_as_string(hide_password=True)
    with _LOCK:
        return _STATE.setdefault(key, _ProcessState())


def reset_cache() -> None:
    """Forget cached models and history (tests; after a model is activated elsewhere in the process)."""
    with _LOCK:
        _STATE.clear()


def active_model(conn: Connection) -> ModelArtifact | None:
    """The active `shipments` model, looked up at most every ACTIVE_TTL seconds, on the caller's
    connection: a batch never needs a second one from the pool (at 16 concurrent requests a second
    checkout starved the pool while the first held SQLite's write lock)."""
    state = _state(conn.engine)
    now = time.monotonic()
    if now - state.checked_at >= ACTIVE_TTL:
        try:
            from clearway.risk.model import registry
        except ImportError:  # no model registry in this installation: rules only
            state.checked_at = now
            return None
        # The registry's interface has no cheaper "which version" call; a model is small and this
        # runs at most every ACTIVE_TTL seconds.
        found = registry.active_on(conn, KIND)
        if found is None or state.artifact is None or state.artifact.version != found.version:
            state.artifact = found
        state.checked_at = now
    return state.artifact


@dataclass(frozen=True, slots=True)
class ScoredBatch:
    """Model scores of a batch: per shipment its score and its `TOP` contributions to the log-odds, as
    arrays (rows x TOP indices into `features`, and values), largest magnitude first."""

    shipment_ids: list[str]
    scores: npt.NDArray[np.float64]
    features: list[str]  # readable labels
    top: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.shipment_ids)

    def stored_contributions(self) -> list[RawJson]:
        """Per shipment, the JSON document stored: ``[[feature label, value], ...]``, values to 6
        decimals. Written by Polars for the whole batch at once: no Python list per shipment, and the
        database layer writes the text as it is."""
        if not len(self):
            return []
        labels = pl.Series([json.dumps(name) for name in self.features], dtype=pl.String)
        columns = range(self.top.shape[1])
        frame = pl.DataFrame(
            {
                **{f"n{k}": pl.Series(self.top[:, k], dtype=pl.Int64) for k in columns},
                **{f"v{k}": pl.Series(self.values[:, k], dtype=pl.Float64) for k in columns},
            }
        )
        pairs = [
            pl.concat_str(
                pl.lit("["),
                pl.lit(labels).gather(pl.col(f"n{k}")),
                pl.lit(","),
                pl.col(f"v{k}").round(6).cast(pl.String),
                pl.lit("]"),
            )
            for k in columns
        ]
        # One query for the batch (eager Series methods would each run one), on the in-memory engine.
        text = (
            frame.lazy()
            .select(pl.concat_str(pl.lit("["), pl.concat_str(pairs, separator=","), pl.lit("]")))
            .collect(engine="in-memory")
        )
        return [RawJson(t) for t in text.to_series()]


def score_frame(artifact: ModelArtifact, frame: pl.DataFrame, *, exact: bool = False) -> ScoredBatch:
    """Scores and top contributions. In bulk, path attributions (Saabas): about as fast as scoring,
    where exact TreeSHAP costs about leaves x depth predictions per row (100x slower, measured in
    bench/risk_stage.py); both sum to the row's log-odds."""
    scores, top, values = artifact.scores_and_top(frame, TOP, exact=exact)
    return ScoredBatch(
        frame["shipment_id"].to_list(),
        scores,
        [artifact.spec.label(n) for n in artifact.spec.names],
        top,
        values,
    )


def score_stored(
    conn: Connection,
    ids: Sequence[uuid.UUID],
    settings: IndicatorSettings = IndicatorSettings(),
    *,
    batch: Sequence[Any] | None = None,
    at: dt.datetime | None = None,
) -> ScoredBatch | None:
    """Score shipments just stored in this transaction with the active model and store the scores.

    ``batch``: the `AssessedShipment`s just written (the pipeline's), whose frames are then built in
    memory (`history.from_assessed`) instead of read back. ``at``: when they are scored (the batch's
    receipt time in the pipeline); the clock when not given. Without an active model this is one
    cached look-up and nothing else.
    """
    if not ids:
        return None
    artifact = active_model(conn)
    if artifact is None:
        return None
    state = _state(conn.engine)
    now = time.monotonic()
    stored = history.from_assessed(batch) if batch is not None else history.load_shipments(conn, ids)
    with state.lock:
        if state.reference is None or now - state.reference_at >= REFERENCE_TTL:
            first: dt.datetime = stored.batch["lodged_at"].min()  # type: ignore[assignment]
            state.reference, state.reference_at = (
                history.load_reference(conn, first - dt.timedelta(days=90)),
                now,
            )
        # Only results with a higher event id than the last read: a result committed late under a lower
        # id (concurrent writers on PostgreSQL) is missed until the process restarts, a small cost
        # against re-reading every control result per batch.
        fresh, state.last_event_id = history.load_outcomes(conn, after_event_id=state.last_event_id)
        if fresh.height:
            state.outcomes = pl.concat([state.outcomes, fresh])
        outcomes = state.outcomes
    context = history.context_for(
        conn,
        stored.batch,
        state.reference,
        outcomes,
        settings.split_window_hours,
        state.routes,
        state.sellers,
    )
    scored = score_frame(artifact, features(stored, context, settings))
    store_scores(conn, artifact.version, scored, at)
    return scored


def store_scores(conn: Connection, version: str, scored: ScoredBatch, at: dt.datetime | None = None) -> None:
    """Store a batch's scores and contributions, dated `at` (the clock when not given)."""
    at = at or dt.datetime.now(dt.UTC)
    insert_rows(
        conn,
        decision_scores,
        ("shipment_id", "model_version", "score", "contributions", "scored_at"),
        [
            (uuid.UUID(sid), version, score, contributions, at)
            for sid, score, contributions in zip(
                scored.shipment_ids, scored.scores.tolist(), scored.stored_contributions(), strict=True
            )
        ],
    )


def stored_score(conn: Connection, shipment_id: uuid.UUID) -> dict[str, Any] | None:
    """The latest model score of a shipment with its contributions, for the shipment page and API."""
    row = conn.execute(
        select(decision_scores)
        .where(decision_scores.c.shipment_id == shipment_id)
        .order_by(decision_scores.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    contributions = [(str(n), float(v)) for n, v in row.contributions]
    top = max((abs(v) for _, v in contributions), default=0.0) or 1.0
    return {
        "model_version": row.model_version,
        "score": round(float(row.score), 4),
        "contributions": [
            {"feature": n, "value": round(v, 4), "width": round(100 * abs(v) / top, 1), "up": v > 0}
            for n, v in contributions
        ],
    }


def decile_baseline(scores: np.ndarray[Any, np.dtype[np.float64]]) -> tuple[list[float], list[float]]:
    """Inner edges of the training scores' deciles and the share of rows in each bin (the PSI baseline)."""
    edges = sorted(set(np.quantile(scores, np.linspace(0.1, 0.9, 9)).round(6).tolist()))
    counts = np.bincount(np.searchsorted(edges, scores, side="right"), minlength=len(edges) + 1)
    return edges, (counts / max(1, scores.size)).round(6).tolist()
