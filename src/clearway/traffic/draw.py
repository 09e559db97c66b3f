"""Small deterministic drawing helpers shared by the fixed party pool and the generator.

Cumulative weight tables, weighted picks, template filling ("#" a digit, "@" a letter, "%" an Eircode
character) and ASCII folding of names for e-mail addresses. No randomness of their own: every draw comes
from the `random.Random` passed in.
"""

from __future__ import annotations

import functools
import random
import unicodedata
from collections.abc import Sequence
from typing import Any

EIRCODE = "ACDEFHKNPRTVWXY0123456789"
LETTERS = "ABCDEFGHJKLMNPRSTUVWXZ"
_ASCII_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ı": "i",  # noqa: RUF001
        "'": "",
        " ": "",
        "-": "",
    }
)


def cumulative(weights: Sequence[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def pick_weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


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


def fill(template: str, rng: random.Random) -> str:
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
            alphabet = LETTERS if text == "@" else EIRCODE
            out.extend(alphabet[int(rng.random() * len(alphabet))] for _ in range(count))
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def to_ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return folded.encode("ascii", "ignore").decode("ascii").lower()
