"""Errors of the risk feature, each with its stable code, HTTP status and title.

Each keeps the builtin base it had (`ValueError` or `LookupError`) beside its `ClearwayError` base, so
that callers catching those keep working. The rule language's one error (`RuleError`, with the
`Position` it points at) is here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clearway.kit.errors import Conflict, Finding, Invalid, NotFound

if TYPE_CHECKING:
    from clearway.risk.watchlist import CsvProblem


# --- the rule language -------------------------------------------------------------------------------


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


class RuleError(Invalid, ValueError):
    """A condition that does not parse, names an unknown field, mixes types or exceeds a limit: what is
    wrong and where, so an analyst can fix the condition. The problem carries the `position`."""

    code, title = "rule", "Invalid rule"

    def __init__(self, kind: str, reason: str, position: Position) -> None:
        self.kind = kind  # syntax, field, type or limit
        self.reason = reason
        self.position = position
        super().__init__(
            f"{reason} at line {position.line}, column {position.column}",
            errors=[Finding(f"rule.{kind}", "/condition", reason)],
            position={"line": position.line, "column": position.column, "offset": position.offset},
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "offset": self.position.offset,
            "line": self.position.line,
            "column": self.position.column,
        }


# --- rules as data, backtests and watch lists --------------------------------------------------------


class RuleNotFound(NotFound, LookupError):
    code, title = "rule-not-found", "Rule not found"

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id
        super().__init__(f"no rule {rule_id}")


class RuleExists(Conflict, ValueError):
    code, title = "rule-exists", "Rule exists"

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id
        super().__init__(f"rule {rule_id} exists")


class EmptyRange(NotFound, LookupError):
    """No shipment was lodged in the range asked for (an empty scope, as in measurement)."""

    code, title = "empty-scope", "Nothing to backtest"


class WatchlistCsvError(Invalid, ValueError):
    """A watch-list file with bad rows: `problems` lists every one by line (and column)."""

    code, title = "watchlist-csv", "Invalid watch-list file"

    def __init__(self, problems: Sequence[CsvProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            "; ".join(str(p) for p in problems[:20]), errors=[p.as_finding() for p in self.problems]
        )


# --- selection, drift and the model ------------------------------------------------------------------


class SelectionError(Invalid, ValueError):
    """Bad selection input; `field` names the input at fault (by default the name before a ':' in the
    message)."""

    code, title = "selection", "Invalid selection"

    def __init__(self, message: str, field: str | None = None) -> None:
        if field is None and ":" in message:
            field = message.split(":", 1)[0]
        self.field = field
        errors = [Finding("selection.invalid", f"/{field}", message)] if field else []
        super().__init__(message, errors=errors)


class NoData(NotFound, LookupError):
    """Nothing to measure in the range."""

    code, title = "no-data", "No data"


class RetrainError(Invalid, ValueError):
    """Not enough labelled data to train on, or a bad date range."""

    code, title = "retrain", "Cannot retrain"


class ModelFileError(Invalid, ValueError):
    """A model file that is not ours, is damaged, or comes from an incompatible format version."""

    code, title = "model-file", "Invalid model file"


class FeatureError(Invalid, ValueError):
    """A frame lacks features the model needs, or the label is not 0/1; `columns` names them."""

    code, title = "model-features", "Missing or bad features"

    def __init__(self, message: str, columns: list[str]) -> None:
        self.columns = columns
        super().__init__(message)


class KcsFormatError(Invalid, ValueError):
    """A declarations file with missing or mistyped columns; `columns` names them (file headers)."""

    code, title = "kcs-format", "Invalid declarations file"

    def __init__(self, message: str, columns: list[str]) -> None:
        self.columns = columns
        super().__init__(message)


class RegistryError(Invalid, ValueError):
    """Unknown model version, or one registered twice."""

    code, title = "model-registry", "Model registry refused"
