"""Historical declarations in the KCS synthetic format (or any CSV mapped onto it): load, check, features.

Columns are mapped from the file's headers to canonical field names (``DEFAULT_MAPPING``; a TOML file
with a ``[columns]`` table overrides any of them, e.g. ``hs_code = "Tariff code"``). Every column is
checked — present, and of its type — before any training, and all problems are reported at once.

Label: ``Fraud`` (1 when the inspection found an attempt to lower the duty). It is the paper's label
and the one the benchmark numbers are for; ``Critical Fraud = 2`` (public safety, IP, false origin) is
rare (about 1 % of rows) and is reported as a second metric on the same scores.

Features and the goods-tuple shortcut. In this synthetic set the exact goods tuple (HS code, departure,
origin, tax rate, tax type, net mass) was one category of the generator, together with the label, so
a tuple seen in training almost always carries its training label. The model is kept from learning
that lookup:
- no feature is the tuple itself, its frequency or its fraud rate;
- the target (fraud-rate) encodings of HS codes, countries and tax types are computed for training
  rows out of fold, with folds grouped by goods tuple: a training row's encodings never include rows
  of its own tuple, so training looks like scoring a tuple never seen before;
- party identifiers (declarant, importer, seller, courier) and the declaration id are not features
  (only whether seller and courier are filled in).
The evaluation then reports the ``unseen_tuple`` slice apart, and the tuple lookup as a baseline.

Goods history (option, ``goods_history=True``; the command line's default). A customs service keeps
the seizure history of the goods it sees, and the history of the *identical* goods tuple is a
legitimate indicator in a deployed system. With the option, each row also gets the smoothed fraud rate
and the row count of its exact goods tuple in the training data (``HISTORY``): for training rows out
of fold with ``HISTORY_FOLDS`` folds of rows drawn at random (seeded) and *not* grouped by tuple, so a
row never sees its own label but does see the other rows of its tuple, and the model learns how far
to trust a history of a given size; at scoring time from the full training data (kept in the model
file). A tuple never seen in training gets 0 rows and the prior. On this synthetic set the option
makes the all-rows scores mostly a measure of the dataset's shortcut; the ``unseen_tuple`` slice
stays the measure of targeting skill.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from clearway.risk.errors import KcsFormatError
from clearway.risk.model.gbdt import FeatureSpec, ModelArtifact, train

Kind = Literal["text", "code", "number", "date", "label", "label3"]

# canonical field -> (kind, required for a model, source column(s) in the KCS files; first present wins)
FIELDS: dict[str, tuple[Kind, bool, tuple[str, ...]]] = {
    "declaration_id": ("text", False, ("Declaration ID",)),
    "date": ("date", True, ("Date",)),
    "office": ("text", False, ("Office ID",)),
    "process_type": ("text", False, ("Process Type",)),
    "import_type": ("text", False, ("Import Type",)),
    "import_use": ("text", False, ("Import Use",)),
    "payment_type": ("text", False, ("Payment Type",)),
    "transport_mode": ("text", False, ("Mode of Transport",)),
    "declarant": ("text", False, ("Declarant ID",)),
    "importer": ("text", False, ("Importer ID",)),
    "seller": ("text", False, ("Seller ID",)),
    "courier": ("text", False, ("Courier ID",)),
    "hs_code": ("code", True, ("HS6 Code", "HS10 Code")),
    "departure_country": ("text", True, ("Country of Departure",)),
    "origin_country": ("text", True, ("Country of Origin",)),
    "tax_rate": ("number", True, ("Tax Rate",)),
    "tax_type": ("text", True, ("Tax Type",)),
    "origin_indicator": ("text", False, ("Country of Origin Indicator",)),
    "net_mass": ("number", True, ("Net Mass",)),
    "item_price": ("number", True, ("Item Price",)),
    "fraud": ("label", True, ("Fraud",)),
    "critical_fraud": ("label3", False, ("Critical Fraud",)),
}
LABEL = "fraud"
TUPLE = ("hs_code", "departure_country", "origin_country", "tax_rate", "tax_type", "net_mass")
# Procedure codes (office, import type and use, payment type, mode of transport, origin indicator)
# are not features: they carry no signal here (see the data README) and, tried as categorical
# features, did not change the validation scores; fewer columns also fit more files.
OPTIONAL_CATEGORIES: tuple[str, ...] = ()
# Encodings: each group of fields gets the smoothed training fraud rate of its value and its rows.
ENCODINGS: tuple[tuple[str, ...], ...] = (
    ("hs6",),
    ("hs4",),
    ("hs2",),
    ("origin_country",),
    ("departure_country",),
    ("tax_type",),
    ("tax_rate",),
    ("hs6", "origin_country"),
    ("hs4", "origin_country"),
    ("hs2", "origin_country"),
    ("hs6", "tax_type"),
    ("hs4", "tax_type"),
    ("origin_country", "tax_type"),
    ("hs6", "departure_country"),
    ("hs6", "tax_rate"),
    # Goods lines: everything in the tuple but the net mass. Out of fold these are the rates of the
    # *other* tuples of the same goods line (other masses), never of the row's own tuple.
    ("hs6", "origin_country", "tax_type", "tax_rate"),
    ("hs6", "departure_country", "origin_country", "tax_type", "tax_rate"),
)
# Chosen on the valid split (train on train, score valid), by the unseen-tuple slice first: more
# leaves or rounds raise the overall valid score only by memorising goods tuples (e.g. 63 leaves,
# 1,400 rounds: overall precision@5% 0.79 but unseen-tuple AUC 0.60 instead of 0.64).
KCS_PARAMS: dict[str, Any] = {
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.7,
    "learning_rate": 0.03,
    "num_boost_round": 80,
}
SMOOTHING = 20.0  # prior weight (rows) of the global fraud rate in each encoding
FOLDS = 5
# Goods history (option): groups whose training fraud rate and rows are features, out of fold over
# random row folds for training rows. ``TUPLE`` stands for the exact goods tuple (keyed by its hash).
# Measured on valid and dropped: HS6 and HS6 + origin histories over row folds (they carry the tuple's
# own label into a coarser group: unseen-tuple AUC 0.55 instead of 0.64).
HISTORY: tuple[tuple[str, ...], ...] = (TUPLE,)
HISTORY_SMOOTHING = 2.0  # prior weight (rows) of the global fraud rate in each history rate
HISTORY_FOLDS = 5
# Trees split either on the history or on everything else, never both (LightGBM interaction
# constraints): the goods features keep learning from every row instead of only from rows without a
# history, which keeps the unseen-tuple slice where it is without history (unseen-tuple AUC 0.633
# mixed, 0.642 apart, 0.645 without history; seed 0).
HISTORY_APART = True
_SEP = "\x1f"


def mapping_from_toml(path: Path) -> dict[str, str]:
    """Read ``[columns]`` (canonical field = "file header") from a TOML file."""
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KcsFormatError(f"cannot read column mapping {path}: {exc}", []) from exc
    columns = doc.get("columns")
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise KcsFormatError(f'{path}: expected a [columns] table of field = "header" strings', [])
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise KcsFormatError(
            f"{path}: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}", unknown
        )
    return {str(k): str(v) for k, v in columns.items()}


def _source(field: str, header: Sequence[str], mapping: Mapping[str, str]) -> str | None:
    candidates = (mapping[field],) if field in mapping else FIELDS[field][2]
    return next((c for c in candidates if c in header), None)


def _describe(field: str, mapping: Mapping[str, str]) -> str:
    return mapping.get(field, " or ".join(FIELDS[field][2]))


def load(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    *,
    fields: Sequence[str] | None = None,
    label: bool = True,
) -> pl.DataFrame:
    """Read and check a declarations CSV; return canonical, typed columns.

    ``fields``: the fields that must be there (default: the required ones; a model asks for those it
    was trained with). ``label``: whether the ``fraud`` label is required. Raises ``KcsFormatError``
    naming every missing or mistyped column before anything else happens.
    """
    mapping = dict(mapping or {})
    try:
        raw = pl.read_csv(path, infer_schema=False, null_values=[""])
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise KcsFormatError(f"cannot read {path} as CSV: {exc}", []) from exc
    needed = list(fields) if fields is not None else [f for f, (_, req, _) in FIELDS.items() if req]
    if not label:
        needed = [f for f in needed if f not in (LABEL, "critical_fraud")]
    elif LABEL not in needed:
        needed.append(LABEL)
    sources = {f: _source(f, raw.columns, mapping) for f in FIELDS}
    missing = [_describe(f, mapping) for f in needed if sources[f] is None]
    if missing:
        raise KcsFormatError(f"{path}: missing column(s): {', '.join(missing)}", missing)

    present = {f: s for f, s in sources.items() if s is not None}
    exprs: list[pl.Expr] = []
    problems: list[str] = []
    bad_columns: list[str] = []
    for field, src in present.items():
        kind = FIELDS[field][0]
        col = pl.col(src).str.strip_chars()
        typed = _typed(col, kind)
        exprs.append(typed.alias(field))
        # A non-empty cell that does not convert is mistyped.
        bad = raw.select((col.is_not_null() & (col != "") & typed.is_null()).arg_true().head(1)).to_series()
        if bad.len():
            row = int(bad[0])
            problems.append(f"{src} (expected {_EXPECTED[kind]}; line {row + 2}: {raw[row, src]!r})")
            bad_columns.append(src)
    if problems:
        raise KcsFormatError(f"{path}: mistyped column(s): {'; '.join(problems)}", bad_columns)
    frame = raw.select(exprs)
    if "hs_code" in frame.columns:
        frame = frame.with_columns(
            # HS10 codes read as integers upstream lost their leading zero (9 digits): restore it.
            hs_code=pl.when(pl.col("hs_code").str.len_chars() % 2 == 1)
            .then("0" + pl.col("hs_code"))
            .otherwise(pl.col("hs_code"))
        )
    if label and frame[LABEL].null_count():
        src = present[LABEL]
        raise KcsFormatError(f"{path}: label column {src} has empty cells", [src])
    return frame


_EXPECTED: dict[Kind, str] = {
    "text": "text",
    "code": "digits",
    "number": "a number",
    "date": "a date YYYY-MM-DD",
    "label": "0 or 1",
    "label3": "0, 1 or 2",
}


def _typed(col: pl.Expr, kind: Kind) -> pl.Expr:
    match kind:
        case "text":
            return col.replace("", None)
        case "code":
            return pl.when(col.str.contains(r"^[0-9]{4,10}$")).then(col).otherwise(None)
        case "number":
            return col.cast(pl.Float64, strict=False)
        case "date":
            return col.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        case "label":
            return pl.when(col.is_in(["0", "1", "0.0", "1.0"])).then(col.cast(pl.Float64).cast(pl.Int8))
        case "label3":
            return pl.when(col.is_in(["0", "1", "2"])).then(col.cast(pl.Int8))


# ---------------------------------------------------------------- goods tuples


def tuple_keys(frame: pl.DataFrame) -> pl.Series:
    """A stable 64-bit key (hex) of each row's goods tuple, the same in every process and version."""
    text = frame.select(
        pl.concat_str([pl.col(f).cast(pl.String).fill_null("") for f in TUPLE], separator=_SEP)
    ).to_series()
    return pl.Series("tuple", [hashlib.blake2b(t.encode(), digest_size=8).hexdigest() for t in text])


