"""The rule language: safe, typed conditions compiled to vectorised Polars expressions.

Never Python ``eval``: a hand-written tokenizer and recursive-descent parser produce a syntax tree,
the checker resolves every field against the catalogue, and the compiler maps the tree onto Polars.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from clearway.risk.language.check import check
from clearway.risk.language.compile import to_polars
from clearway.risk.language.fields import FIELDS, build_frame
from clearway.risk.language.syntax import Node, parse


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    tree: Node
    expr: pl.Expr  # null counts as not hit: use ``hit`` to get a plain boolean

    @property
    def hit(self) -> pl.Expr:
        return self.expr.fill_null(False)

    def values(self, frame: pl.DataFrame) -> pl.Series:
        """The condition per row (null where unknown). with_columns, not select: a constant condition
        must still give one value per shipment."""
        return frame.with_columns(self.expr.alias("_value"))["_value"]

    def hits(self, frame: pl.DataFrame) -> pl.Series:
        return frame.with_columns(self.hit.alias("_hit"))["_hit"]


def compile_condition(source: str) -> Condition:
    """Parse, check and compile; a RuleError (`clearway.risk.errors`) carries the position and the reason
    of any problem."""
    tree = parse(source)
    check(source, tree)
    return Condition(source, tree, to_polars(tree))


__all__ = ["FIELDS", "Condition", "build_frame", "compile_condition"]
