"""A generic gradient-boosted tree model (LightGBM): train, score, explain, save and load.

Threads: training and scoring run LightGBM with ``num_threads=1``, and ``OMP_WAIT_POLICY`` defaults to
``passive`` (set before LightGBM is loaded, when this module is the first to load it). On small shared
machines, OpenMP threads that spin while waiting make GBDT libraries many times slower; one thread is
also what makes training deterministic (``deterministic=True``, ``force_row_wise=True`` and every seed
derived from ``seed``). Scale out by scoring batches in several processes, not threads.

Categorical features are strings mapped to integer codes learned from the training frame (most
frequent first); a value never seen in training is scored as missing.

File format (``to_bytes``): 8 magic bytes ``CLWYGBDT``, the format version (unsigned 16-bit, big-endian),
the length of a JSON header (unsigned 32-bit) and the header — format, Clearway and LightGBM versions,
model version and the SHA-256 of the body — then the zlib-compressed JSON body (feature spec,
category codes, metrics, caller metadata and the LightGBM model text). A file without the magic bytes,
of another format version, or whose body does not match its checksum is refused with ``ModelFileError``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

# Must precede the first import of LightGBM (and so of its OpenMP runtime) to take effect.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import polars as pl

from clearway.risk.errors import FeatureError, ModelFileError
from clearway.risk.model import metrics as m

MAGIC = b"CLWYGBDT"
FORMAT_VERSION = 1
_PREFIX = struct.Struct(">8sHI")

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "lambda_l2": 1.0,
    "max_cat_to_onehot": 8,
    "cat_smooth": 10.0,
    "min_data_per_group": 20,
    "num_boost_round": 400,
}
# Not tunable: these make a run reproducible and keep it on one core.
FIXED_PARAMS: dict[str, Any] = {
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}


def clearway_version() -> str:
    try:
        return metadata.version("clearway")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@dataclass(frozen=True)
class FeatureSpec:
    """Names of the numeric and categorical feature columns; ``labels`` gives analysts' names."""

    numeric: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = self.names
        if not names:
            raise ValueError("a feature spec needs at least one feature")
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"features named twice: {', '.join(duplicates)}")

    @property
    def names(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "numeric": list(self.numeric),
            "categorical": list(self.categorical),
            "labels": dict(self.labels),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        return cls(
            numeric=tuple(data.get("numeric", ())),
            categorical=tuple(data.get("categorical", ())),
            labels=dict(data.get("labels", {})),
        )


def _require(frame: pl.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FeatureError(f"{what} lacks column(s): {', '.join(missing)}", missing)


def _vocabulary(column: pl.Series) -> list[str]:
    counts = column.cast(pl.String).drop_nulls().value_counts(name="n")
    ordered = counts.sort(["n", column.name], descending=[True, False])
    return [str(v) for v in ordered[column.name].to_list()]


def _columns(spec: FeatureSpec, vocab: Mapping[str, list[str]]) -> list[pl.Expr]:
    """The expressions that turn a frame's features into the model's numbers, in `spec.names` order."""
    columns: list[pl.Expr] = []
    for name in spec.numeric:
        columns.append(pl.col(name).cast(pl.Float64, strict=False).fill_nan(None).alias(name))
    for name in spec.categorical:
        codes = {value: i for i, value in enumerate(vocab[name])}
        columns.append(
            pl.col(name)
            .cast(pl.String)
            .replace_strict(codes, default=None, return_dtype=pl.Float64)
            .alias(name)
        )
    return columns


def _matrix(
    frame: pl.DataFrame,
    spec: FeatureSpec,
    vocab: Mapping[str, list[str]],
    columns: list[pl.Expr] | None = None,
) -> npt.NDArray[np.float64]:
    """``columns``: `_columns(spec, vocab)`, when the caller keeps them."""
    _require(frame, spec.names, "the frame")
    columns = columns if columns is not None else _columns(spec, vocab)
    # Nulls become NaN, which LightGBM treats as missing (for categories: a value never seen).
    selected = frame.select(columns)
    return (
        selected.to_numpy().astype(np.float64, copy=False) if selected.height else np.empty((0, len(columns)))
    )


def _labels(frame: pl.DataFrame, label: str) -> npt.NDArray[np.float64]:
    _require(frame, [label], "the training frame")
    y = frame[label].cast(pl.Float64, strict=False)
    if y.null_count() or not y.is_in([0.0, 1.0]).all():
        raise FeatureError(f"label column {label!r} must hold only 0 and 1", [label])
    return y.to_numpy()


class ModelArtifact:
    """A trained model with everything needed to score a frame of the same features."""

    def __init__(
        self,
        model_text: str,
        spec: FeatureSpec,
        vocab: Mapping[str, list[str]],
        metrics: Mapping[str, Any] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self.vocab = dict(vocab)
        self.metrics: dict[str, Any] = dict(metrics or {})
        # Free for the caller (e.g. encodings a format's feature engineering needs); part of the version.
        self.meta: dict[str, Any] = dict(meta or {})
        self._model_text = model_text
        self._booster = lgb.Booster(model_str=model_text)
        self._paths: tuple[npt.NDArray[np.float64], npt.NDArray[np.int32]] | None = None
        self._columns = _columns(spec, self.vocab)  # built once: a code table per categorical feature

    @property
    def version(self) -> str:
        """Content hash of the model, its features and metadata (not its metrics): same model, same id."""
        digest = hashlib.sha256()
        digest.update(self._model_text.encode())
        digest.update(json.dumps([self.spec.to_dict(), self.vocab, self.meta], sort_keys=True).encode())
        return f"gbdt-{digest.hexdigest()[:16]}"

    def _matrix(self, frame: pl.DataFrame) -> npt.NDArray[np.float64]:
        return _matrix(frame, self.spec, self.vocab, self._columns)

    def predict(self, frame: pl.DataFrame) -> npt.NDArray[np.float64]:
        """Scores in [0, 1] (probability of the positive label), one per row."""
        x = self._matrix(frame)
        if x.shape[0] == 0:
            return np.empty(0, dtype=np.float64)
        return self._scores(x)

    def _scores(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(self._booster.predict(x, num_threads=1), dtype=np.float64)

    def contributions(
        self, frame: pl.DataFrame, top: int = 5, *, exact: bool = True
    ) -> list[list[tuple[str, float]]]:
        """Per row, the ``top`` features by absolute contribution to the log-odds, largest first.

        ``exact=True``: TreeSHAP (LightGBM ``pred_contrib``), Shapley values — for the few rows an
        analyst reads; it costs about (leaves x depth) times a prediction. ``exact=False``: path
        attribution (Saabas: each split on a row's path credits its feature with the change of the
        node value), about as fast as scoring, for bulk use. Both sum, with the model's base value, to
        the row's log-odds; they differ only in how interacting features share it.
        """
        x = self._matrix(frame)
        if x.shape[0] == 0:
            return []
        contrib = self.contribution_matrix(x) if exact else self._path_contributions(x)
        return self._top(contrib, top)

    def scores_and_top(
        self, frame: pl.DataFrame, top: int = 5, *, exact: bool = False
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """``predict(frame)`` and the ``top`` contributions of each row (as `contributions`), as arrays:
        scores, feature indices into ``spec.names`` (rows x top, largest magnitude first) and their
        values. The pipeline's bulk path: no Python object per row or feature.

        With ``exact=False`` one pass over the trees gives both: each row's leaves (one LightGBM
        traversal) give the raw score, the sum of its leaf values in tree order as LightGBM sums them,
        and the path attributions, the same per-leaf tables added in the same order.
        """
        x = self._matrix(frame)
        if x.shape[0] == 0:
            return np.empty(0), np.empty((0, 0), np.int64), np.empty((0, 0))
        if exact:
            scores, contrib = self._scores(x), self.contribution_matrix(x)
        else:
            raw, contrib = self._path_raw_and_contributions(x)
            # LightGBM's binary objective: 1 / (1 + exp(-sigmoid * raw)), sigmoid = 1; math.exp is the C
            # library's exp, as LightGBM's, so that the scores are those of `predict`, bit for bit.
            scores = np.fromiter((1.0 / (1.0 + math.exp(-r)) for r in raw.tolist()), np.float64, raw.size)
        order = _top_order(contrib, top)
        return scores, order, np.take_along_axis(contrib, order, axis=1)

    def _top(self, contrib: npt.NDArray[np.float64], top: int) -> list[list[tuple[str, float]]]:
        order = _top_order(contrib, top)
        values = np.take_along_axis(contrib, order, axis=1)
        names = [self.spec.label(n) for n in self.spec.names]
        return [
            [(names[j], float(v)) for j, v in zip(row_idx, row_val, strict=True)]
            for row_idx, row_val in zip(order.tolist(), values.tolist(), strict=True)
        ]

    def contribution_matrix(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """TreeSHAP values of a feature matrix, one column per feature (without the base value)."""
        raw = np.asarray(self._booster.predict(x, pred_contrib=True, num_threads=1), dtype=np.float64)
        return raw[:, :-1]  # the last column is the expected value (bias), not a feature

    def _path_contributions(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return self._path_raw_and_contributions(x)[1]

    def _path_raw_and_contributions(
        self, x: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Raw scores (sum of leaf values) and path attributions of a feature matrix, one traversal."""
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # a LightGBM dependency

        tables, offsets = self._path_tables()
        rows = x.shape[0]
        leaves = np.asarray(self._booster.predict(x, pred_leaf=True, num_threads=1)).reshape(rows, -1)
        trees = leaves.shape[1]
        # A row's leaves as a 0/1 row over every leaf of every tree, columns in tree order: the sparse
        # product adds the rows of `tables` one tree after the other, from zero, for each row. Indices
        # in 32 bits, as scipy keeps them: no conversion copy of rows x trees entries.
        chosen = csr_matrix(
            (
                np.ones(rows * trees),
                (leaves.astype(np.int32, copy=False) + offsets[:trees]).ravel(),
                np.arange(0, rows * trees + 1, trees, dtype=np.int32),
            ),
            shape=(rows, tables.shape[0]),
        )
        summed = np.asarray(chosen @ tables, dtype=np.float64)
        return summed[:, -1], summed[:, :-1]

    def _path_tables(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int32]]:
        """Per leaf of every tree, the contribution of each feature on the path from the root, and in a
        last column the leaf's value.

        A node's value is the mean of its leaves weighted by training rows, as in TreeSHAP, so that a
        tree with one split gets exactly its Shapley values.
        """
        if self._paths is None:
            features = len(self.spec.names)
            tables: list[npt.NDArray[np.float64]] = []
            offsets: list[int] = []
            for info in self._booster.dump_model()["tree_info"]:
                offsets.append(sum(len(t) for t in tables))
                table = np.zeros((int(info["num_leaves"]), features + 1), dtype=np.float64)
                _fill_paths(info["tree_structure"], np.zeros(features + 1), table)
                tables.append(table)
            self._paths = (np.vstack(tables), np.asarray(offsets, dtype=np.int32))
        return self._paths

    def feature_importance(self) -> list[tuple[str, float]]:
        """Total gain per feature, largest first."""
        gains = self._booster.feature_importance(importance_type="gain")
        pairs = [(self.spec.label(n), float(g)) for n, g in zip(self.spec.names, gains, strict=True)]
        return sorted(pairs, key=lambda p: -p[1])

    def to_bytes(self) -> bytes:
        body_doc = {
            "spec": self.spec.to_dict(),
            "vocab": self.vocab,
            "metrics": self.metrics,
            "meta": self.meta,
            "model": self._model_text,
        }
        body = zlib.compress(json.dumps(body_doc, sort_keys=True).encode(), 6)
        header = json.dumps(
            {
                "format": FORMAT_VERSION,
                "clearway": clearway_version(),
                "lightgbm": lgb.__version__,
                "version": self.version,
                "sha256": hashlib.sha256(body).hexdigest(),
            },
            sort_keys=True,
        ).encode()
        return _PREFIX.pack(MAGIC, FORMAT_VERSION, len(header)) + header + body

    @classmethod
    def from_bytes(cls, data: bytes) -> ModelArtifact:
        if len(data) < _PREFIX.size or not data.startswith(MAGIC):
            raise ModelFileError("not a Clearway model file (no CLWYGBDT signature)")
        _, fmt, header_len = _PREFIX.unpack_from(data)
        if fmt != FORMAT_VERSION:
            raise ModelFileError(
                f"model file format version {fmt} is not supported: this Clearway "
                f"({clearway_version()}) reads format {FORMAT_VERSION}; retrain the model with this version"
            )
        try:
            header = json.loads(data[_PREFIX.size : _PREFIX.size + header_len])
            body = data[_PREFIX.size + header_len :]
            if hashlib.sha256(body).hexdigest() != header["sha256"]:
                raise ModelFileError("model file is damaged: its body does not match its checksum")
            doc = json.loads(zlib.decompress(body))
            return cls(
                doc["model"],
                FeatureSpec.from_dict(doc["spec"]),
                doc["vocab"],
                metrics=doc["metrics"],
                meta=doc["meta"],
            )
        except ModelFileError:
            raise
        except (ValueError, KeyError, TypeError, zlib.error, lgb.basic.LightGBMError) as exc:
            raise ModelFileError(f"model file is damaged or unreadable: {exc}") from exc


def _top_order(contrib: npt.NDArray[np.float64], top: int) -> npt.NDArray[np.int64]:
    """Per row, the columns of the ``top`` largest magnitudes, largest first; ties keep column order."""
    top = max(0, min(top, contrib.shape[1]))
    magnitude = -np.abs(contrib)
    if 0 < top < contrib.shape[1]:
        # Partition first (linear), then sort only the chosen few (deterministic for the same input).
        chosen = np.sort(np.argpartition(magnitude, top - 1, axis=1)[:, :top], axis=1)
        ranked = np.argsort(np.take_along_axis(magnitude, chosen, axis=1), axis=1, kind="stable")
        return np.take_along_axis(chosen, ranked, axis=1)
    return np.argsort(magnitude, axis=1, kind="stable")[:, :top]


def _node_value(node: dict[str, Any]) -> tuple[float, float]:
    """(value, training rows) of a dumped LightGBM node: leaves as stored, splits as weighted means."""
    if "split_feature" not in node:
        return float(node.get("leaf_value", 0.0)), float(node.get("leaf_count", 0) or 0)
    left_value, left_rows = _node_value(node["left_child"])
    right_value, right_rows = _node_value(node["right_child"])
    rows = left_rows + right_rows
    if rows == 0:
        return (left_value + right_value) / 2, 0.0
    return (left_value * left_rows + right_value * right_rows) / rows, rows


def _fill_paths(node: dict[str, Any], path: npt.NDArray[np.float64], table: npt.NDArray[np.float64]) -> None:
    if "split_feature" not in node:
        leaf = int(node.get("leaf_index", 0))
        table[leaf] = path
        table[leaf, -1] = float(node.get("leaf_value", 0.0))
        return
    value = _node_value(node)[0]
    for side in ("left_child", "right_child"):
        child = node[side]
        step = path.copy()
        step[int(node["split_feature"])] += _node_value(child)[0] - value
        _fill_paths(child, step, table)


def train(
    frame: pl.DataFrame,
    label: str,
    spec: FeatureSpec,
    *,
    seed: int = 0,
    valid: pl.DataFrame | None = None,
    params: dict[str, Any] | None = None,
) -> ModelArtifact:
    """Train a binary classifier on ``frame[spec.names]`` for ``frame[label]`` (0/1).

    ``params`` override ``DEFAULT_PARAMS`` (LightGBM parameters, plus ``num_boost_round`` and
    ``early_stopping_rounds``; early stopping needs ``valid`` and stops on its AUC). Thread and
    determinism settings (``FIXED_PARAMS``) cannot be overridden. Same data, spec, params and seed:
    the same model, byte for byte.
    """
    _require(frame, spec.names, "the training frame")
    y = _labels(frame, label)
    if frame.height == 0:
        raise FeatureError("the training frame has no rows", [])
    if y.min() == y.max():
        raise FeatureError(f"label column {label!r} has a single class; training needs both 0 and 1", [label])
    vocab = {name: _vocabulary(frame[name]) for name in spec.categorical}
    x = _matrix(frame, spec, vocab)

    merged = {**DEFAULT_PARAMS, **(params or {})}
    rounds = int(merged.pop("num_boost_round"))
    early = merged.pop("early_stopping_rounds", None)
    merged.update(FIXED_PARAMS)
    merged["seed"] = seed
    for key in ("bagging_seed", "feature_fraction_seed", "data_random_seed", "drop_seed", "extra_seed"):
        merged[key] = seed
    internal = [f"f{i}" for i in range(len(spec.names))]
    categorical = list(range(len(spec.numeric), len(spec.names)))
    train_set = lgb.Dataset(
        x, label=y, feature_name=internal, categorical_feature=categorical, free_raw_data=True, params=merged
    )
    valid_sets = []
    callbacks: list[Callable[..., Any]] = []
    if early:
        # Only early stopping lets the validation frame shape the model; otherwise it is scored after
        # training, so that the same training data gives the same model with or without it.
        if valid is None:
            raise ValueError("early_stopping_rounds needs a validation frame")
        y_valid = _labels(valid, label)
        valid_sets = [lgb.Dataset(_matrix(valid, spec, vocab), label=y_valid, reference=train_set)]
        merged["metric"] = "auc"
        callbacks.append(lgb.early_stopping(int(early), verbose=False))
    try:
        booster = lgb.train(
            merged, train_set, num_boost_round=rounds, valid_sets=valid_sets, callbacks=callbacks
        )
    except lgb.basic.LightGBMError as exc:  # e.g. an unknown or out-of-range parameter
        raise ValueError(f"LightGBM refused the training run: {exc}") from exc
    best = booster.best_iteration if booster.best_iteration > 0 else booster.current_iteration()
    text = booster.model_to_string(num_iteration=best)
    artifact = ModelArtifact(text, spec, vocab)
    train_scores = artifact.predict(frame)
    metrics: dict[str, Any] = {
        "train_rows": frame.height,
        "train_positive_rate": float(y.mean()),
        "iterations": best,
        "seed": seed,
        "params": {k: v for k, v in merged.items() if k not in FIXED_PARAMS},
        "train_auc": m.auc(train_scores, y),
    }
    if valid is not None:
        valid_scores = artifact.predict(valid)
        y_valid = _labels(valid, label)
        metrics["valid_rows"] = valid.height
        metrics["valid_auc"] = m.auc(valid_scores, y_valid)
        metrics["valid_precision_at"], metrics["valid_recall_at"] = m.at_shares(
            valid_scores, y_valid, (0.01, 0.02, 0.05, 0.1)
        )
    artifact.metrics = finite(metrics)
    return artifact


def finite(value: Any) -> Any:
    """The same structure with NaN and infinities as None, so that it is valid JSON (and JSONB)."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