def tuple_table(frame: pl.DataFrame) -> dict[str, list[int]]:
    """Rows and fraud rows per goods tuple of a labelled frame: key -> [rows, frauds]."""
    counts = (
        frame.select(tuple_keys(frame), pl.col(LABEL).cast(pl.Int64))
        .group_by("tuple")
        .agg(pl.len().alias("n"), pl.col(LABEL).sum().alias("pos"))
        .sort("tuple")
    )
    return {k: [int(n), int(p)] for k, n, p in counts.iter_rows()}


# ---------------------------------------------------------------- features


def _base(frame: pl.DataFrame) -> pl.DataFrame:
    """Row-level features that need no training statistics."""
    mass = pl.col("net_mass")
    price = pl.col("item_price")
    exprs = [
        pl.col("hs_code").str.slice(0, 6).alias("hs6"),
        pl.col("hs_code").str.slice(0, 4).alias("hs4"),
        pl.col("hs_code").str.slice(0, 2).alias("hs2"),
        pl.col("tax_rate").cast(pl.String).alias("tax_rate_code"),
        (pl.col("departure_country") != pl.col("origin_country")).cast(pl.Float64).alias("origin_differs"),
        mass.clip(0).log1p().alias("log_net_mass"),
        price.clip(0).log1p().alias("log_item_price"),
        pl.when(mass > 0).then((price.clip(0) + 1).log() - mass.log()).alias("log_unit_value"),
        (price.clip(0) * pl.col("tax_rate").clip(0) / 100).log1p().alias("log_duty_proxy"),
        pl.col("tax_rate").alias("tax_rate_value"),
        pl.col("date").dt.weekday().cast(pl.Float64).alias("weekday"),
        pl.col("date").dt.day().cast(pl.Float64).alias("day_of_month"),
    ]
    for name in ("seller", "courier"):
        if name in frame.columns:
            exprs.append(pl.col(name).is_not_null().cast(pl.Float64).alias(f"has_{name}"))
    return frame.with_columns(exprs)


