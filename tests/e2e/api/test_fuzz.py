"""Schemathesis over the served OpenAPI document, in-process (ASGI), with an administrator key and a
filer key, on SQLite and PostgreSQL: no answer may be a 5xx, and every answer must match its documented
schema and content type (issue "Trustworthy", "keep it closed"). A fixed seed and a bounded number of
examples keep it to a short CI profile; `CLEARWAY_FUZZ_EXAMPLES=200 uv run pytest tests/e2e/api/test_fuzz.py`
runs a long one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from clearway.config import Settings
from clearway.intake.pipeline import Submission, process_batch
from clearway.kit.database import make_engine
from clearway.security import keys
from clearway.server import create_app
from tests.sample import recent

EXAMPLES = int(os.environ.get("CLEARWAY_FUZZ_EXAMPLES", "8"))


@pytest.fixture(scope="module")
def target(module_db_url: str) -> Iterator[tuple[Any, dict[str, str]]]:
    engine = make_engine(module_db_url)
    settings_ = Settings(database_url=module_db_url, auth="required", control_rate=0)
    process_batch(engine, [Submission(recent(f"FUZZ{k}")) for k in range(3)], settings_)
    with engine.begin() as conn:
        made = {
            "admin": keys.create_key(conn, "admin").key,
            "filer": keys.create_key(conn, "filer", "DHLEXPRESS").key,
        }
    engine.dispose()
    yield create_app(settings_), made


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations: list[Any] = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    return operations


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


CALLS: list[int] = []  # requests sent, for the report of a long run


def _fuzz(operation: Any, who: str, headers: dict[str, str]) -> str | None:
    """Run one operation's generated cases; the first failure, or None."""
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            CALLS.append(1)
            response = case.call(headers=headers)  # an exception in the app surfaces here (a 500)
            case.validate_response(response, checks=CHECKS)
        except BaseException as exc:  # schemathesis raises a group of failures; keep the first
            if isinstance(exc, KeyboardInterrupt):
                raise
            found.append(f"{who} {operation.label}: {str(exc)[:400]}")

    run()
    return found[0] if found else None


def test_no_server_error_and_every_answer_matches_its_schema(target: tuple[Any, dict[str, str]]) -> None:
    app, made = target
    operations = _operations(app)
    assert len(operations) > 40
    failures = [
        failure
        for operation in operations
        for who in ("admin", "filer")
        if (failure := _fuzz(operation, who, {"Authorization": f"Bearer {made[who]}"})) is not None
    ]
    print(f"fuzz: {len(CALLS)} requests so far, {len(operations)} operations, {EXAMPLES} examples each")
    assert not failures, "\n".join(failures[:20])
