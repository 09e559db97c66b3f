"""Normalised keys for identifiers and names, so that the same trader matches however it was typed."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s.\-/]+")
_NON_WORD = re.compile(r"[^0-9a-z ]+")
_SPACES = re.compile(r"\s+")
# Legal-form words carry no identity: "Acme Trading Co., Ltd." and "ACME TRADING" are the same trader.
_LEGAL_FORMS = frozenset(
    {
        "co", "ltd", "limited", "llc", "inc", "corp", "corporation", "gmbh", "ag", "sa", "sarl", "srl",
        "bv", "nv", "plc", "company", "trading", "int", "intl", "international", "oy", "ab", "as", "spa",
        "sl",
    }
)  # fmt: skip


def normalise_tin(tin: str) -> str:
    """Upper case without separators: 'de 123.456-789' -> 'DE123456789'."""
    return _SEPARATORS.sub("", tin).upper()


# Letters that NFKD does not decompose into ASCII: transliterate them instead of dropping them.
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
     "ı": "i", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ħ": "h", "Ħ": "H"}
)  # fmt: skip


def fold(text: str) -> str:
    """Lower case ASCII without accents or punctuation, single-spaced."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode()
    )
    return _SPACES.sub(" ", _NON_WORD.sub(" ", ascii_text.lower())).strip()


@lru_cache(maxsize=1 << 16)  # sellers, platforms and carriers repeat across a day
def name_key(name: str) -> str:
    """Key for watch-list matching by name: folded, legal forms dropped."""
    return " ".join(w for w in fold(name).split() if w not in _LEGAL_FORMS)


def consignee_key(
    name: str, line: str | None, postcode: str | None, country: str | None, destination_country: str
) -> str:
    """The split-consignment key of a consignee; without an address country, the destination's."""
    return address_key(name, line, postcode, country or destination_country)


def address_key(name: str, line: str | None, postcode: str | None, country: str) -> str:
    """Key identifying one consignee at one address, used to find split consignments."""
    return "|".join(
        (country.upper(), fold(postcode or "").replace(" ", ""), fold(line or ""), name_key(name))
    )
