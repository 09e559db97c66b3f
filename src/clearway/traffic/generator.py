"""Deterministic synthetic cross-border e-commerce traffic into the EU, with planted fraud.

`generate` streams house consignments in the wire format of `clearway.declarations.model.Shipment`
together with a `Label` that holds the ground truth (which fraud was planted, the true value). The
labels never travel inside the records, so risk rules and models can be scored against them.

Every distribution, its rationale and the planted fraud rates are documented in
`docs/traffic-generator.md`; change the two together. All reference codes used here (HS 2022
subheadings, CN8 lines, UN/LOCODEs) were checked against the files in `shared/data/reference` when
they were written down: the constants `HS6_CODES`, `CN8_CODES` and `GOODS_LOCATIONS` are the
checked sets, so tests need not read those files.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import json
import math
import pathlib
import random
import unicodedata
import zlib
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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

FRAUD_KINDS = (
    "undervaluation",
    "split_consignment",
    "misdescription",
    "wrong_hs",
    "prohibited",
    "ioss_misuse",
)

DEFAULT_START = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)  # Black Friday: a peak day, not an average one

IOSS_LIMIT_EUR = Decimal(150)
# Values are designed in EUR with the fixed rates below, but a receiving system converts with the rate
# of the day, which can drift a few percent. Honest IOSS parcels and split parts in a foreign currency
# stay below this margin, so the labels stay true whatever rate the receiver applies.
SAFE_LIMIT_EUR = Decimal(140)

# ECB reference rates of 2026-10-30 (units per EUR), the last day in exchange-rates-ecb.
EUR_RATES: dict[str, Decimal] = {
    "EUR": Decimal(1),
    "USD": Decimal("1.1172"),
    "GBP": Decimal("0.8338"),
    "CNY": Decimal("7.4326"),
}
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
# Goods catalogue


@dataclass(frozen=True, slots=True)
class _Product:
    hs: str  # HS 2022 subheading, 6 digits
    category: str
    median_eur: float  # median unit value; unit values are log-normal around it
    sigma: float  # log-space standard deviation of the unit value
    grams: int  # typical net mass of one unit
    weight: float  # popularity within its category
    descriptions: tuple[str, ...]
    cn8: str | None = None  # a CN8 line (EU CET 2020) that fits every description, if one does


def _p(
    hs: str,
    cat: str,
    median: float,
    sigma: float,
    grams: int,
    weight: float,
    *descs: str,
    cn8: str | None = None,
) -> _Product:
    return _Product(hs, cat, median, sigma, grams, weight, descs, cn8)


# fmt: off
_CATALOGUE: tuple[_Product, ...] = (
    # apparel
    _p("610910", "apparel", 9, 0.45, 170, 10, "Women's cotton T-shirt", "Men's cotton crew-neck T-shirt",
       "Cotton graphic print T-shirt", "Oversized cotton T-shirt", "Kids' cotton T-shirt", cn8="61091000"),
    _p("610990", "apparel", 8, 0.45, 140, 4, "Polyester quick-dry sports T-shirt", "Women's modal tank top",
       "Men's polyester running shirt"),
    _p("611020", "apparel", 18, 0.5, 420, 5, "Cotton knit sweater", "Men's cotton hoodie",
       "Women's cotton cardigan", "Cotton crew-neck sweatshirt"),
    _p("611030", "apparel", 16, 0.5, 380, 5, "Acrylic knit jumper", "Polyester fleece sweatshirt",
       "Women's oversized knit pullover", "Men's zip-up fleece hoodie"),
    _p("620444", "apparel", 20, 0.55, 300, 5, "Women's viscose summer dress", "Floral print maxi dress",
       "Rayon midi dress", "Viscose wrap dress", cn8="62044400"),
    _p("610443", "apparel", 15, 0.5, 260, 4, "Women's polyester bodycon dress", "Knitted party dress",
       "Women's sequin mini dress"),
    _p("620342", "apparel", 24, 0.5, 600, 4, "Men's cotton chino trousers", "Men's slim-fit denim jeans",
       "Men's cotton cargo shorts"),
    _p("620462", "apparel", 22, 0.5, 520, 4, "Women's high-waist denim jeans",
       "Women's cotton wide-leg trousers",
       "Women's denim shorts"),
    _p("610463", "apparel", 13, 0.5, 230, 4, "Women's high-waist yoga leggings", "Seamless workout leggings",
       "Women's jogger pants"),
    _p("620520", "apparel", 18, 0.5, 260, 2.5, "Men's cotton oxford shirt", "Men's slim-fit cotton shirt",
       "Men's flannel check shirt"),
    _p("620140", "apparel", 38, 0.55, 950, 3.5, "Men's padded winter jacket", "Men's hooded puffer jacket",
       "Men's waterproof windbreaker"),
    _p("620240", "apparel", 40, 0.55, 900, 3.5, "Women's long puffer coat", "Women's quilted winter jacket",
       "Women's hooded parka"),
    _p("611241", "apparel", 12, 0.5, 160, 1.5, "Women's bikini set", "One-piece swimsuit",
       "High-waist bikini"),
    _p("621210", "apparel", 9, 0.5, 80, 2, "Women's push-up bra", "Wireless lace bralette", "Sports bra"),
    _p("611595", "apparel", 3.5, 0.5, 70, 3, "Cotton ankle socks", "Men's cotton crew socks",
       "Cotton Christmas socks"),
    _p("650500", "apparel", 8, 0.5, 110, 2, "Knitted beanie hat", "Baseball cap", "Bucket hat"),
    _p("611710", "apparel", 7, 0.5, 130, 1.5, "Knitted winter scarf", "Chunky knit infinity scarf"),
    _p("611693", "apparel", 6, 0.5, 80, 1.5, "Touchscreen knitted gloves", "Thermal winter gloves"),
    # footwear
    _p("640411", "footwear", 35, 0.6, 750, 5, "Men's running sneakers", "Women's breathable mesh trainers",
       "Lightweight walking shoes", "Kids' sports sneakers", cn8="64041100"),
    _p("640419", "footwear", 16, 0.5, 420, 2, "Canvas slip-on shoes", "Women's knit ballet flats",
       "Canvas low-top sneakers"),
    _p("640299", "footwear", 15, 0.55, 450, 4, "Men's slide sandals", "EVA garden clogs",
       "Women's platform sandals", "Rubber beach slippers"),
    _p("640291", "footwear", 28, 0.5, 1000, 2, "Women's ankle rain boots", "Men's winter snow boots",
       "Women's chunky platform boots"),
    _p("640399", "footwear", 45, 0.55, 850, 2.5, "Men's leather loafers", "Women's leather pumps",
       "Men's leather derby shoes"),
    # electronics
    _p("851830", "electronics", 16, 0.9, 110, 8, "Wireless Bluetooth earbuds",
       "Over-ear noise-cancelling headphones",
       "Gaming headset with microphone", "True wireless earphones with charging case", cn8="85183000"),
    _p("850440", "electronics", 9, 0.55, 100, 5, "USB-C fast charger 65W", "GaN wall charger 100W",
       "USB wall charger adapter", "Laptop power adapter"),
    _p("854442", "electronics", 4, 0.55, 45, 5, "USB-C to USB-C charging cable 2m",
       "USB-A to Lightning cable",
       "HDMI 2.1 cable 2m", "Magnetic charging cable"),
    _p("392690", "electronics", 4, 0.6, 40, 7, "Silicone phone case", "Clear TPU phone case",
       "Shockproof phone cover", "Plastic phone holder for car vent", cn8="39269097"),
    _p("851713", "electronics", 190, 0.6, 200, 1.2, "Android smartphone 128GB",
       "5G smartphone 256GB dual SIM",
       "Refurbished smartphone 64GB", "Rugged outdoor smartphone"),
    _p("851762", "electronics", 30, 0.8, 70, 3, "Smartwatch with heart-rate monitor", "Fitness tracker band",
       "Wi-Fi 6 router", "Wi-Fi range extender", cn8="85176200"),
    _p("847130", "electronics", 480, 0.5, 1600, 0.4, "14-inch laptop 16GB RAM 512GB SSD",
       "Ultrabook laptop 13.3-inch", "11.6-inch Chromebook", "Gaming laptop 15.6-inch", cn8="84713000"),
    _p("847160", "electronics", 14, 0.7, 220, 2, "Wireless optical mouse", "Mechanical gaming keyboard",
       "Bluetooth keyboard for tablet"),
    _p("852351", "electronics", 10, 0.6, 20, 2, "microSD card 128GB", "USB 3.0 flash drive 64GB",
       "microSD card 256GB"),
    _p("850760", "electronics", 19, 0.5, 260, 3, "Power bank 20000mAh",
       "Magnetic wireless power bank 10000mAh",
       "Slim power bank 5000mAh"),
    _p("851822", "electronics", 24, 0.7, 500, 1.5, "Portable stereo Bluetooth speaker",
       "Waterproof stereo mini speaker"),
    _p("950450", "electronics", 170, 0.5, 1200, 0.3, "Handheld game console",
       "Retro game console with two controllers"),
    _p("847330", "electronics", 28, 0.7, 60, 0.8, "DDR4 laptop RAM module 16GB",
       "Replacement laptop keyboard"),
    # toys and games
    _p("950300", "toys", 12, 0.8, 320, 8, "Plush teddy bear", "Building blocks set 500 pieces",
       "Remote control car",
       "Fashion doll with accessories", "Educational STEM robot kit", "Fidget toys set",
       "Wooden jigsaw puzzle"),
    _p("950490", "toys", 14, 0.6, 500, 1.5, "Family board game", "Magnetic travel chess set",
       "Party card game"),
    _p("950590", "toys", 7, 0.7, 150, 1.5, "Halloween costume mask", "Party balloon garland kit",
       "Cosplay wig"),
    _p("950510", "toys", 9, 0.7, 260, 3, "Christmas tree ornaments set", "Santa hat",
       "Christmas tree topper star",
       "Advent calendar decoration"),
    # beauty
    _p("330499", "beauty", 9, 0.7, 120, 6, "Hyaluronic acid facial serum 30ml",
       "Moisturizing face cream 50ml",
       "Sheet face masks (10 pack)", "Sunscreen SPF50 50ml", cn8="33049900"),
    _p("330410", "beauty", 6, 0.6, 30, 3, "Matte liquid lipstick", "Lip gloss set", "Lip tint",
       cn8="33041000"),
    _p("330420", "beauty", 7, 0.6, 40, 2, "Waterproof mascara", "Eyeshadow palette 18 colours",
       "Liquid eyeliner"),
    _p("330430", "beauty", 8, 0.6, 120, 2, "Gel nail polish set", "Nail polish 6-pack"),
    _p("330300", "beauty", 24, 0.8, 260, 2, "Eau de parfum 100ml", "Eau de toilette 50ml",
       "Perfume gift set"),
    _p("960329", "beauty", 6, 0.6, 90, 1.5, "Makeup brush set", "Detangling hair brush", "Eyebrow brush"),
    _p("670411", "beauty", 20, 0.6, 250, 1.5, "Synthetic lace front wig", "Synthetic curly wig"),
    _p("851632", "beauty", 20, 0.6, 450, 1.5, "Ceramic hair straightener", "Automatic hair curler"),
    _p("851010", "beauty", 22, 0.6, 350, 1, "Electric shaver for men", "Rotary electric razor"),
    # bags
    _p("420222", "bags", 14, 0.6, 420, 4, "Women's PU leather handbag", "Canvas tote bag",
       "Nylon crossbody bag"),
    _p("420221", "bags", 48, 0.7, 650, 1.2, "Genuine leather shoulder bag", "Women's leather handbag",
       cn8="42022100"),
    _p("420292", "bags", 19, 0.6, 650, 3, "Laptop backpack", "Gym duffel bag", "Waterproof hiking backpack",
       "Travel toiletry bag"),
    _p("420232", "bags", 7, 0.5, 80, 1.5, "RFID card holder wallet", "Nylon coin purse"),
    _p("420231", "bags", 16, 0.6, 110, 1.5, "Men's genuine leather wallet", "Leather card holder"),
    # jewellery, watches and other fashion accessories
    _p("711719", "accessories", 4, 0.8, 20, 6, "Stainless steel pendant necklace",
       "Gold-plated hoop earrings",
       "Charm bracelet", "Cubic zirconia ring", cn8="71171900"),
    _p("711311", "accessories", 26, 0.8, 15, 2, "Sterling silver 925 necklace", "Silver ring with zirconia",
       "Sterling silver stud earrings", cn8="71131100"),
    _p("711319", "accessories", 160, 0.8, 8, 0.3, "18K gold chain bracelet", "14K gold stud earrings"),
    _p("910211", "accessories", 13, 0.9, 80, 2, "Men's quartz wristwatch", "Digital sports watch",
       "Women's quartz watch with steel bracelet", cn8="91021100"),
    _p("910221", "accessories", 95, 0.9, 150, 0.4, "Automatic mechanical wristwatch",
       "Men's automatic diver watch"),
    _p("911390", "accessories", 5, 0.6, 25, 1.5, "Silicone watch strap", "Stainless steel watch band",
       "Leather watch strap"),
    _p("900410", "accessories", 9, 0.7, 40, 2, "Polarized sunglasses", "Women's oversized sunglasses",
       "Sports cycling sunglasses"),
    # home and kitchen
    _p("392410", "home", 6, 0.7, 220, 3, "Silicone baking mat", "Food storage containers set",
       "Silicone spatula set", "Plastic ice cube trays"),
    _p("732393", "home", 10, 0.6, 420, 2, "Stainless steel lunch box", "Stainless steel mixing bowls set",
       "Stainless steel dish rack"),
    _p("961700", "home", 12, 0.5, 380, 1.5, "Insulated vacuum water bottle 500ml", "Vacuum travel mug"),
    _p("691110", "home", 16, 0.6, 1300, 1, "Porcelain dinner plates set", "Porcelain coffee mugs set",
       "Porcelain tea set"),
    _p("821599", "home", 10, 0.6, 450, 1, "Stainless steel cutlery set", "Stainless steel chopsticks set"),
    _p("630260", "home", 9, 0.5, 350, 1, "Cotton terry kitchen towels (set of 4)", "Cotton bath towel"),
    _p("630231", "home", 26, 0.5, 1300, 1.5, "Cotton duvet cover set", "Cotton fitted sheet"),
    _p("392640", "home", 6, 0.7, 110, 1, "Resin anime figure", "Decorative plastic figurine"),
    _p("630790", "home", 5, 0.7, 80, 2, "Drawstring storage bag", "Reusable fabric face mask",
       "Fabric storage organizer"),
    _p("850980", "home", 26, 0.6, 1000, 1, "Portable USB blender", "Electric milk frother"),
    _p("851679", "home", 28, 0.6, 1400, 1, "Electric kettle 1.7L", "Electric lunch box heater"),
    _p("841451", "home", 14, 0.6, 600, 0.4, "USB desk fan", "Portable neck fan"),
    # lighting
    _p("940542", "lighting", 14, 0.7, 380, 3, "LED strip lights 5m with remote", "LED fairy string lights",
       "Solar LED garden lights", "LED Christmas light garland"),
    _p("940521", "lighting", 18, 0.5, 900, 1, "LED desk lamp with USB port", "Bedside LED touch lamp"),
    _p("851310", "lighting", 10, 0.6, 200, 1.5, "LED tactical flashlight", "Rechargeable LED headlamp",
       "Mini keychain torch"),
    # sports and outdoor
    _p("950691", "sports", 15, 0.7, 800, 2, "Resistance bands set", "Adjustable jump rope", "Ab roller wheel",
       "Push-up bars"),
    _p("950699", "sports", 12, 0.7, 350, 1.5, "Badminton shuttlecocks (12 pack)",
       "Skateboard protective pads set",
       "Snorkel mask"),
    _p("950662", "sports", 13, 0.5, 450, 1, "Football size 5", "Basketball size 7", "Volleyball"),
    _p("950720", "sports", 5, 0.6, 60, 0.8, "Fishing hooks assortment", "Barbed carp hooks (50 pcs)"),
    _p("871499", "sports", 12, 0.8, 320, 1.5, "Bicycle handlebar grips", "MTB bicycle chain",
       "Bike bottle cage",
       "Bicycle disc brake pads"),
    _p("871200", "sports", 260, 0.45, 13000, 0.15, "Folding bicycle 20-inch", "Kids' bicycle 16-inch",
       "Mountain bike 27.5-inch"),
    # books and printed matter
    _p("490199", "books", 14, 0.5, 420, 2, "Paperback novel", "Hardcover cookbook", "Manga volume",
       "University textbook", cn8="49019900"),
    _p("490300", "books", 8, 0.5, 300, 0.8, "Children's picture book", "Colouring book for kids"),
    _p("491199", "books", 3, 0.7, 30, 1, "Vinyl sticker pack", "Art print poster"),
    _p("490900", "books", 3, 0.5, 30, 0.5, "Christmas greeting cards (10 pack)", "Illustrated postcards set"),
    # vehicle parts
    _p("870899", "auto", 35, 0.8, 1200, 1.5, "Car exhaust tip", "Suspension control arm", "Radiator hose",
       "Front bumper bracket"),
    _p("870830", "auto", 40, 0.6, 2000, 1, "Front brake pads set", "Brake disc rotor", "Brake caliper"),
    _p("851220", "auto", 20, 0.6, 300, 1, "LED headlight bulbs H7 (pair)", "Car LED interior light kit",
       "LED daytime running lights"),
    _p("870829", "auto", 25, 0.7, 800, 1, "Car side mirror cover", "Car door handle", "Roof rack cross bars"),
    # tools and hardware
    _p("820540", "tools", 9, 0.6, 350, 1, "Precision screwdriver set", "Magnetic screwdriver bit set"),
    _p("820559", "tools", 12, 0.7, 500, 1, "Hand tool set", "Caulking gun", "Multi-purpose pry bar"),
    _p("731815", "tools", 6, 0.6, 250, 0.5, "Stainless steel screws assortment", "M6 hex bolts (50 pcs)"),
    _p("848210", "tools", 8, 0.7, 110, 0.5, "608ZZ ball bearings (10 pcs)", "Skateboard bearings set"),
    # health
    _p("901890", "health", 18, 0.7, 250, 0.5, "Upper-arm blood pressure monitor",
       "Wrist blood pressure monitor"),
    _p("902519", "health", 8, 0.5, 60, 0.5, "Digital fever thermometer", "Infrared forehead thermometer"),
)

# Food only travels as C2C gifts here: commercial food imports need health certificates.
_GIFT_FOOD: tuple[_Product, ...] = (
    _p("090230", "food", 8, 0.5, 250, 1, "Black tea gift box", "Loose leaf black tea"),
    _p("170490", "food", 6, 0.5, 300, 1, "Assorted sweets", "Turkish delight gift box"),
    _p("180690", "food", 8, 0.5, 300, 1, "Chocolate gift box", "Assorted chocolates"),
)

_DOCUMENTS: tuple[_Product, ...] = (
    _p("490199", "documents", 0, 0, 250, 4, "Documents", "Business documents", "Contract documents",
       "Legal papers", "Correspondence"),
    _p("491110", "documents", 0, 0, 400, 1, "Commercial catalogues", "Trade brochures"),
)

# Declared honestly: the goods are what the description says, and that is the problem.
_PROHIBITED: tuple[_Product, ...] = (
    _p("300490", "prohibited", 40, 0.6, 120, 35, "Sildenafil citrate 100mg tablets", "Tramadol 50mg capsules",
       "Semaglutide injection pen", "Modafinil 200mg tablets", "Isotretinoin 20mg capsules"),
    _p("240220", "prohibited", 45, 0.4, 2200, 25, "Cigarettes, 10 cartons (2,000 sticks)",
       "King-size filter cigarettes, 5 cartons", "Slim menthol cigarettes, 10 packs"),
    _p("930400", "prohibited", 45, 0.5, 1000, 15, "CO2 air pistol 4.5mm", "Telescopic steel baton",
       "Pepper spray 40ml", "Gas-powered airsoft pistol"),
    _p("360410", "prohibited", 30, 0.5, 1500, 12, "Fireworks rocket assortment", "Firecrackers (100 pcs)",
       "Roman candle fireworks"),
    _p("930630", "prohibited", 30, 0.5, 600, 8, "9mm blank cartridges (50 pcs)",
       ".22 LR cartridges (100 pcs)"),
    _p("930621", "prohibited", 35, 0.4, 1100, 5, "12-gauge shotgun cartridges (25 pcs)"),
)

# wrong_hs: the true subheading -> the cheaper one declared instead. Rates are the EU CET third-country
# duty (uk-global-tariff file, CET column; 6201.40/6202.40 are new in HS 2022 and take the rate of the
# 6201.93/6202.93 lines they replaced).
_WRONG_HS: dict[str, str] = {
    "610910": "621710", "610990": "621710", "611020": "621710", "611030": "621710", "620444": "621710",
    "610443": "621710", "620342": "621710", "620462": "621710", "620140": "621710", "620240": "621710",
    "640411": "640690", "640419": "640690", "640299": "640690", "640291": "640690",
    "871200": "871499",
    "691110": "392410",
}
_CET: dict[str, str] = {
    "610910": "12%", "610990": "12%", "611020": "12%", "611030": "12%", "620444": "12%", "610443": "12%",
    "620342": "12%", "620462": "12%", "620140": "12%", "620240": "12%", "621710": "6.3%",
    "640411": "16.9%", "640419": "16.9%", "640299": "16.8%", "640291": "16.9%", "640690": "3%",
    "871200": "14%", "871499": "4.7%", "691110": "12%", "392410": "6.5%",
}

_VAGUE = ("gift", "sample", "goods", "parts", "accessories", "item", "Gift", "Sample", "GOODS", "spare parts",
          "accessory", "items")

_CATEGORY_WEIGHTS: dict[str, float] = {
    "apparel": 24, "footwear": 7, "electronics": 16, "toys": 7, "beauty": 8, "bags": 5, "accessories": 7,
    "home": 10, "lighting": 3, "sports": 4, "books": 2.5, "auto": 3, "tools": 1.5, "health": 1,
}

_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
_COLOURS = ("black", "white", "navy", "grey", "beige", "red", "pink", "olive", "blue", "brown")


def _cum(weights: Sequence[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


_BY_CATEGORY: dict[str, tuple[tuple[_Product, ...], list[float]]] = {}
for _cat in _CATEGORY_WEIGHTS:
    _members = tuple(p for p in _CATALOGUE if p.category == _cat)
    _BY_CATEGORY[_cat] = (_members, _cum([p.weight for p in _members]))

# Goods worth undervaluing: a fraudster gains little by under-declaring a EUR 4 phone case.
_VALUABLE = tuple(p for p in _CATALOGUE if p.median_eur >= 25)
_VALUABLE_CUM = _cum([p.weight for p in _VALUABLE])
_WRONG_HS_PRODUCTS = tuple(p for p in _CATALOGUE if p.hs in _WRONG_HS)
_WRONG_HS_CUM = _cum([p.weight for p in _WRONG_HS_PRODUCTS])
_PROHIBITED_CUM = _cum([p.weight for p in _PROHIBITED])
_GIFT_CATEGORIES = ("apparel", "beauty", "toys", "books", "accessories")
_GIFT_PRODUCTS = (
    tuple(p for p in _CATALOGUE if p.category in _GIFT_CATEGORIES and p.median_eur <= 30) + _GIFT_FOOD
)
_GIFT_CUM = _cum([p.weight for p in _GIFT_PRODUCTS])
_ALL_BY_MEDIAN = tuple(sorted(_CATALOGUE, key=lambda p: p.median_eur))

# --------------------------------------------------------------------------------------------------
# Destinations (EU member states), their entry points and their consumers

# (country, share of EU e-commerce imports, air, post, road, rail) -- LOCODE lists are (code, weight).
# Shares follow population x online cross-border buying; air locations are the express/cargo hubs,
# post locations carry the UN/LOCODE function 5 (postal exchange) where the country has one.
_Loc = tuple[tuple[str, float], ...]
_DESTINATIONS: tuple[tuple[str, float, _Loc, _Loc, _Loc, _Loc], ...] = (
    ("DE", 19.0, (("DELEJ", 35), ("DEFRA", 35), ("DECGN", 20), ("DEMUC", 10)),
     (("DEFRA", 60), ("DECGN", 20), ("DELEJ", 20)), (("DEFRA", 40), ("DEHAM", 30), ("DECGN", 30)),
     (("DEDUI", 70), ("DEHAM", 30))),
    ("FR", 15.5, (("FRCDG", 85), ("FRLYS", 10), ("FRMRS", 5)), (("FRPAR", 1),), (("FRPAR", 60), ("FRLIL",
                                                                                                 40)), ()),
    ("IT", 10.0, (("ITMXP", 60), ("ITFCO", 25), ("ITBGO", 15)), (("ITMIL", 60), ("ITROM", 40)), (("ITMIL",
                                                                                                  1),), ()),
    ("ES", 10.0, (("ESMAD", 60), ("ESBCN", 30), ("ESZAZ", 10)), (("ESMAD", 70), ("ESBCN", 30)),
     (("ESMAD", 60), ("ESBCN", 40)), ()),
    ("NL", 8.5, (("NLAMS", 90), ("NLMST", 10)), (("NLAMS", 1),), (("NLVEN", 50), ("NLRTM", 30), ("NLUTC",
                                                                                                 20)),
     (("NLVEN", 1),)),
    ("PL", 7.5, (("PLWAW", 60), ("PLKTW", 25), ("PLPOZ", 15)), (("PLKTW", 1),), (("PLWAW", 60), ("PLKTW",
                                                                                                 40)),
     (("PLMAA", 70), ("PLWAW", 30))),
    ("BE", 4.0, (("BELGG", 60), ("BEBRU", 40)), (("BEANR", 1),), (("BEANR", 50), ("BEBRU", 50)), ()),
    ("SE", 3.5, (("SEARN", 70), ("SEGOT", 20), ("SEMMX", 10)), (("SESTO", 70), ("SEGOT", 30)), (("SEMMA",
                                                                                                 1),), ()),
    ("AT", 3.0, (("ATVIE", 1),), (("ATVIE", 1),), (("ATLNZ", 60), ("ATGRZ", 40)), ()),
    ("IE", 2.5, (("IEDUB", 85), ("IESNN", 15)), (("IEDUB", 70), ("IEPTL", 30)), (("IEPTL", 1),), ()),
    ("CZ", 2.5, (("CZPRG", 1),), (("CZPRG", 1),), (("CZPRG", 70), ("CZBRQ", 30)), (("CZPRG", 1),)),
    ("PT", 2.0, (("PTLIS", 80), ("PTOPO", 20)), (("PTLIS", 1),), (("PTLIS", 60), ("PTOPO", 40)), ()),
    ("DK", 2.0, (("DKCPH", 80), ("DKBLL", 20)), (("DKCPH", 1),), (("DKCPH", 60), ("DKODE", 40)), ()),
    ("RO", 2.0, (("ROOTP", 1),), (("ROBUH", 1),), (("ROOTI", 1),), ()),
    ("HU", 1.5, (("HUBUD", 1),), (("HUBUD", 1),), (("HUBUA", 1),), ()),
    ("GR", 1.5, (("GRATH", 1),), (("GRATH", 1),), (("GRAPP", 1),), ()),
    # FI's one LOCODE with function 5 is a village: mail goes through Vantaa.
    ("FI", 1.5, (("FIVAT", 1),), (("FIVAT", 1),), (("FIVAT", 1),), ()),
    ("SK", 1.0, (("SKBTS", 1),), (("SKBTS", 1),), (("SKBTS", 1),), ()),
    ("BG", 0.8, (("BGSOF", 1),), (("BGSOF", 1),), (("BGKAN", 1),), ()),
    ("HR", 0.8, (("HRZAG", 1),), (("HRZAG", 1),), (("HRZAG", 1),), ()),
    ("LT", 0.6, (("LTVNO", 1),), (("LTVNO", 1),), (("LTVIL", 1),), ()),
    ("SI", 0.5, (("SILJU", 1),), (("SILJU", 1),), (("SIBRN", 1),), ()),
    ("LV", 0.4, (("LVRIX", 1),), (("LVRIX", 1),), (), ()),
    ("EE", 0.4, (("EETLL", 1),), (("EETLL", 1),), (), ()),
    ("LU", 0.3, (("LULUX", 1),), (("LULUX", 1),), (("LUBET", 1),), ()),
    ("CY", 0.2, (("CYLCA", 1),), (("CYNIC", 1),), (), ()),
    ("MT", 0.2, (("MTMLA", 1),), (("MTMLA", 1),), (), ()),
)
DESTINATION_COUNTRIES = frozenset(d[0] for d in _DESTINATIONS)
_DEST_CODES = tuple(d[0] for d in _DESTINATIONS)
_DEST_CUM = _cum([d[1] for d in _DESTINATIONS])
# The office of entry is the location's LOCODE plus a suffix naming the role of the office there;
# the digit mirrors the UN/LOCODE function code of the transport mode.
_OFFICE_SUFFIX = {"air": "004", "post": "005", "road": "003", "rail": "002"}


def _loc_table(locs: _Loc) -> tuple[tuple[str, ...], list[float]]:
    return tuple(code for code, _ in locs), _cum([w for _, w in locs])


_LOCATIONS: dict[tuple[str, str], tuple[tuple[str, ...], list[float]]] = {}
for _d in _DESTINATIONS:
    for _mode, _locs in zip(("air", "post", "road", "rail"), _d[2:], strict=True):
        if _locs:
            _LOCATIONS[(_d[0], _mode)] = _loc_table(_locs)
GOODS_LOCATIONS = frozenset(code for codes, _ in _LOCATIONS.values() for code in codes)
_RAIL_DESTS = frozenset(c for c, m in _LOCATIONS if m == "rail")

# Person names by language: (female first names, male first names, (male, female) surname pairs).
_Names = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]


def _same(*surnames: str) -> tuple[tuple[str, str], ...]:
    return tuple((s, s) for s in surnames)


def _pairs(*pairs: str) -> tuple[tuple[str, str], ...]:
    return tuple((p.split("/")[0], p.split("/")[1]) for p in pairs)


_NAMES: dict[str, _Names] = {
    "de": (("Anna", "Julia", "Laura", "Sophie", "Lena", "Marie", "Katharina", "Sarah", "Lisa", "Hannah",
            "Sabine"),
           ("Lukas", "Leon", "Felix", "Jonas", "Maximilian", "Paul", "Tobias", "Jan", "Niklas", "Tim",
            "Thomas"),
           _same("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
                 "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
                 "Zimmermann",
                 "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Kaya", "Nowak")),
    "fr": (("Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Mathilde", "Pauline", "Yasmine"),
           ("Lucas", "Hugo", "Louis", "Nathan", "Thomas", "Julien", "Nicolas", "Antoine", "Maxime",
            "Clément"),
           _same("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
                 "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
                 "Vincent", "Fournier", "Morel", "Girard", "Benali", "Nguyen")),
    "nl": (("Emma", "Julia", "Tess", "Sophie", "Anna", "Mila", "Sanne", "Lotte", "Fleur", "Eva"),
           ("Daan", "Sem", "Lucas", "Levi", "Finn", "Bram", "Thijs", "Ruben", "Jesse", "Noah"),
           _same("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
                 "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
                 "van Leeuwen", "Dekker", "Brouwer", "Claes", "Maes", "Peeters", "Willems")),
    "it": (("Giulia", "Sofia", "Martina", "Chiara", "Federica", "Giorgia", "Elena", "Sara", "Valentina",
            "Alessia"),
           ("Francesco", "Alessandro", "Lorenzo", "Matteo", "Andrea", "Luca", "Marco", "Davide", "Simone",
            "Riccardo"),
           _same("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
                 "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
                 "Lombardi", "Moretti")),
    "es": (("Lucía", "Martina", "Sofía", "María", "Paula", "Carmen", "Laura", "Marta", "Elena", "Irene"),
           ("Hugo", "Daniel", "Pablo", "Alejandro", "Javier", "David", "Sergio", "Carlos", "Adrián",
            "Álvaro"),
           _same("García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
                 "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
                 "Romero", "Navarro", "Torres")),
    "pl": (("Anna", "Katarzyna", "Maria", "Małgorzata", "Agnieszka", "Zuzanna", "Julia", "Aleksandra",
            "Natalia",
            "Magdalena"),
           ("Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Marcin", "Kamil", "Jakub", "Mateusz",
            "Bartosz"),
           _pairs("Nowak/Nowak", "Kowalski/Kowalska", "Wiśniewski/Wiśniewska", "Wójcik/Wójcik",
                  "Kowalczyk/Kowalczyk", "Kamiński/Kamińska", "Lewandowski/Lewandowska",
                  "Zieliński/Zielińska",
                  "Szymański/Szymańska", "Woźniak/Woźniak", "Dąbrowski/Dąbrowska", "Kozłowski/Kozłowska",
                  "Jankowski/Jankowska", "Mazur/Mazur", "Kwiatkowski/Kwiatkowska", "Krawczyk/Krawczyk")),
    "sv": (("Emma", "Maja", "Alice", "Elsa", "Olivia", "Karin", "Sara", "Linnea", "Ebba", "Anna"),
           ("William", "Oscar", "Lucas", "Hugo", "Elias", "Erik", "Anders", "Lars", "Johan", "Axel"),
           _same("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
                 "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindström", "Berg", "Ali")),
    "da": (("Emma", "Ida", "Clara", "Freja", "Sofie", "Mette", "Anne", "Camilla", "Line", "Julie"),
           ("William", "Noah", "Oscar", "Lucas", "Magnus", "Lars", "Henrik", "Søren", "Mads", "Rasmus"),
           _same("Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
                 "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Møller")),
    "fi": (("Aino", "Helmi", "Emilia", "Sofia", "Venla", "Anna", "Laura", "Sanna", "Kaisa", "Riikka"),
           ("Eino", "Väinö", "Onni", "Leo", "Elias", "Mikko", "Jukka", "Juha", "Timo", "Matti"),
           _same("Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
                 "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Turunen")),
    "en": (("Emily", "Grace", "Sophie", "Aoife", "Ciara", "Niamh", "Saoirse", "Mary", "Chloe", "Sarah"),
           ("Jack", "James", "Noah", "Conor", "Seán", "Liam", "Cian", "Oisín", "Patrick", "Daniel"),
           _same("Murphy", "Kelly", "O'Sullivan", "Walsh", "Smith", "O'Brien", "Byrne", "Ryan", "O'Connor",
                 "O'Neill", "Doyle", "McCarthy", "Gallagher", "Kennedy", "Lynch", "Murray", "Quinn",
                 "Moore")),
    "mt": (("Maria", "Sarah", "Julia", "Nicole", "Martina", "Elena"),
           ("Joseph", "Luke", "Michael", "Matthew", "Daniel", "Jean"),
           _same("Borg", "Camilleri", "Vella", "Farrugia", "Zammit", "Galea", "Micallef", "Grech", "Attard",
                 "Spiteri")),
    "pt": (("Maria", "Ana", "Beatriz", "Leonor", "Matilde", "Inês", "Carolina", "Mariana", "Rita", "Sofia"),
           ("João", "Francisco", "Santiago", "Tomás", "Afonso", "Rodrigo", "Pedro", "Diogo", "Miguel",
            "Tiago"),
           _same("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
                 "Sousa",
                 "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro",
                 "Pinto")),
    "cs": (("Eliška", "Tereza", "Anna", "Adéla", "Lucie", "Kateřina", "Jana", "Veronika", "Michaela",
            "Barbora"),
           ("Jan", "Jakub", "Tomáš", "Petr", "Martin", "Lukáš", "Pavel", "Ondřej", "David", "Filip"),
           _pairs("Novák/Nováková", "Svoboda/Svobodová", "Novotný/Novotná", "Dvořák/Dvořáková",
                  "Černý/Černá", "Procházka/Procházková", "Kučera/Kučerová", "Veselý/Veselá",
                  "Horák/Horáková", "Němec/Němcová")),
    "sk": (("Jana", "Mária", "Zuzana", "Katarína", "Lucia", "Monika", "Eva", "Simona"),
           ("Ján", "Peter", "Martin", "Lukáš", "Tomáš", "Michal", "Jozef", "Marek"),
           _pairs("Horváth/Horváthová", "Kováč/Kováčová", "Varga/Vargová", "Tóth/Tóthová", "Nagy/Nagyová",
                  "Baláž/Balážová", "Molnár/Molnárová", "Lukáč/Lukáčová", "Novák/Nováková")),
    "hu": (("Anna", "Eszter", "Zsófia", "Katalin", "Réka", "Dóra", "Viktória", "Noémi"),
           ("László", "István", "Gábor", "Péter", "Bence", "Máté", "Zoltán", "Attila"),
           _same("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh",
                 "Farkas")),
    "ro": (("Maria", "Elena", "Ioana", "Andreea", "Alexandra", "Ana", "Cristina", "Mihaela"),
           ("Andrei", "Alexandru", "Ion", "Mihai", "Gabriel", "Ștefan", "Florin", "Cristian"),
           _same("Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe",
                 "Matei")),
    "el": (("Maria", "Eleni", "Aikaterini", "Vasiliki", "Sofia", "Georgia", "Dimitra", "Anna"),
           ("Georgios", "Ioannis", "Konstantinos", "Dimitrios", "Nikolaos", "Panagiotis", "Christos",
            "Andreas"),
           _pairs("Papadopoulos/Papadopoulou", "Papadakis/Papadaki", "Georgiou/Georgiou",
                  "Oikonomou/Oikonomou", "Nikolaidis/Nikolaidou", "Vlachos/Vlachou", "Pappas/Pappa",
                  "Dimitriou/Dimitriou", "Karagiannis/Karagianni", "Christodoulou/Christodoulou")),
    "bg": (("Maria", "Ivana", "Elena", "Desislava", "Gergana", "Viktoria"),
           ("Georgi", "Ivan", "Dimitar", "Nikolay", "Petar", "Hristo"),
           _pairs("Ivanov/Ivanova", "Georgiev/Georgieva", "Dimitrov/Dimitrova", "Petrov/Petrova",
                  "Nikolov/Nikolova", "Hristov/Hristova", "Stoyanov/Stoyanova", "Todorov/Todorova")),
    "hr": (("Ana", "Marija", "Ivana", "Petra", "Lucija", "Maja"),
           ("Ivan", "Luka", "Marko", "Josip", "Tomislav", "Filip"),
           _same("Horvat", "Kovačević", "Babić", "Marić", "Jurić", "Novak", "Kovačić", "Knežević")),
    "sl": (("Maja", "Nina", "Eva", "Ana", "Sara", "Petra"),
           ("Luka", "Jan", "Nejc", "Matej", "Žiga", "Anže"),
           _same("Novak", "Horvat", "Kovačič", "Krajnc", "Zupančič", "Potočnik", "Kovač", "Mlakar")),
    "lt": (("Ugnė", "Emilija", "Gabija", "Austėja", "Rūta", "Jurgita"),
           ("Jonas", "Lukas", "Matas", "Mantas", "Tomas", "Darius"),
           _pairs("Kazlauskas/Kazlauskienė", "Jankauskas/Jankauskienė", "Petrauskas/Petrauskienė",
                  "Stankevičius/Stankevičienė", "Vasiliauskas/Vasiliauskienė", "Žukauskas/Žukauskienė")),
    "lv": (("Anna", "Marta", "Laura", "Elīza", "Sofija", "Līga"),
           ("Jānis", "Andris", "Mārtiņš", "Roberts", "Kristaps", "Edgars"),
           _pairs("Bērziņš/Bērziņa", "Kalniņš/Kalniņa", "Ozols/Ozola", "Jansons/Jansone", "Liepiņš/Liepiņa",
                  "Krūmiņš/Krūmiņa")),
    "et": (("Maria", "Sofia", "Laura", "Kertu", "Liis", "Kadri"),
           ("Rasmus", "Martin", "Markus", "Robin", "Karl", "Andres"),
           _same("Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves")),
    # senders of C2C gifts outside the EU
    "us": (("Emily", "Jessica", "Ashley", "Sarah", "Jennifer", "Megan"),
           ("Michael", "Christopher", "Matthew", "Joshua", "David", "Ryan"),
           _same("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
                 "Taylor")),
    "gb": (("Olivia", "Amelia", "Isla", "Emily", "Charlotte", "Sophie"),
           ("Oliver", "George", "Harry", "Jack", "Thomas", "James"),
           _same("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Khan",
                 "Patel")),
    "tr": (("Zeynep", "Elif", "Ayşe", "Fatma", "Emine", "Merve"),
           ("Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Emre"),
           _same("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",  # noqa: RUF001
                 "Özdemir")),
    "uk": (("Olena", "Oksana", "Iryna", "Tetiana", "Nataliia", "Yuliia"),
           ("Andrii", "Oleksandr", "Dmytro", "Serhii", "Volodymyr", "Mykola"),
           _same("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boiko",
                 "Koval")),
    "in": (("Priya", "Anjali", "Neha", "Pooja", "Divya", "Sneha"),
           ("Rahul", "Amit", "Arjun", "Vikram", "Rohan", "Sanjay"),
           _same("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Nair", "Iyer")),
    "sr": (("Milica", "Jelena", "Ana", "Marija", "Jovana", "Ivana"),
           ("Nikola", "Marko", "Stefan", "Luka", "Miloš", "Aleksandar"),
           _same("Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić",
                 "Pavlović")),
    "no": (("Nora", "Emma", "Ingrid", "Sara", "Maja", "Ida"),
           ("Jakob", "Emil", "Lars", "Ole", "Henrik", "Magnus"),
           _same("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen")),
}

# Street templates per language; "{n}" is the house number.
_STREETS: dict[str, tuple[str, ...]] = {
    "de": ("Hauptstraße {n}", "Bahnhofstraße {n}", "Gartenweg {n}", "Schillerstraße {n}", "Goethestraße {n}",
           "Lindenallee {n}", "Bergstraße {n}", "Am Markt {n}", "Rosenweg {n}", "Kirchgasse {n}",
           "Friedhofstraße {n}", "Waldstraße {n}"),
    "fr": ("{n} rue de la République", "{n} avenue Jean Jaurès", "{n} boulevard Victor Hugo",
           "{n} rue des Lilas",
           "{n} place de l'Église", "{n} chemin des Vignes", "{n} rue Pasteur", "{n} allée des Tilleuls"),
    "nl": ("Kerkstraat {n}", "Dorpsstraat {n}", "Molenweg {n}", "Stationsstraat {n}", "Julianalaan {n}",
           "Lindelaan {n}", "Schoolstraat {n}", "Nieuwstraat {n}"),
    "it": ("Via Roma {n}", "Via Garibaldi {n}", "Corso Italia {n}", "Via Mazzini {n}",
           "Piazza della Libertà {n}",
           "Via Verdi {n}", "Via Dante Alighieri {n}", "Viale Europa {n}"),
    "es": ("Calle Mayor {n}", "Avenida de la Constitución {n}", "Calle Real {n}", "Plaza de España {n}",
           "Calle del Sol {n}", "Calle de Alcalá {n}", "Avenida de Andalucía {n}", "Calle Nueva {n}"),
    "pl": ("ul. Polna {n}", "ul. Lipowa {n}", "ul. Mickiewicza {n}", "ul. Słoneczna {n}",
           "ul. Kościuszki {n}",
           "ul. Leśna {n}", "ul. Ogrodowa {n}", "ul. Kwiatowa {n}"),
    "sv": ("Storgatan {n}", "Kungsgatan {n}", "Skolgatan {n}", "Björkvägen {n}", "Drottninggatan {n}",
           "Ringvägen {n}"),
    "da": ("Vestergade {n}", "Nørregade {n}", "Skolevej {n}", "Birkevej {n}", "Østergade {n}",
           "Søndergade {n}"),
    "fi": ("Mannerheimintie {n}", "Koulukatu {n}", "Rantatie {n}", "Kirkkokatu {n}", "Puistotie {n}"),
    "en": ("{n} Main Street", "{n} Church Road", "{n} Oak Park", "{n} Station Road", "{n} Castle View",
           "{n} Green Lane"),
    "mt": ("{n}, Triq il-Kbira", "{n}, Triq San Pawl", "{n}, Triq ir-Repubblika"),
    "pt": ("Rua Augusta {n}", "Avenida da Liberdade {n}", "Rua do Carmo {n}", "Rua da Alegria {n}",
           "Rua de Santa Catarina {n}"),
    "cs": ("Husova {n}", "Nádražní {n}", "Palackého {n}", "Masarykova {n}", "Školní {n}"),
    "sk": ("Hlavná {n}", "Štúrova {n}", "Školská {n}", "Záhradná {n}", "Mierová {n}"),
    "hu": ("Petőfi utca {n}", "Kossuth Lajos utca {n}", "Ady Endre út {n}", "Rákóczi út {n}", "Fő utca {n}"),
    "ro": ("Strada Mihai Eminescu {n}", "Bulevardul Unirii {n}", "Strada Victoriei {n}",
           "Strada Florilor {n}"),
    "el": ("Odos Ermou {n}", "Leoforos Vasilissis Sofias {n}", "Odos Egnatia {n}", "Odos Athinas {n}"),
    "bg": ("ul. Vasil Levski {n}", "bul. Tsar Osvoboditel {n}", "ul. Rakovski {n}", "ul. Shipka {n}"),
    "hr": ("Ilica {n}", "Vukovarska ulica {n}", "Zagrebačka cesta {n}", "Ulica kralja Tomislava {n}"),
    "sl": ("Slovenska cesta {n}", "Trubarjeva cesta {n}", "Celovška cesta {n}", "Partizanska ulica {n}"),
    "lt": ("Gedimino pr. {n}", "Laisvės al. {n}", "Vilniaus g. {n}", "Savanorių pr. {n}"),
    "lv": ("Brīvības iela {n}", "Elizabetes iela {n}", "Lāčplēša iela {n}", "Krišjāņa Barona iela {n}"),
    "et": ("Narva mnt {n}", "Pärnu mnt {n}", "Tartu mnt {n}", "Sõpruse pst {n}"),
    "us": ("{n} Maple Street", "{n} Oak Avenue", "{n} Washington Blvd", "{n} Park Drive", "{n} Elm Court"),
    "gb": ("{n} High Street", "{n} Station Road", "{n} Victoria Road", "{n} Church Lane", "{n} Mill Road"),
    "tr": ("Atatürk Cad. No: {n}", "Cumhuriyet Mah. {n}. Sokak", "İstiklal Cad. No: {n}",
           "Bağdat Cad. No: {n}"),
    "uk": ("vul. Shevchenka {n}", "vul. Franka {n}", "prosp. Peremohy {n}", "vul. Sadova {n}"),
    "in": ("{n}, MG Road", "{n}, Nehru Nagar", "{n}, Station Road", "{n}, Gandhi Marg"),
    "sr": ("Bulevar kralja Aleksandra {n}", "Knez Mihailova {n}", "Nemanjina {n}", "Cara Dušana {n}"),
    "no": ("Storgata {n}", "Kirkeveien {n}", "Skolegata {n}", "Parkveien {n}"),
}

# Consumer cities by destination: (city, postcode template, language, weight). Templates: "#" a digit,
# "@" a letter, "%" an Eircode character.
_City = tuple[str, str, str, float]
_CITIES: dict[str, tuple[_City, ...]] = {
    "DE": (("Berlin", "10###", "de", 9), ("Berlin", "12###", "de", 5), ("Hamburg", "22###", "de", 6),
           ("München", "80###", "de", 5), ("Köln", "50###", "de", 4), ("Frankfurt am Main", "60###", "de", 3),
           ("Stuttgart", "70###", "de", 3), ("Düsseldorf", "40###", "de", 3), ("Leipzig", "04###", "de", 2.5),
           ("Dortmund", "44###", "de", 2.5), ("Essen", "45###", "de", 2.5), ("Bremen", "28###", "de", 2),
           ("Dresden", "01###", "de", 2), ("Hannover", "30###", "de", 2), ("Nürnberg", "90###", "de", 2),
           ("Bielefeld", "33###", "de", 1.5), ("Freiburg im Breisgau", "79###", "de", 1)),
    "FR": (("Paris", "750##", "fr", 10), ("Marseille", "130##", "fr", 4), ("Lyon", "6900#", "fr", 3.5),
           ("Toulouse", "310##", "fr", 3), ("Nice", "060##", "fr", 2.5), ("Nantes", "440##", "fr", 2.5),
           ("Strasbourg", "670##", "fr", 2), ("Montpellier", "340##", "fr", 2), ("Bordeaux", "330##", "fr",
                                                                                 2),
           ("Lille", "590##", "fr", 2), ("Rennes", "350##", "fr", 1.5), ("Saint-Denis", "932##", "fr", 1.5)),
    "IT": (("Roma", "001##", "it", 8), ("Milano", "201##", "it", 7), ("Napoli", "801##", "it", 5),
           ("Torino", "101##", "it", 4), ("Palermo", "901##", "it", 3), ("Genova", "161##", "it", 2.5),
           ("Bologna", "401##", "it", 2.5), ("Firenze", "501##", "it", 2.5), ("Bari", "701##", "it", 2),
           ("Catania", "951##", "it", 2), ("Verona", "371##", "it", 1.5)),
    "ES": (("Madrid", "280##", "es", 9), ("Barcelona", "080##", "es", 7), ("Valencia", "460##", "es", 4),
           ("Sevilla", "410##", "es", 3.5), ("Zaragoza", "500##", "es", 2.5), ("Málaga", "290##", "es", 2.5),
           ("Murcia", "300##", "es", 2), ("Bilbao", "480##", "es", 2), ("Alicante", "030##", "es", 2),
           ("Palma", "070##", "es", 1.5)),
    "NL": (("Amsterdam", "10## @@", "nl", 6), ("Rotterdam", "30## @@", "nl", 5), ("Den Haag", "25## @@", "nl",
                                                                                  4),
           ("Utrecht", "35## @@", "nl", 3.5), ("Eindhoven", "56## @@", "nl", 2.5), ("Groningen", "97## @@",
                                                                                    "nl", 2),
           ("Tilburg", "50## @@", "nl", 2), ("Almere", "13## @@", "nl", 2), ("Breda", "48## @@", "nl", 1.5)),
    "PL": (("Warszawa", "0#-###", "pl", 8), ("Kraków", "3#-###", "pl", 5), ("Łódź", "9#-###", "pl", 4),
           ("Wrocław", "5#-###", "pl", 4), ("Poznań", "6#-###", "pl", 3), ("Gdańsk", "80-###", "pl", 3),
           ("Szczecin", "7#-###", "pl", 2), ("Lublin", "20-###", "pl", 2), ("Katowice", "40-###", "pl", 2)),
    "BE": (("Bruxelles", "10##", "fr", 5), ("Antwerpen", "20##", "nl", 5), ("Gent", "90##", "nl", 3),
           ("Charleroi", "60##", "fr", 2), ("Liège", "40##", "fr", 2), ("Brugge", "80##", "nl", 1.5),
           ("Namur", "50##", "fr", 1), ("Leuven", "30##", "nl", 1.5)),
    "SE": (("Stockholm", "11# ##", "sv", 6), ("Göteborg", "41# ##", "sv", 4), ("Malmö", "21# ##", "sv", 3),
           ("Uppsala", "75# ##", "sv", 2), ("Västerås", "72# ##", "sv", 1.5), ("Örebro", "70# ##", "sv",
                                                                               1.5)),
    "AT": (("Wien", "1##0", "de", 8), ("Graz", "80##", "de", 3), ("Linz", "40##", "de", 2.5),
           ("Salzburg", "50##", "de", 2), ("Innsbruck", "60##", "de", 1.5)),
    "IE": (("Dublin", "D0# %%%%", "en", 6), ("Dublin", "D1# %%%%", "en", 4), ("Cork", "T12 %%%%", "en", 3),
           ("Galway", "H91 %%%%", "en", 1.5), ("Limerick", "V94 %%%%", "en", 1.5),
           ("Waterford", "X91 %%%%", "en", 1)),
    "CZ": (("Praha", "1## ##", "cs", 6), ("Brno", "6## ##", "cs", 3), ("Ostrava", "7## ##", "cs", 2),
           ("Plzeň", "3## ##", "cs", 1.5)),
    "PT": (("Lisboa", "1###-###", "pt", 5), ("Porto", "4###-###", "pt", 4), ("Braga", "47##-###", "pt", 1.5),
           ("Coimbra", "30##-###", "pt", 1)),
    "DK": (("København", "1###", "da", 4), ("København", "2###", "da", 3), ("Aarhus", "80##", "da", 3),
           ("Odense", "50##", "da", 2), ("Aalborg", "90##", "da", 1.5)),
    "RO": (("București", "0#####", "ro", 6), ("Cluj-Napoca", "400###", "ro", 2), ("Timișoara", "300###", "ro",
                                                                                  2),
           ("Iași", "700###", "ro", 2), ("Constanța", "900###", "ro", 1.5)),
    "HU": (("Budapest", "1###", "hu", 6), ("Debrecen", "40##", "hu", 1.5), ("Szeged", "67##", "hu", 1.5),
           ("Miskolc", "35##", "hu", 1), ("Pécs", "76##", "hu", 1)),
    "GR": (("Athína", "10# ##", "el", 5), ("Athína", "11# ##", "el", 3), ("Thessaloníki", "54# ##", "el", 3),
           ("Pátra", "26# ##", "el", 1), ("Irákleio", "71# ##", "el", 1)),
    "FI": (("Helsinki", "00###", "fi", 5), ("Espoo", "02###", "fi", 2.5), ("Tampere", "33###", "fi", 2),
           ("Vantaa", "01###", "fi", 2), ("Oulu", "90###", "fi", 1.5), ("Turku", "20###", "fi", 1.5)),
    "SK": (("Bratislava", "8## ##", "sk", 4), ("Košice", "040 ##", "sk", 2), ("Žilina", "010 ##", "sk", 1)),
    "BG": (("Sofia", "1###", "bg", 5), ("Plovdiv", "4###", "bg", 2), ("Varna", "9###", "bg", 2)),
    "HR": (("Zagreb", "10###", "hr", 5), ("Split", "21###", "hr", 2), ("Rijeka", "51###", "hr", 1.5)),
    "LT": (("Vilnius", "LT-0####", "lt", 4), ("Vilnius", "LT-1####", "lt", 2), ("Kaunas", "LT-4####", "lt",
                                                                                2.5)),
    "SI": (("Ljubljana", "1###", "sl", 4), ("Maribor", "2###", "sl", 2)),
    "LV": (("Rīga", "LV-10##", "lv", 5), ("Daugavpils", "LV-54##", "lv", 1)),
    "EE": (("Tallinn", "1####", "et", 5), ("Tartu", "5####", "et", 2)),
    "LU": (("Luxembourg", "L-1###", "fr", 4), ("Esch-sur-Alzette", "L-4###", "fr", 1.5)),
    "CY": (("Lefkosia", "1###", "el", 2), ("Lemesos", "3###", "el", 2), ("Larnaka", "6###", "el", 1)),
    "MT": (("Valletta", "VLT ####", "mt", 1), ("Sliema", "SLM ####", "mt", 1.5), ("Birkirkara", "BKR ####",
                                                                                  "mt", 1.5)),
}
_CITY_CUM = {cc: _cum([c[3] for c in cities]) for cc, cities in _CITIES.items()}

_PHONES: dict[str, str] = {
    "DE": "+49 15# #######", "FR": "+33 6 ## ## ## ##", "IT": "+39 3## ### ####", "ES": "+34 6## ### ###",
    "NL": "+31 6 ########", "PL": "+48 ### ### ###", "BE": "+32 4## ## ## ##", "SE": "+46 7# ### ## ##",
    "AT": "+43 6## #######", "IE": "+353 8# ### ####", "CZ": "+420 7## ### ###", "PT": "+351 9## ### ###",
    "DK": "+45 ## ## ## ##", "RO": "+40 7## ### ###", "HU": "+36 ## ### ####", "GR": "+30 69# ### ####",
    "FI": "+358 4# ### ####", "SK": "+421 9## ### ###", "BG": "+359 8# ### ####", "HR": "+385 9# ### ####",
    "LT": "+370 6## #####", "SI": "+386 ## ### ###", "LV": "+371 2# ### ###", "EE": "+372 5### ####",
    "LU": "+352 6## ### ###", "CY": "+357 9# ######", "MT": "+356 9### ####",
}
_MAIL_DOMAINS = ("example.com", "example.net", "example.org")  # reserved (RFC 2606): never a real inbox
_EIRCODE = "ACDEFHKNPRTVWXY0123456789"
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXZ"
_ASCII_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "đ": "d", "Đ": "D",
                             "ı": "i", "'": "", " ": "", "-": ""})  # noqa: RUF001


@functools.lru_cache(maxsize=4096)
def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return folded.encode("ascii", "ignore").decode("ascii").lower()


# --------------------------------------------------------------------------------------------------
# Identifiers. Check digits follow the national schemes (as python-stdnum implements them), so a
# validator that checks them does not reject synthetic parties.

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _uscc(region: str, body: str) -> str:
    """China Unified Social Credit Code: 91 + region + organisation code (8 + GB 11714 check) + check."""
    org_weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, org_weights, strict=True))
    org_check = 11 - total % 11
    org = body + ("X" if org_check == 10 else "0" if org_check == 11 else str(org_check))
    code = "91" + region + org
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(code, weights, strict=True))
    return code + _USCC_ALPHABET[(31 - total) % 31]


def _gb_vat(seven: str) -> str:
    total = sum(int(d) * w for d, w in zip(seven, range(8, 1, -1), strict=True))
    return f"{seven}{(-total) % 97:02d}"


def _de_vat(eight: str) -> str:
    """ISO 7064 MOD 11,10 check digit, as on German VAT numbers."""
    product = 10
    for d in eight:
        s = (int(d) + product) % 10 or 10
        product = (2 * s) % 11
    return f"{eight}{(11 - product) % 10}"


def _tr_vkn(nine: str) -> str:
    total = 0
    for i, d in enumerate(reversed(nine), 1):
        c1 = (int(d) + i) % 10
        if c1:
            total += (c1 * 2**i) % 9 or 9
    return f"{nine}{(10 - total) % 10}"


def _jp_corporate(twelve: str) -> str:
    total = sum(w * int(d) for w, d in zip((1, 2) * 6, reversed(twelve), strict=True)) % 9
    return f"{9 - total}{twelve}"


def _ch_uid(rng: random.Random) -> str:
    while True:
        eight = f"{rng.randrange(10**7, 10**8)}"
        check = (11 - sum(w * int(d) for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4), eight, strict=True))) % 11
        if check != 10:
            return f"CHE{eight}{check}"


_EIN_PREFIXES = ("20", "26", "27", "45", "46", "47", "81", "82", "83", "84", "85", "86", "87", "88", "91",
                 "98")


def _tin(rng: random.Random, country: str, region: str = "") -> str:
    """A trader identification number: issuing country + national identifier (upper-case an..35)."""
    digits = rng.randrange
    if country == "CN":
        body = "MA" + str(digits(10)) + "".join(rng.choice(_USCC_ALPHABET[:-1]) for _ in range(5))
        return "CN" + _uscc(region or "440300", body)
    if country == "GB":
        return "GB" + _gb_vat(f"{digits(10**6, 10**7)}") + "000"
    if country == "US":
        return "US" + rng.choice(_EIN_PREFIXES) + f"{digits(10**7):07d}"
    if country == "DE":
        return "DE" + _de_vat(f"{digits(10**7, 10**8)}")
    if country == "TR":
        return "TR" + _tr_vkn(f"{digits(10**8, 10**9)}")
    if country == "KR":
        return f"KR{digits(101, 900)}{digits(1, 100):02d}{digits(1, 10**4):04d}{digits(10)}"
    if country == "JP":
        return "JP" + _jp_corporate(f"{digits(10**11, 10**12)}")
    if country == "CH":
        return _ch_uid(rng)
    if country == "IN":  # Importer-Exporter Code, PAN-shaped: 4th letter C marks a company
        letters = "".join(rng.choice(_LETTERS) for _ in range(4))
        return f"IN{letters[:3]}C{letters[3]}{digits(10**4):04d}{rng.choice(_LETTERS)}"
    if country == "HK":
        return f"HK{digits(10**7, 10**8)}"
    return f"{country}{digits(10**8, 10**9)}{digits(10)}"


# IOSS numbers carry the ISO numeric code of the member state of identification; most e-commerce
# operators register in IE, NL or LU.
_IOSS_STATES = (("372", 30), ("528", 25), ("442", 10), ("276", 10), ("250", 8), ("056", 5), ("380", 4),
                ("724", 4), ("616", 4))
_IOSS_STATE_CODES = tuple(s for s, _ in _IOSS_STATES)
_IOSS_STATE_CUM = _cum([w for _, w in _IOSS_STATES])


def _ioss(rng: random.Random) -> str:
    state = _IOSS_STATE_CODES[bisect(_IOSS_STATE_CUM, rng.random() * _IOSS_STATE_CUM[-1])]
    return f"IM{state}{rng.randrange(10**7):07d}"


# --------------------------------------------------------------------------------------------------
# Origins


@dataclass(frozen=True, slots=True)
class _Origin:
    code: str
    weight: float  # share of commercial parcels, percent
    utc_offset: float  # hours; November, so no summer time in the north
    currencies: tuple[tuple[str, float], ...]
    goods_origin: tuple[tuple[str, float], ...]
    sellers: int
    categories: tuple[tuple[str, float], ...]  # empty: the global mix
    cities: tuple[tuple[str, str, float, str], ...]  # city, postcode template, weight, CN region code
    streets: str  # key into _STREETS for street addresses there


_ORIGINS: tuple[_Origin, ...] = (
    _Origin("CN", 73.5, 8, (("EUR", 78), ("USD", 17), ("CNY", 5)), (("CN", 1),), 420, (),
            (("Shenzhen", "518###", 30, "440300"), ("Guangzhou", "510###", 18, "440100"),
             ("Yiwu", "322###", 12, "330782"), ("Dongguan", "523###", 8, "441900"),
             ("Hangzhou", "310###", 8, "330100"), ("Shanghai", "200###", 7, "310115"),
             ("Ningbo", "315###", 5, "330200"), ("Xiamen", "361###", 4, "350200"),
             ("Quanzhou", "362###", 5, "350500"), ("Suzhou", "215###", 3, "320500")), "cn"),
    _Origin("US", 5.5, -6, (("USD", 65), ("EUR", 35)), (("US", 45), ("CN", 45), ("VN", 5), ("MX", 5)), 50,
            (("apparel", 20), ("beauty", 15), ("electronics", 15), ("books", 8), ("sports", 10), ("auto", 8),
             ("health", 8), ("accessories", 10), ("home", 6)),
            (("Los Angeles, CA", "900##", 3, ""), ("New York, NY", "100##", 3, ""), ("Miami, FL", "331##", 2,
                                                                                     ""),
             ("Dallas, TX", "752##", 2, ""), ("Chicago, IL", "606##", 2, ""), ("Seattle, WA", "981##", 1.5,
                                                                               ""),
             ("Atlanta, GA", "303##", 1.5, ""), ("Newark, NJ", "071##", 1.5, "")), "us"),
    _Origin("GB", 4.5, 0, (("GBP", 60), ("EUR", 40)), (("GB", 35), ("CN", 50), ("IN", 5), ("TR", 5), ("IT",
                                                                                                      5)), 45,
            (("apparel", 30), ("beauty", 15), ("books", 8), ("accessories", 15), ("home", 12), ("footwear",
                                                                                                10),
             ("toys", 5), ("auto", 5)),
            (("London", "E1 #@@", 3, ""), ("London", "SE1# #@@", 2, ""), ("Manchester", "M# #@@", 2, ""),
             ("Birmingham", "B# #@@", 2, ""), ("Leeds", "LS# #@@", 1.5, ""), ("Glasgow", "G# #@@", 1.5, ""),
             ("Leicester", "LE# #@@", 1, ""), ("Bristol", "BS# #@@", 1, "")), "gb"),
    _Origin("HK", 4.0, 8, (("EUR", 60), ("USD", 40)), (("CN", 85), ("HK", 15)), 40,
            (("electronics", 30), ("accessories", 20), ("apparel", 20), ("toys", 10), ("beauty", 10), ("home",
                                                                                                       10)),
            (("Hong Kong", "", 1, ""),), "hk"),
    _Origin("TR", 2.5, 3, (("EUR", 80), ("USD", 20)), (("TR", 90), ("CN", 10)), 25,
            (("apparel", 45), ("footwear", 15), ("home", 20), ("accessories", 10), ("bags", 10)),
            (("İstanbul", "34###", 5, ""), ("İzmir", "35###", 2, ""), ("Bursa", "16###", 1.5, ""),
             ("Denizli", "20###", 1, ""), ("Ankara", "06###", 1.5, ""), ("Gaziantep", "27###", 1, "")), "tr"),
    _Origin("KR", 2.0, 9, (("EUR", 60), ("USD", 40)), (("KR", 85), ("CN", 15)), 20,
            (("beauty", 55), ("apparel", 20), ("electronics", 15), ("accessories", 10)),
            (("Seoul", "0####", 5, ""), ("Incheon", "22###", 2, ""), ("Busan", "48###", 1.5, "")), "kr"),
    _Origin("JP", 1.2, 9, (("EUR", 50), ("USD", 50)), (("JP", 80), ("CN", 20)), 15,
            (("toys", 30), ("books", 20), ("beauty", 15), ("electronics", 15), ("home", 10), ("accessories",
                                                                                              10)),
            (("Tokyo", "1##-####", 4, ""), ("Osaka", "5##-####", 2, ""), ("Nagoya", "45#-####", 1, "")),
            "jp"),
    _Origin("IN", 1.0, 5.5, (("EUR", 50), ("USD", 50)), (("IN", 1),), 12,
            (("apparel", 45), ("accessories", 20), ("home", 20), ("beauty", 15)),
            (("Mumbai", "400###", 3, ""), ("New Delhi", "110###", 3, ""), ("Jaipur", "302###", 2, ""),
             ("Surat", "395###", 1.5, ""), ("Tiruppur", "641###", 1.5, "")), "in"),
    _Origin("VN", 1.0, 7, (("EUR", 60), ("USD", 40)), (("VN", 90), ("CN", 10)), 10,
            (("apparel", 50), ("footwear", 30), ("bags", 20)),
            (("Ho Chi Minh City", "70####", 3, ""), ("Hanoi", "10####", 2, "")), "vn"),
    _Origin("CH", 1.0, 1, (("EUR", 85), ("USD", 15)), (("CH", 50), ("CN", 30), ("DE", 20)), 10,
            (("accessories", 35), ("health", 15), ("beauty", 20), ("electronics", 15), ("home", 15)),
            (("Zürich", "80##", 3, ""), ("Basel", "40##", 1.5, ""), ("Genève", "12##", 1.5, ""),
             ("Lugano", "69##", 1, "")), "ch"),
    _Origin("TW", 0.8, 8, (("EUR", 50), ("USD", 50)), (("TW", 80), ("CN", 20)), 8,
            (("electronics", 40), ("sports", 35), ("tools", 25)),
            (("Taipei", "1##", 3, ""), ("Taichung", "4##", 2, "")), "tw"),
    _Origin("SG", 0.5, 8, (("EUR", 60), ("USD", 40)), (("SG", 30), ("CN", 50), ("MY", 20)), 5, (),
            (("Singapore", "######", 1, ""),), "sg"),
    _Origin("CA", 0.5, -5, (("USD", 60), ("EUR", 40)), (("CA", 50), ("US", 20), ("CN", 30)), 5, (),
            (("Toronto, ON", "M#@ #@#", 2, ""), ("Vancouver, BC", "V#@ #@#", 1.5, ""),
             ("Montréal, QC", "H#@ #@#", 1.5, "")), "ca"),
    _Origin("NO", 0.4, 1, (("EUR", 1),), (("NO", 50), ("CN", 50)), 4, (),
            (("Oslo", "0###", 2, ""), ("Bergen", "50##", 1, "")), "no"),
    _Origin("IL", 0.4, 2, (("USD", 50), ("EUR", 50)), (("IL", 80), ("CN", 20)), 4,
            (("beauty", 40), ("electronics", 30), ("accessories", 30)),
            (("Tel Aviv", "6######", 2, ""), ("Haifa", "3######", 1, "")), "il"),
    _Origin("AU", 0.4, 11, (("USD", 50), ("EUR", 50)), (("AU", 60), ("CN", 40)), 4, (),
            (("Sydney NSW", "2###", 2, ""), ("Melbourne VIC", "3###", 2, "")), "au"),
    _Origin("TH", 0.4, 7, (("USD", 50), ("EUR", 50)), (("TH", 80), ("CN", 20)), 4,
            (("beauty", 30), ("apparel", 30), ("accessories", 40)), (("Bangkok", "10###", 1, ""),), "th"),
    _Origin("AE", 0.4, 4, (("USD", 60), ("EUR", 40)), (("CN", 60), ("AE", 20), ("IN", 20)), 4, (),
            (("Dubai", "", 1, ""),), "ae"),
    _Origin("UA", 0.4, 2, (("EUR", 70), ("USD", 30)), (("UA", 60), ("CN", 40)), 4, (),
            (("Kyiv", "0####", 3, ""), ("Lviv", "79###", 1.5, ""), ("Odesa", "65###", 1, "")), "uk"),
    _Origin("RS", 0.0, 1, (("EUR", 1),), (("RS", 1),), 0, (),
            (("Beograd", "11###", 3, ""), ("Novi Sad", "21###", 1, "")), "sr"),
)
_ORIGIN = {o.code: o for o in _ORIGINS}
_COMMERCIAL_ORIGINS = tuple(o for o in _ORIGINS if o.weight > 0)

_STREETS.update({
    "kr": ("{n} Teheran-ro, Gangnam-gu", "{n} Gangnam-daero", "{n} Sejong-daero, Jung-gu"),
    "jp": ("{n}-chome, Shibuya", "{n}-chome, Nihonbashi", "{n}-chome, Namba"),
    "vn": ("{n} Nguyen Hue Street", "{n} Le Loi Street", "{n} Tran Hung Dao Street"),
    "tw": ("No. {n}, Zhongxiao East Road", "No. {n}, Xinyi Road", "No. {n}, Taiwan Boulevard"),
    "sg": ("{n} Ubi Avenue 1", "{n} Jurong West Street 42", "{n} Kallang Way"),
    "ca": ("{n} King Street West", "{n} Rue Sainte-Catherine", "{n} Granville Street"),
    "au": ("{n} George Street", "{n} Collins Street", "{n} Parramatta Road"),
    "il": ("{n} Rothschild Blvd", "{n} Herzl Street", "{n} HaAtzmaut Road"),
    "th": ("{n} Sukhumvit Road", "{n} Silom Road", "{n} Rama IV Road"),
    "ae": ("Office {n}, Dubai Silicon Oasis", "Warehouse {n}, Jebel Ali Free Zone"),
    "ch": ("Bahnhofstrasse {n}", "Industriestrasse {n}", "Seestrasse {n}"),
})

# C2C gifts come from diaspora and family links rather than from the factories of Asia.
_GIFT_ORIGINS = (("US", 28, "us"), ("GB", 22, "gb"), ("TR", 14, "tr"), ("UA", 12, "uk"), ("CH", 8, "de"),
                 ("IN", 6, "in"), ("RS", 5, "sr"), ("NO", 5, "no"))
_GIFT_ORIGIN_CUM = _cum([w for _, w, _ in _GIFT_ORIGINS])
_DOC_ORIGINS = (("US", 30), ("GB", 20), ("CN", 15), ("CH", 10), ("JP", 8), ("IN", 7), ("KR", 5), ("SG", 5))
_DOC_ORIGIN_CUM = _cum([w for _, w in _DOC_ORIGINS])

# A local-time day of lodgements: carriers manifest parcels after the afternoon pick-ups, so filings
# peak in the late afternoon and evening of the origin country and are thin before dawn.
_HOURLY_PROFILE = (0.35, 0.25, 0.2, 0.2, 0.25, 0.35, 0.5, 0.7, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7,
                   1.8, 1.8, 1.7, 1.5, 1.2, 0.9, 0.6)

# --------------------------------------------------------------------------------------------------
# Marketplaces, carriers and posts (invented marketplaces; carriers and posts are the real operators
# of these flows, with invented identifiers).


@dataclass(frozen=True, slots=True)
class _Marketplace:
    id: str
    name: str
    country: str
    tin: str
    ioss: str
    files: bool  # files advance data itself for its logistics arm's parcels
    order_prefix: str


_MARKETPLACES: dict[str, _Marketplace] = {
    m.id: m
    for m in (
        _Marketplace("DRAGONMART", "Dragonmart", "CN", "CN" + _uscc("330100", "MA27U8QH"), "IM3720011842",
                     True,
                     "DM"),
        _Marketplace("SHOPNEST", "ShopNest Global", "CN", "CN" + _uscc("440300", "MA5F3K2R"), "IM5280004417",
                     False, "SN"),
        _Marketplace("TRENDHIVE", "TrendHive", "CN", "CN" + _uscc("440100", "MA9C1TLN"), "IM4420007735",
                     False,
                     "TH"),
        _Marketplace("PRICEWISE", "Pricewise Marketplace", "US", "US864410275", "IM3720023196", False, "PW"),
        _Marketplace("WAYFINDER", "Wayfinder Goods", "GB", "GB" + _gb_vat("4418207") + "000", "IM5280019054",
                     False, "WG"),
        _Marketplace("BAZAARORIENT", "Bazaar Orient", "TR", "TR" + _tr_vkn("482019375"), "IM2760008461",
                     False,
                     "BO"),
        _Marketplace("KUMOMARKET", "Kumo Market", "JP", "JP" + _jp_corporate("301100092214"), "IM3720030627",
                     False, "KM"),
    )
}
_MARKETPLACE_SHARE: dict[str, tuple[tuple[str | None, float], ...]] = {
    "CN": (("DRAGONMART", 32), ("SHOPNEST", 22), ("TRENDHIVE", 18), (None, 28)),
    "HK": (("SHOPNEST", 35), ("DRAGONMART", 25), (None, 40)),
    "US": (("PRICEWISE", 50), (None, 50)),
    "GB": (("WAYFINDER", 40), ("PRICEWISE", 10), (None, 50)),
    "TR": (("BAZAARORIENT", 50), (None, 50)),
    "KR": (("KUMOMARKET", 40), (None, 60)),
    "JP": (("KUMOMARKET", 50), (None, 50)),
    "": (("DRAGONMART", 15), ("PRICEWISE", 15), (None, 70)),
}


@dataclass(frozen=True, slots=True)
class _Carrier:
    id: str
    name: str
    country: str
    kind: str  # express | ecom | post | road | rail
    lrn_prefix: str
    waybill: str  # numbering scheme of its tracking numbers
    airlines: tuple[str, ...] = ()  # IATA airline prefixes of its air waybills; empty: by departure
    air_share: float = 0.0  # posts: share declared under the air mode; the rest as mail (overland posts: 0)
    serves: frozenset[str] = frozenset()  # road/rail: destinations reached


_EU_ROAD_FROM_GB = frozenset({"DE", "FR", "NL", "BE", "IE", "ES", "IT", "PL", "AT", "CZ", "DK", "LU", "SE",
                              "PT"})
_EU_ROAD_FROM_TR = frozenset({"DE", "AT", "BG", "RO", "GR", "HU", "NL", "BE", "FR", "IT", "PL", "CZ", "SK",
                              "SI",
                              "HR"})

_CARRIER_LIST: tuple[_Carrier, ...] = (
    _Carrier("DHLEXPRESS", "DHL Express", "DE", "express", "DX", "dhl", ("615",)),
    _Carrier("UPS", "UPS", "DE", "express", "UP", "ups", ("406",)),
    _Carrier("FEDEX", "FedEx Express", "BE", "express", "FX", "fedex", ("023",)),
    _Carrier("CAINIAO", "Cainiao Network", "CN", "ecom", "CN", "cainiao"),
    _Carrier("YUNEXPRESS", "YunExpress", "CN", "ecom", "YT", "yun"),
    _Carrier("4PX", "4PX Express", "CN", "ecom", "4P", "4px"),
    _Carrier("SFEXPRESS", "SF Express", "CN", "ecom", "SF", "sf"),
    _Carrier("DPDUK", "DPD UK", "GB", "road", "DP", "dpd", serves=_EU_ROAD_FROM_GB),
    _Carrier("ANADOLUEXP", "Anadolu Ekspres Lojistik", "TR", "road", "AE", "anadolu",
             serves=_EU_ROAD_FROM_TR),
    _Carrier("EURASIARAIL", "Eurasia Rail Express", "CN", "rail", "ER", "rail", serves=_RAIL_DESTS),
    _Carrier("CHINAPOST", "China Post", "CN", "post", "CP", "s10", air_share=0.7),
    _Carrier("HKPOST", "Hongkong Post", "HK", "post", "HP", "s10", air_share=0.75),
    _Carrier("USPS", "United States Postal Service", "US", "post", "US", "s10", air_share=0.8),
    _Carrier("ROYALMAIL", "Royal Mail", "GB", "post", "RM", "s10", air_share=0.5),
    _Carrier("PTT", "PTT (Turkish Post)", "TR", "post", "PT", "s10", air_share=0.6),
    _Carrier("KOREAPOST", "Korea Post", "KR", "post", "KP", "s10", air_share=0.8),
    _Carrier("JAPANPOST", "Japan Post", "JP", "post", "JP", "s10", air_share=0.8),
    _Carrier("INDIAPOST", "India Post", "IN", "post", "IP", "s10", air_share=0.7),
    _Carrier("VNPOST", "Vietnam Post", "VN", "post", "VP", "s10", air_share=0.7),
    _Carrier("SWISSPOST", "Swiss Post", "CH", "post", "SP", "s10"),
    _Carrier("CHUNGHWAPOST", "Chunghwa Post", "TW", "post", "TP", "s10", air_share=0.75),
    _Carrier("SINGPOST", "Singapore Post", "SG", "post", "SG", "s10", air_share=0.8),
    _Carrier("CANADAPOST", "Canada Post", "CA", "post", "CA", "s10", air_share=0.8),
    _Carrier("POSTENNORGE", "Posten Norge", "NO", "post", "NO", "s10"),
    _Carrier("ISRAELPOST", "Israel Post", "IL", "post", "IL", "s10", air_share=0.8),
    _Carrier("AUSPOST", "Australia Post", "AU", "post", "AU", "s10", air_share=0.85),
    _Carrier("THAILANDPOST", "Thailand Post", "TH", "post", "TH", "s10", air_share=0.8),
    _Carrier("EMIRATESPOST", "Emirates Post", "AE", "post", "EP", "s10", air_share=0.8),
    _Carrier("UKRPOSHTA", "Ukrposhta", "UA", "post", "UA", "s10"),
    _Carrier("POSTASRBIJE", "Pošta Srbije", "RS", "post", "RS", "s10"),
)
_CARRIERS = {c.id: c for c in _CARRIER_LIST}

# Designated postal operators of the destinations: they lodge the data for incoming mail.
_EU_POSTS: dict[str, tuple[str, str]] = {
    "DE": ("DEUTSCHEPOST", "Deutsche Post AG"), "FR": ("LAPOSTE", "La Poste"), "NL": ("POSTNL", "PostNL"),
    "IT": ("POSTEITALIANE", "Poste Italiane"), "ES": ("CORREOS", "Correos"), "PL": ("POCZTAPOLSKA",
                                                                                    "Poczta Polska"),
    "BE": ("BPOST", "bpost"), "SE": ("POSTNORDSE", "PostNord Sverige"), "DK": ("POSTNORDDK",
                                                                               "PostNord Danmark"),
    "AT": ("POSTAT", "Österreichische Post"), "IE": ("ANPOST", "An Post"), "CZ": ("CESKAPOSTA",
                                                                                  "Česká pošta"),
    "PT": ("CTT", "CTT Correios de Portugal"), "FI": ("POSTI", "Posti"), "HU": ("MAGYARPOSTA",
                                                                                "Magyar Posta"),
    "RO": ("POSTAROMANA", "Poșta Română"), "GR": ("ELTA", "ELTA Hellenic Post"),
    "SK": ("SLOVENSKAPOSTA", "Slovenská pošta"), "BG": ("BGPOST", "Bulgarian Posts"),
    "HR": ("HRVATSKAPOSTA", "Hrvatska pošta"), "SI": ("POSTASLOVENIJE", "Pošta Slovenije"),
    "LT": ("LTPASTAS", "Lietuvos paštas"), "LV": ("LATVIJASPASTS", "Latvijas Pasts"), "EE": ("OMNIVA",
                                                                                             "Omniva"),
    "LU": ("POSTLU", "POST Luxembourg"), "CY": ("CYPOST", "Cyprus Post"), "MT": ("MALTAPOST", "MaltaPost"),
}

# Routes per origin: (carrier, departure country, weight). Departure differs from origin where goods
# are consolidated through a hub (Chinese parcels flown out of Hong Kong).
_ROUTES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "CN": (("CHINAPOST", "CN", 24), ("HKPOST", "HK", 5), ("CAINIAO", "CN", 17), ("YUNEXPRESS", "CN", 12),
           ("4PX", "CN", 7), ("4PX", "HK", 2), ("SFEXPRESS", "CN", 4), ("DHLEXPRESS", "CN", 5),
           ("DHLEXPRESS", "HK", 4), ("UPS", "CN", 3), ("FEDEX", "CN", 2), ("EURASIARAIL", "CN", 1.5)),
    "HK": (("HKPOST", "HK", 35), ("DHLEXPRESS", "HK", 30), ("4PX", "HK", 15), ("SFEXPRESS", "HK", 10),
           ("FEDEX", "HK", 10)),
    "US": (("USPS", "US", 38), ("UPS", "US", 25), ("FEDEX", "US", 20), ("DHLEXPRESS", "US", 17)),
    "GB": (("ROYALMAIL", "GB", 35), ("DPDUK", "GB", 25), ("DHLEXPRESS", "GB", 20), ("UPS", "GB", 12),
           ("FEDEX", "GB", 8)),
    "TR": (("PTT", "TR", 30), ("ANADOLUEXP", "TR", 25), ("DHLEXPRESS", "TR", 25), ("UPS", "TR", 12),
           ("FEDEX", "TR", 8)),
    "KR": (("KOREAPOST", "KR", 50), ("DHLEXPRESS", "KR", 30), ("FEDEX", "KR", 20)),
    "JP": (("JAPANPOST", "JP", 55), ("DHLEXPRESS", "JP", 25), ("FEDEX", "JP", 20)),
    "IN": (("INDIAPOST", "IN", 45), ("DHLEXPRESS", "IN", 35), ("FEDEX", "IN", 20)),
    "VN": (("VNPOST", "VN", 40), ("DHLEXPRESS", "VN", 35), ("UPS", "VN", 25)),
    "CH": (("SWISSPOST", "CH", 60), ("DHLEXPRESS", "CH", 25), ("UPS", "CH", 15)),
    "TW": (("CHUNGHWAPOST", "TW", 45), ("DHLEXPRESS", "TW", 35), ("FEDEX", "TW", 20)),
    "SG": (("SINGPOST", "SG", 55), ("DHLEXPRESS", "SG", 45)),
    "CA": (("CANADAPOST", "CA", 50), ("UPS", "CA", 25), ("FEDEX", "CA", 25)),
    "NO": (("POSTENNORGE", "NO", 60), ("DHLEXPRESS", "NO", 40)),
    "IL": (("ISRAELPOST", "IL", 55), ("DHLEXPRESS", "IL", 45)),
    "AU": (("AUSPOST", "AU", 60), ("DHLEXPRESS", "AU", 40)),
    "TH": (("THAILANDPOST", "TH", 55), ("DHLEXPRESS", "TH", 45)),
    "AE": (("EMIRATESPOST", "AE", 40), ("DHLEXPRESS", "AE", 60)),
    "UA": (("UKRPOSHTA", "UA", 50), ("DHLEXPRESS", "UA", 50)),
    "RS": (("POSTASRBIJE", "RS", 60), ("DHLEXPRESS", "RS", 40)),
}
# Airlines (IATA air waybill prefixes) flying e-commerce and mail out of each departure country.
_AIRLINES: dict[str, tuple[str, ...]] = {
    "CN": ("999", "784", "112", "781", "172", "176", "157"), "HK": ("160", "172", "176"),
    "US": ("001", "006", "016", "020"), "GB": ("125", "020", "057"), "TR": ("235",), "KR": ("180", "988"),
    "JP": ("205", "131"), "IN": ("098", "176"), "VN": ("738", "157"), "CH": ("724", "020"), "TW": ("297",
                                                                                                   "695"),
    "SG": ("618",), "CA": ("014",), "NO": ("020", "074"), "IL": ("114",), "AU": ("081", "157"),
    "TH": ("217",),
    "AE": ("176", "607"), "UA": ("566",), "RS": ("115",),
}


def _party_tin(key: str, country: str) -> str:
    """A stable identifier for a fixed operator, independent of the generator seed."""
    return _tin(random.Random(zlib.crc32(key.encode())), country)


_CARRIER_PARTY: dict[str, dict[str, Any]] = {
    c.id: {"name": c.name, "tin": _party_tin(c.id, c.country), "address": {"country": c.country}}
    for c in _CARRIER_LIST
}
_POST_PARTY: dict[str, dict[str, Any]] = {
    post_id: {"name": name, "tin": _party_tin(post_id, cc), "address": {"country": cc}}
    for cc, (post_id, name) in _EU_POSTS.items()
}
_MARKETPLACE_PARTY: dict[str, dict[str, Any]] = {
    m.id: {"name": m.name, "tin": m.tin, "address": {"country": m.country}} for m in _MARKETPLACES.values()
}
_LRN_PREFIX: dict[str, str] = {c.id: c.lrn_prefix for c in _CARRIER_LIST}
_LRN_PREFIX.update({post_id: cc for cc, (post_id, _) in _EU_POSTS.items()})
_LRN_PREFIX.update({m.id: m.order_prefix for m in _MARKETPLACES.values()})


# --------------------------------------------------------------------------------------------------
# The seller pool is fixed (its own seed), so the watch-list is a constant across runs and seeds.


@dataclass(frozen=True, slots=True)
class _Seller:
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


_PINYIN = ("Xinda", "Huanyu", "Jiale", "Mingyang", "Tianrui", "Haoyun", "Jinhui", "Yuxin", "Ruifeng",
           "Longteng",
           "Hengtai", "Shengda", "Chuangxin", "Boyuan", "Kaida", "Weilai", "Zhongcheng", "Hongxing",
           "Baisheng",
           "Huamei", "Jiaxin", "Yongsheng", "Fuxing", "Xinghe", "Lianfa", "Meida", "Sanhe", "Guangda",
           "Dingsheng",
           "Ouya")
_HK_WORDS = ("Wing", "Fat", "Tai", "Kwong", "Hing", "Sun", "Wah", "Tak", "Fung", "Yuen", "Lung", "Cheong",
             "Shing",
             "Kee", "Po", "Chun")
_EN_ADJ = ("Blue", "Bright", "Golden", "Silver", "Urban", "North", "Pacific", "Summit", "Evergreen", "Maple",
           "Harbor", "Coastal", "Liberty", "Royal", "Crown", "Oak", "Cedar", "Prime", "Apex", "Pioneer")
_EN_NOUN = ("Ridge", "Outfitters", "Goods", "Supply", "Trading", "Brands", "Collective", "Commerce", "Wares",
            "Emporium", "Direct", "Market", "Works", "Studio", "Labs", "Essentials", "Depot", "House",
            "Retail")
_LOCAL_WORDS: dict[str, tuple[str, ...]] = {
    "TR": ("Yıldız", "Anadolu", "Ege", "Marmara", "Akdeniz", "Boğaziçi", "Özgür", "Kardeşler", "Güneş",  # noqa: RUF001
           "Toros", "Kervan", "Lale", "Zirve", "Uğur", "Birlik", "Atlas", "Deniz", "Park", "Ses", "Kuzey",
           "Doğan"),
    "KR": ("Hanbit", "Saerom", "Daehan", "Mirae", "Haneul", "Jinju", "Nuri", "Bomi", "Dasom", "Areum"),
    "JP": ("Sakura", "Fuji", "Kaze", "Hoshi", "Yamato", "Midori", "Aoi", "Hikari", "Tsubasa", "Kirin"),
    "IN": ("Shree", "Ganesh", "Lakshmi", "Krishna", "Sai", "Ashoka", "Indus", "Ganga", "Surya", "Kaveri"),
    "VN": ("Phu Thanh", "Minh Anh", "Viet Tien", "Hoang Gia", "Thanh Cong", "An Phat", "Tan Phu", "Sao Mai"),
}
_INDUSTRY: dict[str, tuple[str, ...]] = {
    "apparel": ("Garment", "Apparel", "Clothing", "Fashion"), "footwear": ("Shoes", "Footwear"),
    "electronics": ("Technology", "Electronic Technology", "Electronics", "Digital Technology"),
    "toys": ("Toys", "Toys & Gifts"), "beauty": ("Cosmetics", "Biotechnology", "Beauty"),
    "bags": ("Leather Products", "Bags", "Luggage"), "accessories": ("Jewelry", "Accessories", "Watch"),
    "home": ("Household Products", "Homeware", "Kitchenware"), "lighting": ("Lighting", "Optoelectronics"),
    "sports": ("Sporting Goods", "Outdoor Products", "Fitness Equipment"), "books": ("Culture Media",
                                                                                     "Books"),
    "auto": ("Auto Parts", "Auto Accessories"), "tools": ("Hardware", "Tools"),
    "health": ("Medical Technology", "Health Products"),
}
_TR_INDUSTRY = {"apparel": "Tekstil", "footwear": "Ayakkabı", "home": "Ev Tekstili", "bags": "Deri",  # noqa: RUF001
                "accessories": "Kuyumculuk"}
_COMPANY_SUFFIX = {"US": ("LLC", "Inc.", "Co."), "GB": ("Ltd",), "CH": ("AG", "GmbH"), "SG": ("Pte. Ltd.",),
                   "CA": ("Inc.", "Ltd."), "NO": ("AS",), "IL": ("Ltd.",), "AU": ("Pty Ltd",),
                   "TH": ("Co., Ltd.",), "AE": ("FZE", "Trading LLC"), "UA": ("LLC",), "TW": ("Co., Ltd.",)}


def _pick_weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def _seller_name(rng: random.Random, origin: str, city: str, category: str) -> str:
    industry = rng.choice(_INDUSTRY[category] + ("Trading", "Import & Export", "E-commerce"))
    if origin == "CN":
        word = rng.choice(_PINYIN) + (rng.choice(_PINYIN).lower() if rng.random() < 0.4 else "")
        return f"{city} {word} {industry} Co., Ltd."
    if origin == "HK":
        return f"{rng.choice(_HK_WORDS)} {rng.choice(_HK_WORDS)} {industry} Limited"
    if origin == "TR":
        sector = _TR_INDUSTRY.get(category, "Dış Ticaret")  # noqa: RUF001
        return f"{rng.choice(_LOCAL_WORDS['TR'])} {sector} San. ve Tic. Ltd. Şti."
    if origin in ("KR", "JP"):
        return f"{rng.choice(_LOCAL_WORDS[origin])} {industry} Co., Ltd."
    if origin == "IN":
        return f"{rng.choice(_LOCAL_WORDS['IN'])} {industry} Pvt. Ltd."
    if origin == "VN":
        return f"{rng.choice(_LOCAL_WORDS['VN'])} {industry} Company Limited"
    suffix = rng.choice(_COMPANY_SUFFIX.get(origin, ("Ltd.",)))
    return f"{rng.choice(_EN_ADJ)} {rng.choice(_EN_NOUN)} {suffix}"


def _compile(template: str) -> tuple[tuple[str, int], ...]:
    """Split a template into literal text (count 0) and runs of one placeholder kind."""
    parts: list[tuple[str, int]] = []
    for ch in template:
        if ch in "#@%":
            if parts and parts[-1][0] == ch and parts[-1][1]:
                parts[-1] = (ch, parts[-1][1] + 1)
            else:
                parts.append((ch, 1))
        elif parts and parts[-1][1] == 0:
            parts[-1] = (parts[-1][0] + ch, 0)
        else:
            parts.append((ch, 0))
    return tuple(parts)


_TEMPLATES: dict[str, tuple[tuple[str, int], ...]] = {}


def _fill(template: str, rng: random.Random) -> str:
    """Fill a template: "#" a digit, "@" a letter, "%" an Eircode character, anything else as is."""
    parts = _TEMPLATES.get(template)
    if parts is None:
        parts = _TEMPLATES[template] = _compile(template)
    out = []
    for text, count in parts:
        if not count:
            out.append(text)
        elif text == "#":  # one draw for a whole run of digits
            out.append(f"{int(rng.random() * 10**count):0{count}d}")
        else:
            alphabet = _LETTERS if text == "@" else _EIRCODE
            out.extend(alphabet[int(rng.random() * len(alphabet))] for _ in range(count))
    return "".join(out)


def _street(rng: random.Random, key: str) -> str:
    if key == "cn":
        return (f"Room {rng.randrange(1, 25)}{rng.randrange(1, 20):02d}, Building {rng.randrange(1, 12)}, "
                f"{rng.choice(_PINYIN)} Industrial Park")
    if key == "hk":
        return (f"Flat {rng.choice('ABCDEFGH')}, {rng.randrange(2, 30)}/F, {rng.choice(_HK_WORDS)} "
                f"{rng.choice(_HK_WORDS)} Industrial Building, {rng.randrange(1, 200)} Hoi Yuen Road, "
                "Kwun Tong")
    number = 1 + int(rng.random() ** 2 * 180)  # low house numbers are the common ones
    return rng.choice(_STREETS[key]).format(n=number)


def _address(rng: random.Random, origin: _Origin) -> dict[str, Any]:
    city, template, _, _ = _pick_weighted(rng, [(c, c[2]) for c in origin.cities])
    address: dict[str, Any] = {"line": _street(rng, origin.streets), "city": city}
    if template:
        address["postcode"] = _fill(template, rng)
    address["country"] = origin.code
    return address


def _unique_name(rng: random.Random, origin: _Origin, city: str, category: str, taken: set[str]) -> str:
    # A small origin can run out of names for one trade; any trade of the origin will then do.
    cats = origin.categories or tuple(_CATEGORY_WEIGHTS.items())
    for attempt in range(200):
        trade = category if attempt < 10 else _pick_weighted(rng, cats)
        name = _seller_name(rng, origin.code, city, trade)
        if name not in taken:
            return name
    raise RuntimeError(f"seller names exhausted for {origin.code}")


def _build_sellers() -> tuple[_Seller, ...]:
    rng = random.Random(20261127)
    names: set[str] = set()
    tins: set[str] = set()
    drafts: list[dict[str, Any]] = []
    for origin in _COMMERCIAL_ORIGINS:
        cats = origin.categories or tuple(_CATEGORY_WEIGHTS.items())
        shares = _MARKETPLACE_SHARE.get(origin.code, _MARKETPLACE_SHARE[""])
        for rank in range(origin.sellers):  # creation order is the volume rank
            main = _pick_weighted(rng, cats)
            extra = [c for c in (_pick_weighted(rng, cats) for _ in range(rng.choice((0, 1, 1,
                                                                                      2)))) if c != main]
            categories = (main, *dict.fromkeys(extra))
            others = len(categories) - 1
            weights = (0.75, *([0.25 / others] * others)) if others else (1.0,)
            address = _address(rng, origin)
            region = next(c[3] for c in origin.cities if c[0] == address["city"])
            name = _unique_name(rng, origin, address["city"], main, names)
            tin = _tin(rng, origin.code, region)
            while tin in tins:
                tin = _tin(rng, origin.code, region)
            names.add(name)
            tins.add(tin)
            party: dict[str, Any] = {"name": name, "tin": tin, "address": address}
            if rng.random() < 0.3:
                word = name.split(" ")[1 if origin.code == "CN" else 0]
                slug = "".join(ch for ch in _ascii(word) if ch.isalnum())
                party["email"] = f"service@{slug}{rng.randrange(10, 99)}.example"
            marketplace = _pick_weighted(rng, shares)
            drafts.append({
                "tin": tin, "name": name, "origin": origin.code, "party": party, "categories": categories,
                "category_cum": tuple(_cum(weights)), "marketplace": marketplace,
                "ioss": _ioss(rng) if marketplace is None and rng.random() < 0.45 else None,
                "price_factor": math.exp(rng.gauss(0, 0.15)),
                "rank": rank,
            })
    # Known bad actors: small and mid-sized shops (not the giants) in the origins where customs
    # authorities report most fraud.
    candidates = [i for i, d in enumerate(drafts) if d["origin"] in ("CN", "HK", "TR",
                                                                     "GB") and 8 <= d["rank"] < 120]
    watch = set(rng.sample(candidates, 24))
    return tuple(
        _Seller(d["tin"], d["name"], d["origin"], d["party"], d["categories"], d["category_cum"],
                d["marketplace"],
                d["ioss"], i in watch, d["price_factor"])
        for i, d in enumerate(drafts)
    )


_SELLERS = _build_sellers()


def _seller_tables() -> dict[str, tuple[tuple[_Seller, ...], list[float]]]:
    # Volume per seller within an origin follows a Zipf-like law: a few large shops, a long tail.
    tables: dict[str, tuple[tuple[_Seller, ...], list[float]]] = {}
    for origin in _COMMERCIAL_ORIGINS:
        members = tuple(s for s in _SELLERS if s.origin == origin.code)
        weights = [1.0 / (1 + i) ** 0.9 for i in range(len(members))]
        tables[origin.code] = (members, _cum(weights))
    return tables


_SELLERS_BY_ORIGIN = _seller_tables()

WATCHLIST_SELLERS: tuple[tuple[str, str], ...] = tuple((s.tin, s.name) for s in _SELLERS if s.watchlisted)

HS6_CODES: frozenset[str] = frozenset(
    [p.hs for p in (*_CATALOGUE, *_GIFT_FOOD, *_DOCUMENTS, *_PROHIBITED)] + list(_WRONG_HS.values())
)
CN8_CODES: frozenset[str] = frozenset(p.cn8 for p in _CATALOGUE if p.cn8)


# fmt: on
# --------------------------------------------------------------------------------------------------
# The generator

_P_DOCUMENTS = 0.012  # share of events that are correspondence
_P_GIFT = 0.015  # share of events that are C2C gifts
_P_REPEAT_BUYER = 0.18  # share of commercial parcels addressed to someone who already had one today
_P_IOSS_MARKETPLACE = 0.8  # marketplace sales <= EUR 150 declared under the marketplace's IOSS number
_P_IOSS_OWN = 0.9  # direct sales <= EUR 150 by a seller holding its own IOSS number
_GIFT_LIMIT_EUR = 45.0

# Planted fraud: target share of shipments (not events) carrying fraud, by seller status.
_FRAUD_SHARE_WATCHLISTED = 0.30
_FRAUD_SHARE_OTHER = 0.062
_FRAUD_EVENT_WEIGHTS = (
    ("undervaluation", 34.0),
    ("split_consignment", 7.0),
    ("misdescription", 18.0),
    ("wrong_hs", 15.0),
    ("prohibited", 7.0),
    ("ioss_misuse", 10.0),
)
_SPLIT_PARTS = ((2, 50.0), (3, 35.0), (4, 15.0))


def _event_probability(shipment_share: float) -> float:
    """Per-event fraud probability giving `shipment_share` of shipments, since a split event is k parcels."""
    split_weight = dict(_FRAUD_EVENT_WEIGHTS)["split_consignment"] / sum(w for _, w in _FRAUD_EVENT_WEIGHTS)
    mean_parts = sum(k * w for k, w in _SPLIT_PARTS) / sum(w for _, w in _SPLIT_PARTS)
    size = 1 + split_weight * (mean_parts - 1)
    return shipment_share / (size - shipment_share * (size - 1))


_P_FRAUD_WATCHLISTED = _event_probability(_FRAUD_SHARE_WATCHLISTED)
_P_FRAUD_OTHER = _event_probability(_FRAUD_SHARE_OTHER)
_FRAUD_KIND_NAMES = tuple(k for k, _ in _FRAUD_EVENT_WEIGHTS)
_FRAUD_KIND_CUM = _cum([w for _, w in _FRAUD_EVENT_WEIGHTS])
_SPLIT_CUM = _cum([w for _, w in _SPLIT_PARTS])

_GOODS_ORIGIN = {
    o.code: (tuple(c for c, _ in o.goods_origin), _cum([w for _, w in o.goods_origin])) for o in _ORIGINS
}
_CURRENCIES = {
    o.code: (tuple(c for c, _ in o.currencies), _cum([w for _, w in o.currencies])) for o in _ORIGINS
}
_MEDIANS = [p.median_eur for p in _ALL_BY_MEDIAN]
_S10_SERVICES = ("LP", "LX", "UA", "RB", "CP", "LB")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
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


def _s10(serial: int) -> int:
    total = sum(int(d) * w for d, w in zip(f"{serial:08d}", _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return 0 if check == 10 else 5 if check == 11 else check


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
        self, record: dict[str, Any], carrier: _Carrier, fraud: str | None, detail: str, true_cents: int
    ) -> None:
        self.record = record
        self.carrier = carrier
        self.fraud = fraud
        self.detail = detail
        self.true_cents = true_cents


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
        self.routes: dict[tuple[str, str, bool], tuple[tuple[tuple[_Carrier, str], ...], list[float]]] = {}
        self.accounts: dict[tuple[str, str], str] = {}
        self.start_second = start.hour * 3600 + start.minute * 60 + start.second
        self.dates: dict[int, str] = {}
        start_hour = start.hour + start.minute / 60 + start.second / 3600
        bin_weights: list[float] = []
        self.bin_origins: list[list[float]] = []
        for h in range(24):
            utc = start_hour + h + 0.5
            weights = [
                o.weight * _HOURLY_PROFILE[int((utc + o.utc_offset) % 24)] for o in _COMMERCIAL_ORIGINS
            ]
            bin_weights.append(sum(weights))
            self.bin_origins.append(_cum(weights))
        self.bin_cum = _cum(bin_weights)

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
        lrn = f"{_LRN_PREFIX[filer]}{self.day_code}{n + 1:07d}"
        record["lrn"] = lrn
        record["house_waybill"] = self._waybill(pending.carrier)
        true_value = Decimal(pending.true_cents).scaleb(-2)
        return record, Label(filer, lrn, pending.fraud, pending.detail, true_value)

    def _waybill(self, carrier: _Carrier) -> str:
        n = self.waybill_next.get(carrier.id, 0)
        self.waybill_next[carrier.id] = n + 1
        mixed = n * _SPREAD + self.salt  # unique per carrier, without looking sequential
        style = carrier.waybill
        if style == "s10":
            serial = mixed % 10**8
            service = _S10_SERVICES[(self.salt + n) % len(_S10_SERVICES)]
            return f"{service}{serial:08d}{_s10(serial)}{carrier.country}"
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
        if r < _P_DOCUMENTS:
            return [(t, self._documents(t))]
        if r < _P_DOCUMENTS + _P_GIFT:
            return [(t, self._gift(t))]
        origin = _COMMERCIAL_ORIGINS[self._bisect(self.bin_origins[t // 3600])]
        sellers, cum = _SELLERS_BY_ORIGIN[origin.code]
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
        origin: _Origin,
        seller: _Seller,
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
            wrong = _WRONG_HS[product.hs]
            detail = (
                f"{item.description}: true HS {_hs_text(product.hs)} (CET {_CET[product.hs]}) declared as "
                f"{_hs_text(wrong)} (CET {_CET[wrong]})"
            )
            item.hs = wrong
            items = [item]
        elif fraud == "prohibited":
            product = _PROHIBITED[self._bisect(_PROHIBITED_CUM)]
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
                vague = _VAGUE[int(rng.random() * len(_VAGUE))]
                first = items[0]
                detail = f'described as "{vague}", actually {first.description} (HS {_hs_text(first.hs[:6])})'
                for item in items:
                    item.description = vague
        value = sum(i.value_cents for i in items)
        record, carrier = self._assemble(t, origin, seller, consignee, dest, cur, rate, items, ioss=ioss)
        return _Pending(record, carrier, fraud, detail, value if true_cents is None else true_cents)

    def _split(
        self, t: int, origin: _Origin, seller: _Seller, consignee: dict[str, Any], dest: str, remaining: int
    ) -> list[tuple[int, _Pending]]:
        """One order above EUR 150 shipped as 2-4 parcels below it, to the same person within hours."""
        rng = self.rng
        parts = min(_SPLIT_PARTS[self._bisect(_SPLIT_CUM)][0], remaining)
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
        origin = _ORIGIN[_DOC_ORIGINS[self._bisect(_DOC_ORIGIN_CUM)][0]]
        sellers, cum = _SELLERS_BY_ORIGIN[origin.code]
        sender = sellers[self._bisect(cum)]
        consignee, dest = self._consignee()
        product = _DOCUMENTS[0] if rng.random() < 0.8 else _DOCUMENTS[1]
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
        code, _, lang = _GIFT_ORIGINS[self._bisect(_GIFT_ORIGIN_CUM)]
        origin = _ORIGIN[code]
        consignee, dest = self._consignee()
        cur = {"US": "USD", "GB": "GBP"}.get(code, "EUR")
        rate = _RATE[cur]
        limit = _GIFT_LIMIT_EUR - 0.01 if cur == "EUR" else _GIFT_LIMIT_EUR - 3
        items = self._target_items(None, origin, rng.uniform(8, limit), rate, max_items=3)
        females, males, surnames = _NAMES[lang]
        female = rng.random() < 0.6
        first = rng.choice(females if female else males)
        last = rng.choice(surnames)[1 if female else 0]
        sender = {"name": f"{first} {last}", "address": _address(rng, origin)}
        route = self._route(code, dest)
        if route[0].kind != "post" and rng.random() < 0.6:  # most gifts go by mail
            route = self._route(code, dest)
        record, carrier = self._assemble(
            t, origin, None, consignee, dest, cur, rate, items, route=route, kind="gift", sender=sender
        )
        return _Pending(record, carrier, None, "", sum(i.value_cents for i in items))

    # -- goods -------------------------------------------------------------------------------------

    def _product(self, seller: _Seller) -> _Product:
        cats = seller.categories
        cat = cats[self._bisect(seller.category_cum)] if len(cats) > 1 else cats[0]
        products, cum = _BY_CATEGORY[cat]
        return products[self._bisect(cum)]

    def _product_between(self, seller: _Seller | None, low: float, high: float) -> _Product:
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

    def _describe(self, product: _Product) -> str:
        rng = self.rng
        text = product.descriptions[int(rng.random() * len(product.descriptions))]
        cat = product.category
        if cat in ("apparel", "footwear", "bags") and rng.random() < 0.25:
            text = f"{text}, {_COLOURS[int(rng.random() * len(_COLOURS))]}"
        if cat == "apparel" and rng.random() < 0.35:
            text = f"{text}, size {_SIZES[int(rng.random() * len(_SIZES))]}"
        elif cat == "footwear" and rng.random() < 0.35:
            text = f"{text}, EU size {36 + int(rng.random() * 11)}"
        return text

    def _item(self, product: _Product, origin: _Origin, qty: int, unit_cents: int) -> _Item:
        rng = self.rng
        codes, cum = _GOODS_ORIGIN[origin.code]
        made_in = codes[self._bisect(cum)] if len(codes) > 1 else codes[0]
        hs = product.cn8 if product.cn8 is not None and rng.random() < 0.3 else product.hs
        net = max(1, int(product.grams * qty * rng.uniform(0.85, 1.15)))
        gross = int(net * rng.uniform(1.05, 1.25)) + 10
        return _Item(self._describe(product), hs, made_in, qty, unit_cents * qty, net, gross)

    def _quantity(self, product: _Product) -> int:
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
        self, product: _Product, seller: _Seller, origin: _Origin, rate: float, cur: str, quantity: int = 0
    ) -> _Item:
        z = min(max(self.rng.gauss(0.0, 1.0), -2.0), 3.0)
        unit_eur = product.median_eur * seller.price_factor * math.exp(product.sigma * z)
        qty = quantity or self._quantity(product)
        return self._item(product, origin, qty, self._price(unit_eur * rate, cur))

    def _natural_items(self, seller: _Seller, origin: _Origin, rate: float, cur: str) -> list[_Item]:
        r = self.rng.random()
        count = 1 if r < 0.72 else 2 if r < 0.90 else 3 if r < 0.97 else 4
        return [self._natural_item(self._product(seller), seller, origin, rate, cur) for _ in range(count)]

    def _target_items(
        self, seller: _Seller | None, origin: _Origin, target_eur: float, rate: float, max_items: int
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
        self, seller: _Seller, origin: _Origin, rate: float, cur: str
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

    def _valuable(self, seller: _Seller) -> _Product:
        for _ in range(6):
            product = self._product(seller)
            if product.median_eur >= 25:
                return product
        return _VALUABLE[self._bisect(_VALUABLE_CUM)]

    def _wrong_hs_product(self, seller: _Seller) -> _Product:
        for _ in range(4):
            product = self._product(seller)
            if product.hs in _WRONG_HS:
                return product
        return _WRONG_HS_PRODUCTS[self._bisect(_WRONG_HS_CUM)]

    # -- parties, routes, fiscal -------------------------------------------------------------------

    def _consignee(self) -> tuple[dict[str, Any], str]:
        if self.consignees and self.rng.random() < _P_REPEAT_BUYER:
            index = int(self.rng.random() * self.consignees)
        else:
            index = self.consignees
            self.consignees += 1
        return self._person(index)

    def _person(self, index: int) -> tuple[dict[str, Any], str]:
        p = self.people
        p.seed(self.people_key + index)
        country = _DEST_CODES[bisect(_DEST_CUM, p.random() * _DEST_CUM[-1])]
        cities = _CITIES[country]
        cum = _CITY_CUM[country]
        city, template, lang, _ = cities[bisect(cum, p.random() * cum[-1])]
        females, males, surnames = _NAMES[lang]
        female = p.random() < 0.55
        first_names = females if female else males
        first = first_names[int(p.random() * len(first_names))]
        last = surnames[int(p.random() * len(surnames))][1 if female else 0]
        streets = _STREETS[lang]
        line = streets[int(p.random() * len(streets))].format(n=1 + int(p.random() ** 2 * 150))
        party: dict[str, Any] = {
            "name": f"{first} {last}",
            "address": {"line": line, "city": city, "postcode": _fill(template, p), "country": country},
        }
        r = p.random()
        if r < 0.65:
            user = f"{_ascii(first)}.{_ascii(last)}" if r < 0.4 else f"{_ascii(first)[0]}{_ascii(last)}"
            party["email"] = f"{user}{int(p.random() * 90) + 10}@{_MAIL_DOMAINS[int(p.random() * 3)]}"
        if p.random() < 0.5:
            party["phone"] = _fill(_PHONES[country], p)
        return party, country

    def _route(self, origin: str, dest: str, express_only: bool = False) -> tuple[_Carrier, str]:
        key = (origin, dest, express_only)
        table = self.routes.get(key)
        if table is None:
            options = [
                (_CARRIERS[cid], dep, w)
                for cid, dep, w in _ROUTES[origin]
                if (not express_only or _CARRIERS[cid].kind == "express")
                and (_CARRIERS[cid].kind not in ("road", "rail") or dest in _CARRIERS[cid].serves)
            ]
            table = (tuple((c, dep) for c, dep, _ in options), _cum([w for _, _, w in options]))
            self.routes[key] = table
        return table[0][self._bisect(table[1])]

    def _ioss_of(self, seller: _Seller) -> str:
        if seller.marketplace is not None:
            return _MARKETPLACES[seller.marketplace].ioss
        if seller.ioss is not None:
            return seller.ioss
        # A number borrowed from a marketplace the seller does not trade on: format-valid, misused.
        return tuple(_MARKETPLACES.values())[int(self.rng.random() * len(_MARKETPLACES))].ioss

    def _account(self, filer: str, dest: str) -> str:
        key = (filer, dest)
        account = self.accounts.get(key)
        if account is None:
            account = f"{dest}DPA{zlib.crc32(f'{filer}/{dest}'.encode()) % 10**8:08d}"
            self.accounts[key] = account
        return account

    def _fiscal(
        self, value_eur: float, cur: str, seller: _Seller, carrier: _Carrier, filer: str, dest: str
    ) -> dict[str, Any]:
        rng = self.rng
        limit = float(IOSS_LIMIT_EUR) if cur == "EUR" else float(SAFE_LIMIT_EUR)
        if value_eur <= limit:
            if seller.marketplace is not None and rng.random() < _P_IOSS_MARKETPLACE:
                ioss = _MARKETPLACES[seller.marketplace].ioss
                return {
                    "collection_model": "vendor",
                    "vendor_registration": ioss,
                    "tax_collected_at_checkout": True,
                }
            if seller.marketplace is None and seller.ioss is not None and rng.random() < _P_IOSS_OWN:
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
        origin: _Origin,
        seller: _Seller | None,
        consignee: dict[str, Any],
        dest: str,
        cur: str,
        rate: float,
        items: list[_Item],
        *,
        route: tuple[_Carrier, str] | None = None,
        ioss: str | None = None,
        payment_id: str | None = None,
        kind: str = "sale",
        sender: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], _Carrier]:
        rng = self.rng
        carrier, departure = route or self._route(origin.code, dest)
        if carrier.kind == "post":
            mode = "air" if rng.random() < carrier.air_share else "post"
            channel, place = "post", "post"
            filer = _EU_POSTS[dest][0]
            declarant = _POST_PARTY[filer]
        else:
            mode = {"road": "road", "rail": "rail"}.get(carrier.kind, "air")
            channel = "other" if mode == "rail" else "express"
            place = mode
            filer = carrier.id
            declarant = _CARRIER_PARTY[carrier.id]
        marketplace = seller.marketplace if seller is not None and kind == "sale" else None
        if (
            marketplace is not None
            and carrier.kind == "ecom"
            and _MARKETPLACES[marketplace].files
            and rng.random() < 0.5
        ):
            filer = marketplace
            declarant = _MARKETPLACE_PARTY[marketplace]
        codes, cum = _LOCATIONS[(dest, place)]
        location = codes[self._bisect(cum)] if len(codes) > 1 else codes[0]
        if mode == "air":
            days = rng.uniform(1, 3) if channel == "express" else rng.uniform(2, 5)
        elif mode == "post":
            days = rng.uniform(2, 5)
        else:
            days = rng.uniform(2, 7) if mode == "road" else rng.uniform(5, 10)
        total = sum(i.value_cents for i in items)
        value_eur = total / 100 / rate

        record: dict[str, Any] = {"filer": filer, "lrn": "", "house_waybill": ""}
        if mode == "air":
            record["master_waybill"] = self._master_waybill(carrier, departure, dest, t)
        if kind == "sale":
            if marketplace is not None:
                record["order_id"] = (
                    f"{_MARKETPLACES[marketplace].order_prefix}{rng.randrange(10**15, 10**16)}"
                )
            else:
                record["order_id"] = f"{rng.randrange(10**6, 10**9)}"
            if payment_id is not None:
                record["payment_id"] = payment_id
            elif rng.random() < 0.7:
                record["payment_id"] = f"PAYID-{rng.getrandbits(96):024X}"
        record["lodged_at"] = self._iso(t)
        record["expected_arrival"] = self._iso(t + int(days * 86400))
        record["transport_mode"] = mode
        record["channel"] = channel
        record["departure_country"] = departure
        record["destination_country"] = dest
        record["office_of_entry"] = location + _OFFICE_SUFFIX[place]
        record["goods_location"] = location
        record["currency"] = cur
        record["total_value"] = _money(total)
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
        if kind == "documents":
            record["documents_only"] = True
        elif kind == "gift":
            record["gift"] = True

        parties: dict[str, Any] = {
            "seller": _copy(seller.party) if seller is not None else sender,
            "consignee": consignee,
        }
        if marketplace is not None:
            parties["marketplace"] = _copy(_MARKETPLACE_PARTY[marketplace])
        parties["carrier"] = _copy(_CARRIER_PARTY[carrier.id])
        parties["declarant"] = _copy(declarant)
        record["parties"] = parties
        record["goods"] = [
            {
                "description": i.description,
                "hs_code": i.hs,
                "origin_country": i.origin,
                "quantity": i.qty,
                "unit": "PCE",
                "net_mass_kg": _kg(i.net_g),
                "gross_mass_kg": _kg(i.gross_g),
                "value": _money(i.value_cents),
            }
            for i in items
        ]
        if ioss is not None:
            record["fiscal"] = {
                "collection_model": "vendor",
                "vendor_registration": ioss,
                "tax_collected_at_checkout": True,
            }
        elif seller is None or kind != "sale":
            record["fiscal"] = {"collection_model": "buyer", "tax_collected_at_checkout": False}
        else:
            record["fiscal"] = self._fiscal(value_eur, cur, seller, carrier, filer, dest)
        return record, carrier

    def _iso(self, t: int) -> str:
        """ISO 8601 UTC for `t` seconds after start; formatting by hand is several times faster."""
        day, second = divmod(self.start_second + t, 86400)
        date = self.dates.get(day)
        if date is None:
            date = self.dates[day] = (self.start.date() + dt.timedelta(days=day)).isoformat()
        hour, second = divmod(second, 3600)
        return f"{date}T{hour:02d}:{second // 60:02d}:{second % 60:02d}+00:00"

    def _master_waybill(self, carrier: _Carrier, departure: str, dest: str, t: int) -> str:
        """Air waybill of the consolidation: one per carrier, lane and six-hour uplift window."""
        h = zlib.crc32(f"{self.seed}|{carrier.id}|{departure}|{dest}|{t // 21600}".encode())
        airlines = carrier.airlines or _AIRLINES.get(departure, ("172",))
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
