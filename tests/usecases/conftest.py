"""Use-case fixtures: real database, fixed clock, the real bank and a recording gateway."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from bot.app import build_deps
from bot.config import Settings
from bot.deps import Deps
from bot.slack.gateway import make_web_client
from tests.fakes import FixedClock, RecordingGateway

TEAM = "T111"
CHANNEL = "C0STUDY01"
ADMIN = "UADMIN001"


@pytest.fixture
def gateway() -> RecordingGateway:
    return RecordingGateway(admins=frozenset({ADMIN}))


@pytest.fixture
def deps(
    engine: Engine,
    clock: FixedClock,
    gateway: RecordingGateway,
    settings_factory: Callable[..., Settings],
) -> Deps:
    settings = settings_factory()
    base = build_deps(settings, engine, make_web_client(None, settings.slack_api_url), clock=clock)
    return Deps(
        settings=base.settings,
        session_factory=base.session_factory,
        bank=base.bank,
        clock=clock,
        slack=lambda _team: gateway,
        idf=base.idf,
    )