def _key(fields: Sequence[str]) -> pl.Expr:
    cols = ["tax_rate_code" if f == "tax_rate" else f for f in fields]
    return pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in cols], separator=_SEP)


_READABLE = {
    "hs6": "HS6",
    "hs4": "HS4",
    "hs2": "HS chapter",
    "origin_country": "origin",
    "departure_country": "departure",
    "tax_type": "tax type",
    "tax_rate": "tax rate",
}


def _name(fields: Sequence[str], what: str) -> str:
    """Feature names an analyst can read, e.g. "fraud rate: HS6 + origin"."""
    return f"{what}: {' + '.join(_READABLE[f] for f in fields)}"


def _history_label(fields: Sequence[str]) -> str:
    return "same goods tuple" if tuple(fields) == TUPLE else " + ".join(_READABLE[f] for f in fields)


def _history_names(fields: Sequence[str]) -> tuple[str, str]:
    """Feature names of one goods-history group: (fraud rate, rows)."""
    what = _history_label(fields)
    return f"goods history: fraud rate, {what}", f"goods history: rows, {what}"


def _history_keys(base: pl.DataFrame, fields: Sequence[str]) -> pl.Series:
    return tuple_keys(base) if tuple(fields) == TUPLE else base.select(_key(fields)).to_series()


