"""revenue accounts, registrations and ledger (issue 4)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 19:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendor_registrations",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("holder", sa.String(length=70), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_vendor_registrations")),
    )
    op.create_table(
        "revenue_accounts",
        sa.Column("id", sa.String(length=35), nullable=False),
        sa.Column("party_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=70), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("limit_kind", sa.String(length=10), nullable=False),
        sa.Column("limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_accounts")),
    )
    with op.batch_alter_table("revenue_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revenue_accounts_party_id"), ["party_id"], unique=False)
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("posting_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("ledger_account", sa.String(length=60), nullable=False),
        sa.Column("revenue_account", sa.String(length=35), nullable=True),
        sa.Column("shipment_id", sa.Uuid(), nullable=True),
        sa.Column("tax_type", sa.String(length=16), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=140), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_ledger_entries_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_posting_id"), ["posting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_entries_ledger_account_posted_at", ["ledger_account", "posted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_ledger_account_posted_at")
        batch_op.drop_index(batch_op.f("ix_ledger_entries_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_posting_id"))
    op.drop_table("ledger_entries")
    with op.batch_alter_table("revenue_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revenue_accounts_party_id"))
    op.drop_table("revenue_accounts")
    op.drop_table("vendor_registrations")
