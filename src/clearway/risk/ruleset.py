"""Analyst rules as data: versioned rule sets evaluated in the same batch pass as the built-in checks.

Every change to the active set (add, update, disable) writes a new immutable version holding a snapshot
of all enabled rules; the pipeline evaluates the latest version, compiled once and cached per version.
A rule is checked (parsed, fields resolved, types checked) before anything is written, so a bad rule
never reaches the active set. The decision's rule-set version names both parts:
``core-2026.11.2+7`` is the built-in checks of core-2026.11.2 with analyst rule-set version 7.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Self

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import (
    JSON,
    Connection,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB

from clearway.risk.errors import RuleExists, RuleNotFound
from clearway.risk.language import Condition, compile_condition
from clearway.risk.language.fields import LODGED_DATE
from clearway.risk.rules import RULE_SET_VERSION, Lane
from clearway.risk.tables import rules_table, versions_table

Json = JSON().with_variant(JSONB(), "postgresql")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")


class Effect(StrEnum):
    DOCUMENTS = "documents"  # yellow lane: documentary check
    INSPECT = "inspect"  # red lane: physical inspection
    RELEASE = "release"  # override to green (never over prohibited goods, watch list or random sample)
    SCORE = "score"  # adds to the score only

    @property
    def lane(self) -> Lane:
        return {"documents": Lane.YELLOW, "inspect": Lane.RED}.get(self.value, Lane.GREEN)


DEFAULT_WEIGHT = {Effect.DOCUMENTS: 0.3, Effect.INSPECT: 0.6, Effect.RELEASE: 0.0, Effect.SCORE: 0.2}


class RuleSpec(BaseModel):
    """A rule as an analyst writes it (API body, CLI options or a TOML/JSON file)."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=2, max_length=40, description="e.g. A-PHONES-CN; R- is reserved")]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=4000)] = ""
    condition: Annotated[str, Field(min_length=1, max_length=4000)]
    effect: Effect = Effect.DOCUMENTS
    weight: Annotated[float | None, Field(ge=0, le=1, description="default by effect")] = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    jurisdiction: Annotated[str | None, Field(max_length=8)] = None
    offices: Annotated[list[Annotated[str, Field(min_length=1, max_length=8)]], Field(max_length=500)] = []

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not RULE_ID.match(self.id):
            raise ValueError("id: upper-case letters, digits and single hyphens, e.g. A-PHONES-CN")
        if self.id.startswith("R-"):
            raise ValueError("id: the prefix R- is reserved for the built-in rules")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to: before valid_from")
        return self

    @property
    def effective_weight(self) -> float:
        return DEFAULT_WEIGHT[self.effect] if self.weight is None else self.weight


def check_rule(spec: RuleSpec) -> Condition:
    """Compile the condition; raises RuleError (with position) before anything is stored."""
    return compile_condition(spec.condition)


def _row(spec: RuleSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "title": spec.title,
        "description": spec.description,
        "condition": spec.condition,
        "effect": spec.effect.value,
        "weight": spec.effective_weight,
        "valid_from": spec.valid_from,
        "valid_to": spec.valid_to,
        "jurisdiction": spec.jurisdiction,
        "offices": list(spec.offices),
    }


def _view(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("id", "title", "description", "condition", "effect", "weight")}
    for k in ("valid_from", "valid_to"):
        value = row[k]
        out[k] = value.isoformat() if isinstance(value, dt.date) else value
    out["jurisdiction"] = row["jurisdiction"]
    out["offices"] = list(row["offices"] or [])
    for k in ("enabled", "revision", "updated_by"):
        if k in row:
            out[k] = row[k]
    if "updated_at" in row:
        out["updated_at"] = row["updated_at"].isoformat()
    return out


def list_rules(conn: Connection, include_disabled: bool = True) -> list[dict[str, Any]]:
    query = select(rules_table).order_by(rules_table.c.id)
    if not include_disabled:
        query = query.where(rules_table.c.enabled.is_(True))
    return [_view(dict(r._mapping)) for r in conn.execute(query)]


def get_rule(conn: Connection, rule_id: str) -> dict[str, Any]:
    row = conn.execute(select(rules_table).where(rules_table.c.id == rule_id)).first()
    if row is None:
        raise RuleNotFound(rule_id)
    return _view(dict(row._mapping))


def current_version(conn: Connection) -> int:
    """Latest analyst rule-set version; 0 before the first change."""
    return int(conn.execute(select(func.coalesce(func.max(versions_table.c.version), 0))).scalar_one())


def version_string(version: int) -> str:
    return RULE_SET_VERSION if version == 0 else f"{RULE_SET_VERSION}+{version}"


def _new_version(conn: Connection, change: str, actor: str, now: dt.datetime) -> int:
    version = current_version(conn) + 1
    snapshot = [
        _view(r)
        for r in (
            dict(m._mapping)
            for m in conn.execute(
                select(rules_table).where(rules_table.c.enabled.is_(True)).order_by(rules_table.c.id)
            )
        )
    ]
    conn.execute(
        insert(versions_table).values(
            version=version, created_at=now, created_by=actor, change=change[:200], rules=snapshot
        )
    )
    return version


def add_rule(conn: Connection, spec: RuleSpec, actor: str = "cli") -> int:
    """Store a new rule and a new rule-set version; returns the version. Raises RuleError, RuleExists."""
    check_rule(spec)
    if conn.execute(select(rules_table.c.id).where(rules_table.c.id == spec.id)).first() is not None:
        raise RuleExists(spec.id)
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        insert(rules_table).values(**_row(spec), enabled=True, revision=1, updated_at=now, updated_by=actor)
    )
    return _new_version(conn, f"add {spec.id}", actor, now)


