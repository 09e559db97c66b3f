"""Database fixtures: every integration test runs on SQLite and on PostgreSQL.

PostgreSQL comes from CLEARWAY_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres).
Without it the PostgreSQL cases skip with a visible reason, unless CLEARWAY_REQUIRE_POSTGRES=1 (as in
CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from clearway.kit.database import make_engine, normalise_url
from clearway.migrations import upgrade

POSTGRES_URL = os.environ.get("CLEARWAY_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("CLEARWAY_REQUIRE_POSTGRES") == "1"
# One template per pytest process, so that concurrent runs never drop each other's template.
TEMPLATE = f"clearway_test_template_{uuid.uuid4().hex[:8]}"


def _admin_engine() -> Engine:
    assert POSTGRES_URL
    return create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")


def _url_for(database: str) -> str:
    assert POSTGRES_URL
    return make_url(normalise_url(POSTGRES_URL)).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated database that each test copies (CREATE DATABASE ... TEMPLATE beats migrating each time)."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("CLEARWAY_REQUIRE_POSTGRES=1 but CLEARWAY_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured: set CLEARWAY_TEST_POSTGRES_URL to run these cases")
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{TEMPLATE}"'))
    except Exception as exc:
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} not reachable: {exc}")
    upgrade(_url_for(TEMPLATE))
    yield TEMPLATE
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def _database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'clearway.db'}"
        upgrade(url)
        yield url
        return
    template = request.getfixturevalue("postgres_template")
    name = f"clearway_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _url_for(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database per test."""
    with _database(request, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database shared by the tests of a module (e.g. behind one server process)."""
    with _database(request, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()
