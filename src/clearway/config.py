"""One settings object, read from CLEARWAY_* environment variables.

Entrypoints read it (`get_settings()` in the server; the CLI per command, since one test process runs
many commands with different environments) and pass it down; domain and storage code never build one."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
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
    # Watch list: fuzzy name / address similarity (rapidfuzz token_sort_ratio, 0-100) that counts as a match.
    watchlist_threshold: float = 90.0
    # Revenue: duty rate used when no tariff line matches; always reported as a fallback.
    fallback_duty_rate: Decimal = Decimal("0.12")
    # Records per pipeline transaction when ingesting files.
    batch_size: int = 2000
    # Worker processes for file ingest on PostgreSQL (records shared out by consignee); SQLite uses one.
    ingest_workers: int = 2
    # API keys: "required" in any deployment; "off" only for a local demo or tests of other features,
    # where every caller acts as an administrator.
    auth: Literal["required", "off"] = "required"
    # Notifications (clearway.clearance.notify): the NATS server, and webhook retries (delay doubles
    # from notify_backoff_s after each failed attempt; dead-lettered after notify_max_attempts).
    nats_url: str = "nats://127.0.0.1:4222"
    notify_max_attempts: int = 8
    notify_backoff_s: float = 2.0
    # AEO benefits (clearway.clearance.aeo): risk score multiplied by this factor for a recognised AEO
    # (1 = no benefit), and recognised AEOs first in the officers' queue.
    aeo_score_factor: float = 0.5
    aeo_queue_priority: bool = True
    # Personal data at rest (clearway.security.personal): base64 of 32 random bytes
    # (`clearway keys data-key` prints one). Unset: a public development key, with a warning.
    data_key: str | None = None
    previous_data_keys: str = ""  # comma-separated keys still accepted for reading (rotation)
    index_key: str | None = None  # blind-index key; default derived from data_key
    # Signs the dashboard's session cookie; unset: a random secret per process (sessions end on restart).
    session_secret: str | None = None
    # Proxies whose X-Forwarded-Proto / X-Forwarded-For are believed (comma-separated IPs, or "*"): behind
    # a TLS proxy the request is then https and the session cookie is marked Secure.
    forwarded_allow_ips: str = "127.0.0.1"
    # Days after a shipment closes (released, returned, seized) before `clearway privacy purge` removes
    # its consignee's personal data.
    retention_days: int = 90


@cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
