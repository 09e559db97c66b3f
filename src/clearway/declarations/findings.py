"""Validation findings: every problem of a record with a stable code, a JSON-pointer path and a message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    path: str
    message: str
    severity: Severity = Severity.ERROR

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "path": self.path, "message": self.message}


def pointer(*parts: str | int) -> str:
    """RFC 6901 JSON pointer, escaping '~' and '/' inside keys."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def from_pydantic(exc: ValidationError) -> list[Finding]:
    return from_pydantic_errors(exc.errors(include_url=False))


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
