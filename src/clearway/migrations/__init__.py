"""Schema migrations (Alembic) over the complete metadata of every feature, and the schema check.

`metadata()` imports every feature's `tables.py`, so Alembic's autogenerate and `clearway db check` see
all tables; a feature that adds a tables module lists it in `_TABLE_MODULES`.
"""

from __future__ import annotations

import importlib
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import MetaData

# Only modules that define tables: importing the metadata must not load Polars or LightGBM (the risk rule
# set and the model registry keep their tables in clearway.risk.tables).
_TABLE_MODULES = (
    "clearway.declarations.tables",
    "clearway.risk.tables",
    "clearway.revenue.tables",
    "clearway.clearance.tables",
    "clearway.security.tables",
    "clearway.measurement.tables",
)


def metadata() -> MetaData:
    """The one `MetaData` with every feature's tables registered on it."""
    from clearway.kit.tables import Base

    for name in _TABLE_MODULES:
        importlib.import_module(name)
    return Base.metadata


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    from clearway.kit.database import normalise_url

    config = Config()
    config.set_main_option("script_location", str(resources.files("clearway.migrations")))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


_VERSIONS = Path(__file__).parent / "versions"
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*(.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def head_revision() -> str | None:
    """The latest revision, read from the text of the version files (Alembic costs most of a second to
    import); None when it cannot be told that way (several heads, a file not in the usual form), and then
    only Alembic decides. tests/architecture/test_schema.py checks it against Alembic's own answer."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in _VERSIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        names = _QUOTED.findall(revision.group(1)) if revision else []
        if len(names) != 1 or down is None:
            return None
        revisions.add(names[0])
        parents.update(_QUOTED.findall(down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def database_revisions(url: str) -> set[str] | None:
    """The revisions recorded in the database, or None when there is no version table to read (nor, for
    SQLite, a file: reading never creates one)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from clearway.kit.database import make_engine

    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).exists():
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate to `revision`. A database already at the head is recognised without importing Alembic, so
    that commands which bring the schema up to date first (`clearway keys create`, ...) start fast."""
    if revision == "head":
        latest = head_revision()
        if latest is not None and database_revisions(url) == {latest}:
            return
    from alembic import command

    command.upgrade(alembic_config(url), revision)
