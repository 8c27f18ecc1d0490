"""Apply Alembic migrations programmatically (configuration lives in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from bot.paths import project_root


def alembic_config() -> Config:
    """An Alembic Config read from `[tool.alembic]` in pyproject.toml."""
    return Config(toml_file=str(project_root() / "pyproject.toml"))


def head_revision() -> str | None:
    """The newest migration revision."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has never been migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision`."""
    _run(engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the database behind `engine` to `revision`."""
    _run(engine, lambda cfg: command.downgrade(cfg, revision))


def ensure_up_to_date(engine: Engine) -> bool:
    """Upgrade an empty or outdated database; return True when migrations were applied."""
    if current_revision(engine) == head_revision():
        return False
    upgrade(engine)
    return True


def _run(engine: Engine, action: Callable[[Config], None]) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg)
