"""Description quality: texts that say nothing about what is in the parcel."""

from __future__ import annotations

from clearway.declarations.normalise import fold

# Words that on their own describe no goods (WCO and EU ICS2 guidance on unacceptable descriptions).
VAGUE_WORDS = frozenset(
    {
        "gift", "gifts", "present", "sample", "samples", "goods", "good", "item", "items", "parts", "part",
        "accessories", "accessory", "stuff", "product", "products", "merchandise", "package", "parcel",
        "misc",
        "miscellaneous", "various", "general", "cargo", "freight", "consolidated", "personal", "effects",
        "belongings", "clothes", "equipment", "spare", "spares", "daily", "necessities",
    }
)  # fmt: skip
_FILLER = frozenset(
    {"a", "an", "the", "of", "for", "and", "or", "with", "new", "free", "1", "2", "3", "x", "pcs", "pc",
     "set"}
)  # fmt: skip


def is_vague_description(description: str) -> bool:
    words = [w for w in fold(description).split() if w not in _FILLER]
    return not words or all(w in VAGUE_WORDS for w in words)
