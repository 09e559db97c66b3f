"""Tables of shipments as stored: the declaration, goods, parties, decisions, tax lines, holds, events and
refused submissions. Money is integer minor units next to its currency."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearway.kit.tables import Base, RowId, Timestamp


class ShipmentRow(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("filer", "lrn"),
        Index("ix_shipments_consignee_key_lodged_at", "consignee_key", "lodged_at"),
        Index("ix_shipments_state_lane", "state", "lane"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    filer: Mapped[str] = mapped_column(String(40))
    lrn: Mapped[str] = mapped_column(String(22))
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)  # optimistic concurrency for state transitions
    state: Mapped[str] = mapped_column(String(16))
    lane: Mapped[str] = mapped_column(String(8))
    irg_category: Mapped[int] = mapped_column(SmallInteger)
    jurisdiction: Mapped[str] = mapped_column(String(8))
    house_waybill: Mapped[str] = mapped_column(String(35), index=True)
    departure_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    transport_mode: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(8))
    office_of_entry: Mapped[str | None] = mapped_column(String(8))
    collection_model: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    total_value_minor: Mapped[int] = mapped_column(BigInteger)
    revenue_currency: Mapped[str] = mapped_column(String(3))
    value_minor: Mapped[int] = mapped_column(BigInteger)  # intrinsic value in revenue_currency
    due_at_border_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger)
    consignee_key: Mapped[str] = mapped_column(String(400))
    lodged_at: Mapped[dt.datetime] = mapped_column(Timestamp)  # lodgement (WCO D011)
    received_at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)  # acceptance (023)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    # Milestones kept on the row as they happen (first occurrence), so release-time studies read one
    # table; the events table stays the full record.
    arrived_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)  # 172
    inspected_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)  # 356
    paid_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    released_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)  # 277
    warnings: Mapped[list[Any]] = mapped_column()
    declaration: Mapped[dict[str, Any]] = mapped_column()


class GoodsItemRow(Base):
    __tablename__ = "goods_items"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    seq: Mapped[int] = mapped_column(SmallInteger)
    description: Mapped[str] = mapped_column(String(512))
    hs_code: Mapped[str] = mapped_column(String(10))
    hs6: Mapped[str] = mapped_column(String(6), index=True)
    origin_country: Mapped[str] = mapped_column(String(2))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit: Mapped[str] = mapped_column(String(3))
    net_mass_kg: Mapped[Decimal] = mapped_column(Numeric(14, 6))
    value_minor: Mapped[int] = mapped_column(BigInteger)  # in the shipment currency


class PartyRow(Base):
    __tablename__ = "shipment_parties"
    __table_args__ = (
        Index("ix_shipment_parties_tin", "tin"),
        Index("ix_shipment_parties_name_key", "name_key"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(70))
    name_key: Mapped[str] = mapped_column(String(70))
    tin: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    lane: Mapped[str] = mapped_column(String(8))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column()
    control_sample: Mapped[bool] = mapped_column(Boolean)
    rule_set_version: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class TaxLineRow(Base):
    __tablename__ = "tax_lines"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    item_seq: Mapped[int | None] = mapped_column(SmallInteger)
    tax_type: Mapped[str] = mapped_column(String(16))
    base_minor: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[Decimal] = mapped_column(Numeric(12, 6))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    collection: Mapped[str] = mapped_column(String(10))
    legal_basis: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    type: Mapped[str] = mapped_column(String(24))
    wco_id: Mapped[str | None] = mapped_column(String(8))
    at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)
    actor: Mapped[str] = mapped_column(String(70))
    reason: Mapped[str | None] = mapped_column(Text)
    state_after: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column()
    # A time or a name the caller stated (an officer back-recording, a filer's scan time), kept beside the
    # server's `at` and the authenticated `actor`, never in their place (migration 0009).
    stated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    stated_by: Mapped[str | None] = mapped_column(String(70))
    # SHA-256 over the previous event's chain of the shipment and this row (declarations.trail; 0011).
    chain: Mapped[str | None] = mapped_column(String(64))


class HoldRow(Base):
    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    closed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    agency: Mapped[str | None] = mapped_column(String(16))  # the agency owning an agency hold (0007)


class RejectionRow(Base):
    """A refused submission: the filer's data-quality record (records themselves are never stored)."""

    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    filer: Mapped[str] = mapped_column(String(40), index=True)
    lrn: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))  # rejected or conflict
    codes: Mapped[list[Any]] = mapped_column()
    received_at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)


_tables = Base.metadata.tables
shipments = _tables[ShipmentRow.__tablename__]
goods_items = _tables[GoodsItemRow.__tablename__]
parties = _tables[PartyRow.__tablename__]
decisions = _tables[DecisionRow.__tablename__]
tax_lines = _tables[TaxLineRow.__tablename__]
events = _tables[EventRow.__tablename__]
holds = _tables[HoldRow.__tablename__]
rejections = _tables[RejectionRow.__tablename__]
