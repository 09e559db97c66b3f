"""Drift: PSI, score bins and the weekly feedback figures, by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from clearway.risk.drift import psi, shares, week_of, weekly

MON = dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC)  # ISO week 2026-W47


def test_psi_by_hand() -> None:
    # (0.25 - 0.5) ln(0.25/0.5) + (0.75 - 0.5) ln(0.75/0.5)
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.25 * math.log(2) + 0.25 * math.log(1.5))
    assert psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0
    # An empty bin is floored at 0.0001, so the index stays finite.
    assert psi([0.5, 0.5], [0.0, 1.0]) == pytest.approx(
        (1e-4 - 0.5) * math.log(1e-4 / 0.5) + 0.5 * math.log(2)
    )


def test_shares_use_the_baseline_bins() -> None:
    # Bin k holds edges[k-1] <= s < edges[k]: 0.1, 0.2 | 0.5, 0.9
    assert shares([0.1, 0.5, 0.9, 0.2], [0.5]) == [0.5, 0.5]
    assert shares([0.3], [0.2, 0.4]) == [0.0, 1.0, 0.0]


def test_weekly_hit_rates_exploration_and_psi() -> None:
    next_week = MON + dt.timedelta(days=7)
    outcomes = [
        ("a", MON, True), ("b", MON, False), ("c", MON, False), ("d", MON, True),
        ("e", next_week, False), ("f", next_week, True),
    ]  # fmt: skip
    scores = [(MON, "m1", 0.1), (MON, "m1", 0.9), (next_week, "m1", 0.2), (next_week, "m1", 0.3)]
    weeks = weekly(outcomes, {"b", "d", "e"}, {"c"}, scores, {"m1": ([0.5], [0.5, 0.5])})
    assert [w["week"] for w in weeks] == ["2026-W47", "2026-W48"]
    first, second = weeks
    assert (first["controls"], first["hits"], first["hit_rate"]) == (4, 2, 0.5)
    assert (first["exploration_controls"], first["exploration_hits"], first["exploration_hit_rate"]) == (
        2,
        1,
        0.5,
    )
    assert (first["random_controls"], first["random_hit_rate"]) == (1, 0.0)
    assert first["psi"] == 0.0  # half the scores below 0.5, as in training
    assert (second["controls"], second["hit_rate"], second["exploration_hit_rate"]) == (2, 0.5, 0.0)
    # All of week 48's scores fall in the low bin: actual [1, 0.0001] against [0.5, 0.5].
    assert second["psi"] == pytest.approx(round(0.5 * math.log(2) + (1e-4 - 0.5) * math.log(1e-4 / 0.5), 4))
    assert second["mean_score"] == 0.25


def test_week_of_is_the_iso_week() -> None:
    assert week_of(dt.datetime(2027, 1, 1, tzinfo=dt.UTC)) == "2026-W53"
