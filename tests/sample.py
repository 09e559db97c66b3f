"""A valid shipment record in the wire format, and small helpers to vary it."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

RECEIVED_AT = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)

BASE: dict[str, Any] = {
    "filer": "DHLEXPRESS",
    "lrn": "T0001",
    "house_waybill": "1234567890",
    "lodged_at": "2026-11-27T10:00:00+00:00",
    "expected_arrival": "2026-11-28T06:00:00+00:00",
    "transport_mode": "air",
    "channel": "express",
    "departure_country": "CN",
    "destination_country": "DE",
    "office_of_entry": "DELEJ001",
    "goods_location": "DELEJ",
    "currency": "EUR",
    "total_value": "40.00",
    "transport_cost": "0",
    "parties": {
        "seller": {
            "name": "Shenzhen Bright Trading Co., Ltd.",
            "tin": "CN91440300MA5FXX001",
            "address": {"country": "CN", "city": "Shenzhen"},
        },
        "consignee": {
            "name": "Anna Schmidt",
            "address": {"line": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
        },
    },
    "goods": [
        {
            "description": "Women's cotton T-shirt",
            "hs_code": "610910",
            "origin_country": "CN",
            "quantity": "2",
            "net_mass_kg": "0.3",
            "value": "25.00",
        },
        {
            "description": "Wireless Bluetooth earbuds",
            "hs_code": "851830",
            "origin_country": "CN",
            "quantity": "1",
            "net_mass_kg": "0.1",
            "value": "15.00",
        },
    ],
    "fiscal": {"collection_model": "buyer"},
}


def shipment(lrn: str = "T0001", **changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(BASE)
    record["lrn"] = lrn
    record["house_waybill"] = f"WB{lrn}"
    record.update(changes)
    return record


def recent(lrn: str = "T0001", **changes: Any) -> dict[str, Any]:
    """The sample lodged an hour ago and expected a day later, for the paths that receive a record at the
    clock's time (the HTTP API, `ingest`, `process_batch` without a time). There the sample's own dates
    would be refused from 2027-02-25 (lodged more than 90 days before), and a lodgement moved without its
    expected arrival from 2026-12-28 (an arrival more than 30 days before the lodgement)."""
    lodged = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    dates = {"lodged_at": lodged.isoformat(), "expected_arrival": (lodged + dt.timedelta(days=1)).isoformat()}
    return shipment(lrn, **{**dates, **changes})


# Ammunition: on the prohibited list, worth as much as the second item it replaces.
PROHIBITED_ITEM: dict[str, Any] = {
    "description": "Pistol cartridges",
    "hs_code": "930630",
    "origin_country": "CN",
    "net_mass_kg": "0.1",
    "value": "15.00",
}
