"""events: the time and name a caller stated, kept beside the server's time and the authenticated actor

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 04:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("stated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("stated_by", sa.String(70), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("stated_by")
        batch.drop_column("stated_at")
