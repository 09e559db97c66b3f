"""The rule-language fields of one declaration, as the pipeline and the backtest both see them.

Indicator fields (``indicator.*``) are filled by the risk stage (live) or the backtest (from history).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from clearway.declarations.model import Party, Shipment
from clearway.declarations.normalise import normalise_tin
from clearway.reference.rates import convert
from clearway.risk.language.fields import GOODS, LODGED_DATE


def _party(prefix: str, party: Party | None, out: dict[str, Any]) -> None:
    if party is None:
        return
    out[f"{prefix}.name"] = party.name
    out[f"{prefix}.tin"] = normalise_tin(party.tin) if party.tin else None
    if party.address is not None:
        out[f"{prefix}.country"] = party.address.country
        out[f"{prefix}.postcode"] = party.address.postcode


def shipment_fields(
    s: Shipment, *, jurisdiction: str, irg_category: int, lodged_at: dt.datetime
) -> dict[str, Any]:
    day = lodged_at.date()

    def eur(amount: Decimal) -> Decimal:
        return convert(amount, s.currency, "EUR", day)

    goods = []
    for g in s.goods:
        value_eur = eur(g.value)
        goods.append(
            {
                "hs_code": g.hs_code,
                "description": g.description,
                "origin_country": g.origin_country,
                "quantity": g.quantity,
                "net_mass_kg": g.net_mass_kg,
                "value_eur": value_eur,
                "unit_value_eur": value_eur / g.quantity,
            }
        )
    # Highest value first; max() keeps the first of equals.
    top = max(s.goods, key=lambda g: g.value)
    out: dict[str, Any] = {
        "filer": s.filer,
        "jurisdiction": jurisdiction,
        "departure_country": s.departure_country,
        "destination_country": s.destination_country,
        "origin": top.origin_country,
        "transport_mode": s.transport_mode.value,
        "channel": s.channel.value,
        "collection_model": s.fiscal.collection_model.value,
        "office_of_entry": s.office_of_entry,
        "currency": s.currency,
        "vendor_registration": s.fiscal.vendor_registration,
        "gift": s.gift,
        "documents_only": s.documents_only,
        "return_shipment": s.return_shipment,
        "packages": s.packages,
        "irg_category": irg_category,
        "consignment.total_value_eur": eur(s.total_value),
        "consignment.item_count": len(s.goods),
        "consignment.net_mass_kg": sum((g.net_mass_kg for g in s.goods), Decimal(0)),
        "consignment.gross_mass_kg": s.gross_mass_kg,
        GOODS: goods,
        LODGED_DATE: day,
    }
    _party("seller", s.parties.seller, out)
    _party("consignee", s.parties.consignee, out)
    if s.parties.marketplace is not None:
        out["marketplace.name"] = s.parties.marketplace.name
    if s.parties.carrier is not None:
        out["carrier.name"] = s.parties.carrier.name
    return out
