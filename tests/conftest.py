"""Fixtures: a fresh migrated database per test, a fixed clock and a settings factory.

SQLite by default (a copy of one migrated template file per test); PostgreSQL when
TEST_DATABASE_URL is set (a fresh schema per test, dropped afterwards).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings, normalise_database_url
from bot.db.engine import make_engine, make_session_factory
from bot.db.migrate import upgrade
from tests.fakes import FixedClock

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _pg_admin_url() -> str:
    assert TEST_DATABASE_URL is not None
    return normalise_database_url(TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no tables) private to this test."""
    if TEST_DATABASE_URL is None:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_pg_admin_url())
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(_pg_admin_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, empty_database_url: str, tmp_path: Path) -> str:
    """The URL of a database migrated to head, private to this test."""
    if TEST_DATABASE_URL is None:
        template: Path = request.getfixturevalue("_sqlite_template")
        target = tmp_path / "test.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    engine = make_engine(empty_database_url)
    upgrade(engine)
    engine.dispose()
    return empty_database_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the migrated test database."""
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FixedClock:
    """Monday 2 March 2026, 09:00 UTC, until the test moves it."""
    return FixedClock()


@pytest.fixture
def settings_factory(tmp_path: Path) -> Callable[..., Settings]:
    """Build Settings from keyword overrides, ignoring the process environment and `.env`."""

    def build(command: str | None = None, **overrides: Any) -> Settings:
        env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'settings.db'}"}
        env.update({k.upper(): str(v) for k, v in overrides.items()})
        return load_settings(command, env, env_file=None)

    return build
