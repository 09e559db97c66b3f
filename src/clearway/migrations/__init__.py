"""Schema migrations (Alembic) over the complete metadata of every feature, and the schema check.

`metadata()` imports every feature's `tables.py`, so Alembic's autogenerate and `clearway db check` see
all tables; a feature that adds a tables module lists it in `_TABLE_MODULES`.
"""

from __future__ import annotations

import importlib
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import MetaData

_TABLE_MODULES = (
    "clearway.declarations.tables",
    "clearway.risk.tables",
    "clearway.risk.ruleset",
    "clearway.risk.model.registry",
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


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)
