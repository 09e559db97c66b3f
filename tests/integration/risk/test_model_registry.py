"""Model registry on SQLite and PostgreSQL: register, list, exactly one active version per kind."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError

from clearway.risk.errors import RegistryError
from clearway.risk.model import registry
from clearway.risk.model.gbdt import FeatureSpec, ModelArtifact, train
from clearway.risk.tables import model_versions

SPEC = FeatureSpec(numeric=("amount",), categorical=("colour",))


def artifact(seed: int) -> ModelArtifact:
    rng = np.random.default_rng(seed)
    amount = rng.uniform(0, 10, 200)
    colour = rng.choice(["red", "blue"], 200)
    frame = pl.DataFrame(
        {"amount": amount, "colour": colour, "fraud": ((amount > 6) | (colour == "red")).astype(int)}
    )
    return train(frame, "fraud", SPEC, seed=seed, params={"num_boost_round": 5, "min_data_in_leaf": 5})


def active_versions(engine: Engine) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for v in registry.list_versions(engine):
        if v.active:
            found.setdefault(v.kind, []).append(v.version)
    return found


def test_register_list_and_load(engine: Engine) -> None:
    model = artifact(1)
    version = registry.register(engine, model, "kcs", "trained on a test frame")
    assert version == model.version
    (listed,) = registry.list_versions(engine)
    assert (listed.version, listed.kind, listed.active, listed.description) == (
        version,
        "kcs",
        False,
        "trained on a test frame",
    )
    assert listed.metrics["train_rows"] == 200
    assert listed.spec == SPEC.to_dict()
    assert registry.active(engine, "kcs") is None  # registered, not yet active
    with pytest.raises(RegistryError, match="already registered"):
        registry.register(engine, model, "kcs", "again")


def test_exactly_one_active_version_per_kind(engine: Engine) -> None:
    first, second, other = artifact(1), artifact(2), artifact(3)
    assert len({first.version, second.version, other.version}) == 3
    for model, kind in ((first, "kcs"), (second, "kcs"), (other, "shipments")):
        registry.register(engine, model, kind, "test")

    registry.activate(engine, first.version)
    registry.activate(engine, other.version)
    assert active_versions(engine) == {"kcs": [first.version], "shipments": [other.version]}

    registry.activate(engine, second.version)  # replaces the first, leaves the other kind alone
    assert active_versions(engine) == {"kcs": [second.version], "shipments": [other.version]}
    loaded = registry.active(engine, "kcs")
    assert loaded is not None and loaded.version == second.version
    frame = pl.DataFrame({"amount": [1.0, 9.0], "colour": ["blue", "blue"]})
    np.testing.assert_array_equal(loaded.predict(frame), second.predict(frame))

    registry.activate(engine, second.version)  # activating the active one changes nothing
    assert active_versions(engine) == {"kcs": [second.version], "shipments": [other.version]}


def test_the_database_refuses_a_second_active_version(engine: Engine) -> None:
    first, second = artifact(1), artifact(2)
    registry.register(engine, first, "kcs", "test")
    registry.register(engine, second, "kcs", "test")
    registry.activate(engine, first.version)
    table = model_versions
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(update(table).where(table.c.version == second.version).values(active=True))
    assert active_versions(engine) == {"kcs": [first.version]}


def test_unknown_version_is_refused(engine: Engine) -> None:
    with pytest.raises(RegistryError, match="no model version 'gbdt-nope'"):
        registry.activate(engine, "gbdt-nope")
