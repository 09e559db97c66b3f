"""`clearway estimate`: what a parcel will cost in duty and taxes, one JSON object on the last line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from clearway.revenue.engine import EstimateError, EstimateRequest, estimate, parse_amount, parse_date


def estimate_command(
    destination: Annotated[
        str, typer.Option(help="Destination country, ISO 3166-1 alpha-2 (DE, GB, US, ...)")
    ],
    date: Annotated[str, typer.Option(help="Import date, YYYY-MM-DD (selects rules and exchange rate)")],
    origin: Annotated[str, typer.Option(help="Country the parcel is shipped from, ISO 3166-1 alpha-2")],
    value: Annotated[str, typer.Option(help="Price of the goods (intrinsic value)")],
    currency: Annotated[str, typer.Option(help="Currency of --value and --shipping, ISO 4217")],
    hs: Annotated[str, typer.Option(help="HS code of the goods, 6, 8 or 10 digits")],
    shipping: Annotated[str, typer.Option(help="Transport and insurance paid")] = "0",
    vendor_registration: Annotated[
        str | None, typer.Option(help="Seller's VAT/GST scheme number (IOSS, UK VAT, AU ARN)")
    ] = None,
    gift: Annotated[bool, typer.Option("--gift", help="A gift between private individuals")] = False,
    channel: Annotated[str, typer.Option(help="courier or post")] = "courier",
) -> None:
    """Estimate duty, taxes and fees for one parcel; prints the explanation, then one JSON object."""
    try:
        request = EstimateRequest(
            destination=destination,
            on=parse_date(date),
            origin=origin,
            value=parse_amount(value, "value"),
            currency=currency,
            hs=hs,
            shipping=parse_amount(shipping, "shipping"),
            vendor_registration=vendor_registration,
            gift=gift,
            channel=channel,
        )
        result = estimate(request)
    except EstimateError as exc:
        typer.echo(f"error: --{exc.field.replace('_', '-')}: {exc.message}", err=True)
        typer.echo(json.dumps({"error": {"field": exc.field, "message": exc.message}}), err=True)
        raise typer.Exit(2) from None
    for line in result.explanations:
        typer.echo(f"  {line}")
    typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
