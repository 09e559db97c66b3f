"""Feedback and drift: weekly hit rate of controls, the exploration sample's hit rate, score shift.

Hit rate = non-compliant control results / control results, per ISO week of the result. The
exploration sample (picks drawn at random by selection runs) and the random control sample (R-RANDOM)
are reported apart: they are the only unbiased estimate of the traffic's non-compliance, and a model
that works keeps the scored hit rate well above them.

Score shift is the population stability index of each week's model scores against the score
distribution of the model on its training data (deciles stored at retraining):
PSI = sum over bins of (a - e) * ln(a / e), shares floored at 0.0001 so that an empty bin is finite.
Common reading: below 0.1 stable, 0.1-0.25 moderate shift, above 0.25 a shift worth retraining for.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from clearway.declarations.tables import decisions, events
from clearway.risk.errors import NoData
from clearway.risk.history import day_bounds
from clearway.risk.tables import decision_scores, score_baselines, selections

baselines = score_baselines
picks = selections
_FLOOR = 1e-4


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """Population stability index of two distributions over the same bins (shares)."""
    if len(expected) != len(actual):
        raise ValueError("expected and actual need the same bins")
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, _FLOOR), max(a, _FLOOR)
        total += (a - e) * math.log(a / e)
    return total


def shares(scores: Sequence[float], edges: Sequence[float]) -> list[float]:
    """Share of scores per bin; bin k holds edges[k-1] <= s < edges[k] (as the baseline's)."""
    counts = [0] * (len(edges) + 1)
    for s in scores:
        counts[bisect.bisect_right(edges, s)] += 1
    n = len(scores) or 1
    return [c / n for c in counts]


def week_of(at: dt.datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def _rate(hits: int, n: int) -> float | None:
    return round(hits / n, 4) if n else None


def weekly(
    outcomes: Sequence[tuple[str, dt.datetime, bool]],
    explored: set[str],
    random_sample: set[str],
    scores: Sequence[tuple[dt.datetime, str, float]],
    baseline: dict[str, tuple[list[float], list[float]]],
) -> list[dict[str, Any]]:
    """Per ISO week: controls, hits, hit rates overall / exploration / random sample, scores and PSI.

    ``outcomes``: (shipment id, result time, non-compliant); ``scores``: (scored at, model version,
    score); ``baseline``: per model version (inner edges, training shares).
    """
    weeks: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"controls": 0, "hits": 0, "exp_n": 0, "exp_hits": 0, "rnd_n": 0, "rnd_hits": 0, "scores": {}}
    )
    for sid, at, hit in outcomes:
        w = weeks[week_of(at)]
        w["controls"] += 1
        w["hits"] += int(hit)
        if sid in explored:
            w["exp_n"] += 1
            w["exp_hits"] += int(hit)
        if sid in random_sample:
            w["rnd_n"] += 1
            w["rnd_hits"] += int(hit)
    for at, scored_by, score in scores:
        weeks[week_of(at)]["scores"].setdefault(scored_by, []).append(score)
    out = []
    for week in sorted(weeks):
        w = weeks[week]
        by_version = w["scores"]
        version: str | None = max(by_version, key=lambda v: len(by_version[v])) if by_version else None
        values: list[float] = by_version.get(version, []) if version else []
        reference = baseline.get(version) if version else None
        out.append(
            {
                "week": week,
                "controls": w["controls"],
                "hits": w["hits"],
                "hit_rate": _rate(w["hits"], w["controls"]),
                "exploration_controls": w["exp_n"],
                "exploration_hits": w["exp_hits"],
                "exploration_hit_rate": _rate(w["exp_hits"], w["exp_n"]),
                "random_controls": w["rnd_n"],
                "random_hit_rate": _rate(w["rnd_hits"], w["rnd_n"]),
                "scored": len(values),
                "model_version": version,
                "mean_score": round(sum(values) / len(values), 4) if values else None,
                "psi": round(psi(reference[1], shares(values, reference[0])), 4)
                if reference and values
                else None,
            }
        )
    return out


def drift(
    conn: Connection, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[str, Any]:
    """Weekly feedback over control results and scores in the range (UTC days, inclusive)."""
    start, end = day_bounds(date_from, date_to)
    q = select(events.c.shipment_id, events.c.at, events.c.data).where(events.c.type == "inspection_result")
    s = select(decision_scores.c.scored_at, decision_scores.c.model_version, decision_scores.c.score)
    if start:
        q, s = q.where(events.c.at >= start), s.where(decision_scores.c.scored_at >= start)
    if end:
        q, s = q.where(events.c.at < end), s.where(decision_scores.c.scored_at < end)
    outcomes = [
        (
            str(sid),
            at if at.tzinfo else at.replace(tzinfo=dt.UTC),
            (data or {}).get("result") == "non_compliant",
        )
        for sid, at, data in conn.execute(q)
    ]
    scores = [
        (at if at.tzinfo else at.replace(tzinfo=dt.UTC), version, float(score))
        for at, version, score in conn.execute(s)
    ]
    if not outcomes and not scores:
        raise NoData(
            f"no control results and no model scores from {date_from or 'the start'} to {date_to or 'now'}"
        )
    explored = {
        str(i)
        for i in conn.execute(select(picks.c.shipment_id).where(picks.c.kind == "exploration")).scalars()
    }
    random_sample = {
        str(i)
        for i in conn.execute(select(decisions.c.shipment_id).where(decisions.c.control_sample)).scalars()
    }
    baseline = {r.model_version: (list(r.edges), list(r.shares)) for r in conn.execute(select(baselines))}
    weeks = weekly(outcomes, explored, random_sample, scores, baseline)
    controls = sum(w["controls"] for w in weeks)
    hits = sum(w["hits"] for w in weeks)
    exp_n = sum(w["exploration_controls"] for w in weeks)
    exp_hits = sum(w["exploration_hits"] for w in weeks)
    return {
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "controls": controls,
        "hits": hits,
        "hit_rate": _rate(hits, controls),
        "exploration_controls": exp_n,
        "exploration_hit_rate": _rate(exp_hits, exp_n),
        "psi_reading": "below 0.1 stable, 0.1-0.25 moderate shift, above 0.25 significant shift",
        "weeks": weeks,
    }
