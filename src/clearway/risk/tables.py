"""Tables of the risk analytics: model scores per decision, score baselines, selection runs.

Scores live next to the decision rather than in it, so that the rule stage's insert stays unchanged
and a shipment scored again (a new model) keeps its earlier scores for audit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearway.kit.tables import Base, Json, RowId, Timestamp


class DecisionScoreRow(Base):
    """The active model's score of one shipment, with the features that moved it most."""

    __tablename__ = "decision_scores"
    __table_args__ = (Index("ix_decision_scores_scored_at", "scored_at"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    model_version: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    # [[feature, contribution], ...], the largest in absolute value first (LightGBM pred_contrib).
    contributions: Mapped[list[Any]] = mapped_column()
    scored_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class ScoreBaselineRow(Base):
    """Score distribution of a model on its training data: the reference of the drift measure (PSI)."""

    __tablename__ = "score_baselines"

    model_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    edges: Mapped[list[Any]] = mapped_column()  # inner bin edges (deciles of the training scores)
    shares: Mapped[list[Any]] = mapped_column()  # share of training rows per bin
    rows: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class InspectionCapacityRow(Base):
    """Controls an office can carry out per day."""

    __tablename__ = "inspection_capacity"

    office: Mapped[str] = mapped_column(String(8), primary_key=True)
    per_day: Mapped[int] = mapped_column(Integer)


class SelectionRunRow(Base):
    """One selection with every input needed to reproduce it: candidates with scores, capacity, seed."""

    __tablename__ = "selection_runs"
    __table_args__ = (Index("ix_selection_runs_office_day", "office", "day"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    office: Mapped[str] = mapped_column(String(8))
    day: Mapped[dt.date] = mapped_column()
    capacity: Mapped[int] = mapped_column(Integer)
    exploration_share: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(BigInteger)
    model_version: Mapped[str | None] = mapped_column(String(64))
    candidates: Mapped[list[Any]] = mapped_column()  # [[shipment id, score, physical?], ...]
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class SelectionRow(Base):
    """A shipment chosen by a run: by score or for exploration, and the control it gets."""

    __tablename__ = "selections"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("selection_runs.id"), index=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # score | exploration
    control: Mapped[str] = mapped_column(String(10))  # nii | physical
    score: Mapped[float] = mapped_column(Float)


_tables = Base.metadata.tables
decision_scores = _tables[DecisionScoreRow.__tablename__]
score_baselines = _tables[ScoreBaselineRow.__tablename__]
inspection_capacity = _tables[InspectionCapacityRow.__tablename__]
selection_runs = _tables[SelectionRunRow.__tablename__]
selections = _tables[SelectionRow.__tablename__]


class WatchlistRow(Base):
    __tablename__ = "watchlist"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    tin: Mapped[str | None] = mapped_column(String(40), index=True)
    name: Mapped[str | None] = mapped_column(String(70))
    name_key: Mapped[str | None] = mapped_column(String(70), index=True)
    address: Mapped[str | None] = mapped_column(String(256))  # fuzzy-matched (risk/watchlist.py)
    address_key: Mapped[str | None] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(70))
    valid_from: Mapped[dt.date | None] = mapped_column()
    valid_to: Mapped[dt.date | None] = mapped_column()


watchlist = Base.metadata.tables[WatchlistRow.__tablename__]


class RuleRow(Base):
    __tablename__ = "risk_rules"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    condition: Mapped[str] = mapped_column(Text)
    effect: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    jurisdiction: Mapped[str | None] = mapped_column(String(8))
    offices: Mapped[list[Any]] = mapped_column(Json)
    enabled: Mapped[bool] = mapped_column(Boolean)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_by: Mapped[str] = mapped_column(String(70))


class RuleSetVersionRow(Base):
    __tablename__ = "risk_rule_set_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(70))
    change: Mapped[str] = mapped_column(String(200))
    rules: Mapped[list[Any]] = mapped_column(Json)  # snapshot: every enabled rule as stored


rules_table = Base.metadata.tables[RuleRow.__tablename__]


versions_table = Base.metadata.tables[RuleSetVersionRow.__tablename__]


class ModelVersionRow(Base):
    __tablename__ = "model_versions"
    __table_args__ = (
        Index(
            "uq_model_versions_active_kind",
            "kind",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    spec: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    description: Mapped[str] = mapped_column(Text)
    artifact: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=False)


model_versions = Base.metadata.tables[ModelVersionRow.__tablename__]