def _row_folds(height: int, seed: int) -> npt.NDArray[np.int64]:
    """Random row folds (not grouped by anything), the same for the same height and seed."""
    return np.random.default_rng(seed).permutation(height).astype(np.int64) % HISTORY_FOLDS


def _fold(frame: pl.DataFrame) -> npt.NDArray[np.int64]:
    keys = tuple_keys(frame)
    return np.array([int(k[:8], 16) % FOLDS for k in keys], dtype=np.int64)


@dataclass
class Encoder:
    """Training statistics for the features: fraud counts and frequencies per value of each group."""

    prior: float
    tables: dict[str, dict[str, list[int]]]  # encoding name -> value key -> [rows, frauds]
    medians: dict[str, dict[str, float]]  # hs6 -> median log unit value / log net mass
    # Goods history, empty when the option is off: group name -> key -> [rows, frauds].
    history: dict[str, dict[str, list[int]]] = dataclass_field(default_factory=dict)

    @property
    def goods_history(self) -> bool:
        return bool(self.history)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"prior": self.prior, "tables": self.tables, "medians": self.medians}
        if self.history:
            data["history"] = self.history
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Encoder:
        return cls(
            float(data["prior"]), dict(data["tables"]), dict(data["medians"]), dict(data.get("history", {}))
        )


def _counts(keys: pl.Series, labels: pl.Series) -> dict[str, list[int]]:
    counts = (
        pl.DataFrame({"k": keys, "y": labels.cast(pl.Int64)})
        .group_by("k")
        .agg(pl.len().alias("n"), pl.col("y").sum().alias("pos"))
        .sort("k")
    )
    return {k: [int(n), int(p)] for k, n, p in counts.iter_rows()}


def fit_encoder(train_frame: pl.DataFrame, *, goods_history: bool = False) -> Encoder:
    base = _base(train_frame)
    prior = float(base[LABEL].cast(pl.Float64).to_numpy().mean())
    tables: dict[str, dict[str, list[int]]] = {}
    for fields in ENCODINGS:
        counts = (
            base.select(_key(fields).alias("k"), pl.col(LABEL).cast(pl.Int64))
            .group_by("k")
            .agg(pl.len().alias("n"), pl.col(LABEL).sum().alias("pos"))
            .sort("k")
        )
        tables[_SEP.join(fields)] = {k: [int(n), int(p)] for k, n, p in counts.iter_rows()}
    med = (
        base.group_by("hs6")
        .agg(pl.col("log_unit_value").median().alias("uv"), pl.col("log_net_mass").median().alias("mass"))
        .sort("hs6")
    )
    medians = {
        "unit_value": {h: float(v) for h, v in zip(med["hs6"], med["uv"], strict=True) if v is not None},
        "net_mass": {h: float(v) for h, v in zip(med["hs6"], med["mass"], strict=True) if v is not None},
    }
    history: dict[str, dict[str, list[int]]] = {}
    if goods_history:
        for fields in HISTORY:
            history[_SEP.join(fields)] = _counts(_history_keys(base, fields), base[LABEL])
    return Encoder(prior, tables, medians, history)


