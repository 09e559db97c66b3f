"""A straightforward row-at-a-time evaluator with the same semantics as the Polars compilation.

It is the reference the vectorised path is tested against, and explains a single shipment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from clearway.risk.language.check import literal_value
from clearway.risk.language.fields import GOODS
from clearway.risk.language.syntax import Binary, Call, FieldRef, ListLiteral, Literal, Node, Unary

Value = float | str | bool | None


def evaluate(node: Node, row: Mapping[str, Any], item: Mapping[str, Any] | None = None) -> Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, FieldRef):
        if item is not None:
            return _value(item.get(node.path.removeprefix("goods.")))
        return _value(row.get(node.path))
    if isinstance(node, Unary):
        operand = evaluate(node.operand, row, item)
        if operand is None:
            return None
        return (not operand) if node.op == "not" else -_num(operand)
    if isinstance(node, Binary):
        return _binary(node, row, item)
    assert isinstance(node, Call)
    return _call(node, row, item)


def _value(value: Any) -> Value:
    if value is None or isinstance(value, (str, bool, float)):
        return value
    return float(value)


def _num(value: Value) -> float:
    assert isinstance(value, float)
    return value


def _binary(node: Binary, row: Mapping[str, Any], item: Mapping[str, Any] | None) -> Value:
    left = evaluate(node.left, row, item)
    if node.op == "in":
        assert isinstance(node.right, ListLiteral)
        return None if left is None else left in [literal_value(v) for v in node.right.items]
    right = evaluate(node.right, row, item)
    if node.op == "and":
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if node.op == "or":
        if left is True or right is True:
            return True
        return None if left is None or right is None else False
    if left is None or right is None:
        return None
    a: Any = left
    b: Any = right
    match node.op:
        case "+":
            return float(a + b)
        case "-":
            return float(a - b)
        case "*":
            return float(a * b)
        case "/":
            return None if b == 0 else float(a / b)
        case "==":
            return bool(a == b)
        case "!=":
            return bool(a != b)
        case "<":
            return bool(a < b)
        case "<=":
            return bool(a <= b)
        case ">":
            return bool(a > b)
        case ">=":
            return bool(a >= b)
    raise AssertionError(node.op)


def _call(node: Call, row: Mapping[str, Any], item: Mapping[str, Any] | None) -> Value:
    goods = row.get(GOODS) or []
    if node.target is None:
        if node.name == "size":
            [arg] = node.args
            if isinstance(arg, FieldRef) and arg.path == GOODS:
                return float(len(goods))
            text = evaluate(arg, row, item)
            return None if text is None else float(len(str(text)))
        hits = [evaluate(node.args[1], row, g) is True for g in goods]
        if node.name == "any":
            return any(hits)
        if node.name == "all":
            return all(hits)
        return float(sum(hits))
    target = evaluate(node.target, row, item)
    if target is None:
        return None
    text = str(target)
    if node.name == "lower":
        return text.lower()
    if node.name == "upper":
        return text.upper()
    arg = node.args[0]
    assert isinstance(arg, Literal) and isinstance(arg.value, str)
    match node.name:
        case "startsWith":
            return text.startswith(arg.value)
        case "endsWith":
            return text.endswith(arg.value)
        case "contains":
            return arg.value in text
    return re.search(arg.value, text) is not None