def update_rule(conn: Connection, rule_id: str, spec: RuleSpec, actor: str = "cli") -> int:
    """Replace a rule (and enable it); the id in the body must be the rule's. Raises RuleError."""
    check_rule(spec)
    if spec.id != rule_id:
        raise ValueError(f"id: the body names {spec.id}, the path {rule_id}")
    current = get_rule(conn, rule_id)
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        update(rules_table)
        .where(rules_table.c.id == rule_id)
        .values(
            **_row(spec), enabled=True, revision=current["revision"] + 1, updated_at=now, updated_by=actor
        )
    )
    return _new_version(conn, f"update {rule_id}", actor, now)


def disable_rule(conn: Connection, rule_id: str, actor: str = "cli") -> int:
    current = get_rule(conn, rule_id)
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        update(rules_table)
        .where(rules_table.c.id == rule_id)
        .values(enabled=False, revision=current["revision"] + 1, updated_at=now, updated_by=actor)
    )
    return _new_version(conn, f"disable {rule_id}", actor, now)


def list_versions(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(versions_table).order_by(versions_table.c.version.desc()))
    return [
        {
            "version": r.version,
            "rule_set_version": version_string(r.version),
            "created_at": r.created_at.isoformat(),
            "created_by": r.created_by,
            "change": r.change,
            "rules": [rule["id"] for rule in r.rules],
        }
        for r in rows
    ]


# Evaluation -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActiveRule:
    id: str
    title: str
    effect: Effect
    weight: float
    condition: Condition
    # Derived once here, not per hit: the risk stage reads these for every hit of a batch.
    lane: Lane = Lane.GREEN
    release: bool = False
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CompiledRuleSet:
    version: int
    rules: tuple[ActiveRule, ...]
    expressions: tuple[pl.Expr, ...]  # condition and scope and validity, nulls as not hit

    @property
    def version_string(self) -> str:
        return version_string(self.version)

    def evaluate(self, frame: pl.DataFrame) -> list[list[int]]:
        """Per row of the frame, the indices of the rules it hits: one Polars pass for all rules."""
        hits: list[list[int]] = [[] for _ in range(frame.height)]
        if not self.rules or frame.height == 0:
            return hits
        # with_columns, not select: constant conditions broadcast to every row.
        names = [f"_r{k}" for k in range(len(self.expressions))]
        matrix = (
            frame.with_columns([e.alias(n) for e, n in zip(self.expressions, names, strict=True)])
            .select(names)
            .to_numpy()
        )
        rows, columns = np.nonzero(matrix)
        for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
            hits[row].append(column)
        return hits


EMPTY = CompiledRuleSet(0, (), ())


def compile_snapshot(version: int, snapshot: Sequence[Mapping[str, Any]]) -> CompiledRuleSet:
    rules: list[ActiveRule] = []
    expressions: list[pl.Expr] = []
    for r in snapshot:
        condition = compile_condition(r["condition"])
        expr = condition.hit
        if r.get("jurisdiction"):
            expr = expr & (pl.col("jurisdiction") == r["jurisdiction"]).fill_null(False)
        if r.get("offices"):
            expr = expr & pl.col("office_of_entry").is_in(list(r["offices"])).fill_null(False)
        if r.get("valid_from"):
            expr = expr & (pl.col(LODGED_DATE) >= dt.date.fromisoformat(r["valid_from"])).fill_null(False)
        if r.get("valid_to"):
            expr = expr & (pl.col(LODGED_DATE) <= dt.date.fromisoformat(r["valid_to"])).fill_null(False)
        effect, weight = Effect(r["effect"]), float(r["weight"])
        detail = f"analyst rule: {effect.value}, weight {weight:g}"
        rules.append(
            ActiveRule(
                r["id"], r["title"], effect, weight, condition, effect.lane, effect is Effect.RELEASE, detail
            )
        )
        expressions.append(expr)
    return CompiledRuleSet(version, tuple(rules), tuple(expressions))


def compile_rules(specs: Sequence[RuleSpec], version: int = 0) -> CompiledRuleSet:
    """A rule set from specs (backtests, benchmarks, tests), without storing anything."""
    return compile_snapshot(version, [_view(_row(s)) for s in specs])


def condition_only(condition: str) -> CompiledRuleSet:
    """One unscoped rule from a bare condition (a backtest before the rule exists). Raises RuleError."""
    return compile_snapshot(
        0, [{"id": "CONDITION", "title": condition, "condition": condition, "effect": "score", "weight": 0.0}]
    )


def stored_rule(conn: Connection, rule_id: str) -> CompiledRuleSet:
    """One stored rule with its scope and validity, enabled or not (RuleNotFound otherwise)."""
    return compile_snapshot(0, [get_rule(conn, rule_id)])


# The latest compiled version per database: replaced when the version changes, so it never grows.
_cache: dict[str, CompiledRuleSet] = {}
_cache_lock = threading.Lock()


def active_rule_set(conn: Connection) -> CompiledRuleSet:
    """The latest version, compiled once per (database, version): one small query per batch."""
    version = current_version(conn)
    if version == 0:
        return EMPTY
    key = str(conn.engine.url)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached.version == version:
        return cached
    snapshot = conn.execute(
        select(versions_table.c.rules).where(versions_table.c.version == version)
    ).scalar_one()
    compiled = compile_snapshot(version, snapshot)
    with _cache_lock:
        _cache[key] = compiled
    return compiled


__all__ = [
    "EMPTY",
    "ActiveRule",
    "CompiledRuleSet",
    "Effect",
    "RuleSpec",
    "active_rule_set",
    "add_rule",
    "compile_rules",
    "disable_rule",
    "list_rules",
    "list_versions",
    "update_rule",
]
