"""The database schema's version: Alembic migrations, and the check the app makes at start.

The app never creates or alters tables itself: ``iovlab db upgrade`` does, once,
before the workers start, so several workers never race to change the schema.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


class NotMigrated(RuntimeError):
    """The database is not at the schema this code needs."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, to: str = "head") -> tuple[str | None, str]:
    """Migrate to the newest schema (or to revision ``to``); returns the revisions before
    and after."""
    before = current(engine)
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, to)
    return before, head() if to == "head" else to


def require_migrated(engine: Engine) -> None:
    found, needed = current(engine), head()
    if found != needed:
        where = engine.url.render_as_string(hide_password=True)
        state = "has no iovlab tables" if found is None else f"is at schema {found}"
        raise NotMigrated(
            f"the database {where} {state}, but this iovlab needs schema {needed}: "
            "run `iovlab db upgrade` (with the same DATABASE_URL) first"
        )
