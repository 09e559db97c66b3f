"""Tokens of the rule language. Hand-written: every token knows its offset for error messages."""

from __future__ import annotations

from dataclasses import dataclass

from clearway.risk.errors import Position, RuleError

MAX_SOURCE_LENGTH = 4000
MAX_TOKENS = 1000

KEYWORDS = {"and", "or", "not", "in", "true", "false"}
# CEL spellings are accepted too, so analysts who know CEL are not tripped up.
ALIASES = {"&&": "and", "||": "or", "!": "not"}
TWO_CHAR = {"==", "!=", "<=", ">=", "&&", "||"}
ONE_CHAR = set("<>+-*/().,[]!")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number, string, ident, op, keyword, end
    text: str  # the operator or keyword, the identifier, or the decoded string literal
    offset: int
    value: float | None = None


def _error(source: str, offset: int, reason: str, kind: str = "syntax") -> RuleError:
    return RuleError(kind, reason, Position.at(source, offset))


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_SOURCE_LENGTH:
        raise _error(
            source, MAX_SOURCE_LENGTH, f"condition longer than {MAX_SOURCE_LENGTH} characters", "limit"
        )
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c in " \t\r\n":
            i += 1
            continue
        if len(tokens) >= MAX_TOKENS:
            raise _error(source, i, f"condition has more than {MAX_TOKENS} tokens", "limit")
        if c.isascii() and (c.isdigit() or (c == "." and i + 1 < n and source[i + 1].isdigit())):
            i = _number(source, i, tokens)
        elif c in "\"'":
            i = _string(source, i, tokens)
        elif c.isascii() and (c.isalpha() or c == "_"):
            start = i
            while i < n and source[i].isascii() and (source[i].isalnum() or source[i] == "_"):
                i += 1
            word = source[start:i]
            tokens.append(Token("keyword" if word in KEYWORDS else "ident", word, start))
        elif source[i : i + 2] in TWO_CHAR:
            op = source[i : i + 2]
            tokens.append(Token("keyword" if op in ALIASES else "op", ALIASES.get(op, op), i))
            i += 2
        elif c in ONE_CHAR:
            tokens.append(Token("keyword" if c in ALIASES else "op", ALIASES.get(c, c), i))
            i += 1
        elif c == "=":
            raise _error(source, i, "'=' is not an operator: use '==' to compare")
        else:
            raise _error(source, i, f"unexpected character {c!r}")
    tokens.append(Token("end", "", n))
    return tokens


def _number(source: str, i: int, tokens: list[Token]) -> int:
    start, n = i, len(source)
    while i < n and source[i].isascii() and source[i].isdigit():
        i += 1
    if i < n and source[i] == "." and i + 1 < n and source[i + 1].isascii() and source[i + 1].isdigit():
        i += 1
        while i < n and source[i].isascii() and source[i].isdigit():
            i += 1
    if i < n and source[i].isascii() and (source[i].isalpha() or source[i] == "_"):
        raise _error(source, i, f"unexpected {source[i]!r} after number")
    text = source[start:i]
    if len(text) > 30:
        raise _error(source, start, "number literal too long", "limit")
    tokens.append(Token("number", text, start, float(text)))
    return i


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


def _string(source: str, i: int, tokens: list[Token]) -> int:
    quote, start, n = source[i], i, len(source)
    i += 1
    out: list[str] = []
    while i < n and source[i] != quote:
        if source[i] == "\n":
            raise _error(source, i, "line break inside a string literal")
        if source[i] == "\\":
            if i + 1 >= n or source[i + 1] not in _ESCAPES:
                raise _error(source, i, "unknown escape in string literal (use \\\\, \\\", \\', \\n or \\t)")
            out.append(_ESCAPES[source[i + 1]])
            i += 2
            continue
        out.append(source[i])
        i += 1
    if i >= n:
        raise _error(source, start, "string literal not closed")
    tokens.append(Token("string", "".join(out), start))
    return i + 1
