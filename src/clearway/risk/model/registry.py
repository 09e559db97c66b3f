"""Model versions in the database: register an artifact, activate one version per kind, load the active one.

At most one version per kind is active: ``activate`` switches in one transaction, and a partial unique
index (``kind`` where ``active``) makes the database refuse a second active version even from a
concurrent writer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from clearway.risk.errors import RegistryError
from clearway.risk.model.gbdt import ModelArtifact, finite
from clearway.risk.tables import model_versions


@dataclass(frozen=True)
class ModelVersion:
    version: str
    kind: str
    created_at: dt.datetime
    active: bool
    description: str
    metrics: dict[str, Any]
    spec: dict[str, Any]


def register(engine: Engine, artifact: ModelArtifact, kind: str, description: str) -> str:
    """Store an artifact (inactive) and return its version."""
    if not kind:
        raise RegistryError("kind must not be empty")
    row = {
        "version": artifact.version,
        "kind": kind,
        "created_at": dt.datetime.now(dt.UTC),
        "spec": artifact.spec.to_dict(),
        "metrics": finite(artifact.metrics),
        "description": description,
        "artifact": artifact.to_bytes(),
        "active": False,
    }
    try:
        with engine.begin() as conn:
            conn.execute(model_versions.insert(), [row])
    except IntegrityError as exc:
        raise RegistryError(f"model {artifact.version} is already registered") from exc
    return artifact.version


def activate(engine: Engine, version: str) -> None:
    """Make ``version`` the active model of its kind (and the previous one inactive)."""
    with engine.begin() as conn:
        kind = conn.execute(
            select(model_versions.c.kind).where(model_versions.c.version == version).with_for_update()
        ).scalar_one_or_none()
        if kind is None:
            raise RegistryError(f"no model version {version!r}")
        conn.execute(
            update(model_versions)
            .where(
                model_versions.c.kind == kind, model_versions.c.active, model_versions.c.version != version
            )
            .values(active=False)
        )
        conn.execute(update(model_versions).where(model_versions.c.version == version).values(active=True))


def active(engine: Engine, kind: str) -> ModelArtifact | None:
    """The active model of ``kind``, or None when none is active (for commands; a request or a batch
    asks on its own connection, `active_on`)."""
    with engine.connect() as conn:
        return active_on(conn, kind)


def active_on(conn: Connection, kind: str) -> ModelArtifact | None:
    blob = conn.execute(
        select(model_versions.c.artifact).where(model_versions.c.kind == kind, model_versions.c.active)
    ).scalar_one_or_none()
    return None if blob is None else ModelArtifact.from_bytes(bytes(blob))


def list_versions(engine: Engine) -> list[ModelVersion]:
    """Every registered version (without its bytes), oldest first."""
    columns = [c for c in model_versions.c if c.name != "artifact"]
    with engine.connect() as conn:
        rows = conn.execute(
            select(*columns).order_by(model_versions.c.created_at, model_versions.c.version)
        ).mappings()
        return [
            ModelVersion(
                version=r["version"],
                kind=r["kind"],
                created_at=r["created_at"],
                active=bool(r["active"]),
                description=r["description"],
                metrics=r["metrics"],
                spec=r["spec"],
            )
            for r in rows
        ]
