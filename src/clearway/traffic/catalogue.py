"""The goods catalogue of the synthetic traffic, the traffic mix and the planted-fraud parameters.

Data only: `clearway.traffic.generator` draws from these tables. Every figure and its rationale is in
`docs/traffic-generator.md`; change the two together. The HS 2022 subheadings and CN8 lines were checked
against `shared/data/reference` when they were written down (`HS6_CODES`, `CN8_CODES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

FRAUD_KINDS = (
    "undervaluation",
    "split_consignment",
    "misdescription",
    "wrong_hs",
    "prohibited",
    "ioss_misuse",
)

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


# --------------------------------------------------------------------------------------------------
# Goods catalogue


@dataclass(frozen=True, slots=True)
class Product:
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
) -> Product:
    return Product(hs, cat, median, sigma, grams, weight, descs, cn8)


# fmt: off
CATALOGUE: tuple[Product, ...] = (
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
GIFT_FOOD: tuple[Product, ...] = (
    _p("090230", "food", 8, 0.5, 250, 1, "Black tea gift box", "Loose leaf black tea"),
    _p("170490", "food", 6, 0.5, 300, 1, "Assorted sweets", "Turkish delight gift box"),
    _p("180690", "food", 8, 0.5, 300, 1, "Chocolate gift box", "Assorted chocolates"),
)

DOCUMENTS: tuple[Product, ...] = (
    _p("490199", "documents", 0, 0, 250, 4, "Documents", "Business documents", "Contract documents",
       "Legal papers", "Correspondence"),
    _p("491110", "documents", 0, 0, 400, 1, "Commercial catalogues", "Trade brochures"),
)

# Declared honestly: the goods are what the description says, and that is the problem.
PROHIBITED: tuple[Product, ...] = (
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
WRONG_HS: dict[str, str] = {
    "610910": "621710", "610990": "621710", "611020": "621710", "611030": "621710", "620444": "621710",
    "610443": "621710", "620342": "621710", "620462": "621710", "620140": "621710", "620240": "621710",
    "640411": "640690", "640419": "640690", "640299": "640690", "640291": "640690",
    "871200": "871499",
    "691110": "392410",
}
CET: dict[str, str] = {
    "610910": "12%", "610990": "12%", "611020": "12%", "611030": "12%", "620444": "12%", "610443": "12%",
    "620342": "12%", "620462": "12%", "620140": "12%", "620240": "12%", "621710": "6.3%",
    "640411": "16.9%", "640419": "16.9%", "640299": "16.8%", "640291": "16.9%", "640690": "3%",
    "871200": "14%", "871499": "4.7%", "691110": "12%", "392410": "6.5%",
}

VAGUE = ("gift", "sample", "goods", "parts", "accessories", "item", "Gift", "Sample", "GOODS", "spare parts",
         "accessory", "items")

CATEGORY_WEIGHTS: dict[str, float] = {
    "apparel": 24, "footwear": 7, "electronics": 16, "toys": 7, "beauty": 8, "bags": 5, "accessories": 7,
    "home": 10, "lighting": 3, "sports": 4, "books": 2.5, "auto": 3, "tools": 1.5, "health": 1,
}

SIZES = ("XS", "S", "M", "L", "XL", "XXL")
COLOURS = ("black", "white", "navy", "grey", "beige", "red", "pink", "olive", "blue", "brown")
GIFT_CATEGORIES = ("apparel", "beauty", "toys", "books", "accessories")  # what C2C gifts are made of

HS6_CODES: frozenset[str] = frozenset(
    [p.hs for p in (*CATALOGUE, *GIFT_FOOD, *DOCUMENTS, *PROHIBITED)] + list(WRONG_HS.values())
)
CN8_CODES: frozenset[str] = frozenset(p.cn8 for p in CATALOGUE if p.cn8)


# Traffic mix
P_DOCUMENTS = 0.012  # share of events that are correspondence
P_GIFT = 0.015  # share of events that are C2C gifts
P_REPEAT_BUYER = 0.18  # share of commercial parcels addressed to someone who already had one today
P_IOSS_MARKETPLACE = 0.8  # marketplace sales <= EUR 150 declared under the marketplace's IOSS number
P_IOSS_OWN = 0.9  # direct sales <= EUR 150 by a seller holding its own IOSS number
GIFT_LIMIT_EUR = 45.0

# Planted fraud: target share of shipments (not events) carrying fraud, by seller status.
FRAUD_SHARE_WATCHLISTED = 0.30
FRAUD_SHARE_OTHER = 0.062
FRAUD_EVENT_WEIGHTS = (
    ("undervaluation", 34.0),
    ("split_consignment", 7.0),
    ("misdescription", 18.0),
    ("wrong_hs", 15.0),
    ("prohibited", 7.0),
    ("ioss_misuse", 10.0),
)
SPLIT_PARTS = ((2, 50.0), (3, 35.0), (4, 15.0))
# fmt: on
