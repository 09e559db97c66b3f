"""Checked syntax tree → one vectorised Polars expression over the batch frame.

Nulls follow SQL / Kleene logic (``null and false`` is false, ``null or true`` is true, anything else
with a null is null); the rule set treats a null condition as not hit. Division by zero gives null.
"""

from __future__ import annotations

import polars as pl

from clearway.risk.language.check import literal_value
from clearway.risk.language.fields import GOODS
from clearway.risk.language.syntax import Binary, Call, FieldRef, ListLiteral, Literal, Node, Unary


def to_polars(node: Node, items: bool = False) -> pl.Expr:
    if isinstance(node, Literal):
        return pl.lit(node.value)
    if isinstance(node, FieldRef):
        if items:
            return pl.element().struct.field(node.path.removeprefix("goods."))
        return pl.col(node.path)
    if isinstance(node, Unary):
        operand = to_polars(node.operand, items)
        return operand.not_() if node.op == "not" else -operand
    if isinstance(node, Binary):
        return _binary(node, items)
    assert isinstance(node, Call)
    return _call(node, items)


def _binary(node: Binary, items: bool) -> pl.Expr:
    left = to_polars(node.left, items)
    if node.op == "in":
        assert isinstance(node.right, ListLiteral)
        values = [literal_value(v) for v in node.right.items]
        # is_in of an empty list is false even for null: keep null in, null out.
        return pl.when(left.is_null()).then(pl.lit(None, dtype=pl.Boolean)).otherwise(left.is_in(values))
    right = to_polars(node.right, items)
    match node.op:
        case "and":
            return left & right
        case "or":
            return left | right
        case "+":
            return left + right
        case "-":
            return left - right
        case "*":
            return left * right
        case "/":
            return pl.when(right != 0).then(left / right).otherwise(pl.lit(None, dtype=pl.Float64))
        case "==":
            return left == right
        case "!=":
            return left != right
        case "<":
            return left < right
        case "<=":
            return left <= right
        case ">":
            return left > right
        case ">=":
            return left >= right
    raise AssertionError(node.op)


def _call(node: Call, items: bool) -> pl.Expr:
    if node.target is None:
        if node.name == "size":
            [arg] = node.args
            if isinstance(arg, FieldRef) and arg.path == GOODS:
                return pl.col(GOODS).list.len().cast(pl.Float64)
            return to_polars(arg, items).str.len_chars().cast(pl.Float64)
        condition = to_polars(node.args[1], items=True).fill_null(False)
        per_item = pl.col(GOODS).list.eval(condition)
        if node.name == "any":
            return per_item.list.any()
        if node.name == "all":
            return per_item.list.all()
        return per_item.list.sum().cast(pl.Float64)
    target = to_polars(node.target, items)
    if node.name == "lower":
        return target.str.to_lowercase()
    if node.name == "upper":
        return target.str.to_uppercase()
    arg = node.args[0]
    assert isinstance(arg, Literal) and isinstance(arg.value, str)
    match node.name:
        case "startsWith":
            return target.str.starts_with(arg.value)
        case "endsWith":
            return target.str.ends_with(arg.value)
        case "contains":
            return target.str.contains(arg.value, literal=True)
    return target.str.contains(arg.value)
