"""Tables of the clearance workflow: offices, traders and AEO, agencies, pre-loading, outbox, webhooks.

Holds and events are part of the shipment record (`declarations.tables`). Migration 0007 creates these.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearway.kit.tables import Base, RowId, Timestamp


class OfficeRow(Base):
    """Customs office master data: UN/LOCODE (5) + suffix (3)."""

    __tablename__ = "customs_offices"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    roles: Mapped[list[Any]] = mapped_column()  # entry, exit, transit, destination, declaration, payment
    opening_hours: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class TraderRow(Base):
    """A trader keyed by TIN: issuing country + identifier, normalised ('DE' + '123456789')."""

    __tablename__ = "traders"

    tin: Mapped[str] = mapped_column(String(40), primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    identifier: Mapped[str] = mapped_column(String(35))
    name: Mapped[str] = mapped_column(String(70))


class AeoRow(Base):
    __tablename__ = "aeo_authorisations"
    __table_args__ = (UniqueConstraint("issuing_country", "reference"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    tin: Mapped[str] = mapped_column(String(40), index=True)
    holder: Mapped[str] = mapped_column(String(70))
    kind: Mapped[str] = mapped_column(String(4))  # AEOC, AEOS, AEOF
    status: Mapped[str] = mapped_column(String(10))  # active, suspended, revoked
    issuing_country: Mapped[str] = mapped_column(String(2))  # the administration that issued it
    reference: Mapped[str] = mapped_column(String(35))  # its certificate number
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class MraPartnerRow(Base):
    """A partner administration whose AEOs this one recognises (mutual recognition arrangement)."""

    __tablename__ = "mra_partners"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    since: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)


class AgencyRow(Base):
    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class AgencySubscriptionRow(Base):
    """What an agency regulates: every given criterion must match (HS range, origin, party TIN)."""

    __tablename__ = "agency_subscriptions"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    hs_from: Mapped[str | None] = mapped_column(String(6))  # inclusive, compared on HS6 padded with 0/9
    hs_to: Mapped[str | None] = mapped_column(String(6))
    origin: Mapped[str | None] = mapped_column(String(2))
    party_tin: Mapped[str | None] = mapped_column(String(40))
    hold_on_arrival: Mapped[bool] = mapped_column(Boolean)
    reason_code: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)


class PreloadingRow(Base):
    """A pre-loading (air, 7+1) screening request and its answer."""

    __tablename__ = "preloading"
    __table_args__ = (UniqueConstraint("filer", "house_waybill"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    filer: Mapped[str] = mapped_column(String(40))
    house_waybill: Mapped[str] = mapped_column(String(35))
    answer: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[list[Any]] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class OutboxRow(Base):
    """A notification written in the transaction of the change it reports; sent after commit."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_fanned_out_id", "fanned_out", "id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))  # e.g. shipment.released, preloading.do_not_load
    filer: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    fanned_out: Mapped[bool] = mapped_column(Boolean)


class WebhookRow(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200))
    filer: Mapped[str | None] = mapped_column(String(40))  # only this filer's notifications; all when null
    active: Mapped[bool] = mapped_column(Boolean)


class DeliveryRow(Base):
    """One notification to one target (a webhook, or the NATS stream), with its retry state."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id"))  # null: the NATS stream
    status: Mapped[str] = mapped_column(String(10))  # pending, delivered, dead
    attempts: Mapped[int] = mapped_column(SmallInteger)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


_t = Base.metadata.tables
offices = _t["customs_offices"]
traders = _t["traders"]
aeo = _t["aeo_authorisations"]
mra_partners = _t["mra_partners"]
agencies = _t["agencies"]
agency_subscriptions = _t["agency_subscriptions"]
preloading = _t["preloading"]
outbox = _t["outbox"]
webhooks = _t["webhooks"]
deliveries = _t["deliveries"]
