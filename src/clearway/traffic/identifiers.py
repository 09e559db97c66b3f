"""Identifiers of the synthetic parties and parcels, with the check digits of their real schemes.

Check digits follow the national schemes (as python-stdnum implements them), so a validator that checks
them does not reject synthetic parties. UPU S10 item numbers carry their mod-11 check digit.
"""

from __future__ import annotations

import random
import zlib
from bisect import bisect

from clearway.traffic.draw import LETTERS, cumulative

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(region: str, body: str) -> str:
    """China Unified Social Credit Code: 91 + region + organisation code (8 + GB 11714 check) + check."""
    org_weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, org_weights, strict=True))
    org_check = 11 - total % 11
    org = body + ("X" if org_check == 10 else "0" if org_check == 11 else str(org_check))
    code = "91" + region + org
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(code, weights, strict=True))
    return code + _USCC_ALPHABET[(31 - total) % 31]


def gb_vat(seven: str) -> str:
    total = sum(int(d) * w for d, w in zip(seven, range(8, 1, -1), strict=True))
    return f"{seven}{(-total) % 97:02d}"


def _de_vat(eight: str) -> str:
    """ISO 7064 MOD 11,10 check digit, as on German VAT numbers."""
    product = 10
    for d in eight:
        s = (int(d) + product) % 10 or 10
        product = (2 * s) % 11
    return f"{eight}{(11 - product) % 10}"


def tr_vkn(nine: str) -> str:
    total = 0
    for i, d in enumerate(reversed(nine), 1):
        c1 = (int(d) + i) % 10
        if c1:
            total += (c1 * 2**i) % 9 or 9
    return f"{nine}{(10 - total) % 10}"


def jp_corporate(twelve: str) -> str:
    total = sum(w * int(d) for w, d in zip((1, 2) * 6, reversed(twelve), strict=True)) % 9
    return f"{9 - total}{twelve}"


def _ch_uid(rng: random.Random) -> str:
    while True:
        eight = f"{rng.randrange(10**7, 10**8)}"
        check = (11 - sum(w * int(d) for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4), eight, strict=True))) % 11
        if check != 10:
            return f"CHE{eight}{check}"


_EIN_PREFIXES = (
    "20",
    "26",
    "27",
    "45",
    "46",
    "47",
    "81",
    "82",
    "83",
    "84",
    "85",
    "86",
    "87",
    "88",
    "91",
    "98",
)


def make_tin(rng: random.Random, country: str, region: str = "") -> str:
    """A trader identification number: issuing country + national identifier (upper-case an..35)."""
    digits = rng.randrange
    if country == "CN":
        body = "MA" + str(digits(10)) + "".join(rng.choice(_USCC_ALPHABET[:-1]) for _ in range(5))
        return "CN" + uscc(region or "440300", body)
    if country == "GB":
        return "GB" + gb_vat(f"{digits(10**6, 10**7)}") + "000"
    if country == "US":
        return "US" + rng.choice(_EIN_PREFIXES) + f"{digits(10**7):07d}"
    if country == "DE":
        return "DE" + _de_vat(f"{digits(10**7, 10**8)}")
    if country == "TR":
        return "TR" + tr_vkn(f"{digits(10**8, 10**9)}")
    if country == "KR":
        return f"KR{digits(101, 900)}{digits(1, 100):02d}{digits(1, 10**4):04d}{digits(10)}"
    if country == "JP":
        return "JP" + jp_corporate(f"{digits(10**11, 10**12)}")
    if country == "CH":
        return _ch_uid(rng)
    if country == "IN":  # Importer-Exporter Code, PAN-shaped: 4th letter C marks a company
        letters = "".join(rng.choice(LETTERS) for _ in range(4))
        return f"IN{letters[:3]}C{letters[3]}{digits(10**4):04d}{rng.choice(LETTERS)}"
    if country == "HK":
        return f"HK{digits(10**7, 10**8)}"
    return f"{country}{digits(10**8, 10**9)}{digits(10)}"


# IOSS numbers carry the ISO numeric code of the member state of identification; most e-commerce
# operators register in IE, NL or LU.
_IOSS_STATES = (
    ("372", 30),
    ("528", 25),
    ("442", 10),
    ("276", 10),
    ("250", 8),
    ("056", 5),
    ("380", 4),
    ("724", 4),
    ("616", 4),
)
_IOSS_STATE_CODES = tuple(s for s, _ in _IOSS_STATES)
_IOSS_STATE_CUM = cumulative([w for _, w in _IOSS_STATES])


def make_ioss(rng: random.Random) -> str:
    state = _IOSS_STATE_CODES[bisect(_IOSS_STATE_CUM, rng.random() * _IOSS_STATE_CUM[-1])]
    return f"IM{state}{rng.randrange(10**7):07d}"


def party_tin(key: str, country: str) -> str:
    """A stable identifier for a fixed operator, independent of the generator seed."""
    return make_tin(random.Random(zlib.crc32(key.encode())), country)


S10_SERVICES = ("LP", "LX", "UA", "RB", "CP", "LB")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check(serial: int) -> int:
    total = sum(int(d) * w for d, w in zip(f"{serial:08d}", _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return 0 if check == 10 else 5 if check == 11 else check
