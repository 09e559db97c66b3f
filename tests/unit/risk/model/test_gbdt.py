"""The generic GBDT core: determinism, scoring, contributions, file format, bad input."""

from __future__ import annotations

import json
import struct

import numpy as np
import polars as pl
import pytest

from clearway.risk.errors import FeatureError, ModelFileError
from clearway.risk.model.gbdt import MAGIC, FeatureSpec, ModelArtifact, train

SPEC = FeatureSpec(numeric=("amount", "noise"), categorical=("colour",), labels={"amount": "declared amount"})
PARAMS = {
    "num_boost_round": 30,
    "min_data_in_leaf": 5,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
}


def frame(rows: int = 600, seed: int = 1) -> pl.DataFrame:
    """Fraud when the amount is high or the colour is red (plus 5 % label noise)."""
    rng = np.random.default_rng(seed)
    amount = rng.uniform(0, 10, rows)
    colour = rng.choice(["red", "green", "blue"], rows)
    fraud = ((amount > 7) | (colour == "red")).astype(int)
    flip = rng.random(rows) < 0.05
    fraud = np.where(flip, 1 - fraud, fraud)
    return pl.DataFrame({"amount": amount, "noise": rng.normal(size=rows), "colour": colour, "fraud": fraud})


def test_same_seed_same_model_byte_for_byte() -> None:
    data = frame()
    first = train(data, "fraud", SPEC, seed=3, params=PARAMS)
    second = train(data, "fraud", SPEC, seed=3, params=PARAMS)
    assert first.to_bytes() == second.to_bytes()
    assert first.version == second.version
    np.testing.assert_array_equal(first.predict(data), second.predict(data))
    # A validation frame is scored after training: same model, with metrics.
    with_valid = train(data, "fraud", SPEC, seed=3, params=PARAMS, valid=frame(200, seed=2))
    assert with_valid.version == first.version
    assert with_valid.metrics["valid_rows"] == 200 and set(with_valid.metrics["valid_precision_at"]) == {
        "1",
        "2",
        "5",
        "10",
    }
    # Bagging draws rows by seed: another seed gives another model.
    assert train(data, "fraud", SPEC, seed=4, params=PARAMS).version != first.version


def test_scores_rank_fraud_first_and_unknown_categories_are_scored() -> None:
    artifact = train(frame(), "fraud", SPEC, seed=0, params=PARAMS)
    new = pl.DataFrame(
        {
            "amount": [9.5, 1.0, 1.0, 1.0],
            "noise": [0.0, 0.0, 0.0, 0.0],
            "colour": ["blue", "red", "blue", "mauve"],
        }
    )
    scores = artifact.predict(new)
    assert scores.shape == (4,)
    assert ((scores >= 0) & (scores <= 1)).all()
    assert scores[0] > scores[2] and scores[1] > scores[2]  # high amount, red colour vs neither
    assert artifact.metrics["train_rows"] == 600
    assert artifact.metrics["train_auc"] > 0.85


def test_contributions_top_features_by_absolute_value_with_readable_names() -> None:
    artifact = train(frame(), "fraud", SPEC, seed=0, params=PARAMS)
    new = pl.DataFrame({"amount": [9.5, 1.0], "noise": [0.0, 0.0], "colour": ["blue", "red"]})
    top2 = artifact.contributions(new, top=2)
    assert [len(row) for row in top2] == [2, 2]
    for row in top2:
        assert abs(row[0][1]) >= abs(row[1][1])
        assert {name for name, _ in row} <= {"declared amount", "noise", "colour"}
    # All contributions plus the bias are the log-odds of the score.
    everything = artifact.contributions(new, top=10)
    assert [len(row) for row in everything] == [3, 3]
    assert dict(everything[0])["declared amount"] > 0  # the high amount pushes the score up
    assert dict(everything[1])["colour"] > 0  # so does red
    assert abs(dict(everything[0])["noise"]) < abs(dict(everything[0])["declared amount"])
    scores = artifact.predict(new)
    raw = np.asarray(
        artifact._booster.predict(
            new.select("amount", "noise")
            .with_columns(
                pl.Series(
                    "colour",
                    [artifact.vocab["colour"].index("blue"), artifact.vocab["colour"].index("red")],
                    dtype=pl.Float64,
                )
            )
            .to_numpy(),
            pred_contrib=True,
        )
    )
    np.testing.assert_allclose(raw.sum(axis=1), np.log(scores / (1 - scores)), rtol=1e-9)
    np.testing.assert_allclose(sorted(v for _, v in everything[0]), sorted(raw[0, :-1].tolist()), rtol=1e-12)


def test_round_trip_through_bytes() -> None:
    data = frame()
    artifact = train(data, "fraud", SPEC, seed=0, params=PARAMS)
    artifact.meta = {"note": "kept"}
    again = ModelArtifact.from_bytes(artifact.to_bytes())
    assert again.version == artifact.version
    assert again.spec == artifact.spec
    assert again.meta == {"note": "kept"}
    assert again.metrics["train_rows"] == 600
    np.testing.assert_array_equal(again.predict(data), artifact.predict(data))


def test_a_foreign_file_is_refused() -> None:
    with pytest.raises(ModelFileError, match="not a Clearway model file"):
        ModelArtifact.from_bytes(b"PK\x03\x04 a zip file, not a model")
    with pytest.raises(ModelFileError, match="not a Clearway model file"):
        ModelArtifact.from_bytes(b"")


