"""KCS declarations: loading and checking, column mapping, goods tuples, encodings without tuple leakage."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from clearway.risk.errors import KcsFormatError
from clearway.risk.model import kcs
from clearway.risk.model.evaluation import evaluate_kcs

HEADER = [
    "Declaration ID", "Date", "Office ID", "Process Type", "Import Type", "Import Use", "Payment Type",
    "Mode of Transport", "Declarant ID", "Importer ID", "Seller ID", "Courier ID", "HS6 Code",
    "Country of Departure", "Country of Origin", "Tax Rate", "Tax Type", "Country of Origin Indicator",
    "Net Mass", "Item Price", "Fraud", "Critical Fraud",
]  # fmt: skip
HS = ["071080", "440890", "690722", "620822", "940350", "851712", "392690", "610910"]
COUNTRIES = ["CN", "VN", "US", "BE", "DE", "JP"]


def write_kcs(path: Path, rows: int, seed: int, start: dt.date = dt.date(2020, 1, 1)) -> Path:
    """A small file in the KCS layout: fraud is likelier for clothing (HS 62, 61) and from CN or VN."""
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(rows):
            hs = HS[rng.integers(len(HS))]
            origin = COUNTRIES[rng.integers(len(COUNTRIES))]
            departure = origin if rng.random() < 0.8 else COUNTRIES[rng.integers(len(COUNTRIES))]
            mass = round(float(rng.choice([1.5, 20.7, 108.0, 11352.0, 5.0])), 1)
            risky = (hs[:2] in ("62", "61")) + (origin in ("CN", "VN"))
            fraud = int(rng.random() < 0.05 + 0.3 * risky)
            critical = 2 if fraud and rng.random() < 0.1 else fraud
            seller = "" if rng.random() < 0.1 else f"S{rng.integers(99)}"
            courier = "" if rng.random() < 0.8 else "C1"
            day = (start + dt.timedelta(days=int(rng.integers(90)))).isoformat()
            office = str(rng.choice(["20", "30", "40"]))
            transport = str(rng.choice(["10", "40"]))
            rate = str(rng.choice([0.0, 8.0, 5.2]))
            tax_type = str(rng.choice(["A", "C", "FCN1"]))
            price = round(mass * (100 + HS.index(hs)), 2)
            procedure = [f"{seed:02d}{i:06d}", day, office, "B", "11", "21", "11", transport]
            parties = [f"D{rng.integers(20)}", f"I{rng.integers(200)}", seller, courier]
            goods = [hs, departure, origin, rate, tax_type, "B", mass, price, fraud, critical]
            writer.writerow([*procedure, *parties, *goods])
    return path


def test_load_types_and_canonical_names(tmp_path: Path) -> None:
    frame = kcs.load(write_kcs(tmp_path / "a.csv", 50, seed=1))
    assert frame.height == 50
    assert frame.schema["date"] == pl.Date
    assert frame.schema["net_mass"] == pl.Float64
    assert frame.schema["fraud"] == pl.Int8
    assert set(frame["hs_code"]) <= set(HS)
    assert "declaration_id" in frame.columns and "HS6 Code" not in frame.columns


def test_hs10_codes_that_lost_their_leading_zero_get_it_back(tmp_path: Path) -> None:
    path = write_kcs(tmp_path / "a.csv", 5, seed=1)
    raw = pl.read_csv(path, infer_schema=False).rename({"HS6 Code": "HS10 Code"})
    raw = raw.with_columns(
        pl.Series("HS10 Code", ["710801000", "4408901000", "6907221000", "6208221000", "940350000"])
    )
    raw.write_csv(path)
    frame = kcs.load(path)
    assert frame["hs_code"].to_list() == [
        "0710801000",
        "4408901000",
        "6907221000",
        "6208221000",
        "0940350000",
    ]


def test_missing_columns_are_all_named_before_training(tmp_path: Path) -> None:
    path = write_kcs(tmp_path / "a.csv", 20, seed=1)
    pl.read_csv(path, infer_schema=False).drop("HS6 Code", "Tax Rate", "Fraud").write_csv(path)
    with pytest.raises(KcsFormatError, match="missing column") as caught:
        kcs.load(path)
    assert caught.value.columns == ["HS6 Code or HS10 Code", "Tax Rate", "Fraud"]
    # Without the label requirement (scoring), only the features are missing.
    with pytest.raises(KcsFormatError) as caught:
        kcs.load(path, label=False)
    assert caught.value.columns == ["HS6 Code or HS10 Code", "Tax Rate"]


def test_mistyped_columns_are_all_named_with_a_line(tmp_path: Path) -> None:
    path = write_kcs(tmp_path / "a.csv", 20, seed=1)
    raw = pl.read_csv(path, infer_schema=False)
    raw = raw.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("heavy"))
        .otherwise(pl.col("Net Mass"))
        .alias("Net Mass"),
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("2020-13-45"))
        .otherwise(pl.col("Date"))
        .alias("Date"),
        pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("yes")).otherwise(pl.col("Fraud")).alias("Fraud"),
    )
    raw.write_csv(path)
    with pytest.raises(KcsFormatError) as caught:
        kcs.load(path)
    assert caught.value.columns == ["Date", "Net Mass", "Fraud"]
    message = str(caught.value)
    assert "Net Mass (expected a number; line 4: 'heavy')" in message
    assert "Date (expected a date YYYY-MM-DD; line 2: '2020-13-45')" in message
    assert "Fraud (expected 0 or 1; line 7: 'yes')" in message


def test_a_mapping_file_reads_other_headers(tmp_path: Path) -> None:
    path = write_kcs(tmp_path / "a.csv", 30, seed=2)
    expected = kcs.load(path)
    pl.read_csv(path, infer_schema=False).rename({"HS6 Code": "Tariff", "Fraud": "Outcome"}).write_csv(path)
    mapping_file = tmp_path / "mapping.toml"
    mapping_file.write_text('[columns]\nhs_code = "Tariff"\nfraud = "Outcome"\n')
    assert kcs.load(path, kcs.mapping_from_toml(mapping_file)).equals(expected)
    mapping_file.write_text('[columns]\nhs_kode = "Tariff"\n')
    with pytest.raises(KcsFormatError, match="unknown field"):
        kcs.mapping_from_toml(mapping_file)


def test_tuple_keys_are_stable_hashes() -> None:
    frame = pl.DataFrame(
        {
            "hs_code": ["071080"],
            "departure_country": ["CN"],
            "origin_country": ["CN"],
            "tax_rate": [8.0],
            "tax_type": ["A"],
            "net_mass": [11.5],
        }
    )
    expected = hashlib.blake2b(b"071080\x1fCN\x1fCN\x1f8.0\x1fA\x1f11.5", digest_size=8).hexdigest()
    assert kcs.tuple_keys(frame).to_list() == [expected]


def test_training_encodings_never_see_the_rows_own_goods_tuple(tmp_path: Path) -> None:
    frame = kcs.load(write_kcs(tmp_path / "a.csv", 200, seed=3))
    # HS 999999 occurs in a single goods tuple: three rows, all fraud.
    extra = frame.head(3).with_columns(
        hs_code=pl.lit("999999"), net_mass=pl.lit(7.0), tax_rate=pl.lit(8.0), tax_type=pl.lit("A"),
        departure_country=pl.lit("CN"), origin_country=pl.lit("CN"), fraud=pl.lit(1, dtype=pl.Int8),
    )  # fmt: skip
    frame = pl.concat([frame, extra])
    encoder = kcs.fit_encoder(frame)
    prior = encoder.prior
    assert prior == pytest.approx(frame["fraud"].cast(pl.Float64).mean())
    rate = "fraud rate: HS6"
    in_training = kcs.features(frame, encoder, out_of_fold=True).tail(3)
    assert in_training[rate].to_list() == pytest.approx([prior] * 3)  # (0 + 20 p) / (0 + 20)
    assert in_training["rows: HS6"].to_list() == [0, 0, 0]
    at_scoring = kcs.features(frame, encoder).tail(3)
    assert at_scoring[rate].to_list() == pytest.approx([(3 + 20 * prior) / (3 + 20)] * 3)


def test_evaluation_slices_unseen_tuples_and_scores_the_lookup(tmp_path: Path) -> None:
    train_frame = kcs.load(write_kcs(tmp_path / "train.csv", 600, seed=4))
    artifact = kcs.train_kcs(train_frame, seed=0, params={"num_boost_round": 20})
    seen = train_frame.head(50)
    unseen = train_frame.slice(50, 20).with_columns(net_mass=pl.Series([12345.6 + i for i in range(20)]))
    result = evaluate_kcs(artifact, pl.concat([seen, unseen]))
    assert result["rows"] == 70
    assert result["unseen_tuple"]["rows"] == 20
    assert result["unseen_tuple"]["positive_rate"] == pytest.approx(unseen["fraud"].cast(pl.Float64).mean())
    assert set(result["precision_at"]) == {"1", "2", "5", "10"}
    # Lookup: each seen row gets its tuple's training fraud rate, each unseen row the training rate.
    lookup, unseen_mask = kcs.lookup_scores(artifact, pl.concat([seen, unseen]))
    assert unseen_mask.tolist() == [False] * 50 + [True] * 20
    assert lookup[50:].tolist() == pytest.approx([train_frame["fraud"].cast(pl.Float64).mean()] * 20)
    first = seen.head(1)
    same = train_frame.join(first.select(kcs.TUPLE), on=list(kcs.TUPLE))
    assert lookup[0] == pytest.approx(same["fraud"].cast(pl.Float64).mean())
    assert result["random"]["precision_at"]["5"] == pytest.approx(result["positive_rate"])


def _goods(rows: list[tuple[str, float, int]]) -> pl.DataFrame:
    """A hand-built canonical frame: (HS6, net mass, fraud) per row; the other tuple fields fixed."""
    n = len(rows)
    return pl.DataFrame(
        {
            "date": [dt.date(2020, 1, 1 + i % 28) for i in range(n)],
            "hs_code": [hs for hs, _, _ in rows],
            "departure_country": ["CN"] * n,
            "origin_country": ["CN"] * n,
            "tax_rate": [8.0] * n,
            "tax_type": ["A"] * n,
            "net_mass": [mass for _, mass, _ in rows],
            "item_price": [100.0 * mass for _, mass, _ in rows],
            "fraud": pl.Series([y for _, _, y in rows], dtype=pl.Int8),
        }
    )


HISTORY_RATE = "goods history: fraud rate, same goods tuple"
HISTORY_ROWS = "goods history: rows, same goods tuple"


def test_goods_history_out_of_fold_never_uses_the_rows_own_label() -> None:
    # Tuple A: six rows; tuple B: three; four singletons. Folds are random rows, not grouped by tuple.
    rows = [("620822", 5.0, y) for y in (1, 1, 0, 1, 1, 0)] + [("071080", 20.7, y) for y in (0, 0, 1)]
    rows += [("851712", 1.5 + i, i % 2) for i in range(4)]
    frame = _goods(rows)
    encoder = kcs.fit_encoder(frame, goods_history=True)
    assert encoder.goods_history
    base = kcs.features(frame, encoder, out_of_fold=True, seed=3)
    # Rows of A and B see some rows of their own tuple (other folds), never all of them.
    a_rows = base[HISTORY_ROWS].head(6).to_list()
    assert max(a_rows) > 0 and all(n <= 5 for n in a_rows)
    smoothing = kcs.HISTORY_SMOOTHING

    def frauds_seen(features: pl.DataFrame, prior: float, i: int) -> float:
        # Undo the smoothing (the global prior, like every encoding's, is over all training rows).
        return float(features[HISTORY_RATE][i] * (features[HISTORY_ROWS][i] + smoothing) - smoothing * prior)

    for i in range(frame.height):
        flipped = frame.with_columns(
            fraud=pl.when(pl.int_range(pl.len()) == i).then(1 - pl.col("fraud")).otherwise(pl.col("fraud"))
        )
        flipped_encoder = kcs.fit_encoder(flipped, goods_history=True)
        again = kcs.features(flipped, flipped_encoder, out_of_fold=True, seed=3)
        # Flipping a row's own label changes nothing in the history the row sees.
        assert again[HISTORY_ROWS][i] == base[HISTORY_ROWS][i]
        assert frauds_seen(again, flipped_encoder.prior, i) == pytest.approx(
            frauds_seen(base, encoder.prior, i)
        )
    # Each history is the smoothed rate of the other rows of the tuple outside the row's fold.
    for i in range(frame.height):
        n = base[HISTORY_ROWS][i]
        assert n <= sum(1 for r in rows if r[:2] == rows[i][:2]) - 1
        if n == 0:
            assert base[HISTORY_RATE][i] == pytest.approx(encoder.prior)


def test_goods_history_at_scoring_full_counts_and_the_prior_for_an_unseen_tuple() -> None:
    rows = [("620822", 5.0, y) for y in (1, 1, 0, 1)] + [("071080", 20.7, y) for y in (0, 0, 0, 1, 0)]
    frame = _goods(rows)
    encoder = kcs.fit_encoder(frame, goods_history=True)
    prior = encoder.prior
    new = _goods([("620822", 5.0, 0), ("620822", 6.0, 1), ("999999", 5.0, 1)])
    scored = kcs.features(new, encoder)
    smoothing = kcs.HISTORY_SMOOTHING
    assert scored[HISTORY_ROWS].to_list() == [4, 0, 0]
    assert scored[HISTORY_RATE].to_list() == pytest.approx(
        [(3 + smoothing * prior) / (4 + smoothing), prior, prior]
    )
    # Without the option there are no history features at all.
    plain = kcs.features(new, kcs.fit_encoder(frame))
    assert not [c for c in plain.columns if c.startswith("goods history")]


def test_goods_history_flag_round_trips_through_the_model_file(tmp_path: Path) -> None:
    from clearway.risk.model.gbdt import ModelArtifact

    train_frame = kcs.load(write_kcs(tmp_path / "train.csv", 400, seed=7))
    valid_frame = kcs.load(write_kcs(tmp_path / "valid.csv", 100, seed=8))
    for flag in (True, False):
        artifact = kcs.train_kcs(train_frame, seed=0, params={"num_boost_round": 10}, goods_history=flag)
        loaded = ModelArtifact.from_bytes(artifact.to_bytes())
        assert kcs.goods_history(loaded) is flag
        assert loaded.meta["goods_history"] is flag and loaded.metrics["goods_history"] is flag
        assert (HISTORY_RATE in loaded.spec.names) is flag and (HISTORY_ROWS in loaded.spec.names) is flag
        assert kcs.score(loaded, valid_frame).tolist() == pytest.approx(
            kcs.score(artifact, valid_frame).tolist()
        )
        assert evaluate_kcs(loaded, valid_frame)["goods_history"] is flag
