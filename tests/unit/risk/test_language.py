"""The rule language: precedence, types, every operator, errors with positions, limits, hostile input,
and the compiled Polars expression against the row-at-a-time reference evaluator."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearway.risk.errors import RuleError
from clearway.risk.language import FIELDS, build_frame, compile_condition
from clearway.risk.language.interpret import evaluate
from clearway.risk.language.syntax import MAX_NESTING, MAX_TREE_DEPTH, Binary, Unary, parse
from clearway.risk.ruleset import RuleSpec

ROWS: list[dict[str, Any]] = [
    {
        "origin": "CN",
        "office_of_entry": "DELEJ001",
        "consignment.total_value_eur": 140,
        "packages": 2,
        "gift": False,
        "seller.name": "Shenzhen Bright Trading",
        "goods": [
            {"hs_code": "85171300", "description": "Smartphone", "unit_value_eur": 30, "quantity": 1},
            {"hs_code": "610910", "description": "T-shirt", "unit_value_eur": 12.5, "quantity": 2},
        ],
    },
    {
        "origin": "US",
        "office_of_entry": None,
        "consignment.total_value_eur": 10,
        "packages": 1,
        "gift": True,
        "seller.name": "acme",
        "goods": [],
    },
]
FRAME = build_frame(ROWS)


def hits(condition: str) -> list[bool]:
    return compile_condition(condition).hits(FRAME).to_list()


def error(condition: str) -> RuleError:
    with pytest.raises(RuleError) as info:
        compile_condition(condition)
    return info.value


# Precedence and operators -----------------------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    tree = parse("gift or origin == 'CN' and packages > 5")
    assert isinstance(tree, Binary) and tree.op == "or"
    assert isinstance(tree.right, Binary) and tree.right.op == "and"
    # gift | (CN & packages > 5): row 1 false (CN but 2 packages), row 2 true (gift)
    assert hits("gift or origin == 'CN' and packages > 5") == [False, True]
    assert hits("(gift or origin == 'CN') and packages > 5") == [False, False]


def test_not_binds_looser_than_comparison_and_multiplication_tighter_than_addition() -> None:
    tree = parse("not packages == 1")
    assert isinstance(tree, Unary) and isinstance(tree.operand, Binary) and tree.operand.op == "=="
    assert hits("not packages == 1") == [True, False]
    # 1 + 2 * 3 = 7, not 9
    assert hits("packages + 2 * 3 == 8") == [True, False]
    assert hits("(packages + 2) * 3 == 12") == [True, False]
    assert hits("packages - 1 - 1 == 0") == [True, False]  # left-associative: (2 - 1) - 1


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("consignment.total_value_eur > 100", [True, False]),
        ("consignment.total_value_eur >= 140", [True, False]),
        ("consignment.total_value_eur < 10", [False, False]),
        ("consignment.total_value_eur <= 10", [False, True]),
        ("origin != 'CN'", [False, True]),
        ('origin == "US"', [False, True]),
        ("origin in ['CN', 'HK']", [True, False]),
        ("packages in [1, 3]", [False, True]),
        ("consignment.total_value_eur / packages == 70", [True, False]),
        ("consignment.total_value_eur * 2 - 20 == 260", [True, False]),
        ("-packages == -2", [True, False]),
        ("seller.name.startsWith('Shen')", [True, False]),
        ("seller.name.endsWith('acme')", [False, True]),
        ("seller.name.contains('Bright')", [True, False]),
        ("seller.name.lower().contains('bright')", [True, False]),
        ("seller.name.upper() == 'ACME'", [False, True]),
        ("seller.name.matches('^[A-Z][a-z]+ Bright')", [True, False]),
        ("size(seller.name) == 4", [False, True]),
        ("size(goods) == 0", [False, True]),
        ("any(goods, goods.hs_code.startsWith('8517') and goods.unit_value_eur < 40)", [True, False]),
        ("all(goods, goods.unit_value_eur > 10)", [True, True]),  # vacuously true without items
        ("count(goods, goods.quantity >= 1) == 2", [True, False]),
        ("gift == true", [False, True]),
        ("not gift && origin == 'CN' || false", [True, False]),
        ("!gift", [True, False]),
    ],
)
def test_operator(condition: str, expected: list[bool]) -> None:
    assert hits(condition) == expected


def test_null_field_never_hits_and_follows_three_valued_logic() -> None:
    # office_of_entry is null on row 2: the comparison is null (not hit), and so is its negation
    assert hits("office_of_entry == 'DELEJ001'") == [True, False]
    assert hits("not (office_of_entry == 'DELEJ001')") == [False, False]
    assert hits("office_of_entry == 'X' or gift") == [False, True]  # null or true is true
    assert hits("office_of_entry in ['DELEJ001']") == [True, False]


def test_division_by_zero_is_null_not_infinite() -> None:
    assert hits("packages / (packages - 1) > 0") == [True, False]  # row 2 divides by zero


# Errors with positions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "kind", "line", "column", "fragment"),
    [
        ("orign == 'CN'", "field", 1, 1, "unknown field 'orign'; did you mean 'origin'"),
        ("origin == 'CN' and\n  goods.hs_code == '1'", "field", 2, 3, "goods-item field"),
        ("any(goods, origin == 'CN')", "field", 1, 12, "only goods fields"),
        ("origin = 'CN'", "syntax", 1, 8, "use '=='"),
        ("origin == ", "syntax", 1, 11, "found end of condition"),
        ("(origin == 'CN'", "syntax", 1, 16, "expected ')'"),
        ("origin == 'CN", "syntax", 1, 11, "string literal not closed"),
        ("packages > 1 > 0", "syntax", 1, 14, "do not chain"),
        ("packages + 'a' > 1", "type", 1, 12, "'+' needs a number, this is a string"),
        ("origin == 1", "type", 1, 8, "compares a string with a number"),
        ("origin", "type", 1, 1, "must be true or false"),
        ("origin in [1, 2]", "type", 1, 12, "string literals"),
        ("seller.name.shout()", "syntax", 1, 13, "unknown method 'shout'"),
        ("seller.name.matches('(?=a)')", "type", 1, 21, "lookaround"),
        ("seller.name.matches('(')", "type", 1, 21, "invalid pattern"),
        ("any(goods, any(goods, true))", "type", 1, 12, "cannot be nested"),
        ("any(goods, size(goods) > 1)", "field", 1, 17, "read through goods.* fields"),
        ("origin == 'CN' $", "syntax", 1, 16, "unexpected character '$'"),
    ],
)
def test_error_carries_kind_position_and_reason(
    condition: str, kind: str, line: int, column: int, fragment: str
) -> None:
    e = error(condition)
    assert (e.kind, e.position.line, e.position.column) == (kind, line, column), e.as_dict()
    assert fragment in e.reason
    assert e.as_dict()["offset"] == e.position.offset


def test_nesting_and_length_limits() -> None:
    assert error("(" * (MAX_NESTING + 1) + "gift" + ")" * (MAX_NESTING + 1)).kind == "limit"
    assert error("not " * (MAX_NESTING + 1) + "gift").kind == "limit"
    # a flat chain is not nested for the parser but makes a deep tree
    assert error(" + ".join(["packages"] * (MAX_TREE_DEPTH + 2)) + " > 0").kind == "limit"
    assert error("gift or " * 2000 + "gift").kind == "limit"  # over 4,000 characters
    # just inside the limits compiles
    compile_condition("(" * (MAX_NESTING - 1) + "gift" + ")" * (MAX_NESTING - 1))


# Hostile input ------------------------------------------------------------------------------------------

WORDS = [
    "and",
    "or",
    "not",
    "in",
    "origin",
    "goods",
    "any(",
    "count(",
    "size(",
    "gift",
    "goods.hs_code",
    "'CN'",
    "1.5",
]
ALPHABET = st.sampled_from([*"()[]{}.,!=<>&|+-*/'\"\\ \n\t0123456789_aZ$#é", *WORDS])


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_random_input_parses_or_gives_a_positioned_error(source: str) -> None:
    try:
        compiled = compile_condition(source)
    except RuleError as e:
        assert 0 <= e.position.offset <= len(source)
        assert e.position.line >= 1 and e.position.column >= 1
        assert e.kind in ("syntax", "field", "type", "limit") and e.reason
    else:  # what compiles also evaluates
        assert compiled.hits(FRAME).len() == FRAME.height


ANY_FIELD = st.sampled_from(["goods", "origin", "packages", "gift", "seller.name", "goods.hs_code",
                             "goods.quantity", "office_of_entry", "indicator.split_count"])  # fmt: skip
ANY_LITERAL = st.sampled_from(["1", "0", "-2.5", "'CN'", "''", "true", "false", "[]", "['a', 1]", "[1, 2]"])


@st.composite
def untyped(draw: st.DrawFn, depth: int = 3) -> str:
    """Syntactically plausible expressions with no regard for types or scopes: the checker must refuse
    whatever the compiler or Polars could not handle."""
    choice = draw(st.integers(0, 6 if depth > 0 else 1))
    if choice == 0:
        return draw(ANY_FIELD)
    if choice == 1:
        return draw(ANY_LITERAL)
    if choice == 2:
        return f"{draw(st.sampled_from(['not ', '-']))}({draw(untyped(depth - 1))})"
    if choice == 3:
        op = draw(st.sampled_from(["and", "or", "==", "!=", "<", ">=", "in", "+", "-", "*", "/"]))
        return f"({draw(untyped(depth - 1))}) {op} ({draw(untyped(depth - 1))})"
    if choice == 4:
        method = draw(
            st.sampled_from(["startsWith", "endsWith", "contains", "matches", "lower", "upper", "size"])
        )
        args = draw(st.lists(untyped(depth - 1), max_size=2))
        return f"({draw(untyped(depth - 1))}).{method}({', '.join(args)})"
    name = draw(st.sampled_from(["any", "all", "count", "size", "exists"]))
    args = draw(st.lists(untyped(depth - 1), max_size=3))
    return f"{name}({', '.join(args)})"


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(untyped())
def test_whatever_the_checker_accepts_evaluates(source: str) -> None:
    try:
        compiled = compile_condition(source)
    except RuleError as e:
        assert 0 <= e.position.offset <= len(source) and e.reason
        return
    assert compiled.hits(FRAME).len() == FRAME.height


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_crashes(source: str) -> None:
    try:
        compiled = compile_condition(source)
    except RuleError as e:
        assert 0 <= e.position.offset <= len(source)
    else:
        assert compiled.hits(FRAME).len() == FRAME.height


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=5000), st.sampled_from(["(", "not ", "-", "[", "any(goods, "]))
def test_deep_nesting_is_bounded(depth: int, opener: str) -> None:
    try:
        compile_condition(opener * depth + "gift")
    except RuleError as e:
        assert e.kind in ("limit", "syntax", "type")


# Compiled Polars against the reference evaluator ------------------------------------------------------

STRINGS = st.sampled_from(["CN", "US", "HK", "", "cn", "Acme Ltd", "acme"])
NUMBERS = st.one_of(st.none(), st.integers(-3, 300).map(float), st.sampled_from([0.5, 2.25, 0.0]))
ITEM = st.fixed_dictionaries(
    {
        "hs_code": st.sampled_from(["85171300", "610910", "9302", "220421"]),
        "description": st.sampled_from(["Smartphone", "gift", "T-shirt"]),
        "origin_country": st.one_of(st.none(), STRINGS),
        "quantity": NUMBERS,
        "unit_value_eur": NUMBERS,
    }
)
ROW = st.fixed_dictionaries(
    {
        "origin": st.one_of(st.none(), STRINGS),
        "seller.name": st.one_of(st.none(), STRINGS),
        "packages": NUMBERS,
        "consignment.total_value_eur": NUMBERS,
        "gift": st.one_of(st.none(), st.booleans()),
        "goods": st.lists(ITEM, max_size=3),
    }
)


def _number(draw: st.DrawFn, depth: int, item: bool) -> str:
    fields = (
        ["goods.quantity", "goods.unit_value_eur"] if item else ["packages", "consignment.total_value_eur"]
    )
    choice = draw(st.integers(0, 4 if depth > 0 else 1))
    if choice == 0:
        return draw(st.sampled_from(fields))
    if choice == 1:
        return draw(st.sampled_from(["0", "1", "2.5", "150"]))
    if choice == 2 and not item:
        return draw(st.sampled_from(["size(goods)", "size(seller.name)", "count(goods, goods.quantity > 1)"]))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({_number(draw, depth - 1, item)} {op} {_number(draw, depth - 1, item)})"


def _string(draw: st.DrawFn, item: bool) -> str:
    base = draw(
        st.sampled_from(["goods.origin_country", "goods.hs_code"] if item else ["origin", "seller.name"])
    )
    return base + draw(st.sampled_from(["", ".lower()", ".upper()"]))


@st.composite
def conditions(draw: st.DrawFn, depth: int = 3, item: bool = False) -> str:
    choice = draw(st.integers(0, 8 if depth > 0 else 4))
    if choice == 0:
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
        return f"{_number(draw, 2, item)} {op} {_number(draw, 2, item)}"
    if choice == 1:
        op = draw(st.sampled_from(["==", "!=", "<", ">="]))
        return f"{_string(draw, item)} {op} '{draw(STRINGS)}'"
    if choice == 2:
        method = draw(st.sampled_from(["startsWith", "endsWith", "contains", "matches"]))
        arg = draw(st.sampled_from(["C", "a", "", "85", "^[A-Z]+$", "cm"]))
        return f"{_string(draw, item)}.{method}('{arg}')"
    if choice == 3:
        values = draw(st.lists(STRINGS, max_size=3))
        return f"{_string(draw, item)} in [{', '.join(repr(v) for v in values)}]"
    if choice == 4:
        return "gift" if not item else f"{_number(draw, 1, item)} in [0, 1, 2]"
    if choice == 5:
        return f"not ({draw(conditions(depth - 1, item))})"
    if choice in (6, 7):
        op = draw(st.sampled_from(["and", "or"]))
        return f"({draw(conditions(depth - 1, item))}) {op} ({draw(conditions(depth - 1, item))})"
    if item:
        return draw(conditions(depth - 1, item))
    quantifier = draw(st.sampled_from(["any", "all"]))
    return f"{quantifier}(goods, {draw(conditions(depth - 1, True))})"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions(), st.lists(ROW, min_size=1, max_size=6))
def test_compiled_polars_equals_the_reference_evaluator(condition: str, rows: list[dict[str, Any]]) -> None:
    compiled = compile_condition(condition)
    frame = build_frame(rows)
    vectorised = compiled.values(frame).to_list()
    reference = [evaluate(compiled.tree, row) for row in rows]
    assert vectorised == reference, condition


def test_frame_has_one_row_per_shipment_and_item_structs() -> None:
    assert FRAME.height == 2
    assert FRAME["goods"].list.len().to_list() == [2, 0]
    assert FRAME.schema["consignment.total_value_eur"] == pl.Float64


def test_documentation_lists_every_field_and_its_examples_compile() -> None:
    doc = (Path(__file__).parents[3] / "docs" / "rule-language.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_.]+)` \| (?:number|string|bool) \|", doc, re.MULTILINE))
    assert documented == set(FIELDS)
    examples = re.findall(r"```text\n(.*?)```", doc, re.DOTALL)[0].strip().splitlines()
    assert len(examples) == 5
    for condition in examples:
        compile_condition(condition)
    toml = re.findall(r"```toml\n(.*?)```", doc, re.DOTALL)[0]
    for rule in tomllib.loads(toml)["rules"]:
        compile_condition(RuleSpec.model_validate(rule).condition)
