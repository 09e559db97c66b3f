"""Webhooks (HMAC-signed notifications) and the outbox and delivery counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from clearway.clearance import notify
from clearway.clearance.tables import webhooks
from clearway.http.bodies import parse_model, read_json
from clearway.http.problems import problems
from clearway.http.security import Principal, Role, require
from clearway.http.uow import unit_of_work

router = APIRouter(prefix="/v1", tags=["clearance"], responses=problems(400, 404, 409))


class _Webhook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, Field(pattern=r"^https?://", max_length=500)]
    secret: Annotated[str, Field(min_length=16, max_length=200)]
    filer: str | None = None


@router.post("/webhooks", status_code=201, summary="Register a webhook (HMAC-signed notifications)")
async def add_webhook(
    request: Request, principal: Principal = Depends(require(Role.FILER))
) -> dict[str, Any]:
    body = parse_model(_Webhook, await read_json(request))
    filer = principal.party if principal.role is Role.FILER else body.filer
    with unit_of_work(request) as conn:
        hook_id = notify.add_webhook(conn, body.url, body.secret, filer)
    return {"id": hook_id, "url": body.url, "filer": filer}


@router.get("/webhooks", summary="Webhooks (a filer sees its own)")
def list_webhooks(request: Request, principal: Principal = Depends(require(Role.FILER))) -> dict[str, Any]:
    query = select(webhooks.c.id, webhooks.c.url, webhooks.c.filer, webhooks.c.active).order_by(webhooks.c.id)
    if principal.role is Role.FILER:
        query = query.where(webhooks.c.filer == principal.party)
    with request.app.state.engine.connect() as conn:
        return {"webhooks": [dict(r._mapping) for r in conn.execute(query)]}


@router.get("/notifications", summary="Outbox and delivery counts (pending, delivered, dead)")
def notification_counts(request: Request, _: Principal = Depends(require())) -> dict[str, int]:
    with request.app.state.engine.connect() as conn:
        return notify.counts(conn)
