"""The fixed operators of the synthetic traffic: marketplaces, carriers, posts, their routes, and the
words that seller names are made of.

Data only (the marketplace and operator TINs are computed once with valid check digits). The marketplaces
are invented; carriers and posts are the real operators of these flows, with invented identifiers. See
`docs/traffic-generator.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clearway.traffic.identifiers import gb_vat, jp_corporate, party_tin, tr_vkn, uscc
from clearway.traffic.places import RAIL_DESTS

# fmt: off
# --------------------------------------------------------------------------------------------------
# Marketplaces, carriers and posts (invented marketplaces; carriers and posts are the real operators
# of these flows, with invented identifiers).


@dataclass(frozen=True, slots=True)
class Marketplace:
    id: str
    name: str
    country: str
    tin: str
    ioss: str
    files: bool  # files advance data itself for its logistics arm's parcels
    order_prefix: str


MARKETPLACES: dict[str, Marketplace] = {
    m.id: m
    for m in (
        Marketplace("DRAGONMART", "Dragonmart", "CN", "CN" + uscc("330100", "MA27U8QH"), "IM3720011842",
                    True, "DM"),
        Marketplace("SHOPNEST", "ShopNest Global", "CN", "CN" + uscc("440300", "MA5F3K2R"), "IM5280004417",
                    False, "SN"),
        Marketplace("TRENDHIVE", "TrendHive", "CN", "CN" + uscc("440100", "MA9C1TLN"), "IM4420007735",
                    False, "TH"),
        Marketplace("PRICEWISE", "Pricewise Marketplace", "US", "US864410275", "IM3720023196", False, "PW"),
        Marketplace("WAYFINDER", "Wayfinder Goods", "GB", "GB" + gb_vat("4418207") + "000", "IM5280019054",
                    False, "WG"),
        Marketplace("BAZAARORIENT", "Bazaar Orient", "TR", "TR" + tr_vkn("482019375"), "IM2760008461",
                    False, "BO"),
        Marketplace("KUMOMARKET", "Kumo Market", "JP", "JP" + jp_corporate("301100092214"), "IM3720030627",
                    False, "KM"),
    )
}
MARKETPLACE_SHARE: dict[str, tuple[tuple[str | None, float], ...]] = {
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
class Carrier:
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

CARRIER_LIST: tuple[Carrier, ...] = (
    Carrier("DHLEXPRESS", "DHL Express", "DE", "express", "DX", "dhl", ("615",)),
    Carrier("UPS", "UPS", "DE", "express", "UP", "ups", ("406",)),
    Carrier("FEDEX", "FedEx Express", "BE", "express", "FX", "fedex", ("023",)),
    Carrier("CAINIAO", "Cainiao Network", "CN", "ecom", "CN", "cainiao"),
    Carrier("YUNEXPRESS", "YunExpress", "CN", "ecom", "YT", "yun"),
    Carrier("4PX", "4PX Express", "CN", "ecom", "4P", "4px"),
    Carrier("SFEXPRESS", "SF Express", "CN", "ecom", "SF", "sf"),
    Carrier("DPDUK", "DPD UK", "GB", "road", "DP", "dpd", serves=_EU_ROAD_FROM_GB),
    Carrier("ANADOLUEXP", "Anadolu Ekspres Lojistik", "TR", "road", "AE", "anadolu",
            serves=_EU_ROAD_FROM_TR),
    Carrier("EURASIARAIL", "Eurasia Rail Express", "CN", "rail", "ER", "rail", serves=RAIL_DESTS),
    Carrier("CHINAPOST", "China Post", "CN", "post", "CP", "s10", air_share=0.7),
    Carrier("HKPOST", "Hongkong Post", "HK", "post", "HP", "s10", air_share=0.75),
    Carrier("USPS", "United States Postal Service", "US", "post", "US", "s10", air_share=0.8),
    Carrier("ROYALMAIL", "Royal Mail", "GB", "post", "RM", "s10", air_share=0.5),
    Carrier("PTT", "PTT (Turkish Post)", "TR", "post", "PT", "s10", air_share=0.6),
    Carrier("KOREAPOST", "Korea Post", "KR", "post", "KP", "s10", air_share=0.8),
    Carrier("JAPANPOST", "Japan Post", "JP", "post", "JP", "s10", air_share=0.8),
    Carrier("INDIAPOST", "India Post", "IN", "post", "IP", "s10", air_share=0.7),
    Carrier("VNPOST", "Vietnam Post", "VN", "post", "VP", "s10", air_share=0.7),
    Carrier("SWISSPOST", "Swiss Post", "CH", "post", "SP", "s10"),
    Carrier("CHUNGHWAPOST", "Chunghwa Post", "TW", "post", "TP", "s10", air_share=0.75),
    Carrier("SINGPOST", "Singapore Post", "SG", "post", "SG", "s10", air_share=0.8),
    Carrier("CANADAPOST", "Canada Post", "CA", "post", "CA", "s10", air_share=0.8),
    Carrier("POSTENNORGE", "Posten Norge", "NO", "post", "NO", "s10"),
    Carrier("ISRAELPOST", "Israel Post", "IL", "post", "IL", "s10", air_share=0.8),
    Carrier("AUSPOST", "Australia Post", "AU", "post", "AU", "s10", air_share=0.85),
    Carrier("THAILANDPOST", "Thailand Post", "TH", "post", "TH", "s10", air_share=0.8),
    Carrier("EMIRATESPOST", "Emirates Post", "AE", "post", "EP", "s10", air_share=0.8),
    Carrier("UKRPOSHTA", "Ukrposhta", "UA", "post", "UA", "s10"),
    Carrier("POSTASRBIJE", "Pošta Srbije", "RS", "post", "RS", "s10"),
)
CARRIERS = {c.id: c for c in CARRIER_LIST}

# Designated postal operators of the destinations: they lodge the data for incoming mail.
EU_POSTS: dict[str, tuple[str, str]] = {
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
ROUTES: dict[str, tuple[tuple[str, str, float], ...]] = {
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
AIRLINES: dict[str, tuple[str, ...]] = {
    "CN": ("999", "784", "112", "781", "172", "176", "157"), "HK": ("160", "172", "176"),
    "US": ("001", "006", "016", "020"), "GB": ("125", "020", "057"), "TR": ("235",), "KR": ("180", "988"),
    "JP": ("205", "131"), "IN": ("098", "176"), "VN": ("738", "157"), "CH": ("724", "020"), "TW": ("297",
                                                                                                   "695"),
    "SG": ("618",), "CA": ("014",), "NO": ("020", "074"), "IL": ("114",), "AU": ("081", "157"),
    "TH": ("217",),
    "AE": ("176", "607"), "UA": ("566",), "RS": ("115",),
}



CARRIER_PARTY: dict[str, dict[str, Any]] = {
    c.id: {"name": c.name, "tin": party_tin(c.id, c.country), "address": {"country": c.country}}
    for c in CARRIER_LIST
}
POST_PARTY: dict[str, dict[str, Any]] = {
    post_id: {"name": name, "tin": party_tin(post_id, cc), "address": {"country": cc}}
    for cc, (post_id, name) in EU_POSTS.items()
}
MARKETPLACE_PARTY: dict[str, dict[str, Any]] = {
    m.id: {"name": m.name, "tin": m.tin, "address": {"country": m.country}} for m in MARKETPLACES.values()
}
LRN_PREFIX: dict[str, str] = {c.id: c.lrn_prefix for c in CARRIER_LIST}
LRN_PREFIX.update({post_id: cc for cc, (post_id, _) in EU_POSTS.items()})
LRN_PREFIX.update({m.id: m.order_prefix for m in MARKETPLACES.values()})


# Words that seller names are made of, by origin and trade.
PINYIN = ("Xinda", "Huanyu", "Jiale", "Mingyang", "Tianrui", "Haoyun", "Jinhui", "Yuxin", "Ruifeng",
          "Longteng", "Hengtai", "Shengda", "Chuangxin", "Boyuan", "Kaida", "Weilai", "Zhongcheng",
          "Hongxing", "Baisheng", "Huamei", "Jiaxin", "Yongsheng", "Fuxing", "Xinghe", "Lianfa", "Meida",
          "Sanhe", "Guangda", "Dingsheng", "Ouya")
HK_WORDS = ("Wing", "Fat", "Tai", "Kwong", "Hing", "Sun", "Wah", "Tak", "Fung", "Yuen", "Lung", "Cheong",
            "Shing", "Kee", "Po", "Chun")
EN_ADJ = ("Blue", "Bright", "Golden", "Silver", "Urban", "North", "Pacific", "Summit", "Evergreen", "Maple",
          "Harbor", "Coastal", "Liberty", "Royal", "Crown", "Oak", "Cedar", "Prime", "Apex", "Pioneer")
EN_NOUN = ("Ridge", "Outfitters", "Goods", "Supply", "Trading", "Brands", "Collective", "Commerce", "Wares",
           "Emporium", "Direct", "Market", "Works", "Studio", "Labs", "Essentials", "Depot", "House",
           "Retail")
LOCAL_WORDS: dict[str, tuple[str, ...]] = {
    "TR": ("Yıldız", "Anadolu", "Ege", "Marmara", "Akdeniz", "Boğaziçi", "Özgür", "Kardeşler", "Güneş",  # noqa: RUF001
           "Toros", "Kervan", "Lale", "Zirve", "Uğur", "Birlik", "Atlas", "Deniz", "Park", "Ses", "Kuzey",
           "Doğan"),
    "KR": ("Hanbit", "Saerom", "Daehan", "Mirae", "Haneul", "Jinju", "Nuri", "Bomi", "Dasom", "Areum"),
    "JP": ("Sakura", "Fuji", "Kaze", "Hoshi", "Yamato", "Midori", "Aoi", "Hikari", "Tsubasa", "Kirin"),
    "IN": ("Shree", "Ganesh", "Lakshmi", "Krishna", "Sai", "Ashoka", "Indus", "Ganga", "Surya", "Kaveri"),
    "VN": ("Phu Thanh", "Minh Anh", "Viet Tien", "Hoang Gia", "Thanh Cong", "An Phat", "Tan Phu", "Sao Mai"),
}
INDUSTRY: dict[str, tuple[str, ...]] = {
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
TR_INDUSTRY = {"apparel": "Tekstil", "footwear": "Ayakkabı", "home": "Ev Tekstili", "bags": "Deri",  # noqa: RUF001
               "accessories": "Kuyumculuk"}
COMPANY_SUFFIX = {"US": ("LLC", "Inc.", "Co."), "GB": ("Ltd",), "CH": ("AG", "GmbH"), "SG": ("Pte. Ltd.",),
                  "CA": ("Inc.", "Ltd."), "NO": ("AS",), "IL": ("Ltd.",), "AU": ("Pty Ltd",),
                  "TH": ("Co., Ltd.",), "AE": ("FZE", "Trading LLC"), "UA": ("LLC",), "TW": ("Co., Ltd.",)}

# fmt: on
