"""Seal the personal data of shipments stored before sealing existed (`clearway privacy seal-existing`).

Such a shipment has no `personal_data` row, its declaration carries the consignee in clear, its
consignee key is the plain normalised key and its consignee party row the plain name. Each chunk is
brought to what the pipeline writes today — sealed consignee, masked declaration, blind keys — with
one bulk insert and two executemany updates, in the caller's transaction.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from clearway.declarations.tables import parties, shipments
from clearway.kit.bulk import insert_rows
from clearway.security.personal import MASKED_NAME, Vault, masked_consignee
from clearway.security.retention import PURGED_KEY
from clearway.security.tables import personal_data

CHUNK = 2000


def _unsealed(conn: Connection, limit: int) -> list[Any]:
    return list(
        conn.execute(
            select(shipments.c.id, shipments.c.declaration, shipments.c.consignee_key)
            .outerjoin(personal_data, personal_data.c.shipment_id == shipments.c.id)
            .where(personal_data.c.shipment_id.is_(None), shipments.c.consignee_key != PURGED_KEY)
            .order_by(shipments.c.id)
            .limit(limit)
        )
    )


def seal_existing(conn: Connection, vault: Vault, chunk: int = CHUNK) -> int:
    """Seal every unsealed shipment; returns how many were sealed."""
    done = 0
    while rows := _unsealed(conn, chunk):
        sealed_rows: list[tuple[Any, ...]] = []
        shipment_updates: list[dict[str, Any]] = []
        party_updates: list[dict[str, Any]] = []
        for shipment_id, declaration, key in rows:
            sid: uuid.UUID = shipment_id
            document = dict(declaration)
            consignee = document.get("parties", {}).get("consignee") or {"name": MASKED_NAME}
            plaintext = json.dumps(consignee, separators=(",", ":"), ensure_ascii=False).encode()
            sealed_rows.append((sid, vault.current_id, vault.seal(plaintext, sid.bytes)))
            document["parties"] = {**document.get("parties", {}), "consignee": masked_consignee(consignee)}
            shipment_updates.append({"sid": sid, "doc": document, "key": vault.blind(key)})
            party_updates.append({"sid": sid})
        insert_rows(conn, personal_data, ("shipment_id", "key_id", "sealed"), sealed_rows)
        conn.execute(
            update(shipments)
            .where(shipments.c.id == bindparam("sid"))
            .values(declaration=bindparam("doc"), consignee_key=bindparam("key")),
            shipment_updates,
        )
        # The party key was name_key(name); the new one is its blind index, as the pipeline writes it.
        consignee_rows = conn.execute(
            select(parties.c.id, parties.c.name_key).where(
                and_(
                    parties.c.role == "consignee",
                    parties.c.shipment_id.in_([u["sid"] for u in party_updates]),
                )
            )
        ).all()
        if consignee_rows:
            conn.execute(
                update(parties)
                .where(parties.c.id == bindparam("pid"))
                .values(name=MASKED_NAME, name_key=bindparam("blind"), tin=None),
                [{"pid": r.id, "blind": vault.blind(r.name_key)[:70]} for r in consignee_rows],
            )
        done += len(rows)
    return done
