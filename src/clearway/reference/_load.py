"""Reading the packaged CSV tables and shared lookup helpers."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Mapping
from importlib.resources import files
from typing import TypeVar

T = TypeVar("T")


def read_table(name: str) -> tuple[list[str], list[list[str]]]:
    """Return (header, rows) of ``data/<name>``, gunzipping ``*.gz`` files."""
    # importlib.resources keeps this working from a wheel or zip, not only from a source checkout.
    raw = files("clearway.reference").joinpath("data", name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    return rows[0], rows[1:]


def read_rows(name: str) -> list[list[str]]:
    return read_table(name)[1]


def is_code(code: str, min_len: int, max_len: int = 10) -> bool:
    # isascii() because str.isdigit() also accepts digits such as "²" or Arabic-Indic numerals.
    return code.isascii() and code.isdigit() and min_len <= len(code) <= max_len


def longest_prefix(table: Mapping[str, T], code: str, min_len: int = 1) -> tuple[str, T] | None:
    """Entry whose key is the longest prefix of ``code`` (at most len(code) dict probes)."""
    for n in range(len(code), min_len - 1, -1):
        hit = table.get(code[:n])
        if hit is not None:
            return code[:n], hit
    return None
