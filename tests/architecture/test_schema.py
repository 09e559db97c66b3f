"""The schema check: after `clearway db upgrade` the models and the database agree, on SQLite and
PostgreSQL, and `clearway db check` names what is missing when they do not."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from typer.testing import CliRunner

from clearway.cli import app
from clearway.kit.database import make_engine
from clearway.migrations import alembic_config, database_revisions, head_revision
from clearway.migrations.check import differences

runner = CliRunner()


def _execute(url: str, *statements: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    assert differences(db_url) == []
    done = runner.invoke(app, ["db", "check", "--db", db_url])
    assert done.exit_code == 0, done.output
    assert "schema agrees with the models" in done.output


def test_a_dropped_table_column_or_index_is_named(db_url: str) -> None:
    _execute(
        db_url,
        "DROP TABLE trs_runs",
        "ALTER TABLE webhooks DROP COLUMN secret",
        "DROP INDEX ix_events_at",
        "CREATE TABLE stray (x INTEGER)",
    )
    assert sorted(differences(db_url)) == [
        "column missing: webhooks.secret",
        "index missing: ix_events_at on events(at)",
        "table missing: trs_runs",
        "table not in the models: stray",
    ]
    done = runner.invoke(app, ["db", "check", "--db", db_url])
    assert done.exit_code == 1
    assert "table missing: trs_runs" in done.stdout and "column missing: webhooks.secret" in done.stdout


def test_a_column_of_another_type_is_named(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite cannot change a column's type in place")
    _execute(db_url, "ALTER TABLE shipments ALTER COLUMN lrn TYPE TEXT")
    assert differences(make_engine(db_url)) == [
        "column type differs: shipments.lrn: database TEXT, models VARCHAR(22)"
    ]


def test_a_database_behind_the_migrations_fails_the_check(db_url: str) -> None:
    _execute(db_url, "UPDATE alembic_version SET version_num = '0001'")
    assert database_revisions(db_url) == {"0001"}
    done = runner.invoke(app, ["db", "check", "--db", db_url])
    assert done.exit_code == 1 and "run `clearway db upgrade`" in done.stdout


def test_the_head_read_from_the_version_files_is_alembics() -> None:
    # `upgrade` skips Alembic when the database is at this revision: it must be Alembic's own head.
    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_partitions_of_a_declared_partitioned_table_are_not_differences(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("partitions are PostgreSQL's")
    from sqlalchemy import Column, Integer, MetaData, Table

    from clearway.migrations.check import _partitions

    _execute(
        db_url,
        "CREATE TABLE readings (x INTEGER) PARTITION BY RANGE (x)",
        "CREATE TABLE readings_0 PARTITION OF readings FOR VALUES FROM (0) TO (10)",
    )
    declared = MetaData()
    Table("readings", declared, Column("x", Integer))
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert _partitions(conn, declared) == {"readings_0"}
        assert _partitions(conn, MetaData()) == set()  # undeclared: the check reports both tables
    engine.dispose()
    assert sorted(differences(db_url)) == [
        "table not in the models: readings",
        "table not in the models: readings_0",
    ]
