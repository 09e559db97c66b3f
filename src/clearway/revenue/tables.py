"""Tables of the revenue feature: deferred-payment accounts, the double-entry ledger, vendor registrations."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearway.kit.tables import Base, RowId, Timestamp


class RevenueAccountRow(Base):
    __tablename__ = "revenue_accounts"

    id: Mapped[str] = mapped_column(String(35), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(40), index=True)  # TIN or filer id of the holder
    name: Mapped[str] = mapped_column(String(70))
    kind: Mapped[str] = mapped_column(String(12))
    currency: Mapped[str] = mapped_column(String(3))
    limit_kind: Mapped[str] = mapped_column(String(10))
    limit_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


revenue_accounts = Base.metadata.tables[RevenueAccountRow.__tablename__]


class LedgerEntryRow(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_ledger_account_posted_at", "ledger_account", "posted_at"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    posting_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)  # the entries of one posting set
    kind: Mapped[str] = mapped_column(String(12))
    ledger_account: Mapped[str] = mapped_column(String(60))
    revenue_account: Mapped[str | None] = mapped_column(String(35))  # the intermediary account, if any
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    tax_type: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # debit positive, credit negative
    reference: Mapped[str] = mapped_column(String(140))
    posted_at: Mapped[dt.datetime] = mapped_column(Timestamp)


ledger_entries = Base.metadata.tables[LedgerEntryRow.__tablename__]


class VendorRegistrationRow(Base):
    __tablename__ = "vendor_registrations"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(8))
    holder: Mapped[str] = mapped_column(String(70))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


registrations = Base.metadata.tables[VendorRegistrationRow.__tablename__]
