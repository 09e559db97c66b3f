"""Tables of the measurement feature: stored Time Release Study runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearway.kit.tables import Base, RowId, Timestamp


class StudyRunRow(Base):
    """A stored Time Release Study run with its scope, for side-by-side comparison (TRS Phase IV)."""

    __tablename__ = "trs_runs"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    scope: Mapped[dict[str, Any]] = mapped_column()
    results: Mapped[dict[str, Any]] = mapped_column()


study_runs = Base.metadata.tables[StudyRunRow.__tablename__]
