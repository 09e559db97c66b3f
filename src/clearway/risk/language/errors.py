"""The one error of the rule language: what is wrong and where, so an analyst can fix the condition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Position:
    offset: int  # 0-based character offset into the condition
    line: int  # 1-based
    column: int  # 1-based

    @classmethod
    def at(cls, source: str, offset: int) -> Position:
        offset = max(0, min(offset, len(source)))
        before = source[:offset]
        line = before.count("\n") + 1
        return cls(offset, line, offset - (before.rfind("\n") + 1) + 1)


class RuleError(ValueError):
    """A condition that does not parse, names an unknown field, mixes types or exceeds a limit."""

    def __init__(self, kind: str, reason: str, position: Position) -> None:
        super().__init__(f"{reason} at line {position.line}, column {position.column}")
        self.kind = kind  # syntax, field, type or limit
        self.reason = reason
        self.position = position

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "offset": self.position.offset,
            "line": self.position.line,
            "column": self.position.column,
        }