def test_another_format_version_is_refused() -> None:
    data = train(frame(), "fraud", SPEC, seed=0, params=PARAMS).to_bytes()
    future = MAGIC + struct.pack(">H", 99) + data[len(MAGIC) + 2 :]
    with pytest.raises(ModelFileError, match="format version 99 is not supported"):
        ModelArtifact.from_bytes(future)


def test_a_damaged_file_is_refused() -> None:
    data = bytearray(train(frame(), "fraud", SPEC, seed=0, params=PARAMS).to_bytes())
    data[-5] ^= 0xFF
    with pytest.raises(ModelFileError, match="damaged"):
        ModelArtifact.from_bytes(bytes(data))
    header_len = struct.unpack_from(">I", data, len(MAGIC) + 2)[0]
    header = json.loads(data[len(MAGIC) + 6 : len(MAGIC) + 6 + header_len])
    assert header["format"] == 1 and header["clearway"]


def test_missing_features_and_bad_labels_are_named() -> None:
    data = frame()
    with pytest.raises(FeatureError, match="noise, colour") as caught:
        train(data.drop("noise", "colour"), "fraud", SPEC)
    assert caught.value.columns == ["noise", "colour"]
    with pytest.raises(FeatureError, match="'fraud' must hold only 0 and 1"):
        train(data.with_columns(fraud=pl.lit(2)), "fraud", SPEC)
    with pytest.raises(FeatureError, match="single class"):
        train(data.with_columns(fraud=pl.lit(0)), "fraud", SPEC)
    artifact = train(data, "fraud", SPEC, params=PARAMS)
    with pytest.raises(FeatureError, match="amount"):
        artifact.predict(data.drop("amount"))


def test_a_spec_refuses_duplicate_or_no_features() -> None:
    with pytest.raises(ValueError, match="amount"):
        FeatureSpec(numeric=("amount",), categorical=("amount",))
    with pytest.raises(ValueError, match="at least one"):
        FeatureSpec()


def test_fast_path_contributions_sum_to_the_log_odds_and_match_shap_on_one_split() -> None:
    from clearway.risk.model.gbdt import _matrix

    data = frame()
    artifact = train(data, "fraud", SPEC, seed=0, params=PARAMS)
    x = _matrix(data, artifact.spec, artifact.vocab)
    shap = np.asarray(artifact._booster.predict(x, pred_contrib=True))
    log_odds = np.asarray(artifact._booster.predict(x, raw_score=True))
    path = artifact._path_contributions(x)
    # Same base value as TreeSHAP (the last column), and the same total per row.
    np.testing.assert_allclose(path.sum(axis=1) + shap[:, -1], log_odds, atol=1e-12)
    fast = artifact.contributions(data.head(3), top=2, exact=False)
    for row, values in zip(fast, path[:3], strict=True):
        largest = np.argsort(-np.abs(values), kind="stable")[:2]
        assert [name for name, _ in row] == [artifact.spec.label(artifact.spec.names[j]) for j in largest]
        assert [v for _, v in row] == pytest.approx(values[largest].tolist())

    # With a single split per tree, path attribution is the Shapley value.
    stumps = train(data, "fraud", SPEC, seed=0, params={**PARAMS, "num_leaves": 2})
    xs = _matrix(data, stumps.spec, stumps.vocab)
    np.testing.assert_allclose(stumps._path_contributions(xs), stumps.contribution_matrix(xs), atol=1e-12)


@pytest.mark.parametrize("exact", [False, True])
def test_scores_and_top_are_predict_and_contributions_as_arrays(exact: bool) -> None:
    data = frame()
    artifact = train(data, "fraud", SPEC, seed=0, params=PARAMS)
    scores, top, values = artifact.scores_and_top(data, top=2, exact=exact)
    # The bulk path's scores are LightGBM's, bit for bit (leaf values summed in tree order).
    np.testing.assert_array_equal(scores, artifact.predict(data))
    names = [artifact.spec.label(n) for n in artifact.spec.names]
    listed = [[(names[j], v) for j, v in zip(r, vs, strict=True)] for r, vs in zip(top, values, strict=True)]
    assert listed == artifact.contributions(data, top=2, exact=exact)
    empty = artifact.scores_and_top(data.head(0), top=2)
    assert [a.shape[0] for a in empty] == [0, 0, 0]


def test_stored_contributions_are_the_top_pairs_as_json() -> None:
    from clearway.risk.scoring import ScoredBatch

    data = frame()
    artifact = train(data, "fraud", SPEC, seed=0, params=PARAMS)
    scores, top, values = artifact.scores_and_top(data.head(50), top=2)
    labels = [artifact.spec.label(n) for n in artifact.spec.names]
    batch = ScoredBatch([f"s{i}" for i in range(50)], scores, labels, top, values)
    stored = [json.loads(text) for text in batch.stored_contributions()]
    expected = [
        [[labels[j], round(v, 6)] for j, v in zip(row, vals, strict=True)]
        for row, vals in zip(top.tolist(), values.tolist(), strict=True)
    ]
    assert stored == expected
    assert ScoredBatch([], scores[:0], labels, top[:0], values[:0]).stored_contributions() == []
