"""One settings object, read from CLEARWAY_* environment variables."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLEARWAY_")

    database_url: str = "sqlite:///clearway.db"
    # Risk: share of shipments drawn at random for control, and the seed that makes the draw reproducible.
    control_rate: float = 0.01
    control_seed: int = 0
    split_window_hours: int = 72
    undervalue_ratio: Decimal = Decimal("1")
    # Revenue: duty rate used when no tariff line matches; always reported as a fallback.
    fallback_duty_rate: Decimal = Decimal("0.12")
    # Records per pipeline transaction when ingesting files.
    batch_size: int = 2000
    # Worker processes for file ingest on PostgreSQL (records shared out by consignee); SQLite uses one.
    ingest_workers: int = 2
    # API keys: "required" in any deployment; "off" only for a local demo or tests of other features,
    # where every caller acts as an administrator.
    auth: Literal["required", "off"] = "required"
