"""Migrations build exactly the schema the models describe, and tear it down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import models  # noqa: F401  (registers the tables)
from bot.db.base import Base
from bot.db.engine import make_engine
from bot.db.migrate import current_revision, downgrade, ensure_up_to_date, head_revision, upgrade


def test_upgrade_from_empty_matches_the_models(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_ensure_up_to_date_upgrades_once(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        assert ensure_up_to_date(engine) is True
        assert ensure_up_to_date(engine) is False
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_constraints_are_named(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        for table in Base.metadata.tables:
            for unique in inspector.get_unique_constraints(table):
                assert str(unique["name"]).startswith("uq_"), (table, unique)
            for fk in inspector.get_foreign_keys(table):
                assert str(fk["name"]).startswith("fk_"), (table, fk)
    finally:
        engine.dispose()
