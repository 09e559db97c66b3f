"""holds, agencies, offices, parties and AEO, outbox (issue 5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 19:45:00
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = sa.DateTime(timezone=True)


def _seed_offices(table: sa.Table) -> None:
    # The default office set (every location the traffic generator and the tests use), so existing
    # data and the demo stay valid once office references are checked against master data.
    text = (resources.files("clearway.clearance") / "data" / "offices.csv").read_text(encoding="utf-8")
    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "roles": r["roles"].split(),
            "opening_hours": r["opening_hours"],
            "valid_from": dt.date.fromisoformat(r["valid_from"]),
            "valid_to": dt.date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
        }
        for r in csv.DictReader(text.splitlines())
    ]
    op.bulk_insert(table, rows)


def upgrade() -> None:
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency", sa.String(length=16), nullable=True))

    offices = op.create_table(
        "customs_offices",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("roles", _JSON, nullable=False),
        sa.Column("opening_hours", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_customs_offices")),
    )
    _seed_offices(offices)

    op.create_table(
        "traders",
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("identifier", sa.String(length=35), nullable=False),
        sa.Column("name", sa.String(length=70), nullable=False),
        sa.PrimaryKeyConstraint("tin", name=op.f("pk_traders")),
    )
    op.create_table(
        "aeo_authorisations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=70), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issuing_country", sa.String(length=2), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aeo_authorisations")),
        sa.UniqueConstraint(
            "issuing_country", "reference", name=op.f("uq_aeo_authorisations_issuing_country_reference")
        ),
    )
    op.create_index(op.f("ix_aeo_authorisations_tin"), "aeo_authorisations", ["tin"], unique=False)
    op.create_table(
        "mra_partners",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("country", name=op.f("pk_mra_partners")),
    )
    op.create_table(
        "agencies",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_agencies")),
    )
    op.create_table(
        "agency_subscriptions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("hs_from", sa.String(length=6), nullable=True),
        sa.Column("hs_to", sa.String(length=6), nullable=True),
        sa.Column("origin", sa.String(length=2), nullable=True),
        sa.Column("party_tin", sa.String(length=40), nullable=True),
        sa.Column("hold_on_arrival", sa.Boolean(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"], ["agencies.code"], name=op.f("fk_agency_subscriptions_agency_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_subscriptions")),
    )
    op.create_index(op.f("ix_agency_subscriptions_agency"), "agency_subscriptions", ["agency"], unique=False)
    op.create_table(
        "preloading",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("filer", sa.String(length=40), nullable=False),
        sa.Column("house_waybill", sa.String(length=35), nullable=False),
        sa.Column("answer", sa.String(length=32), nullable=False),
        sa.Column("reasons", _JSON, nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preloading")),
        sa.UniqueConstraint("filer", "house_waybill", name=op.f("uq_preloading_filer_house_waybill")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", _ID, nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("filer", sa.String(length=40), nullable=True),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("fanned_out", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_fanned_out_id", "outbox", ["fanned_out", "id"], unique=False)
    op.create_table(
        "webhooks",
        sa.Column("id", _ID, nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("filer", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("outbox_id", _ID, nullable=False),
        sa.Column("webhook_id", _ID, nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_deliveries_outbox_id_outbox")),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name=op.f("fk_deliveries_webhook_id_webhooks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    op.create_index(op.f("ix_deliveries_outbox_id"), "deliveries", ["outbox_id"], unique=False)
    op.create_index(
        "ix_deliveries_status_next_attempt_at", "deliveries", ["status", "next_attempt_at"], unique=False
    )


def downgrade() -> None:
    for table in (
        "deliveries",
        "webhooks",
        "outbox",
        "preloading",
        "agency_subscriptions",
        "agencies",
        "mra_partners",
        "aeo_authorisations",
        "traders",
        "customs_offices",
    ):
        op.drop_table(table)
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_column("agency")