def _drop_own_fold(
    n: npt.NDArray[np.float64],
    positives: npt.NDArray[np.float64],
    keys: pl.Series,
    folds: npt.NDArray[np.int64],
    labels: pl.Series,
) -> None:
    """Out-of-fold counts, in place: take away the rows (and frauds) that share the row's key and fold."""
    own = pl.DataFrame({"k": keys, "f": folds, "y": labels.cast(pl.Float64)}).with_columns(
        pl.len().over("k", "f").cast(pl.Float64).alias("fn"),
        pl.col("y").sum().over("k", "f").alias("fp"),
    )
    n -= own["fn"].to_numpy()
    positives -= own["fp"].to_numpy()


def _lookup(keys: pl.Series, table: Mapping[str, list[int]]) -> tuple[pl.Series, pl.Series]:
    n = keys.replace_strict({k: v[0] for k, v in table.items()}, default=0, return_dtype=pl.Float64)
    pos = keys.replace_strict({k: v[1] for k, v in table.items()}, default=0, return_dtype=pl.Float64)
    return n, pos


def features(
    frame: pl.DataFrame, encoder: Encoder, *, out_of_fold: bool = False, seed: int = 0
) -> pl.DataFrame:
    """The model's feature columns. ``out_of_fold``: for the training frame itself (see module doc);
    ``seed`` draws the random row folds of the goods history (with ``out_of_fold`` only)."""
    base = _base(frame)
    columns: dict[str, pl.Series | npt.NDArray[np.float64]] = {}
    folds = _fold(frame) if out_of_fold else None
    for fields in ENCODINGS:
        keys = base.select(_key(fields)).to_series()
        n, pos = _lookup(keys, encoder.tables[_SEP.join(fields)])
        n_arr, pos_arr = n.to_numpy().copy(), pos.to_numpy().copy()
        if folds is not None:
            # Remove the row's own fold (all rows of its goods tuple are in that fold).
            _drop_own_fold(n_arr, pos_arr, keys, folds, base[LABEL])
        columns[_name(fields, "fraud rate")] = (pos_arr + SMOOTHING * encoder.prior) / (n_arr + SMOOTHING)
        columns[_name(fields, "rows")] = n_arr
    row_folds = _row_folds(frame.height, seed) if out_of_fold and encoder.history else None
    for fields in HISTORY if encoder.history else ():
        keys = _history_keys(base, fields)
        n, pos = _lookup(keys, encoder.history[_SEP.join(fields)])
        n_arr, pos_arr = n.to_numpy().copy(), pos.to_numpy().copy()
        if row_folds is not None:
            # Remove the rows of the row's own fold with its key: the row itself among them.
            _drop_own_fold(n_arr, pos_arr, keys, row_folds, base[LABEL])
        rate_name, rows_name = _history_names(fields)
        columns[rate_name] = (pos_arr + HISTORY_SMOOTHING * encoder.prior) / (n_arr + HISTORY_SMOOTHING)
        columns[rows_name] = n_arr
    hs6 = base["hs6"]
    uv_ref = hs6.replace_strict(encoder.medians["unit_value"], default=None, return_dtype=pl.Float64)
    mass_ref = hs6.replace_strict(encoder.medians["net_mass"], default=None, return_dtype=pl.Float64)
    out = base.select(
        "origin_differs",
        "log_net_mass",
        "log_item_price",
        "log_unit_value",
        "log_duty_proxy",
        "tax_rate_value",
        "weekday",
        "day_of_month",
        *[c for c in ("has_seller", "has_courier") if c in base.columns],
        "hs2",
        "tax_type",
        "origin_country",
        "departure_country",
        *[c for c in OPTIONAL_CATEGORIES if c in base.columns],
    ).with_columns(
        (base["log_unit_value"] - uv_ref).alias("unit value vs HS6 median (log)"),
        (base["log_net_mass"] - mass_ref).alias("net mass vs HS6 median (log)"),
    )
    return out.with_columns(pl.DataFrame(columns))


