"""Type checking: every field exists, every operator gets the types it needs, the result is a bool.

Runs before compilation, so a rule that is stored always compiles and never fails on data.
"""

from __future__ import annotations

import difflib
import re
from typing import Literal as TypingLiteral

import polars as pl

from clearway.risk.errors import Position, RuleError
from clearway.risk.language.fields import FIELDS, GOODS, Type
from clearway.risk.language.syntax import Binary, Call, FieldRef, ListLiteral, Literal, Node, Unary

Checked = TypingLiteral["number", "string", "bool", "goods"]
STRING_TESTS = {"startsWith", "endsWith", "contains", "matches"}
STRING_MAPS = {"lower", "upper"}
QUANTIFIERS = {"any", "all", "count"}
FUNCTIONS = QUANTIFIERS | {"size"}
MAX_PATTERN_LENGTH = 200
# Lookaround and back-references make matching non-linear; Polars' engine refuses them anyway.
_UNSAFE_PATTERN = re.compile(r"\(\?<?[=!]|\\[1-9]|\\k<|\(\?P=")


def literal_value(node: Node) -> float | str | bool | None:
    """The value of a literal (a negated number counts), else None."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Literal):
        value = node.operand.value
        if isinstance(value, float):
            return -value
    return None


def _type_of_value(value: float | str | bool) -> Type:
    if isinstance(value, bool):
        return "bool"
    return "string" if isinstance(value, str) else "number"


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, node: Node, reason: str, kind: str = "type") -> RuleError:
        return RuleError(kind, reason, Position.at(self.source, node.offset))

    def want(self, node: Node, expected: Type, items: bool, what: str) -> None:
        actual = self.check(node, items)
        if actual != expected:
            raise self.error(node, f"{what} needs a {expected}, this is {_a(actual)}")

    def check(self, node: Node, items: bool) -> Checked:
        if isinstance(node, Literal):
            return _type_of_value(node.value)
        if isinstance(node, FieldRef):
            return self.field(node, items)
        if isinstance(node, ListLiteral):
            raise self.error(node, "a list can only follow 'in'")
        if isinstance(node, Unary):
            if node.op == "not":
                self.want(node.operand, "bool", items, "'not'")
                return "bool"
            self.want(node.operand, "number", items, "'-'")
            return "number"
        if isinstance(node, Binary):
            return self.binary(node, items)
        assert isinstance(node, Call)
        return self.call(node, items)

    def field(self, node: FieldRef, items: bool) -> Checked:
        if node.path == GOODS:
            if items:
                raise self.error(
                    node, "inside any/all/count the items are read through goods.* fields", "field"
                )
            return "goods"
        spec = FIELDS.get(node.path)
        if spec is None:
            close = difflib.get_close_matches(node.path, FIELDS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise self.error(node, f"unknown field '{node.path}'{hint}", "field")
        if spec.item and not items:
            raise self.error(
                node,
                f"'{node.path}' is a goods-item field: use it inside any(goods, ...), all(goods, ...) "
                "or count(goods, ...)",
                "field",
            )
        if items and not spec.item:
            raise self.error(
                node, f"inside any/all/count only goods fields can be used, not '{node.path}'", "field"
            )
        return spec.type

    def binary(self, node: Binary, items: bool) -> Checked:
        op = node.op
        if op in ("and", "or"):
            self.want(node.left, "bool", items, f"'{op}'")
            self.want(node.right, "bool", items, f"'{op}'")
            return "bool"
        if op in ("+", "-", "*", "/"):
            self.want(node.left, "number", items, f"'{op}'")
            self.want(node.right, "number", items, f"'{op}'")
            return "number"
        left = self.check(node.left, items)
        if op == "in":
            if left not in ("number", "string"):
                raise self.error(
                    node.left, f"'in' needs a number or a string on its left, this is {_a(left)}"
                )
            if not isinstance(node.right, ListLiteral):
                raise self.error(node.right, '\'in\' needs a list of literals on its right: ["a", "b"]')
            for item in node.right.items:
                value = literal_value(item)
                if value is None or _type_of_value(value) != left:
                    raise self.error(item, f"the list after 'in' must hold {left} literals")
            return "bool"
        right = self.check(node.right, items)
        if left != right or left == "goods":
            raise self.error(node, f"'{op}' compares {_a(left)} with {_a(right)}")
        if op not in ("==", "!=") and left == "bool":
            raise self.error(node, f"'{op}' needs numbers or strings, not true/false values")
        return "bool"

    def call(self, node: Call, items: bool) -> Checked:
        if node.target is None:
            return self.function(node, items)
        name = node.name
        if name in STRING_MAPS:
            self.want(node.target, "string", items, f"'{name}()'")
            if node.args:
                raise self.error(node, f"'{name}()' takes no arguments")
            return "string"
        if name not in STRING_TESTS:
            raise self.error(
                node,
                f"unknown method '{name}'; methods: {', '.join(sorted(STRING_TESTS | STRING_MAPS))}",
                "syntax",
            )
        self.want(node.target, "string", items, f"'{name}()'")
        if (
            len(node.args) != 1
            or not isinstance(node.args[0], Literal)
            or not isinstance(node.args[0].value, str)
        ):
            raise self.error(node, f"'{name}()' takes one string literal")
        if name == "matches":
            self.pattern(node.args[0], node.args[0].value)
        return "bool"

    def function(self, node: Call, items: bool) -> Checked:
        name = node.name
        if name not in FUNCTIONS:
            raise self.error(
                node, f"unknown function '{name}'; functions: {', '.join(sorted(FUNCTIONS))}", "syntax"
            )
        if name == "size":
            if len(node.args) != 1:
                raise self.error(node, "'size()' takes one argument")
            kind = self.check(node.args[0], items)
            if kind not in ("string", "goods"):
                raise self.error(node.args[0], f"'size()' needs a string or goods, this is {_a(kind)}")
            return "number"
        if items:
            raise self.error(node, f"'{name}(goods, ...)' cannot be nested inside another")
        if len(node.args) != 2 or not (isinstance(node.args[0], FieldRef) and node.args[0].path == GOODS):
            raise self.error(node, f"'{name}' is written {name}(goods, <condition on goods fields>)")
        self.want(node.args[1], "bool", True, f"'{name}(goods, ...)'")
        return "number" if name == "count" else "bool"

    def pattern(self, node: Node, pattern: str) -> None:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise self.error(node, f"pattern longer than {MAX_PATTERN_LENGTH} characters", "limit")
        if _UNSAFE_PATTERN.search(pattern):
            raise self.error(node, "lookaround and back-references are not allowed in patterns")
        try:
            re.compile(pattern)
            pl.Series([""], dtype=pl.String).str.contains(pattern)
        except (re.error, pl.exceptions.PolarsError) as exc:
            raise self.error(node, f"invalid pattern: {str(exc).splitlines()[0]}") from None


def _a(kind: str) -> str:
    return {"number": "a number", "string": "a string", "bool": "a true/false value", "goods": "goods"}[kind]


def check(source: str, node: Node) -> None:
    """Raise a RuleError unless ``node`` is a well-typed condition (a true/false value)."""
    kind = _Checker(source).check(node, items=False)
    if kind != "bool":
        raise RuleError(
            "type", f"a condition must be true or false, this is {_a(kind)}", Position.at(source, node.offset)
        )
