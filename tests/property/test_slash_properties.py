"""Any `/qotd` text, run for real against a database (SPEC §6.7): never a crash, a reply that fits
Slack and shows nothing the person typed as markup, and bad input changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from bot.app import build_deps
from bot.config import Settings
from bot.db.base import Base
from bot.deps import Deps
from bot.domain import commands as cmd
from bot.slack.gateway import make_web_client
from bot.usecases import slash
from tests.blockkit import assert_valid_message
from tests.fakes import FixedClock, RecordingGateway
from tests.property.strategies import SLOW, pieces, text

TEAM, CHANNEL, ADMIN = "T111", "C0STUDY01", "UADMIN001"

lines = st.one_of(
    text,
    st.builds(
        lambda name, rest: f"{name} {rest}",
        st.sampled_from(cmd.SUBCOMMANDS),
        st.lists(pieces, max_size=5).map(" ".join),
    ),
)


@pytest.fixture
def deps(engine: Engine, settings_factory: Callable[..., Settings]) -> Deps:
    settings = settings_factory()
    base = build_deps(settings, engine, make_web_client(None, settings.slack_api_url))
    gateway = RecordingGateway(admins=frozenset({ADMIN}))
    return Deps(
        settings=base.settings, session_factory=base.session_factory, bank=base.bank,
        clock=FixedClock(), slack=lambda _team: gateway, idf=base.idf,
    )  # fmt: skip


def snapshot(deps: Deps) -> dict[str, int]:
    with deps.session_factory() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


@settings(SLOW, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=lines)
def test_any_slash_command_gets_a_reply_that_fits_slack(deps: Deps, line: str) -> None:
    parsed = cmd.parse(line)
    before = snapshot(deps)
    reply = slash.handle(deps, slash.SlashRequest(TEAM, CHANNEL, ADMIN, line), parsed)
    if reply is not None:
        assert_valid_message(reply.text, reply.blocks)
    if isinstance(parsed, cmd.Help) or (reply is not None and "Nothing changed" in reply.text):
        assert snapshot(deps) == before
