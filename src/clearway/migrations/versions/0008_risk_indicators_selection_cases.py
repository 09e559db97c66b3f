"""risk indicators, selection and cases (issue 3)

Model scores per decision, score baselines for drift, inspection capacity per office, selection runs
with their inputs and the shipments they chose. Cases are computed from the stored shipments on
request, so they need no table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 19:45:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "decision_scores",
        sa.Column("id", _ID, nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("contributions", _json(), nullable=False),
        sa.Column("scored_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_decision_scores_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_scores")),
    )
    with op.batch_alter_table("decision_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_scores_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_index("ix_decision_scores_scored_at", ["scored_at"], unique=False)

    op.create_table(
        "score_baselines",
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("edges", _json(), nullable=False),
        sa.Column("shares", _json(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("model_version", name=op.f("pk_score_baselines")),
    )
    op.create_table(
        "inspection_capacity",
        sa.Column("office", sa.String(length=8), nullable=False),
        sa.Column("per_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office", name=op.f("pk_inspection_capacity")),
    )
    op.create_table(
        "selection_runs",
        sa.Column("id", _ID, nullable=False),
        sa.Column("office", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("exploration_share", sa.Float(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("candidates", _json(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_runs")),
    )
    with op.batch_alter_table("selection_runs", schema=None) as batch_op:
        batch_op.create_index("ix_selection_runs_office_day", ["office", "day"], unique=False)

    op.create_table(
        "selections",
        sa.Column("id", _ID, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("control", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["selection_runs.id"], name=op.f("fk_selections_run_id_selection_runs")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_selections_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selections")),
    )
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selections_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_selections_shipment_id"), ["shipment_id"], unique=False)


def downgrade() -> None:
    op.drop_table("selections")
    op.drop_table("selection_runs")
    op.drop_table("inspection_capacity")
    op.drop_table("score_baselines")
    op.drop_table("decision_scores")
