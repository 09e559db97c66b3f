"""`GET /v1/estimate`: the public duty and tax estimator (no role needed: consumers use it).

Parameters arrive as plain strings so that bad input is answered by one 422 problem naming the field
(`errors[0].path` is `/value`, `/hs`, `/date`, ...), exactly as `clearway estimate` names the option.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from clearway.api.problems import Problem
from clearway.revenue.engine import EstimateError, EstimateRequest, estimate, parse_amount, parse_date

router = APIRouter(prefix="/v1", tags=["revenue"])


def estimate_problem(exc: EstimateError) -> Problem:
    return Problem(
        422,
        "Unprocessable content",
        f"{exc.field}: {exc.message}",
        "https://clearway.dev/problems/validation",
        field=exc.field,
        errors=[{"code": f"estimate.{exc.field}", "path": f"/{exc.field}", "message": exc.message}],
    )


def run_estimate(params: dict[str, str | None]) -> dict[str, Any]:
    """Parse string parameters and estimate; raises EstimateError naming the field."""
    for name in ("destination", "date", "origin", "value", "currency", "hs"):
        if not params.get(name):
            raise EstimateError(name, "is required")
    gift = (params.get("gift") or "false").lower()
    if gift not in ("true", "false", "1", "0", "on", "off", "yes", "no"):
        raise EstimateError("gift", f"{params['gift']!r} is not a boolean")
    request = EstimateRequest(
        destination=str(params["destination"]),
        on=parse_date(str(params["date"])),
        origin=str(params["origin"]),
        value=parse_amount(str(params["value"]), "value"),
        currency=str(params["currency"]),
        hs=str(params["hs"]),
        shipping=parse_amount(params.get("shipping") or "0", "shipping"),
        vendor_registration=params.get("vendor_registration") or None,
        gift=gift in ("true", "1", "on", "yes"),
        channel=params.get("channel") or "courier",
    )
    return estimate(request).as_json()


@router.get("/estimate", summary="Estimate duty, taxes and fees for one parcel (public)")
def get_estimate(
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
    try:
        return run_estimate(
            {
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
        )
    except EstimateError as exc:
        raise estimate_problem(exc) from None
