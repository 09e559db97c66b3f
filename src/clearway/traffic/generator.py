"""Deterministic synthetic cross-border e-commerce traffic into the EU, with planted fraud.

`generate` streams house consignments in the wire format of `clearway.declarations.model.Shipment`
together with a `Label` that holds the ground truth (which fraud was planted, the true value). The
labels never travel inside the records, so risk rules and models can be scored against them.

Every distribution, its rationale and the planted fraud rates are documented in
`docs/traffic-generator.md`; change the two together. All reference codes used here (HS 2022
subheadings, CN8 lines, UN/LOCODEs) were checked against the files in `shared/data/reference` when
they were written down: the constants `HS6_CODES`, `CN8_CODES` and `GOODS_LOCATIONS` are the
checked sets, so tests need not read those files.

This module is the behaviour. The data it draws from lives apart: the goods catalogue, the traffic mix
and the fraud parameters in `catalogue`, destinations, entry points, consumers and origins in `places`,
marketplaces, carriers, posts and routes in `parties`, the fixed seller pool and its watch-list in
`sellers`; identifier schemes are in `identifiers` and the shared drawing helpers in `draw`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import math
import pathlib
import random
import zlib
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clearway.traffic.catalogue import (
    CATALOGUE,
    CATEGORY_WEIGHTS,
    CET,
    CN8_CODES,
    COLOURS,
    DOCUMENTS,
    EUR_RATES,
    FRAUD_EVENT_WEIGHTS,
    FRAUD_KINDS,
    FRAUD_SHARE_OTHER,
    FRAUD_SHARE_WATCHLISTED,
    GIFT_CATEGORIES,
    GIFT_FOOD,
    GIFT_LIMIT_EUR,
    HS6_CODES,
    IOSS_LIMIT_EUR,
    P_DOCUMENTS,
    P_GIFT,
    P_IOSS_MARKETPLACE,
    P_IOSS_OWN,
    P_REPEAT_BUYER,
    PROHIBITED,
    SAFE_LIMIT_EUR,
    SIZES,
    SPLIT_PARTS,
    VAGUE,
    WRONG_HS,
    Product,
)
from clearway.traffic.draw import cumulative, fill, to_ascii
from clearway.traffic.identifiers import S10_SERVICES, s10_check
from clearway.traffic.parties import (
    AIRLINES,
    CARRIER_PARTY,
    CARRIERS,
    EU_POSTS,
    LRN_PREFIX,
    MARKETPLACE_PARTY,
    MARKETPLACES,
    POST_PARTY,
    ROUTES,
    Carrier,
)
from clearway.traffic.places import (
    CITIES,
    COMMERCIAL_ORIGINS,
    DESTINATION_COUNTRIES,
    DESTINATIONS,
    DOC_ORIGINS,
    GIFT_ORIGINS,
    GOODS_LOCATIONS,
    HOURLY_PROFILE,
    LOCATIONS,
    MAIL_DOMAINS,
    NAMES,
    OFFICE_SUFFIX,
    ORIGIN,
    ORIGINS,
    PHONES,
    STREETS,
    Origin,
)
from clearway.traffic.sellers import SELLERS_BY_ORIGIN, WATCHLIST_SELLERS, Seller, make_address

__all__ = [
    "CN8_CODES",
    "DEFAULT_START",
    "DESTINATION_COUNTRIES",
    "EUR_RATES",
    "FRAUD_KINDS",
    "GOODS_LOCATIONS",
    "HS6_CODES",
    "IOSS_LIMIT_EUR",
    "SAFE_LIMIT_EUR",
    "WATCHLIST_SELLERS",
    "Label",
    "generate",
    "write_files",
]

DEFAULT_START = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)  # Black Friday: a peak day, not an average one

_RATE = {cur: float(rate) for cur, rate in EUR_RATES.items()}


@dataclass(frozen=True, slots=True)
class Label:
    """Ground truth for one generated shipment, keyed like the record by (filer, lrn)."""

    filer: str
    lrn: str
    fraud: str | None  # None for honest shipments, else one of FRAUD_KINDS
    detail: str  # human explanation, empty for honest shipments
    true_value: Decimal  # true total intrinsic value in the shipment currency


# --------------------------------------------------------------------------------------------------
# Sampling tables: the data modules' weights as cumulative tables for bisection

_BY_CATEGORY: dict[str, tuple[tuple[Product, ...], list[float]]] = {}
for _cat in CATEGORY_WEIGHTS:
    _members = tuple(p for p in CATALOGUE if p.category == _cat)
    _BY_CATEGORY[_cat] = (_members, cumulative([p.weight for p in _members]))

# Goods worth undervaluing: a fraudster gains little by under-declaring a EUR 4 phone case.
_VALUABLE = tuple(p for p in CATALOGUE if p.median_eur >= 25)
_VALUABLE_CUM = cumulative([p.weight for p in _VALUABLE])
_WRONG_HS_PRODUCTS = tuple(p for p in CATALOGUE if p.hs in WRONG_HS)
_WRONG_HS_CUM = cumulative([p.weight for p in _WRONG_HS_PRODUCTS])
_PROHIBITED_CUM = cumulative([p.weight for p in PROHIBITED])
_GIFT_PRODUCTS = (
    tuple(p for p in CATALOGUE if p.category in GIFT_CATEGORIES and p.median_eur <= 30) + GIFT_FOOD
)
_GIFT_CUM = cumulative([p.weight for p in _GIFT_PRODUCTS])
_ALL_BY_MEDIAN = tuple(sorted(CATALOGUE, key=lambda p: p.median_eur))
_DEST_CODES = tuple(d[0] for d in DESTINATIONS)
_DEST_CUM = cumulative([d[1] for d in DESTINATIONS])
_CITY_CUM = {cc: cumulative([c[3] for c in cities]) for cc, cities in CITIES.items()}
_GIFT_ORIGIN_CUM = cumulative([w for _, w, _ in GIFT_ORIGINS])
_DOC_ORIGIN_CUM = cumulative([w for _, w in DOC_ORIGINS])


def _event_probability(shipment_share: float) -> float:
    """Per-event fraud probability giving `shipment_share` of shipments, since a split event is k parcels."""
    split_weight = dict(FRAUD_EVENT_WEIGHTS)["split_consignment"] / sum(w for _, w in FRAUD_EVENT_WEIGHTS)
    mean_parts = sum(k * w for k, w in SPLIT_PARTS) / sum(w for _, w in SPLIT_PARTS)
    size = 1 + split_weight * (mean_parts - 1)
    return shipment_share / (size - shipment_share * (size - 1))


_P_FRAUD_WATCHLISTED = _event_probability(FRAUD_SHARE_WATCHLISTED)
_P_FRAUD_OTHER = _event_probability(FRAUD_SHARE_OTHER)
_FRAUD_KIND_NAMES = tuple(k for k, _ in FRAUD_EVENT_WEIGHTS)
_FRAUD_KIND_CUM = cumulative([w for _, w in FRAUD_EVENT_WEIGHTS])
_SPLIT_CUM = cumulative([w for _, w in SPLIT_PARTS])

_GOODS_ORIGIN = {
    o.code: (tuple(c for c, _ in o.goods_origin), cumulative([w for _, w in o.goods_origin])) for o in ORIGINS
}
_CURRENCIES = {
    o.code: (tuple(c for c, _ in o.currencies), cumulative([w for _, w in o.currencies])) for o in ORIGINS
}
_MEDIANS = [p.median_eur for p in _ALL_BY_MEDIAN]
_SPREAD = 0x9E3779B1  # odd and not a multiple of 5: a bijection on every power-of-ten range


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _kg(grams: int) -> str:
    return f"{grams // 1000}.{grams % 1000:03d}"


def _hs_text(code: str) -> str:
    return f"{code[:4]}.{code[4:6]}" + (f".{code[6:]}" if len(code) > 6 else "")


def _copy(party: dict[str, Any]) -> dict[str, Any]:
    copied = dict(party)
    if "address" in copied:
        copied["address"] = dict(copied["address"])
    return copied


class _Item:
    __slots__ = ("description", "gross_g", "hs", "net_g", "origin", "qty", "value_cents")

    def __init__(
        self, description: str, hs: str, origin: str, qty: int, value_cents: int, net_g: int, gross_g: int
    ) -> None:
        self.description = description
        self.hs = hs
        self.origin = origin
        self.qty = qty
        self.value_cents = value_cents
        self.net_g = net_g
        self.gross_g = gross_g


class _Pending:
    """A built record waiting for its lodgement time; lrn and waybill are numbered on emission."""

    __slots__ = ("carrier", "detail", "fraud", "record", "true_cents")

    def __init__(
        self, record: dict[str, Any], carrier: Carrier, fraud: str | None, detail: str, true_cents: int
    ) -> None:
        self.record = record
        self.carrier = carrier
        self.fraud = fraud
        self.detail = detail
        self.true_cents = true_cents


@dataclass(slots=True)
class _Path:
    """How one parcel travels and who files for it."""

    carrier: Carrier
    departure: str  # departure country
    mode: str  # air | post | road | rail
    channel: str  # express | post | other
    place: str  # the kind of entry point (air, post, road, rail): picks the location and office suffix
    filer: str
    declarant: dict[str, Any]
    location: str  # goods location, a UN/LOCODE
    days: float  # transit time to expected arrival


def _parties(
    seller: dict[str, Any] | None, consignee: dict[str, Any], marketplace: str | None, path: _Path
) -> dict[str, Any]:
    parties: dict[str, Any] = {"seller": seller, "consignee": consignee}
    if marketplace is not None:
        parties["marketplace"] = _copy(MARKETPLACE_PARTY[marketplace])
    parties["carrier"] = _copy(CARRIER_PARTY[path.carrier.id])
    parties["declarant"] = _copy(path.declarant)
    return parties


def _goods_line(item: _Item) -> dict[str, Any]:
    return {
        "description": item.description,
        "hs_code": item.hs,
        "origin_country": item.origin,
        "quantity": item.qty,
        "unit": "PCE",
        "net_mass_kg": _kg(item.net_g),
        "gross_mass_kg": _kg(item.gross_g),
        "value": _money(item.value_cents),
    }


class _Generator:
    def __init__(self, shipments: int, seed: int, start: dt.datetime) -> None:
        self.total = shipments
        self.seed = seed
        self.rng = random.Random(seed)
        # Consignees are re-derived from their index, so a repeat buyer costs no memory.
        self.people = random.Random()
        self.people_key = ((seed & 0xFFFFFFFFFFFF) << 40) + (0x5EED << 96)
        self.start = start
        self.day_code = start.strftime("%y%m%d")
        self.produced = 0
        self.consignees = 0
        self.split_groups = 0
        self.seq = 0
        self.heap: list[tuple[int, int, _Pending]] = []
        self.lrn_next: dict[str, int] = {}
        self.waybill_next: dict[str, int] = {}
        self.salt = self.rng.getrandbits(60)
        self.routes: dict[tuple[str, str, bool], tuple[tuple[tuple[Carrier, str], ...], list[float]]] = {}
        self.accounts: dict[tuple[str, str], str] = {}
        self.start_second = start.hour * 3600 + start.minute * 60 + start.second
        self.dates: dict[int, str] = {}
        start_hour = start.hour + start.minute / 60 + start.second / 3600
        bin_weights: list[float] = []
        self.bin_origins: list[list[float]] = []
        for h in range(24):
            utc = start_hour + h + 0.5
            weights = [o.weight * HOURLY_PROFILE[int((utc + o.utc_offset) % 24)] for o in COMMERCIAL_ORIGINS]
            bin_weights.append(sum(weights))
            self.bin_origins.append(cumulative(weights))
        self.bin_cum = cumulative(bin_weights)

    # -- streaming ---------------------------------------------------------------------------------

    def run(self) -> Iterator[tuple[dict[str, Any], Label]]:
        heap = self.heap
        while self.produced < self.total:
            t = self._slot_time(self.produced)
            for when, pending in self._event(t):
                self.seq += 1
                heapq.heappush(heap, (when, self.seq, pending))
                self.produced += 1
            # Split parts are lodged later in the day; holding them in a heap keeps the output in
            # lodgement order while memory stays bounded by a few hours of split parts.
            while heap and heap[0][0] <= t:
                yield self._emit(heapq.heappop(heap)[2])
        while heap:
            yield self._emit(heapq.heappop(heap)[2])

    def _slot_time(self, slot: int) -> int:
        """Seconds after start for the slot-th parcel: stratified draws from the day's profile."""
        cum = self.bin_cum
        q = (slot + self.rng.random()) / self.total * cum[-1]
        h = min(bisect(cum, q), 23)
        low = cum[h - 1] if h else 0.0
        return min(int((h + (q - low) / (cum[h] - low)) * 3600), 86399)

    def _emit(self, pending: _Pending) -> tuple[dict[str, Any], Label]:
        record = pending.record
        filer = record["filer"]
        n = self.lrn_next.get(filer, 0)
        self.lrn_next[filer] = n + 1
        lrn = f"{LRN_PREFIX[filer]}{self.day_code}{n + 1:07d}"
        record["lrn"] = lrn
        record["house_waybill"] = self._waybill(pending.carrier)
        true_value = Decimal(pending.true_cents).scaleb(-2)
        return record, Label(filer, lrn, pending.fraud, pending.detail, true_value)

    def _waybill(self, carrier: Carrier) -> str:
        n = self.waybill_next.get(carrier.id, 0)
        self.waybill_next[carrier.id] = n + 1
        mixed = n * _SPREAD + self.salt  # unique per carrier, without looking sequential
        style = carrier.waybill
        if style == "s10":
            serial = mixed % 10**8
            service = S10_SERVICES[(self.salt + n) % len(S10_SERVICES)]
            return f"{service}{serial:08d}{s10_check(serial)}{carrier.country}"
        if style == "dhl":
            return f"{mixed % 10**10:010d}"
        if style == "ups":
            return f"1ZA8V326{66 + n % 3}{mixed % 10**8:08d}"
        if style == "fedex":
            return f"{mixed % 10**12:012d}"
        if style == "cainiao":
            return f"LP00{mixed % 10**12:012d}"
        if style == "yun":
            return f"YT{mixed % 10**16:016d}"
        if style == "4px":
            return f"4PX{mixed % 10**13:013d}CN"
        if style == "sf":
            return f"SF{mixed % 10**13:013d}"
        if style == "dpd":
            return f"{mixed % 10**14:014d}"
        if style == "anadolu":
            return f"ANX{mixed % 10**11:011d}"
        return f"ERX{mixed % 10**12:012d}"

    # -- events ------------------------------------------------------------------------------------

    def _event(self, t: int) -> list[tuple[int, _Pending]]:
        rng = self.rng
        r = rng.random()
        if r < P_DOCUMENTS:
            return [(t, self._documents(t))]
        if r < P_DOCUMENTS + P_GIFT:
            return [(t, self._gift(t))]
        origin = COMMERCIAL_ORIGINS[self._bisect(self.bin_origins[t // 3600])]
        sellers, cum = SELLERS_BY_ORIGIN[origin.code]
        seller = sellers[self._bisect(cum)]
        consignee, dest = self._consignee()
        fraud: str | None = None
        if rng.random() < (_P_FRAUD_WATCHLISTED if seller.watchlisted else _P_FRAUD_OTHER):
            fraud = _FRAUD_KIND_NAMES[self._bisect(_FRAUD_KIND_CUM)]
        if fraud == "split_consignment":
            remaining = self.total - self.produced
            if remaining >= 2:
                return self._split(t, origin, seller, consignee, dest, remaining)
            fraud = "undervaluation"
        return [(t, self._commercial(t, origin, seller, consignee, dest, fraud))]

    def _bisect(self, cum: Sequence[float]) -> int:
        return bisect(cum, self.rng.random() * cum[-1])

    def _currency(self, origin: str) -> tuple[str, float]:
        codes, cum = _CURRENCIES[origin]
        cur = codes[self._bisect(cum)]
        return cur, _RATE[cur]

    def _commercial(
        self,
        t: int,
        origin: Origin,
        seller: Seller,
        consignee: dict[str, Any],
        dest: str,
        fraud: str | None,
    ) -> _Pending:
        rng = self.rng
        cur, rate = self._currency(origin.code)
        detail = ""
        ioss: str | None = None
        true_cents: int | None = None
        if fraud == "undervaluation":
            items, true_cents = self._undervalued_items(seller, origin, rate, cur)
            declared = sum(i.value_cents for i in items)
            detail = f"declared {_money(declared)} {cur}, true value {_money(true_cents)} {cur}"
        elif fraud == "wrong_hs":
            product = self._wrong_hs_product(seller)
            item = self._natural_item(product, seller, origin, rate, cur)
            wrong = WRONG_HS[product.hs]
            detail = (
                f"{item.description}: true HS {_hs_text(product.hs)} (CET {CET[product.hs]}) declared as "
                f"{_hs_text(wrong)} (CET {CET[wrong]})"
            )
            item.hs = wrong
            items = [item]
        elif fraud == "prohibited":
            product = PROHIBITED[self._bisect(_PROHIBITED_CUM)]
            item = self._natural_item(product, seller, origin, rate, cur, quantity=1)
            detail = f"prohibited goods: {item.description} (HS {_hs_text(product.hs)})"
            items = [item]
            if rng.random() < 0.3:  # an ordinary item alongside makes the parcel look routine
                items.append(self._natural_item(self._product(seller), seller, origin, rate, cur))
        elif fraud == "ioss_misuse":
            target = min(max(math.exp(rng.gauss(math.log(260), 0.45)), 175.0), 1500.0)
            items = self._target_items(seller, origin, target, rate, max_items=3)
            ioss = self._ioss_of(seller)
            value = sum(i.value_cents for i in items)
            detail = (
                f"IOSS {ioss} declared on a consignment of {_money(value)} {cur} "
                f"({value / 100 / rate:.2f} EUR), above the EUR 150 IOSS limit"
            )
        else:
            items = self._natural_items(seller, origin, rate, cur)
            if fraud == "misdescription":
                vague = VAGUE[int(rng.random() * len(VAGUE))]
                first = items[0]
                detail = f'described as "{vague}", actually {first.description} (HS {_hs_text(first.hs[:6])})'
                for item in items:
                    item.description = vague
        value = sum(i.value_cents for i in items)
        record, carrier = self._assemble(t, origin, seller, consignee, dest, cur, rate, items, ioss=ioss)
        return _Pending(record, carrier, fraud, detail, value if true_cents is None else true_cents)

    def _split(
        self, t: int, origin: Origin, seller: Seller, consignee: dict[str, Any], dest: str, remaining: int
    ) -> list[tuple[int, _Pending]]:
        """One order above EUR 150 shipped as 2-4 parcels below it, to the same person within hours."""
        rng = self.rng
        parts = min(SPLIT_PARTS[self._bisect(_SPLIT_CUM)][0], remaining)
        cur, rate = self._currency(origin.code)
        ceiling = 145.0 if cur == "EUR" else float(SAFE_LIMIT_EUR) - 2
        floor = 85.0 if parts == 2 else 60.0
        self.split_groups += 1
        group = f"SC{self.split_groups:06d}"
        offsets = sorted(int(rng.uniform(300, 4 * 3600)) for _ in range(parts - 1))
        times = [t] + [min(t + o, 86399) for o in offsets]
        shipments = [
            self._target_items(seller, origin, rng.uniform(floor, ceiling), rate, max_items=2)
            for _ in range(parts)
        ]
        order_cents = sum(i.value_cents for items in shipments for i in items)
        payment = f"PAYID-{rng.getrandbits(96):024X}" if rng.random() < 0.3 else None
        route = self._route(origin.code, dest)
        out: list[tuple[int, _Pending]] = []
        for j, (when, items) in enumerate(zip(times, shipments, strict=True)):
            if j and rng.random() < 0.2:  # some splitters also switch carrier between parts
                route = self._route(origin.code, dest)
            record, carrier = self._assemble(
                when,
                origin,
                seller,
                _copy(consignee),
                dest,
                cur,
                rate,
                items,
                route=route,
                payment_id=payment,
            )
            detail = (
                f"split group {group}: part {j + 1}/{parts} of one order worth {_money(order_cents)} {cur} "
                f"({order_cents / 100 / rate:.2f} EUR) sent as {parts} parcels under EUR 150 "
                f"to the same consignee"
            )
            out.append(
                (
                    when,
                    _Pending(record, carrier, "split_consignment", detail, sum(i.value_cents for i in items)),
                )
            )
        return out

    def _documents(self, t: int) -> _Pending:
        rng = self.rng
        origin = ORIGIN[DOC_ORIGINS[self._bisect(_DOC_ORIGIN_CUM)][0]]
        sellers, cum = SELLERS_BY_ORIGIN[origin.code]
        sender = sellers[self._bisect(cum)]
        consignee, dest = self._consignee()
        product = DOCUMENTS[0] if rng.random() < 0.8 else DOCUMENTS[1]
        net = int(rng.uniform(50, 600))
        item = _Item(
            product.descriptions[int(rng.random() * len(product.descriptions))],
            product.hs,
            origin.code,
            1,
            0,
            net,
            net + int(rng.uniform(20, 120)),
        )
        cur = "EUR" if rng.random() < 0.7 else "USD"
        record, carrier = self._assemble(
            t,
            origin,
            sender,
            consignee,
            dest,
            cur,
            _RATE[cur],
            [item],
            route=self._route(origin.code, dest, express_only=True),
            kind="documents",
        )
        return _Pending(record, carrier, None, "", 0)

    def _gift(self, t: int) -> _Pending:
        rng = self.rng
        code, _, lang = GIFT_ORIGINS[self._bisect(_GIFT_ORIGIN_CUM)]
        origin = ORIGIN[code]
        consignee, dest = self._consignee()
        cur = {"US": "USD", "GB": "GBP"}.get(code, "EUR")
        rate = _RATE[cur]
        limit = GIFT_LIMIT_EUR - 0.01 if cur == "EUR" else GIFT_LIMIT_EUR - 3
        items = self._target_items(None, origin, rng.uniform(8, limit), rate, max_items=3)
        females, males, surnames = NAMES[lang]
        female = rng.random() < 0.6
        first = rng.choice(females if female else males)
        last = rng.choice(surnames)[1 if female else 0]
        sender = {"name": f"{first} {last}", "address": make_address(rng, origin)}
        route = self._route(code, dest)
        if route[0].kind != "post" and rng.random() < 0.6:  # most gifts go by mail
            route = self._route(code, dest)
        record, carrier = self._assemble(
            t, origin, None, consignee, dest, cur, rate, items, route=route, kind="gift", sender=sender
        )
        return _Pending(record, carrier, None, "", sum(i.value_cents for i in items))

    # -- goods -------------------------------------------------------------------------------------

    def _product(self, seller: Seller) -> Product:
        cats = seller.categories
        cat = cats[self._bisect(seller.category_cum)] if len(cats) > 1 else cats[0]
        products, cum = _BY_CATEGORY[cat]
        return products[self._bisect(cum)]

    def _product_between(self, seller: Seller | None, low: float, high: float) -> Product:
        """A product whose typical unit value lies in [low, high] EUR, from the seller's range if it can."""
        if seller is None:
            for _ in range(8):
                product = _GIFT_PRODUCTS[self._bisect(_GIFT_CUM)]
                if low <= product.median_eur <= high:
                    return product
        else:
            for _ in range(6):
                product = self._product(seller)
                if low <= product.median_eur * seller.price_factor <= high:
                    return product
        i = bisect(_MEDIANS, low)
        j = bisect(_MEDIANS, high)
        if i >= j:
            return _ALL_BY_MEDIAN[min(i, len(_ALL_BY_MEDIAN) - 1)]
        return _ALL_BY_MEDIAN[i + int(self.rng.random() * (j - i))]

    def _describe(self, product: Product) -> str:
        rng = self.rng
        text = product.descriptions[int(rng.random() * len(product.descriptions))]
        cat = product.category
        if cat in ("apparel", "footwear", "bags") and rng.random() < 0.25:
            text = f"{text}, {COLOURS[int(rng.random() * len(COLOURS))]}"
        if cat == "apparel" and rng.random() < 0.35:
            text = f"{text}, size {SIZES[int(rng.random() * len(SIZES))]}"
        elif cat == "footwear" and rng.random() < 0.35:
            text = f"{text}, EU size {36 + int(rng.random() * 11)}"
        return text

    def _item(self, product: Product, origin: Origin, qty: int, unit_cents: int) -> _Item:
        rng = self.rng
        codes, cum = _GOODS_ORIGIN[origin.code]
        made_in = codes[self._bisect(cum)] if len(codes) > 1 else codes[0]
        hs = product.cn8 if product.cn8 is not None and rng.random() < 0.3 else product.hs
        net = max(1, int(product.grams * qty * rng.uniform(0.85, 1.15)))
        gross = int(net * rng.uniform(1.05, 1.25)) + 10
        return _Item(self._describe(product), hs, made_in, qty, unit_cents * qty, net, gross)

    def _quantity(self, product: Product) -> int:
        r = self.rng.random()
        if product.median_eur < 10:  # cheap things are bought by the handful
            return 1 if r < 0.55 else 2 if r < 0.8 else 3 if r < 0.9 else 4 + int(self.rng.random() * 7)
        if product.median_eur < 60:
            return 1 if r < 0.8 else 2 if r < 0.95 else 3
        return 1 if r < 0.96 else 2

    def _price(self, amount: float, cur: str) -> int:
        """A shelf price in cents: whole yuan in CNY, often .99 endings elsewhere."""
        if cur == "CNY":
            return max(100, round(amount) * 100)
        if amount >= 3 and self.rng.random() < 0.55:
            return int(amount) * 100 - 1
        return max(50, round(amount * 100))

    def _natural_item(
        self, product: Product, seller: Seller, origin: Origin, rate: float, cur: str, quantity: int = 0
    ) -> _Item:
        z = min(max(self.rng.gauss(0.0, 1.0), -2.0), 3.0)
        unit_eur = product.median_eur * seller.price_factor * math.exp(product.sigma * z)
        qty = quantity or self._quantity(product)
        return self._item(product, origin, qty, self._price(unit_eur * rate, cur))

    def _natural_items(self, seller: Seller, origin: Origin, rate: float, cur: str) -> list[_Item]:
        r = self.rng.random()
        count = 1 if r < 0.72 else 2 if r < 0.90 else 3 if r < 0.97 else 4
        return [self._natural_item(self._product(seller), seller, origin, rate, cur) for _ in range(count)]

    def _target_items(
        self, seller: Seller | None, origin: Origin, target_eur: float, rate: float, max_items: int
    ) -> list[_Item]:
        """Items worth at most `target_eur` in total (and within cents of it), with plausible unit prices."""
        rng = self.rng
        count = 1 if rng.random() < 0.7 else int(2 + rng.random() * (max_items - 1))
        if count == 1:
            portions = [target_eur]
        else:
            cuts = sorted(rng.uniform(0.25, 0.75) for _ in range(count - 1))
            bounds = [0.0, *cuts, 1.0]
            portions = [target_eur * (b - a) for a, b in itertools.pairwise(bounds)]
        items = []
        for portion in portions:
            product = self._product_between(seller, portion / 10, portion * 1.3)
            typical = product.median_eur * (seller.price_factor if seller else 1.0)
            qty = max(1, min(12, round(portion / typical)))
            unit_cents = max(1, int(portion / qty * rate * 100))
            items.append(self._item(product, origin, qty, unit_cents))
        return items

    def _undervalued_items(
        self, seller: Seller, origin: Origin, rate: float, cur: str
    ) -> tuple[list[_Item], int]:
        """Valuable goods declared at 5-20 % of a true value that is typical or above for their HS."""
        rng = self.rng
        items = []
        true_cents = 0
        for _ in range(1 if rng.random() < 0.8 else 2):
            product = self._valuable(seller)
            qty = 1 if rng.random() < 0.85 else 2
            unit_eur = (
                product.median_eur
                * seller.price_factor
                * math.exp(product.sigma * min(abs(rng.gauss(0, 1)), 3))
            )
            true_unit = self._price(unit_eur * rate, cur)
            low, high = math.ceil(true_unit * 0.05), int(true_unit * 0.2)
            declared = int(true_unit * rng.uniform(0.06, 0.19))
            if rng.random() < 0.4 and low <= declared // 100 * 100:  # round figures are a fraudster's habit
                declared = declared // 100 * 100
            declared = min(max(declared, low), high)
            items.append(self._item(product, origin, qty, declared))
            true_cents += true_unit * qty
        return items, true_cents

    def _valuable(self, seller: Seller) -> Product:
        for _ in range(6):
            product = self._product(seller)
            if product.median_eur >= 25:
                return product
        return _VALUABLE[self._bisect(_VALUABLE_CUM)]

    def _wrong_hs_product(self, seller: Seller) -> Product:
        for _ in range(4):
            product = self._product(seller)
            if product.hs in WRONG_HS:
                return product
        return _WRONG_HS_PRODUCTS[self._bisect(_WRONG_HS_CUM)]

    # -- parties, routes, fiscal -------------------------------------------------------------------

    def _consignee(self) -> tuple[dict[str, Any], str]:
        if self.consignees and self.rng.random() < P_REPEAT_BUYER:
            index = int(self.rng.random() * self.consignees)
        else:
            index = self.consignees
            self.consignees += 1
        return self._person(index)

    def _person(self, index: int) -> tuple[dict[str, Any], str]:
        p = self.people
        p.seed(self.people_key + index)
        country = _DEST_CODES[bisect(_DEST_CUM, p.random() * _DEST_CUM[-1])]
        cities = CITIES[country]
        cum = _CITY_CUM[country]
        city, template, lang, _ = cities[bisect(cum, p.random() * cum[-1])]
        females, males, surnames = NAMES[lang]
        female = p.random() < 0.55
        first_names = females if female else males
        first = first_names[int(p.random() * len(first_names))]
        last = surnames[int(p.random() * len(surnames))][1 if female else 0]
        streets = STREETS[lang]
        line = streets[int(p.random() * len(streets))].format(n=1 + int(p.random() ** 2 * 150))
        party: dict[str, Any] = {
            "name": f"{first} {last}",
            "address": {"line": line, "city": city, "postcode": fill(template, p), "country": country},
        }
        r = p.random()
        if r < 0.65:
            user = (
                f"{to_ascii(first)}.{to_ascii(last)}" if r < 0.4 else f"{to_ascii(first)[0]}{to_ascii(last)}"
            )
            party["email"] = f"{user}{int(p.random() * 90) + 10}@{MAIL_DOMAINS[int(p.random() * 3)]}"
        if p.random() < 0.5:
            party["phone"] = fill(PHONES[country], p)
        return party, country

    def _route(self, origin: str, dest: str, express_only: bool = False) -> tuple[Carrier, str]:
        key = (origin, dest, express_only)
        table = self.routes.get(key)
        if table is None:
            options = [
                (CARRIERS[cid], dep, w)
                for cid, dep, w in ROUTES[origin]
                if (not express_only or CARRIERS[cid].kind == "express")
                and (CARRIERS[cid].kind not in ("road", "rail") or dest in CARRIERS[cid].serves)
            ]
            table = (tuple((c, dep) for c, dep, _ in options), cumulative([w for _, _, w in options]))
            self.routes[key] = table
        return table[0][self._bisect(table[1])]

    def _ioss_of(self, seller: Seller) -> str:
        if seller.marketplace is not None:
            return MARKETPLACES[seller.marketplace].ioss
        if seller.ioss is not None:
            return seller.ioss
        # A number borrowed from a marketplace the seller does not trade on: format-valid, misused.
        return tuple(MARKETPLACES.values())[int(self.rng.random() * len(MARKETPLACES))].ioss

    def _account(self, filer: str, dest: str) -> str:
        key = (filer, dest)
        account = self.accounts.get(key)
        if account is None:
            account = f"{dest}DPA{zlib.crc32(f'{filer}/{dest}'.encode()) % 10**8:08d}"
            self.accounts[key] = account
        return account

    def _fiscal(
        self, value_eur: float, cur: str, seller: Seller, carrier: Carrier, filer: str, dest: str
    ) -> dict[str, Any]:
        rng = self.rng
        limit = float(IOSS_LIMIT_EUR) if cur == "EUR" else float(SAFE_LIMIT_EUR)
        if value_eur <= limit:
            if seller.marketplace is not None and rng.random() < P_IOSS_MARKETPLACE:
                ioss = MARKETPLACES[seller.marketplace].ioss
                return {
                    "collection_model": "vendor",
                    "vendor_registration": ioss,
                    "tax_collected_at_checkout": True,
                }
            if seller.marketplace is None and seller.ioss is not None and rng.random() < P_IOSS_OWN:
                return {
                    "collection_model": "vendor",
                    "vendor_registration": seller.ioss,
                    "tax_collected_at_checkout": True,
                }
        on_account = 0.55 if carrier.kind == "post" else 0.75
        if (carrier.kind != "post" or value_eur <= float(IOSS_LIMIT_EUR)) and rng.random() < on_account:
            return {
                "collection_model": "intermediary",
                "tax_collected_at_checkout": False,
                "deferred_payment_account": self._account(filer, dest),
            }
        return {"collection_model": "buyer", "tax_collected_at_checkout": False}

    def _assemble(
        self,
        t: int,
        origin: Origin,
        seller: Seller | None,
        consignee: dict[str, Any],
        dest: str,
        cur: str,
        rate: float,
        items: list[_Item],
        *,
        route: tuple[Carrier, str] | None = None,
        ioss: str | None = None,
        payment_id: str | None = None,
        kind: str = "sale",
        sender: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], Carrier]:
        """The record of one parcel: lane, references, times, amounts, parties, goods, fiscal data."""
        lane = route or self._route(origin.code, dest)
        marketplace = seller.marketplace if seller is not None and kind == "sale" else None
        path = self._path(lane, dest, marketplace)
        total = sum(i.value_cents for i in items)
        value_eur = total / 100 / rate

        record: dict[str, Any] = {"filer": path.filer, "lrn": "", "house_waybill": ""}
        if path.mode == "air":
            record["master_waybill"] = self._master_waybill(path.carrier, path.departure, dest, t)
        if kind == "sale":
            self._sale_references(record, marketplace, payment_id)
        record["lodged_at"] = self._iso(t)
        record["expected_arrival"] = self._iso(t + int(path.days * 86400))
        record["transport_mode"] = path.mode
        record["channel"] = path.channel
        record["departure_country"] = path.departure
        record["destination_country"] = dest
        record["office_of_entry"] = path.location + OFFICE_SUFFIX[path.place]
        record["goods_location"] = path.location
        record["currency"] = cur
        record["total_value"] = _money(total)
        self._costs(record, kind, path.channel, items, total, value_eur, rate)
        if kind == "documents":
            record["documents_only"] = True
        elif kind == "gift":
            record["gift"] = True
        record["parties"] = _parties(
            _copy(seller.party) if seller is not None else sender, consignee, marketplace, path
        )
        record["goods"] = [_goods_line(i) for i in items]
        if ioss is not None:
            record["fiscal"] = {
                "collection_model": "vendor",
                "vendor_registration": ioss,
                "tax_collected_at_checkout": True,
            }
        elif seller is None or kind != "sale":
            record["fiscal"] = {"collection_model": "buyer", "tax_collected_at_checkout": False}
        else:
            record["fiscal"] = self._fiscal(value_eur, cur, seller, path.carrier, path.filer, dest)
        return record, path.carrier

    def _path(self, lane: tuple[Carrier, str], dest: str, marketplace: str | None) -> _Path:
        """How a parcel on `lane` travels and who files for it; draws mode, filer, location, transit."""
        rng = self.rng
        carrier, departure = lane
        if carrier.kind == "post":
            mode = "air" if rng.random() < carrier.air_share else "post"
            channel, place = "post", "post"
            filer = EU_POSTS[dest][0]
            declarant = POST_PARTY[filer]
        else:
            mode = {"road": "road", "rail": "rail"}.get(carrier.kind, "air")
            channel = "other" if mode == "rail" else "express"
            place = mode
            filer = carrier.id
            declarant = CARRIER_PARTY[carrier.id]
        if (
            marketplace is not None
            and carrier.kind == "ecom"
            and MARKETPLACES[marketplace].files
            and rng.random() < 0.5
        ):
            filer = marketplace
            declarant = MARKETPLACE_PARTY[marketplace]
        codes, cum = LOCATIONS[(dest, place)]
        location = codes[self._bisect(cum)] if len(codes) > 1 else codes[0]
        days = self._transit_days(mode, channel)
        return _Path(carrier, departure, mode, channel, place, filer, declarant, location, days)

    def _transit_days(self, mode: str, channel: str) -> float:
        rng = self.rng
        if mode == "air":
            return rng.uniform(1, 3) if channel == "express" else rng.uniform(2, 5)
        if mode == "post":
            return rng.uniform(2, 5)
        return rng.uniform(2, 7) if mode == "road" else rng.uniform(5, 10)

    def _sale_references(
        self, record: dict[str, Any], marketplace: str | None, payment_id: str | None
    ) -> None:
        """The order id and, usually, the payment reference of a sale."""
        rng = self.rng
        if marketplace is not None:
            record["order_id"] = f"{MARKETPLACES[marketplace].order_prefix}{rng.randrange(10**15, 10**16)}"
        else:
            record["order_id"] = f"{rng.randrange(10**6, 10**9)}"
        if payment_id is not None:
            record["payment_id"] = payment_id
        elif rng.random() < 0.7:
            record["payment_id"] = f"PAYID-{rng.getrandbits(96):024X}"

    def _costs(
        self,
        record: dict[str, Any],
        kind: str,
        channel: str,
        items: list[_Item],
        total: int,
        value_eur: float,
        rate: float,
    ) -> None:
        """Transport and insurance costs, packages and gross mass."""
        rng = self.rng
        shipping = 0
        if kind != "documents" and rng.random() >= 0.55:  # most e-commerce ships "free"
            median = 3.5 if channel == "post" else 8.0
            shipping = int(min(math.exp(rng.gauss(math.log(median), 0.5)), 60.0) * rate * 100)
        insurance = 0
        if channel == "express" and value_eur > 100 and rng.random() < 0.25:
            insurance = max(50, int(total * rng.uniform(0.01, 0.02)))
        record["transport_cost"] = _money(shipping)
        record["insurance_cost"] = _money(insurance)
        record["packages"] = 2 if len(items) >= 3 and rng.random() < 0.15 else 1
        record["gross_mass_kg"] = _kg(sum(i.gross_g for i in items) + int(rng.uniform(20, 250)))

    def _iso(self, t: int) -> str:
        """ISO 8601 UTC for `t` seconds after start; formatting by hand is several times faster."""
        day, second = divmod(self.start_second + t, 86400)
        date = self.dates.get(day)
        if date is None:
            date = self.dates[day] = (self.start.date() + dt.timedelta(days=day)).isoformat()
        hour, second = divmod(second, 3600)
        return f"{date}T{hour:02d}:{second // 60:02d}:{second % 60:02d}+00:00"

    def _master_waybill(self, carrier: Carrier, departure: str, dest: str, t: int) -> str:
        """Air waybill of the consolidation: one per carrier, lane and six-hour uplift window."""
        h = zlib.crc32(f"{self.seed}|{carrier.id}|{departure}|{dest}|{t // 21600}".encode())
        airlines = carrier.airlines or AIRLINES.get(departure, ("172",))
        serial = (h >> 4) % 10**7
        return f"{airlines[h % len(airlines)]}-{serial:07d}{serial % 7}"


def _utc(start: dt.datetime | None) -> dt.datetime:
    if start is None:
        return DEFAULT_START
    if start.tzinfo is None:  # a naive start is read as UTC
        start = start.replace(tzinfo=dt.UTC)
    return start.astimezone(dt.UTC).replace(microsecond=0)


def generate(
    shipments: int, seed: int, start: dt.datetime | None = None
) -> Iterator[tuple[dict[str, Any], Label]]:
    """Yield `shipments` (record, label) pairs lodged over the day from `start`, in lodgement order.

    Records are JSON-ready dicts accepted by `Shipment.model_validate`: amounts are strings with two
    decimals, masses strings in kg with three, datetimes ISO 8601 in UTC. The same arguments give the
    same output; memory stays bounded however many shipments are asked for.
    """
    if shipments < 0:
        raise ValueError("shipments must be >= 0")
    return _Generator(shipments, seed, _utc(start)).run()


def write_files(
    shipments: int, seed: int, out: pathlib.Path, start: dt.datetime | None = None
) -> tuple[int, pathlib.Path]:
    """Write records to `out` and labels next to it (`day.jsonl` -> `day.labels.jsonl`), as JSON Lines."""
    out = pathlib.Path(out)
    labels_path = out.with_suffix(".labels.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    with (
        out.open("w", encoding="utf-8", newline="\n") as records,
        labels_path.open("w", encoding="utf-8", newline="\n") as labels,
    ):
        record_lines: list[str] = []
        label_lines: list[str] = []
        for record, label in generate(shipments, seed, start):
            record_lines.append(dumps(record))
            label_lines.append(
                dumps(
                    {
                        "filer": label.filer,
                        "lrn": label.lrn,
                        "fraud": label.fraud,
                        "detail": label.detail,
                        "true_value": str(label.true_value),
                    }
                )
            )
            count += 1
            if len(record_lines) >= 4096:
                records.write("\n".join(record_lines) + "\n")
                labels.write("\n".join(label_lines) + "\n")
                record_lines.clear()
                label_lines.clear()
        if record_lines:
            records.write("\n".join(record_lines) + "\n")
            labels.write("\n".join(label_lines) + "\n")
    return count, labels_path
