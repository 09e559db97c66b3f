"""Pre-loading screening for air cargo (ICAO/WCO PLACI) on the minimal 7+1 data set.

The seven elements — consignor name and address, consignee name and address, number of pieces, gross
weight, cargo description, house air waybill — plus the master air waybill. The answer is one of
`assessment_complete`, `request_for_information` (the description does not say what it is: the same
vague-description test as the risk rule R-VAGUE), `referral_for_screening` (a party on the watch list,
matched by name or address as the risk rule R-WATCHLIST matches them, or cargo of a kind used to hide a
device: printer/toner cartridges, ...) and `do_not_load` (the
description names a device or explosive). The most severe answer wins; every reason is kept.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, select

from clearway.clearance.outbox import Message, write_outbox
from clearway.clearance.tables import preloading
from clearway.declarations.normalise import fold, name_key
from clearway.declarations.quality import is_vague_description
from clearway.kit.bulk import insert_dicts
from clearway.kit.ids import uuid7
from clearway.risk import watchlist
from clearway.risk.rules import PartyMatcher

ANSWERS = ("assessment_complete", "request_for_information", "referral_for_screening", "do_not_load")
_DO_NOT_LOAD = re.compile(r"\b(explosives?|detonators?|ied|bomb|grenades?|blasting caps?|tnt|semtex)\b")
_SCREEN = re.compile(r"\b(toner|printer cartridges?|ink cartridges?|fireworks?|detonating|fuses?|timers?)\b")


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line: Annotated[str, Field(min_length=1, max_length=140)]
    city: Annotated[str, Field(min_length=1, max_length=70)]
    postcode: Annotated[str | None, Field(max_length=17)] = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=70)]
    address: Address


class PreloadingRequest(BaseModel):
    """The 7+1 elements (ICAO Annex 17 / WCO SAFE pre-loading advance cargo information)."""

    model_config = ConfigDict(extra="forbid")
    filer: Annotated[str, Field(min_length=1, max_length=40)]
    house_waybill: Annotated[str, Field(min_length=1, max_length=35)]
    master_waybill: Annotated[str, Field(min_length=1, max_length=35, description="The +1 element")]
    consignor: Party
    consignee: Party
    pieces: Annotated[int, Field(gt=0, le=99_999)]
    gross_mass_kg: Annotated[float, Field(gt=0, le=100_000)]
    description: Annotated[str, Field(min_length=1, max_length=512)]


@dataclass(frozen=True, slots=True)
class Screening:
    answer: str
    reasons: tuple[dict[str, str], ...]


def screen(req: PreloadingRequest, watch: PartyMatcher) -> Screening:
    """Pure: the answer and its reasons from the 7+1 data and the watch list (names and addresses)."""
    reasons: list[tuple[int, dict[str, str]]] = []
    text = fold(req.description)
    if _DO_NOT_LOAD.search(text):
        reasons.append((3, {"code": "PLACI-DNL", "text": "description names an explosive or a device"}))
    if _SCREEN.search(text):
        reasons.append((2, {"code": "PLACI-CARGO", "text": "cargo of a kind used to conceal a device"}))
    parties = {"consignor": req.consignor, "consignee": req.consignee}
    matches = watch.match(
        [frozenset() for _ in parties],  # the 7+1 data set carries no TIN
        [frozenset({name_key(p.name)}) for p in parties.values()],
        [
            frozenset({watchlist.party_address_key(p.address.line, p.address.postcode, p.address.country)})
            for p in parties.values()
        ],
    )
    for role, found in zip(parties, matches, strict=True):
        if found:
            text = f"{role} is on the watch list: {'; '.join(found)}"
            reasons.append((2, {"code": "PLACI-WATCH", "text": text}))
    if is_vague_description(req.description):
        reasons.append((1, {"code": "PLACI-VAGUE", "text": f"description '{req.description}' is too vague"}))
    severity = max((s for s, _ in reasons), default=0)
    return Screening(ANSWERS[severity], tuple(r for _, r in reasons))


def _view(row: Any) -> dict[str, Any]:
    received = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=dt.UTC)
    return {
        "id": str(row.id),
        "filer": row.filer,
        "house_waybill": row.house_waybill,
        "master_waybill": row.data["master_waybill"],
        "answer": row.answer,
        "reasons": row.reasons,
        "received_at": received.isoformat(),
    }


def submit(
    conn: Connection,
    req: PreloadingRequest,
    now: dt.datetime,
    threshold: float = watchlist.DEFAULT_THRESHOLD,
) -> tuple[dict[str, Any], bool]:
    """Screen and store (with its notification); the same waybill again answers what was stored."""
    existing = conn.execute(
        select(preloading).where(
            preloading.c.filer == req.filer, preloading.c.house_waybill == req.house_waybill
        )
    ).first()
    if existing is not None:
        return _view(existing), False
    result = screen(req, watchlist.load_matcher(conn, now.date(), threshold))
    row = {
        "id": uuid7(),
        "filer": req.filer,
        "house_waybill": req.house_waybill,
        "answer": result.answer,
        "reasons": list(result.reasons),
        "data": req.model_dump(mode="json"),
        "received_at": now,
    }
    insert_dicts(conn, preloading, [row])
    stored = conn.execute(select(preloading).where(preloading.c.id == row["id"])).one()
    view = _view(stored)
    write_outbox(conn, [Message(f"preloading.{result.answer}", req.filer, view)], now)
    return view, True


def get(conn: Connection, preloading_id: uuid.UUID) -> dict[str, Any] | None:
    row = conn.execute(select(preloading).where(preloading.c.id == preloading_id)).first()
    return _view(row) if row is not None else None
