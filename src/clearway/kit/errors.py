"""Errors: the base class every feature's errors derive from, and the one field-error type.

A `ClearwayError` carries a stable `code`, the HTTP `status` it answers and a short `title`; the API's one
exception handler (`clearway.http.problems`) turns any of them into RFC 9457 problem details, the CLI into
a message and a non-zero exit. Its `errors` are `Finding`s: one shape everywhere — a stable code, where
(a JSON pointer `path`, or `line`/`column` in a file) and a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

PROBLEM_TYPES = "https://clearway.dev/problems/"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of a field: `path` is a JSON pointer into the record; a file position is `line` and
    `column` (1-based) instead, with `path` naming the column or field when known."""

    code: str
    path: str
    message: str
    severity: Severity = Severity.ERROR
    line: int | None = None
    column: int | str | None = None  # a position in the line, or the name of a CSV column

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code}
        if self.line is not None:
            out["line"] = self.line
            if self.column is not None:
                out["column"] = self.column
        if self.path or self.line is None:
            out["path"] = self.path
        out["message"] = self.message
        return out


class ClearwayError(Exception):
    """The base of every domain error. Subclasses set `code`, `status` and `title`; an instance adds a
    `detail` sentence, field errors and any extra members of the problem document."""

    code: str = "error"
    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str, *, errors: Sequence[Finding] = (), **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return PROBLEM_TYPES + self.code


class NotFound(ClearwayError):
    code, status, title = "not-found", 404, "Not found"


class Invalid(ClearwayError):
    """Input that breaks a rule: the field errors say which field and why."""

    code, status, title = "validation", 422, "Unprocessable content"


class Conflict(ClearwayError):
    code, status, title = "conflict", 409, "Conflict"


class Forbidden(ClearwayError):
    code, status, title = "forbidden-role", 403, "Forbidden"


def pointer(*parts: str | int) -> str:
    """RFC 6901 JSON pointer, escaping '~' and '/' inside keys."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def from_pydantic(exc: ValidationError, *, union_tag: str | None = None) -> list[Finding]:
    """Field errors with JSON pointers into the body. For a discriminated union (events by `type`),
    pydantic puts the chosen member's tag first in the location: `union_tag` names it to leave it out."""
    errs = exc.errors(include_url=False)
    if union_tag is not None:
        errs = [{**e, "loc": e["loc"][1:]} if e["loc"][:1] == (union_tag,) else e for e in errs]
    return from_pydantic_errors(errs)


def from_pydantic_errors(errs: Sequence[Any]) -> list[Finding]:
    return [
        Finding(code=f"schema.{err['type']}", path=pointer(*err["loc"]), message=err["msg"]) for err in errs
    ]


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.WARNING]


def as_dicts(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.as_dict() for f in findings]
