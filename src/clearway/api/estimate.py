"""`GET /v1/estimate`: the public duty and tax estimator (no role needed: consumers use it).

Parameters arrive as plain strings so that bad input is answered by one 422 problem naming the field
(`errors[0].path` is `/value`, `/hs`, `/date`, ... and a `field` member), exactly as `clearway estimate`
names the option: the `EstimateError` itself, answered by the one handler.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from clearway.revenue import service
from clearway.revenue.engine import estimate_request

router = APIRouter(prefix="/v1", tags=["revenue"])


@router.get("/estimate", summary="Estimate duty, taxes and fees for one parcel (public)")
def get_estimate(
    request: Request,
    destination: str | None = Query(None, description="destination country, ISO 3166-1 alpha-2"),
    date: str | None = Query(None, description="import date YYYY-MM-DD"),
    origin: str | None = Query(None, description="country shipped from, ISO 3166-1 alpha-2"),
    value: str | None = Query(None, description="price of the goods"),
    currency: str | None = Query(None, description="ISO 4217 currency of value and shipping"),
    hs: str | None = Query(None, description="HS code, 6, 8 or 10 digits"),
    shipping: str | None = Query(None, description="transport and insurance paid"),
    vendor_registration: str | None = Query(None, description="seller's IOSS / UK VAT / AU ARN number"),
    gift: str | None = Query(None, description="true for a gift between private individuals"),
    channel: str | None = Query(None, description="courier or post"),
) -> dict[str, Any]:
    params = {
        "destination": destination,
        "date": date,
        "origin": origin,
        "value": value,
        "currency": currency,
        "hs": hs,
        "shipping": shipping,
        "vendor_registration": vendor_registration,
        "gift": gift,
        "channel": channel,
    }
    parcel = estimate_request(params)
    return service.estimate(parcel, request.app.state.settings.fallback_duty_rate).as_json()
