"""Targeting metrics: precision and recall when the top share of traffic is inspected, and ROC AUC.

The inspected set is the top ``k = ceil(share * n)`` rows by score (at least one row).

Ties are handled as the expected value over every order of the tied rows: when a group of rows
with the same score straddles the cut-off, each of its rows counts as inspected with probability
(places left / rows in the group). The result is deterministic, does not depend on the order of
the rows in the file (a lucky file order cannot help a model with many equal scores, such as a
lookup table), and a constant score gives exactly the base rate — the random baseline.

Undefined values are NaN: recall without any positive row, AUC with a single class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _arrays(scores: npt.ArrayLike, labels: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels, dtype=np.float64).ravel()
    if s.shape != y.shape:
        raise ValueError(f"scores ({s.size}) and labels ({y.size}) differ in length")
    if s.size == 0:
        raise ValueError("no rows to evaluate")
    if np.isnan(s).any():
        raise ValueError("scores contain NaN")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("labels must be 0 or 1")
    return s, y


def inspected(n: int, share: float) -> int:
    """Rows inspected when the top ``share`` of ``n`` rows is chosen: ceil(share * n), at least 1."""
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must be in (0, 1], got {share}")
    # The small tolerance keeps 0.05 * 200 at 10 despite binary floating point.
    return max(1, math.ceil(share * n - 1e-9))


def expected_hits(scores: npt.ArrayLike, labels: npt.ArrayLike, share: float) -> float:
    """Expected number of positive rows among the inspected ones (ties as documented above)."""
    s, y = _arrays(scores, labels)
    k = inspected(s.size, share)
    # Sort scores descending; group equal scores.
    order = np.argsort(-s, kind="stable")
    s_sorted = s[order]
    y_sorted = y[order]
    cut = s_sorted[k - 1]
    above = s_sorted > cut
    tied = s_sorted == cut
    hits_above = float(y_sorted[above].sum())
    places = k - int(above.sum())
    tied_count = int(tied.sum())
    return hits_above + float(y_sorted[tied].sum()) * places / tied_count


def precision_at(scores: npt.ArrayLike, labels: npt.ArrayLike, share: float) -> float:
    """Share of positive rows among the top ``share`` of rows by score."""
    s, _ = _arrays(scores, labels)
    return expected_hits(scores, labels, share) / inspected(s.size, share)


def recall_at(scores: npt.ArrayLike, labels: npt.ArrayLike, share: float) -> float:
    """Share of all positive rows that fall in the top ``share`` of rows by score (NaN without any)."""
    _, y = _arrays(scores, labels)
    positives = float(y.sum())
    if positives == 0:
        return math.nan
    return expected_hits(scores, labels, share) / positives


def auc(scores: npt.ArrayLike, labels: npt.ArrayLike) -> float:
    """ROC AUC (Mann-Whitney U with average ranks: a tied positive/negative pair counts one half)."""
    s, y = _arrays(scores, labels)
    positives = int(y.sum())
    negatives = y.size - positives
    if positives == 0 or negatives == 0:
        return math.nan
    order = np.argsort(s, kind="stable")
    s_sorted = s[order]
    ranks = np.empty(s.size, dtype=np.float64)
    # Average rank (1-based) of each group of equal scores.
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    ends = np.r_[starts[1:], s.size]
    group_rank = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(group_rank, ends - starts)
    rank_sum = float(ranks[y == 1.0].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def at_shares(
    scores: npt.ArrayLike, labels: npt.ArrayLike, shares: Sequence[float]
) -> tuple[dict[str, float], dict[str, float]]:
    """Precision and recall at each share, keyed by the percentage as text ("1", "2", "5", "10")."""
    precision = {_key(share): precision_at(scores, labels, share) for share in shares}
    recall = {_key(share): recall_at(scores, labels, share) for share in shares}
    return precision, recall


def _key(share: float) -> str:
    percent = share * 100
    return f"{percent:g}"
