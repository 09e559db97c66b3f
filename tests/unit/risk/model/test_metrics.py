"""Targeting metrics against hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clearway.risk.model.metrics import at_shares, auc, inspected, precision_at, recall_at

# Ten rows, already in score order; positives at 0.9, 0.7, 0.6 and 0.2 (4 of 10).
SCORES = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]
LABELS = [1, 0, 1, 1, 0, 0, 0, 1, 0, 0]


def test_inspected_rows_round_up() -> None:
    assert inspected(10, 0.1) == 1
    assert inspected(200, 0.05) == 10  # not 11 from 0.05 * 200 = 10.000000000000002
    assert inspected(8134, 0.05) == 407  # 406.7 rounds up
    assert inspected(3, 0.01) == 1  # at least one row


def test_precision_and_recall_by_hand() -> None:
    assert precision_at(SCORES, LABELS, 0.1) == 1.0  # top 1: positive
    assert precision_at(SCORES, LABELS, 0.2) == 0.5  # top 2: 1, 0
    assert precision_at(SCORES, LABELS, 0.5) == pytest.approx(3 / 5)  # 1, 0, 1, 1, 0
    assert recall_at(SCORES, LABELS, 0.5) == pytest.approx(3 / 4)
    assert recall_at(SCORES, LABELS, 1.0) == 1.0


def test_order_of_rows_does_not_matter() -> None:
    order = [3, 7, 0, 9, 1, 5, 2, 8, 6, 4]
    scores = [SCORES[i] for i in order]
    labels = [LABELS[i] for i in order]
    assert precision_at(scores, labels, 0.5) == pytest.approx(3 / 5)
    assert auc(scores, labels) == pytest.approx(0.75)


def test_auc_by_hand() -> None:
    # Pairs (positive above negative): 0.9 beats 6, 0.7 beats 5, 0.6 beats 5, 0.2 beats 2 -> 18 of 24.
    assert auc(SCORES, LABELS) == pytest.approx(18 / 24)
    assert auc([0.1, 0.9], [0, 1]) == 1.0
    assert auc([0.9, 0.1], [0, 1]) == 0.0


def test_ties_count_as_the_expected_value_over_their_orders() -> None:
    scores = [0.9, 0.5, 0.5, 0.5, 0.1]
    labels = [0, 1, 0, 0, 1]
    # Top 2 of 5: the 0.9 row (negative), then one of three tied rows, one of which is positive.
    assert precision_at(scores, labels, 0.4) == pytest.approx((0 + 1 / 3) / 2)
    assert recall_at(scores, labels, 0.4) == pytest.approx((1 / 3) / 2)
    # The tied positive 0.5 against the two tied negatives counts 1/2 each: 1 of 6 pairs.
    assert auc(scores, labels) == pytest.approx(1 / 6)


def test_a_constant_score_is_the_random_baseline() -> None:
    labels = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    constant = np.zeros(10)
    assert precision_at(constant, labels, 0.1) == pytest.approx(0.2)
    assert precision_at(constant, labels, 0.5) == pytest.approx(0.2)
    assert recall_at(constant, labels, 0.5) == pytest.approx(0.5)
    assert auc(constant, labels) == 0.5


def test_undefined_values_are_nan() -> None:
    assert math.isnan(recall_at([0.3, 0.2], [0, 0], 0.5))
    assert math.isnan(auc([0.3, 0.2], [1, 1]))


def test_at_shares_keys_are_percentages() -> None:
    precision, recall = at_shares(SCORES, LABELS, (0.1, 0.2, 0.5))
    assert precision == pytest.approx({"10": 1.0, "20": 0.5, "50": 0.6})
    assert recall == pytest.approx({"10": 0.25, "20": 0.25, "50": 0.75})


@pytest.mark.parametrize(
    ("scores", "labels", "share", "message"),
    [
        ([0.1], [1, 0], 0.1, "differ in length"),
        ([], [], 0.1, "no rows"),
        ([0.1, 0.2], [1, 2], 0.1, "0 or 1"),
        ([0.1, float("nan")], [1, 0], 0.1, "NaN"),
        ([0.1, 0.2], [1, 0], 0.0, "share"),
        ([0.1, 0.2], [1, 0], 1.5, "share"),
    ],
)
def test_bad_input_is_refused(scores: list[float], labels: list[int], share: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        precision_at(scores, labels, share)
