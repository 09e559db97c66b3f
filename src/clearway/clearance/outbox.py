"""The outbox: notifications written in the same transaction as the change they report.

A committed change always has its messages; a rolled-back one has none. The dispatcher (`notify.py`)
sends them after commit, so a receiver that is down never blocks clearance.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from clearway.clearance.tables import outbox
from clearway.kit.bulk import insert_dicts


@dataclass(frozen=True, slots=True)
class Message:
    topic: str  # shipment.<event type> or preloading.<answer>
    filer: str | None
    payload: dict[str, Any]


def _iso(at: dt.datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()


def shipment_messages(
    shipment_id: uuid.UUID, filer: str, lrn: str, house_waybill: str, event_rows: Sequence[dict[str, Any]]
) -> list[Message]:
    """One message per recorded event, in the order they happened."""
    return [
        Message(
            f"shipment.{e['type']}",
            filer,
            {
                "shipment_id": str(shipment_id),
                "filer": filer,
                "lrn": lrn,
                "house_waybill": house_waybill,
                "event": e["type"],
                "wco_id": e["wco_id"],
                "state": e["state_after"],
                "at": _iso(e["at"]),
                "actor": e["actor"],
                "reason": e["reason"],
                "data": e["data"],
            },
        )
        for e in event_rows
    ]


def write_outbox(conn: Connection, messages: Sequence[Message], now: dt.datetime) -> None:
    insert_dicts(
        conn,
        outbox,
        [
            {"topic": m.topic, "filer": m.filer, "payload": m.payload, "created_at": now, "fanned_out": False}
            for m in messages
        ],
    )
