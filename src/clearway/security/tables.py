"""Tables of the security feature: API keys, the audit trail, sealed personal data."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from clearway.kit.tables import Base, RowId


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    party: Mapped[str | None] = mapped_column(String(40))
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Logout: dashboard sessions of this key issued until then are over (migration 0010).
    sessions_ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


api_keys = Base.metadata.tables[ApiKeyRow.__tablename__]


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(64), index=True)  # shipment id, key prefix, ...
    detail: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))


audit_log = Base.metadata.tables[AuditRow.__tablename__]


class PersonalDataRow(Base):
    __tablename__ = "personal_data"

    shipment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("shipments.id"), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)  # nonce (12 bytes) + AES-GCM ciphertext and tag


personal_data = Base.metadata.tables[PersonalDataRow.__tablename__]
