"""CSV cells that a spreadsheet would run as a formula (OWASP "CSV injection"), neutralised on export.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading `'`, which
spreadsheets show as text; plain numbers (`-12.50`) are left as they are. Importers of Clearway's own
exports take the `'` off again (`restore`), so an export imports back unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The cell as it was before `neutralise`."""
    if value.startswith("'") and value[1:].startswith(_TRIGGERS) and not _NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in row]


def safe_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: neutralise(v) for k, v in row.items()}
