"""Every domain error is a `ClearwayError` with a stable kebab-case `code`, an HTTP `status` and a `title`,
defined in its feature's `errors.py`; two errors share a code only on purpose (listed below)."""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

import clearway
from clearway.http.problems import Problem
from clearway.kit.errors import ClearwayError

PACKAGE = Path(clearway.__file__).parent
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

# An error decided at the HTTP edge: its status, title and type are the instance's, not the class's.
PER_INSTANCE = {Problem}

# Codes that several classes answer with on purpose: one meaning, one status.
INTENTIONAL_SHARES: dict[str, set[str]] = {
    # The kit's own classes and the feature errors that are exactly them, with a sentence of their own.
    "not-found": {"clearway.kit.errors.NotFound", "clearway.clearance.errors.ShipmentNotFound"},
    "validation": {"clearway.kit.errors.Invalid", "clearway.clearance.errors.StatedTimeRefused"},
    "forbidden-role": {"clearway.kit.errors.Forbidden", "clearway.clearance.errors.NotPermitted"},
    # Nothing in the period or offices asked for: said plainly (404) rather than answered with zeros,
    # whether it is a study, a backtest or a simulation that finds nothing to work on.
    "empty-scope": {
        "clearway.measurement.errors.EmptyScope",
        "clearway.risk.errors.EmptyRange",
        "clearway.revenue.errors.NothingToSimulate",
    },
}


def errors_modules() -> list[str]:
    """The kit's errors and every feature's `errors.py`, found on disk (a new feature is covered too)."""
    found = sorted(path.parent.name for path in PACKAGE.glob("*/errors.py"))
    return [f"clearway.{name}.errors" for name in found]


def _subclasses(cls: type[ClearwayError]) -> Iterator[type[ClearwayError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def domain_errors() -> list[type[ClearwayError]]:
    for module in errors_modules():
        importlib.import_module(module)
    found = {c for c in _subclasses(ClearwayError) if c.__module__.startswith("clearway.")}
    # Problem and its subclasses (e.g. http.security.Unauthenticated) set theirs per instance.
    return sorted((c for c in found if not issubclass(c, tuple(PER_INSTANCE))), key=_name)


ERRORS = domain_errors()


def test_every_feature_errors_module_is_walked() -> None:
    modules = {c.__module__ for c in ERRORS}
    expected = {
        "clearway.kit.errors",
        "clearway.clearance.errors",
        "clearway.measurement.errors",
        "clearway.reference.errors",
        "clearway.revenue.errors",
        "clearway.risk.errors",
        "clearway.security.errors",
    }
    assert expected <= modules
    assert len(ERRORS) > 40


@pytest.mark.parametrize("error", ERRORS, ids=_name)
def test_each_error_has_a_code_a_status_and_a_title(error: type[ClearwayError]) -> None:
    assert error.code != ClearwayError.code and KEBAB.fullmatch(error.code), error.code
    assert isinstance(error.status, int) and 400 <= error.status <= 599
    assert isinstance(error.title, str) and error.title.strip() and error.title == error.title.strip()


def test_a_code_names_one_kind_of_error_unless_shared_on_purpose() -> None:
    by_code: dict[str, set[type[ClearwayError]]] = defaultdict(set)
    for error in ERRORS:
        by_code[error.code].add(error)
    shared = {code: {_name(c) for c in classes} for code, classes in by_code.items() if len(classes) > 1}
    assert shared == INTENTIONAL_SHARES
    for code, classes in by_code.items():
        assert len({c.status for c in classes}) == 1, (code, {_name(c): c.status for c in classes})


def test_a_type_uri_is_the_code_under_the_problem_types() -> None:
    from clearway.revenue.errors import AccountError

    error = AccountError("limit", "must be between 0 and 10,000,000,000,000")
    assert error.type_uri == "https://clearway.dev/problems/account"
    assert [f.as_dict() for f in error.errors] == [
        {"code": "account.limit", "path": "/limit", "message": "must be between 0 and 10,000,000,000,000"}
    ]


def test_errors_keep_their_builtin_base() -> None:
    # Callers that caught ValueError or LookupError before the errors became ClearwayErrors still do.
    from clearway.measurement.errors import EmptyScope, UnknownDimension
    from clearway.reference.errors import RateNotFound
    from clearway.revenue.errors import AccountError, UnknownAccount
    from clearway.risk.errors import RuleError, RuleNotFound

    values: tuple[type[ClearwayError], ...] = (AccountError, UnknownDimension, RuleError)
    lookups: tuple[type[ClearwayError], ...] = (UnknownAccount, EmptyScope, RateNotFound, RuleNotFound)
    assert all(issubclass(error, ValueError) for error in values)
    assert all(issubclass(error, LookupError) for error in lookups)


_EXCEPTION_BASES = {
    "Exception",
    "ValueError",
    "LookupError",
    "KeyError",
    "RuntimeError",
    "ClearwayError",
    "NotFound",
    "Invalid",
    "Conflict",
    "Forbidden",
}


def _exception_classes(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            bases = {
                b.id if isinstance(b, ast.Name) else b.attr
                for b in node.bases
                if isinstance(b, ast.Name | ast.Attribute)
            }
            if bases & _EXCEPTION_BASES or any(b.endswith("Error") for b in bases):
                yield node.name


def test_exceptions_are_defined_in_errors_modules_only() -> None:
    elsewhere = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "errors.py"
        for name in _exception_classes(path)
    }
    assert elsewhere == {"http/problems.py: Problem"}


def test_the_command_line_treats_any_domain_error_as_a_known_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import typer

    from clearway.cli._common import known_errors
    from clearway.risk.errors import RuleNotFound

    with pytest.raises(typer.Exit) as exited, known_errors():
        raise RuleNotFound("R-1")
    assert exited.value.exit_code == 2
    assert capsys.readouterr().err.strip() == "error: no rule R-1"
