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
from functools import lru_cache
from typing import Any

GENESIS = ""  # the chain before a shipment's first event
_ZERO = dt.timedelta(0)


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite gives back naive UTC
        return value.isoformat() + "+00:00"
    return (value if value.utcoffset() == _ZERO else value.astimezone(dt.UTC)).isoformat()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=4096)
def _canonical_text(document: str) -> str:
    # The intake writes a handful of distinct documents ({} and one per lane) millions of times.
    return _canonical(json.loads(document))


def _data(value: Any) -> str:
    return _canonical_text(value) if isinstance(value, str) else _canonical(value or {})


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
        separators=(",", ":"),
        ensure_ascii=False,
    )


def link(previous: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{previous}\x1f{content(row)}".encode()).hexdigest()
