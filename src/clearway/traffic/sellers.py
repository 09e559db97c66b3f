"""The fixed seller pool of the synthetic traffic and its watch-list.

The pool is built once at import from its own seed, so it is the same in every run and for every
generator seed, and `WATCHLIST_SELLERS` is a constant. Within an origin, volume per seller follows a
Zipf-like law (`SELLERS_BY_ORIGIN`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from clearway.traffic.catalogue import CATEGORY_WEIGHTS
from clearway.traffic.draw import cumulative, fill, pick_weighted, to_ascii
from clearway.traffic.identifiers import make_ioss, make_tin
from clearway.traffic.parties import (
    COMPANY_SUFFIX,
    EN_ADJ,
    EN_NOUN,
    HK_WORDS,
    INDUSTRY,
    LOCAL_WORDS,
    MARKETPLACE_SHARE,
    PINYIN,
    TR_INDUSTRY,
)
from clearway.traffic.places import COMMERCIAL_ORIGINS, STREETS, Origin


@dataclass(frozen=True, slots=True)
class Seller:
    tin: str
    name: str
    origin: str
    party: dict[str, Any]
    categories: tuple[str, ...]
    category_cum: tuple[float, ...]
    marketplace: str | None
    ioss: str | None  # own IOSS registration, for sellers outside marketplaces
    watchlisted: bool
    price_factor: float  # some shops are dearer than others; applies to all their prices


def _seller_name(rng: random.Random, origin: str, city: str, category: str) -> str:
    industry = rng.choice(INDUSTRY[category] + ("Trading", "Import & Export", "E-commerce"))
    if origin == "CN":
        word = rng.choice(PINYIN) + (rng.choice(PINYIN).lower() if rng.random() < 0.4 else "")
        return f"{city} {word} {industry} Co., Ltd."
    if origin == "HK":
        return f"{rng.choice(HK_WORDS)} {rng.choice(HK_WORDS)} {industry} Limited"
    if origin == "TR":
        sector = TR_INDUSTRY.get(category, "Dış Ticaret")  # noqa: RUF001
        return f"{rng.choice(LOCAL_WORDS['TR'])} {sector} San. ve Tic. Ltd. Şti."
    if origin in ("KR", "JP"):
        return f"{rng.choice(LOCAL_WORDS[origin])} {industry} Co., Ltd."
    if origin == "IN":
        return f"{rng.choice(LOCAL_WORDS['IN'])} {industry} Pvt. Ltd."
    if origin == "VN":
        return f"{rng.choice(LOCAL_WORDS['VN'])} {industry} Company Limited"
    suffix = rng.choice(COMPANY_SUFFIX.get(origin, ("Ltd.",)))
    return f"{rng.choice(EN_ADJ)} {rng.choice(EN_NOUN)} {suffix}"


def _street(rng: random.Random, key: str) -> str:
    if key == "cn":
        return (
            f"Room {rng.randrange(1, 25)}{rng.randrange(1, 20):02d}, Building {rng.randrange(1, 12)}, "
            f"{rng.choice(PINYIN)} Industrial Park"
        )
    if key == "hk":
        return (
            f"Flat {rng.choice('ABCDEFGH')}, {rng.randrange(2, 30)}/F, {rng.choice(HK_WORDS)} "
            f"{rng.choice(HK_WORDS)} Industrial Building, {rng.randrange(1, 200)} Hoi Yuen Road, "
            "Kwun Tong"
        )
    number = 1 + int(rng.random() ** 2 * 180)  # low house numbers are the common ones
    return rng.choice(STREETS[key]).format(n=number)


def make_address(rng: random.Random, origin: Origin) -> dict[str, Any]:
    city, template, _, _ = pick_weighted(rng, [(c, c[2]) for c in origin.cities])
    address: dict[str, Any] = {"line": _street(rng, origin.streets), "city": city}
    if template:
        address["postcode"] = fill(template, rng)
    address["country"] = origin.code
    return address


def _unique_name(rng: random.Random, origin: Origin, city: str, category: str, taken: set[str]) -> str:
    # A small origin can run out of names for one trade; any trade of the origin will then do.
    cats = origin.categories or tuple(CATEGORY_WEIGHTS.items())
    for attempt in range(200):
        trade = category if attempt < 10 else pick_weighted(rng, cats)
        name = _seller_name(rng, origin.code, city, trade)
        if name not in taken:
            return name
    raise RuntimeError(f"seller names exhausted for {origin.code}")


def _build_sellers() -> tuple[Seller, ...]:
    rng = random.Random(20261127)
    names: set[str] = set()
    tins: set[str] = set()
    drafts: list[dict[str, Any]] = []
    for origin in COMMERCIAL_ORIGINS:
        cats = origin.categories or tuple(CATEGORY_WEIGHTS.items())
        shares = MARKETPLACE_SHARE.get(origin.code, MARKETPLACE_SHARE[""])
        for rank in range(origin.sellers):  # creation order is the volume rank
            main = pick_weighted(rng, cats)
            extra = [
                c for c in (pick_weighted(rng, cats) for _ in range(rng.choice((0, 1, 1, 2)))) if c != main
            ]
            categories = (main, *dict.fromkeys(extra))
            others = len(categories) - 1
            weights = (0.75, *([0.25 / others] * others)) if others else (1.0,)
            address = make_address(rng, origin)
            region = next(c[3] for c in origin.cities if c[0] == address["city"])
            name = _unique_name(rng, origin, address["city"], main, names)
            tin = make_tin(rng, origin.code, region)
            while tin in tins:
                tin = make_tin(rng, origin.code, region)
            names.add(name)
            tins.add(tin)
            party: dict[str, Any] = {"name": name, "tin": tin, "address": address}
            if rng.random() < 0.3:
                word = name.split(" ")[1 if origin.code == "CN" else 0]
                slug = "".join(ch for ch in to_ascii(word) if ch.isalnum())
                party["email"] = f"service@{slug}{rng.randrange(10, 99)}.example"
            marketplace = pick_weighted(rng, shares)
            drafts.append(
                {
                    "tin": tin,
                    "name": name,
                    "origin": origin.code,
                    "party": party,
                    "categories": categories,
                    "category_cum": tuple(cumulative(weights)),
                    "marketplace": marketplace,
                    "ioss": make_ioss(rng) if marketplace is None and rng.random() < 0.45 else None,
                    "price_factor": math.exp(rng.gauss(0, 0.15)),
                    "rank": rank,
                }
            )
    # Known bad actors: small and mid-sized shops (not the giants) in the origins where customs
    # authorities report most fraud.
    candidates = [
        i for i, d in enumerate(drafts) if d["origin"] in ("CN", "HK", "TR", "GB") and 8 <= d["rank"] < 120
    ]
    watch = set(rng.sample(candidates, 24))
    return tuple(
        Seller(
            d["tin"],
            d["name"],
            d["origin"],
            d["party"],
            d["categories"],
            d["category_cum"],
            d["marketplace"],
            d["ioss"],
            i in watch,
            d["price_factor"],
        )
        for i, d in enumerate(drafts)
    )


SELLERS = _build_sellers()


def _seller_tables() -> dict[str, tuple[tuple[Seller, ...], list[float]]]:
    # Volume per seller within an origin follows a Zipf-like law: a few large shops, a long tail.
    tables: dict[str, tuple[tuple[Seller, ...], list[float]]] = {}
    for origin in COMMERCIAL_ORIGINS:
        members = tuple(s for s in SELLERS if s.origin == origin.code)
        weights = [1.0 / (1 + i) ** 0.9 for i in range(len(members))]
        tables[origin.code] = (members, cumulative(weights))
    return tables


SELLERS_BY_ORIGIN = _seller_tables()

WATCHLIST_SELLERS: tuple[tuple[str, str], ...] = tuple((s.tin, s.name) for s in SELLERS if s.watchlisted)
