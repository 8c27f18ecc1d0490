"""Alembic environment: URL and metadata come from the bot package, never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.config import load_settings
from bot.db import models  # noqa: F401  (registers every table on the metadata)
from bot.db.base import Base, UTCDateTime
from bot.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations describe storage, not Python behaviour: UTCDateTime is a TIMESTAMPTZ column.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def run_migrations_online() -> None:
    """Run against a connection handed over by the caller, or one made from DATABASE_URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.attributes.get("database_url") or load_settings().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `qotd db upgrade`")
run_migrations_online()
