"""The schema check behind `clearway db check`: do the SQLAlchemy models and the database agree?

Alembic's autogenerate comparison of `clearway.migrations.metadata()` (every feature's tables) with the
reflected database, each difference as one line an operator can act on. An empty list after
`clearway db upgrade` means the migrations build exactly the schema the code declares.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, MetaData
    from sqlalchemy.engine.interfaces import Dialect
    from sqlalchemy.sql.schema import Column, ForeignKeyConstraint, Index, Table, UniqueConstraint

VERSION_TABLE = "alembic_version"


def differences(target: Engine | str) -> list[str]:
    """Every difference between the models and the database at `target` (an engine or a URL)."""
    from sqlalchemy import Engine

    from clearway.kit.database import make_engine

    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with engine.connect() as conn:
            return compare(conn)
    finally:
        if engine is not target:
            engine.dispose()


def compare(conn: Connection) -> list[str]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from clearway.migrations import metadata

    models = metadata()
    partitions = _partitions(conn, models)

    def include_name(name: str | None, kind: str, parent: dict[str, str | None]) -> bool:
        if kind == "table":
            return name != VERSION_TABLE and name not in partitions
        return True

    context = MigrationContext.configure(
        conn,
        opts={
            # Types matter: a JSON column that should be JSONB, a VARCHAR(22) that became TEXT, an integer
            # key of the wrong width. Alembic compares them by default; said here so that nobody turns it
            # off to quieten the check.
            "compare_type": True,
            # The models declare no server defaults: a default that only a migration set (or the reverse)
            # changes what an INSERT without that column stores, so it is a difference too.
            "compare_server_default": True,
            "include_name": include_name,
        },
    )
    return list(_describe_all(compare_metadata(context, models), conn.dialect))


def _partitions(conn: Connection, models: MetaData) -> set[str]:
    """PostgreSQL partitions of a table the models declare as partitioned: reflected as tables of their own,
    but created by whoever manages partitions (by time), not by the models."""
    if conn.dialect.name != "postgresql":
        return set()
    from sqlalchemy import text

    rows = conn.execute(
        text(
            "SELECT child.relname, parent.relname FROM pg_inherits "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "JOIN pg_namespace ns ON ns.oid = child.relnamespace "
            "WHERE child.relispartition AND ns.nspname = current_schema()"
        )
    )
    declared = set(models.tables)
    return {child for child, parent in rows if parent in declared}


def _describe_all(diffs: Sequence[Any], dialect: Dialect) -> Iterator[str]:
    # A missing (or extra) table brings its indexes and constraints with it: name the table only.
    whole = {d[1].name for d in diffs if isinstance(d, tuple) and d[0] in ("add_table", "remove_table")}
    for diff in diffs:
        if isinstance(diff, list):  # column changes come as a list of modify_* tuples
            yield from (_describe(change, dialect) for change in diff)
        elif not (diff[0] in _OF_A_TABLE and diff[1].table.name in whole):
            yield _describe(diff, dialect)


_OF_A_TABLE = ("add_index", "remove_index", "add_constraint", "remove_constraint", "add_fk", "remove_fk")


def _describe(diff: Sequence[Any], dialect: Dialect) -> str:
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        table: Table = diff[1]
        return f"table {_where(kind)}: {table.name}"
    if kind in ("add_column", "remove_column"):
        column: Column[Any] = diff[3]
        return f"column {_where(kind)}: {diff[2]}.{column.name}"
    if kind in ("add_index", "remove_index"):
        index: Index = diff[1]
        unique = "unique " if index.unique else ""
        return f"{unique}index {_where(kind)}: {index.name} on {_columns(index.table, index.columns)}"
    if kind in ("add_constraint", "remove_constraint"):
        constraint: UniqueConstraint = diff[1]
        on = _columns(constraint.table, constraint.columns)
        return f"unique constraint {_where(kind)}: {constraint.name} on {on}"
    if kind in ("add_fk", "remove_fk"):
        fk: ForeignKeyConstraint = diff[1]
        target = fk.elements[0].target_fullname.split(".")[0] if fk.elements else fk.referred_table.name
        return f"foreign key {_where(kind)}: {_columns(fk.table, fk.columns)} -> {target}"
    if kind.startswith("modify_"):
        _, _, table_name, column_name, _, in_database, in_models = diff
        what = kind.removeprefix("modify_")
        return (
            f"column {what} differs: {table_name}.{column_name}: database "
            f"{_render(what, in_database, dialect)}, models {_render(what, in_models, dialect)}"
        )
    return f"difference: {diff!r}"


def _where(kind: str) -> str:
    return "missing" if kind.startswith("add_") else "not in the models"


def _columns(table: Table | None, columns: Iterable[Any]) -> str:
    names = ", ".join(getattr(c, "name", str(c)) for c in columns)
    return f"{table.name if table is not None else '?'}({names})"


def _render(what: str, value: Any, dialect: Dialect) -> str:
    if what == "type":
        return str(value.compile(dialect=dialect))
    if what == "nullable":
        return "NULL" if value else "NOT NULL"
    if what == "default":
        arg = getattr(value, "arg", value)
        return "none" if arg is None else str(getattr(arg, "text", arg))
    return repr(value)