def spec_for(frame: pl.DataFrame) -> FeatureSpec:
    categorical = ["hs2", "tax_type", "origin_country", "departure_country"]
    categorical += [c for c in OPTIONAL_CATEGORIES if c in frame.columns]
    numeric = [
        "origin_differs",
        "log_net_mass",
        "log_item_price",
        "log_unit_value",
        "log_duty_proxy",
        "tax_rate_value",
        "weekday",
        "day_of_month",
        *[f"has_{c}" for c in ("seller", "courier") if c in frame.columns],
        "unit value vs HS6 median (log)",
        "net mass vs HS6 median (log)",
    ]
    for fields in ENCODINGS:
        numeric += [_name(fields, "fraud rate"), _name(fields, "rows")]
    for fields in HISTORY:
        numeric += [n for n in _history_names(fields) if n in frame.columns]
    labels = {
        "origin_differs": "origin differs from departure",
        "log_net_mass": "net mass (log kg)",
        "log_item_price": "item price (log)",
        "log_unit_value": "unit value (log price per kg)",
        "log_duty_proxy": "duty at stake (log price * tax rate)",
        "tax_rate_value": "tax rate (%)",
        "weekday": "day of week",
        "day_of_month": "day of month",
        "has_seller": "seller given",
        "has_courier": "courier used",
        "hs2": "HS chapter",
        "tax_type": "tax type",
        "origin_country": "country of origin",
        "departure_country": "country of departure",
        "office": "customs office",
        "import_type": "import type",
        "import_use": "import use",
        "payment_type": "payment type",
        "transport_mode": "mode of transport",
        "origin_indicator": "origin indicator",
    }
    return FeatureSpec(numeric=tuple(numeric), categorical=tuple(categorical), labels=labels)


def train_kcs(
    train_frame: pl.DataFrame,
    valid_frame: pl.DataFrame | None = None,
    *,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    source: str = "",
    goods_history: bool = False,
) -> ModelArtifact:
    """Fit the encodings on ``train_frame`` only, train the GBDT, and keep what scoring needs.

    ``goods_history``: add the goods-history features (see the module doc); recorded in the model's
    metadata and metrics as ``goods_history``."""
    encoder = fit_encoder(train_frame, goods_history=goods_history)
    x_train = features(train_frame, encoder, out_of_fold=True, seed=seed).with_columns(train_frame[LABEL])
    x_valid = None
    if valid_frame is not None:
        x_valid = features(valid_frame, encoder).with_columns(valid_frame[LABEL])
    spec = spec_for(x_train)
    merged = dict(KCS_PARAMS if params is None else params)
    if encoder.history and HISTORY_APART and "interaction_constraints" not in merged:
        history = {n for fields in HISTORY for n in _history_names(fields)}
        inside = [i for i, n in enumerate(spec.names) if n in history]
        outside = [i for i, n in enumerate(spec.names) if n not in history]
        merged["interaction_constraints"] = [inside, outside]
    artifact = train(x_train, LABEL, spec, seed=seed, valid=x_valid, params=merged)
    # The fields scoring needs: the required ones and the optional ones the features used.
    optional = (*OPTIONAL_CATEGORIES, "seller", "courier")
    used = [f for f in FIELDS if f in train_frame.columns and (FIELDS[f][1] or f in optional)]
    artifact.meta = {
        "format": "kcs",
        "label": "Fraud",
        "fields": used,
        "encoder": encoder.to_dict(),
        "tuples": tuple_table(train_frame),
        "source": source,
        "goods_history": goods_history,
    }
    artifact.metrics["goods_history"] = goods_history
    return artifact


def goods_history(artifact: ModelArtifact) -> bool:
    """Whether the model uses the goods history (models from before the option never do)."""
    return bool(artifact.meta.get("goods_history", False))


def score(artifact: ModelArtifact, frame: pl.DataFrame) -> npt.NDArray[np.float64]:
    encoder = Encoder.from_dict(artifact.meta["encoder"])
    return artifact.predict(features(frame, encoder))


def required_fields(artifact: ModelArtifact) -> list[str]:
    if artifact.meta.get("format") != "kcs":
        raise KcsFormatError(
            f"model {artifact.version} was not trained on declarations in the KCS format", []
        )
    return list(artifact.meta["fields"])


def lookup_scores(
    artifact: ModelArtifact, frame: pl.DataFrame
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Baseline scores (training fraud rate of the same tuple, else the global rate) and the unseen mask."""
    table: Mapping[str, list[int]] = artifact.meta["tuples"]
    prior = float(artifact.meta["encoder"]["prior"])
    keys = tuple_keys(frame).to_list()
    seen = np.array([k in table for k in keys], dtype=np.bool_)
    scores = np.array([table[k][1] / table[k][0] if k in table else prior for k in keys], dtype=np.float64)
    return scores, ~seen
