"""Text that cannot be stored: PostgreSQL refuses the NUL character (U+0000) in any text value, SQLite
would keep it. Clearway refuses it at the edge, as a field error naming where it is, on both databases."""

from __future__ import annotations

from typing import Any

from clearway.kit.errors import Finding, pointer

NUL = "\x00"
NUL_MESSAGE = "contains the NUL character (U+0000), which text fields may not hold"


def nul_findings(value: Any, *prefix: str | int) -> list[Finding]:
    """A finding per string (value or key) holding a NUL, at its JSON pointer. Iterative, so a deeply
    nested document cannot exhaust the stack."""
    found: list[Finding] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, prefix)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                found.append(Finding("text.nul", pointer(*path), NUL_MESSAGE))
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and NUL in key:
                    found.append(Finding("text.nul", pointer(*path, key), "the field name " + NUL_MESSAGE))
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, k)) for k, child in enumerate(item))
    return sorted(found, key=lambda f: f.path)


def nul_positions(text: str, limit: int = 20) -> list[Finding]:
    """Line and column (1-based) of each NUL in a text file, at most `limit` of them."""
    found: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        column = line.find(NUL)
        while column != -1 and len(found) < limit:
            found.append(Finding("text.nul", "", NUL_MESSAGE, line=number, column=column + 1))
            column = line.find(NUL, column + 1)
    return found
