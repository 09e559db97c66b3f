"""Syntax tree and parser (recursive descent) of the rule language.

Grammar, loosest binding first (comparisons do not chain)::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | postfix
    postfix := primary ("." name ("(" args ")")?)*
    primary := number | string | "true" | "false" | "[" args "]" | "(" expr ")" | name ("(" args ")")?

A dotted name is a field path (``consignment.total_value_eur``); a dotted name followed by ``(`` is a
method call on what precedes it (``goods.hs_code.startsWith("93")``).
"""

from __future__ import annotations

from dataclasses import dataclass

from clearway.risk.errors import Position, RuleError
from clearway.risk.language.lexer import Token, tokenize

# Parentheses and prefix operators nest the parser; chains of binary operators deepen the tree. Both are
# bounded so that hostile input cannot exhaust the stack of the parser, checker or Polars.
MAX_NESTING = 40
MAX_TREE_DEPTH = 64
MAX_LIST_ITEMS = 500


@dataclass(frozen=True, slots=True)
class Node:
    offset: int
    depth: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: float | str | bool


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class FieldRef(Node):
    path: str


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "not" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str
    target: Node | None  # the receiver of a method call; None for a function
    args: tuple[Node, ...]


COMPARISONS = {"==", "!=", "<", "<=", ">", ">=", "in"}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.nesting = 0

    # helpers ---------------------------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, *texts: str) -> bool:
        t = self.peek()
        return t.kind in ("op", "keyword") and t.text in texts

    def error(self, offset: int, reason: str, kind: str = "syntax") -> RuleError:
        return RuleError(kind, reason, Position.at(self.source, offset))

    def expect(self, text: str, what: str) -> Token:
        if not self.at(text):
            raise self.error(self.peek().offset, f"expected {what}, found {_describe(self.peek())}")
        return self.advance()

    def node_depth(self, offset: int, *children: Node) -> int:
        depth = 1 + max((c.depth for c in children), default=0)
        if depth > MAX_TREE_DEPTH:
            raise self.error(offset, f"condition nested deeper than {MAX_TREE_DEPTH} levels", "limit")
        return depth

    def enter(self, offset: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(offset, f"condition nested deeper than {MAX_NESTING} levels", "limit")

    # grammar ---------------------------------------------------------------------------------------

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.error(0, "empty condition")
        node = self.expr()
        if self.peek().kind != "end":
            raise self.error(self.peek().offset, f"unexpected {_describe(self.peek())}")
        return node

    def expr(self) -> Node:
        self.enter(self.peek().offset)
        node = self.and_()
        while self.at("or"):
            op = self.advance()
            right = self.and_()
            node = Binary(op.offset, self.node_depth(op.offset, node, right), "or", node, right)
        self.nesting -= 1
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("and"):
            op = self.advance()
            right = self.not_()
            node = Binary(op.offset, self.node_depth(op.offset, node, right), "and", node, right)
        return node

    def not_(self) -> Node:
        if self.at("not"):
            op = self.advance()
            self.enter(op.offset)
            operand = self.not_()
            self.nesting -= 1
            return Unary(op.offset, self.node_depth(op.offset, operand), "not", operand)
        return self.compare()

    def compare(self) -> Node:
        node = self.sum_()
        if self.at(*COMPARISONS):
            op = self.advance()
            right = self.sum_()
            node = Binary(op.offset, self.node_depth(op.offset, node, right), op.text, node, right)
            if self.at(*COMPARISONS):
                raise self.error(self.peek().offset, "comparisons do not chain: use 'and'")
        return node

    def sum_(self) -> Node:
        node = self.product()
        while self.at("+", "-"):
            op = self.advance()
            right = self.product()
            node = Binary(op.offset, self.node_depth(op.offset, node, right), op.text, node, right)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            op = self.advance()
            right = self.unary()
            node = Binary(op.offset, self.node_depth(op.offset, node, right), op.text, node, right)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            op = self.advance()
            self.enter(op.offset)
            operand = self.unary()
            self.nesting -= 1
            return Unary(op.offset, self.node_depth(op.offset, operand), "-", operand)
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while self.at("."):
            self.advance()
            name = self.peek()
            if name.kind != "ident":
                raise self.error(name.offset, f"expected a name after '.', found {_describe(name)}")
            self.advance()
            if self.at("("):
                args = self.args(")")
                node = Call(name.offset, self.node_depth(name.offset, node, *args), name.text, node, args)
            elif isinstance(node, FieldRef):
                node = FieldRef(node.offset, node.depth, f"{node.path}.{name.text}")
            else:
                raise self.error(name.offset, f"'.{name.text}' must be a method call: '.{name.text}(...)'")
        return node

    def args(self, close: str) -> tuple[Node, ...]:
        opening = self.advance()  # "(" or "["
        self.enter(opening.offset)
        items: list[Node] = []
        if not self.at(close):
            items.append(self.expr())
            while self.at(","):
                self.advance()
                items.append(self.expr())
                if len(items) > MAX_LIST_ITEMS:
                    raise self.error(opening.offset, f"more than {MAX_LIST_ITEMS} items", "limit")
        self.expect(close, f"',' or '{close}'")
        self.nesting -= 1
        return tuple(items)

    def primary(self) -> Node:
        t = self.peek()
        if t.kind == "number":
            self.advance()
            assert t.value is not None
            return Literal(t.offset, 1, t.value)
        if t.kind == "string":
            self.advance()
            return Literal(t.offset, 1, t.text)
        if t.kind == "keyword" and t.text in ("true", "false"):
            self.advance()
            return Literal(t.offset, 1, t.text == "true")
        if t.kind == "op" and t.text == "[":
            items = self.args("]")
            return ListLiteral(t.offset, self.node_depth(t.offset, *items), items)
        if t.kind == "op" and t.text == "(":
            self.advance()
            node = self.expr()
            self.expect(")", "')'")
            return node
        if t.kind == "ident":
            self.advance()
            if self.at("("):
                args = self.args(")")
                return Call(t.offset, self.node_depth(t.offset, *args), t.text, None, args)
            return FieldRef(t.offset, 1, t.text)
        raise self.error(t.offset, f"expected a value, a field or '(', found {_describe(t)}")


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "end of condition"
    if token.kind == "string":
        return "a string"
    return f"'{token.text}'"


def parse(source: str) -> Node:
    """The syntax tree of a condition, or a RuleError with the position of the first problem."""
    return _Parser(source).parse()
