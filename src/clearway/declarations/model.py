"""Advance electronic data for one e-commerce shipment (house consignment: one parcel, one consignee).

The models are the wire format of `POST /v1/shipments`, of JSON Lines bulk files and (flattened) of the
CSV layout in `csv_layout.py`. They check shape and types only; code lists, formats and consistency are
checked by `validation.py` so that every problem of a record is reported together, with a stable code.
WCO Data Model ids are given in field descriptions where one exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(min_length=1, max_length=512)]
ShortText = Annotated[str, Field(min_length=1, max_length=70)]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]
Mass = Annotated[Decimal, Field(max_digits=12, decimal_places=6)]


class TransportMode(StrEnum):
    """UN/ECE Recommendation 19 transport mode codes, as words for readability."""

    SEA = "sea"
    RAIL = "rail"
    ROAD = "road"
    AIR = "air"
    POST = "post"


class Channel(StrEnum):
    POST = "post"
    EXPRESS = "express"
    OTHER = "other"


class CollectionModel(StrEnum):
    """WCO FoS Standard 7: who pays the duties and taxes to customs."""

    VENDOR = "vendor"
    INTERMEDIARY = "intermediary"
    BUYER = "buyer"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Address(_Strict):
    line: Annotated[str | None, Field(max_length=256, description="WCO 239")] = None
    city: Annotated[str | None, Field(max_length=70, description="WCO 241")] = None
    postcode: Annotated[str | None, Field(max_length=17, description="WCO 245")] = None
    country: Annotated[str, Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, WCO 242")]


class Party(_Strict):
    name: ShortText
    tin: Annotated[
        str | None,
        Field(
            max_length=40,
            description="Trader Identification Number: issuing country (ISO 3166-1 alpha-2) followed by "
            "the identifier (an..35), e.g. DE123456789 or CN91330100MA2XXXXX",
        ),
    ] = None
    address: Address | None = None
    email: Annotated[str | None, Field(max_length=256)] = None
    phone: Annotated[str | None, Field(max_length=35)] = None


class Parties(_Strict):
    seller: Party = Field(description="Seller / e-vendor (WCO R050/R051)")
    consignee: Party = Field(description="Consignee / buyer (WCO R014/R015)")
    marketplace: Party | None = Field(default=None, description="E-commerce platform")
    carrier: Party | None = Field(
        default=None, description="Intermediary: express carrier or post (R011/R012)"
    )
    consignor: Party | None = Field(default=None, description="WCO R020/R021")
    importer: Party | None = Field(default=None, description="WCO R037/R038")
    declarant: Party | None = Field(default=None, description="Broker or filer acting as declarant")


class GoodsItem(_Strict):
    description: Annotated[str, Field(min_length=1, max_length=512, description="WCO 137")]
    hs_code: Annotated[
        str, Field(min_length=6, max_length=10, description="HS 6 digits, national 8/10 optional (WCO 145)")
    ]
    origin_country: Annotated[str, Field(min_length=2, max_length=2, description="WCO 063")]
    quantity: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3)] = Decimal(1)
    unit: Annotated[str, Field(max_length=3, description="UN/ECE Rec 20 unit, e.g. PCE, KGM")] = "PCE"
    net_mass_kg: Mass = Field(description="WCO 128")
    gross_mass_kg: Mass | None = Field(default=None, description="WCO 126")
    value: Money = Field(description="Item intrinsic value in the consignment currency (WCO 306)")


class Fiscal(_Strict):
    collection_model: CollectionModel = CollectionModel.BUYER
    vendor_registration: Annotated[
        str | None, Field(max_length=20, description="Vendor tax registration, e.g. EU IOSS IM + 10 digits")
    ] = None
    tax_collected_at_checkout: bool = False
    deferred_payment_account: Annotated[str | None, Field(max_length=35)] = None


class Shipment(_Strict):
    """The core advance data set for one house consignment."""

    filer: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            description="Who submits the data (platform, carrier, post or broker account). "
            "Together with `lrn` it is the idempotency key.",
        ),
    ]
    lrn: Annotated[str, Field(min_length=1, max_length=22, description="Filer's local reference (an..22)")]
    house_waybill: Annotated[str, Field(min_length=1, max_length=35, description="WCO D023, tracking number")]
    master_waybill: Annotated[str | None, Field(max_length=35)] = None
    ucr: Annotated[str | None, Field(max_length=35, description="WCO 016")] = None
    order_id: Annotated[str | None, Field(max_length=70)] = None
    payment_id: Annotated[str | None, Field(max_length=70)] = None
    lodged_at: dt.datetime | None = Field(
        default=None, description="Declaration issue date/time (WCO D011); the receipt time when absent"
    )
    expected_arrival: dt.datetime | None = None
    transport_mode: TransportMode = TransportMode.AIR
    channel: Channel = Channel.EXPRESS
    departure_country: Annotated[str, Field(min_length=2, max_length=2)]
    destination_country: Annotated[str, Field(min_length=2, max_length=2)]
    office_of_entry: Annotated[str | None, Field(max_length=8, description="Customs office code (G004)")] = (
        None
    )
    goods_location: Annotated[str | None, Field(max_length=5, description="UN/LOCODE (L017)")] = None
    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217 (WCO 135)")]
    total_value: Money = Field(description="Total intrinsic value of the consignment (WCO 110)")
    transport_cost: Money = Decimal(0)
    insurance_cost: Money = Decimal(0)
    packages: Annotated[int, Field(ge=1, le=9999)] = 1
    gross_mass_kg: Mass | None = None
    documents_only: bool = Field(default=False, description="Correspondence / documents (IRG category 1)")
    gift: bool = Field(default=False, description="C2C gift between private persons")
    return_shipment: bool = False
    parties: Parties
    goods: Annotated[list[GoodsItem], Field(min_length=1, max_length=999)]
    fiscal: Fiscal = Fiscal()


class ShipmentBatch(BaseModel):
    shipments: Annotated[list[Shipment], Field(min_length=1, max_length=10_000)]
