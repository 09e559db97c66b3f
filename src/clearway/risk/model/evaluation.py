"""The evaluation protocol of Jeong et al. (2022) for a model of historical declarations.

Rank the rows by score, inspect the top n % (n = 1, 2, 5, 10), and report precision and recall
(keys "1", "2", "5", "10"), with the AUC, on all rows and on the ``unseen_tuple`` slice — rows whose
goods tuple never occurs in the training data, ranked among themselves (the top n % of the slice).
Two baselines on the same rows: ``random`` (a constant score: expected precision = the base rate) and
``lookup`` (the training fraud rate of the same goods tuple, else the global training rate), which
measures the synthetic data's tuple shortcut. ``goods_history``: whether the model itself uses the
history of the row's goods tuple (then its all-rows scores measure mostly that shortcut too, and the
``unseen_tuple`` slice is the measure of targeting skill). Ties: see ``metrics``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from clearway.risk.model import kcs
from clearway.risk.model import metrics as m
from clearway.risk.model.gbdt import ModelArtifact, finite

SHARES = (0.01, 0.02, 0.05, 0.1)


def summary(scores: npt.NDArray[np.float64], labels: npt.NDArray[np.float64]) -> dict[str, Any]:
    if labels.size == 0:
        return {"rows": 0, "positive_rate": None, "precision_at": None, "recall_at": None, "auc": None}
    precision, recall = m.at_shares(scores, labels, SHARES)
    return {
        "rows": int(labels.size),
        "positive_rate": float(labels.mean()),
        "precision_at": precision,
        "recall_at": recall,
        "auc": m.auc(scores, labels),
    }


def _with_slice(
    scores: npt.NDArray[np.float64], labels: npt.NDArray[np.float64], unseen: npt.NDArray[np.bool_]
) -> dict[str, Any]:
    result = summary(scores, labels)
    result["unseen_tuple"] = summary(scores[unseen], labels[unseen])
    return result


def evaluate_kcs(artifact: ModelArtifact, frame: pl.DataFrame) -> dict[str, Any]:
    """Metrics of the model and of both baselines on a labelled, loaded KCS frame."""
    labels = frame[kcs.LABEL].cast(pl.Float64).to_numpy()
    scores = kcs.score(artifact, frame)
    lookup, unseen = kcs.lookup_scores(artifact, frame)
    result: dict[str, Any] = {
        "model": artifact.version,
        "label": "Fraud",
        "goods_history": kcs.goods_history(artifact),
        **_with_slice(scores, labels, unseen),
        "random": _with_slice(np.zeros_like(scores), labels, unseen),
        "lookup": _with_slice(lookup, labels, unseen),
    }
    if "critical_fraud" in frame.columns and frame["critical_fraud"].null_count() == 0:
        critical = (frame["critical_fraud"] == 2).cast(pl.Float64).to_numpy()
        result["critical_fraud"] = summary(scores, critical)
    return finite(result)  # type: ignore[no-any-return]
