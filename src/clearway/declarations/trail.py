"""The trail of a shipment is tamper-evident: every event row carries `chain`, the SHA-256 of the
previous event's chain of the same shipment and of this row's content, so that altering, removing or
reordering any stored event breaks every link after it. `clearway audit verify` recomputes them.

The tables themselves are append-only (migration 0011: triggers refuse UPDATE and DELETE on `events`
and `audit_log`, on PostgreSQL and SQLite); the chain shows whether rows were changed behind the
database's back (a restored copy, direct file access).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = ""  # the chain before a shipment's first event


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()


def _data(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else (value or {})


def content(row: Mapping[str, Any]) -> str:
    """The row's content as one canonical text, the same for a row as written and as read back from
    either database (UTC times, JSON with sorted keys)."""
    return json.dumps(
        [
            str(row["shipment_id"]),
            row["type"],
            row["wco_id"],
            _iso(row["at"]),
            row["actor"],
            row["reason"],
            row["state_after"],
            _data(row["data"]),
            _iso(row.get("stated_at")),
            row.get("stated_by"),
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def link(previous: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{previous}\x1f{content(row)}".encode()).hexdigest()
