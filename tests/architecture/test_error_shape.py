"""Every non-2xx answer of every API route is `application/problem+json` of one shape (RFC 9457).

The walk reads the routes from the app, so a route added later is covered without touching this file.
Each route is called in ways that must fail: without credentials, with ids that cannot exist, with
bodies that are not JSON or not the right JSON, with a method it does not have, and with the database
gone (the 500 path). Whatever it answers, if it is not 2xx or 3xx, must be a problem document with
`type`, `title`, `status` (equal to the HTTP status) and `detail`, and `errors[]` items with `code`,
`message` and either `path` or `line`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from clearway.config import Settings
from clearway.kit.database import make_engine
from clearway.security import keys
from clearway.server import create_app
from tests.routes import Endpoint, endpoints

BODIES: list[dict[str, Any]] = [
    {"content": b"{not json"},
    {"json": {}},
    {"json": []},
    {"json": {"type": "arrival", "shipments": "x", "reason": "\u0000", "at": "yesterday"}},
    {"content": b"\xff\xfe", "headers": {"content-type": "text/csv"}},
]
PATH_VALUES = ["1", "zzz", "45356476454501015552", "00000000-0000-0000-0000-000000000000"]


def assert_problem(response: httpx.Response, where: str) -> None:
    if response.status_code < 400:
        return
    assert response.headers.get("content-type", "").startswith("application/problem+json"), (
        where,
        response.status_code,
        response.text[:300],
    )
    body = response.json()
    assert isinstance(body.get("type"), str) and isinstance(body.get("title"), str), (where, body)
    assert body.get("status") == response.status_code and isinstance(body.get("detail"), str), (where, body)
    for item in body.get("errors", []):
        assert isinstance(item.get("code"), str) and isinstance(item.get("message"), str), (where, item)
        assert isinstance(item.get("path"), str) or isinstance(item.get("line"), int), (where, item)


def _url(path: str, value: str) -> str:
    return re.sub(r"\{(\w+)(?::[^}]*)?\}", value, path)


@pytest.fixture(scope="module")
def client(module_db_url: str) -> Iterator[tuple[TestClient, str, list[Endpoint]]]:
    engine = make_engine(module_db_url)
    with engine.begin() as conn:
        admin = keys.create_key(conn, "admin").key
    engine.dispose()
    app = create_app(Settings(database_url=module_db_url, auth="required", control_rate=0))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c, admin, [e for e in endpoints(app) if e.path.startswith("/v1")]


def test_every_failure_of_every_route_is_a_problem(client: tuple[TestClient, str, list[Endpoint]]) -> None:
    c, admin, found = client
    assert len(found) > 40
    statuses: Counter[int] = Counter()
    for e in found:
        for value in PATH_VALUES:
            url = _url(e.path, value)
            anonymous = c.request(e.method, url)
            assert_problem(anonymous, f"{e.method} {url} (no key)")
            statuses[anonymous.status_code] += 1
            for body in BODIES if e.method in ("POST", "PUT", "PATCH") else [{}]:
                headers = {"Authorization": f"Bearer {admin}", **body.get("headers", {})}
                kwargs = {k: v for k, v in body.items() if k != "headers"}
                answer = c.request(e.method, url, headers=headers, **kwargs)
                assert answer.status_code != 500, (e.method, url, body, answer.text[:300])
                assert_problem(answer, f"{e.method} {url} {body}")
                statuses[answer.status_code] += 1
    # The walk did exercise the failures it claims to check.
    assert {400, 401, 404, 422} <= set(statuses), statuses


def test_method_not_allowed_and_unknown_route_are_problems(
    client: tuple[TestClient, str, list[Endpoint]],
) -> None:
    c, admin, _ = client
    headers = {"Authorization": f"Bearer {admin}"}
    not_allowed = c.request("DELETE", "/v1/shipments", headers=headers)
    assert not_allowed.status_code == 405
    assert_problem(not_allowed, "DELETE /v1/shipments")
    unknown = c.get("/v1/no-such-thing", headers=headers)
    assert unknown.status_code == 404
    assert_problem(unknown, "GET /v1/no-such-thing")


def test_a_defect_answers_500_as_a_problem_without_internals(
    client: tuple[TestClient, str, list[Endpoint]], tmp_path: Any
) -> None:
    c, admin, found = client
    app: Any = c.app
    working = app.state.engine
    # A database that is gone: every route that reads or writes fails inside, not because of its input.
    app.state.engine = create_engine(f"sqlite:///{tmp_path}/missing/dir/nothing.db")
    try:
        seen = Counter[int]()
        for e in found:
            if e.method != "GET":
                continue
            url = _url(e.path, "1")
            answer = c.get(url, headers={"Authorization": f"Bearer {admin}"})
            assert_problem(answer, f"GET {url} (database gone)")
            seen[answer.status_code] += 1
            if answer.status_code == 500:
                assert "Traceback" not in answer.text and "sqlite" not in answer.text.lower()
        assert seen[500] > 5, seen
    finally:
        app.state.engine.dispose()
        app.state.engine = working
