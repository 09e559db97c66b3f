"""Retraining the `shipments` model from stored shipments and their control outcomes.

Labels: the first inspection-result event of a shipment, non-compliant = 1, compliant = 0; shipments
never controlled are unlabelled and left out (they are not "compliant", just unseen).

Selection bias. Controlled shipments were chosen by earlier rules and models, so their hit rate is far
above the traffic's. The GBDT core takes no sample weights, so inverse-propensity weighting is not
available; instead the default trains on every labelled shipment (the most data, and the targeting
rules' choices are themselves informative), while the *honest* figure reported is measured on the
unbiased labels only: random control samples (R-RANDOM) and exploration picks of selection runs,
which a score never chose. ``unbiased_only=True`` trains on those alone, for when enough exist.
The exploration share of every selection run keeps that unbiased sample growing.

Features are computed exactly as at scoring time (`scoring.features`); entity risk uses only control
results recorded before each shipment's filing time, so a label never leaks into its own features.
The validation set is the latest 20 % of labelled shipments by filing time (a split in time, as the
model will be used).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Engine, delete, select

from clearway.declarations.tables import decisions
from clearway.risk import history, scoring
from clearway.risk.errors import RegistryError, RetrainError
from clearway.risk.indicators import IndicatorContext, IndicatorSettings
from clearway.risk.tables import score_baselines, selections

VALID_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class RetrainResult:
    version: str
    activated: bool
    rows: int
    labelled: int
    positives: int
    metrics: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "activated": self.activated,
            "rows": self.rows,
            "labelled": self.labelled,
            "positives": self.positives,
            "metrics": self.metrics,
        }


def _unbiased_ids(engine: Engine) -> set[str]:
    """Shipments controlled without a score choosing them: random samples and exploration picks."""
    with engine.connect() as conn:
        random = conn.execute(select(decisions.c.shipment_id).where(decisions.c.control_sample)).scalars()
        explored = conn.execute(
            select(selections.c.shipment_id).where(selections.c.kind == "exploration")
        ).scalars()
        return {str(i) for i in random} | {str(i) for i in explored}


def training_frame(
    engine: Engine,
    date_from: dt.date | None,
    date_to: dt.date | None,
    settings: IndicatorSettings = IndicatorSettings(),
) -> pl.DataFrame:
    """Features of every stored shipment in the range, with `label` (null when never controlled)."""
    with engine.connect() as conn:
        stored = history.load_range(conn, date_from, date_to)
        if stored.batch.height == 0:
            raise RetrainError(
                f"no stored shipments lodged from {date_from or 'the start'} to {date_to or 'now'}"
            )
        outcomes, _ = history.load_outcomes(conn)
        context = IndicatorContext(
            reference=history.load_reference(conn, None),
            split_history=history.load_split_history(conn, stored.batch, settings.split_window_hours),
            outcomes=outcomes,
            first_seen=history.load_first_seen(conn, stored.batch),
        )
    frame = scoring.features(stored, context, settings)
    labels = (
        outcomes.sort("at")
        .group_by("shipment_id", maintain_order=True)
        .agg(pl.col("hit").first().alias("label"))
    )
    return frame.join(labels, on="shipment_id", how="left", maintain_order="left")


def retrain(
    engine: Engine,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    activate: bool = False,
    seed: int = 0,
    unbiased_only: bool = False,
    settings: IndicatorSettings = IndicatorSettings(),
    params: dict[str, Any] | None = None,
) -> RetrainResult:
    from clearway.risk.model import metrics as m
    from clearway.risk.model import registry
    from clearway.risk.model.gbdt import train

    frame = training_frame(engine, date_from, date_to, settings)
    unbiased = _unbiased_ids(engine)
    labelled = frame.filter(pl.col("label").is_not_null()).with_columns(
        pl.col("shipment_id").is_in(list(unbiased)).alias("unbiased")
    )
    if unbiased_only:
        labelled = labelled.filter(pl.col("unbiased"))
    positives = int(labelled["label"].sum()) if labelled.height else 0
    if labelled.height < 20 or positives == 0 or positives == labelled.height:
        raise RetrainError(
            f"{labelled.height} labelled shipments ({positives} non-compliant) in the range: training needs "
            "at least 20 control results with both outcomes (record inspection results first)"
        )
    labelled = labelled.sort("lodged_at", "shipment_id")
    cut = max(1, int(labelled.height * (1 - VALID_SHARE)))
    train_part, valid_part = labelled.head(cut), labelled.slice(cut)
    use_valid = valid_part.height >= 5 and valid_part["label"].n_unique() == 2
    # With a validation part, stop when its AUC has not improved for 30 rounds: fewer trees score
    # faster in the pipeline and overfit less on the few labels a customs office has.
    defaults: dict[str, Any] = {"early_stopping_rounds": 30} if use_valid else {}
    artifact = train(
        train_part,
        "label",
        scoring.feature_spec(),
        seed=seed,
        valid=valid_part if use_valid else None,
        params={**defaults, **(params or {})},
    )
    honest = valid_part.filter(pl.col("unbiased"))
    if honest.height and honest["label"].n_unique() == 2:
        scores = artifact.predict(honest)
        artifact.metrics["unbiased_valid_rows"] = honest.height
        artifact.metrics["unbiased_valid_auc"] = m.auc(scores, honest["label"].to_numpy())
    artifact.metrics["labels"] = "unbiased only" if unbiased_only else "all controlled"
    description = (
        f"shipments lodged {date_from or 'start'}..{date_to or 'now'}: {labelled.height} labelled, "
        f"{positives} non-compliant ({artifact.metrics['labels']})"
    )
    try:
        version = registry.register(engine, artifact, scoring.KIND, description)
    except RegistryError:
        version = artifact.version  # the very same model is already registered
    baseline_scores = artifact.predict(frame)
    store_baseline(engine, version, baseline_scores)
    if activate:
        registry.activate(engine, version)
    return RetrainResult(version, activate, frame.height, labelled.height, positives, dict(artifact.metrics))


def store_baseline(engine: Engine, version: str, scores: np.ndarray[Any, np.dtype[np.float64]]) -> None:
    """The score distribution on the training range, the reference of the drift measure."""
    edges, shares = scoring.decile_baseline(scores)
    with engine.begin() as conn:
        conn.execute(delete(score_baselines).where(score_baselines.c.model_version == version))
        conn.execute(
            score_baselines.insert(),
            [
                {
                    "model_version": version,
                    "edges": edges,
                    "shares": shares,
                    "rows": int(scores.size),
                    "created_at": dt.datetime.now(dt.UTC),
                }
            ],
        )
