"""Workspace tokens in OAuth mode: encrypted at rest, found per team, cached briefly, and the
scheduler posting to each workspace with that workspace's own token."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, delete, select

from bot.app import build_deps, installations_for
from bot.config import Settings
from bot.db.models import QuestionPost
from bot.db.slack_tables import bots, installations
from bot.db.token_crypto import TokenCipher, TokenDecryptError
from bot.slack.gateway import SlackError, make_web_client
from bot.slack.installation import Installations
from bot.usecases import daily, scheduling
from tests.fakes import FixedClock
from tests.slack_fake import CLIENT_ID, CLIENT_SECRET, FakeSlack

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
ADMIN = "UADMIN001"


def token_of(team_id: str) -> str:
    """An obviously fake bot token of realistic length (about 57 characters)."""
    return f"xoxb-{team_id}-2222222222-fake0test0token0not0real0xx"


def installation(
    team_id: str, token: str | None = None, enterprise_id: str | None = None
) -> Installation:
    return Installation(
        app_id="A111",
        enterprise_id=enterprise_id,
        team_id=team_id,
        team_name=f"Team {team_id}",
        bot_token=token or token_of(team_id),
        bot_id="BQOTD0001",
        bot_user_id=f"UBOT{team_id}",
        bot_scopes="chat:write,commands",
        bot_refresh_token=f"xoxe-1-refresh-{team_id}",
        user_id="UINSTALL1",
        is_enterprise_install=False,
    )


class Ticker:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        running.add_user(ADMIN, admin=True)
        yield running


@pytest.fixture
def oauth(
    fake: FakeSlack, database_url: str, settings_factory: Callable[..., Settings]
) -> Callable[..., Settings]:
    def build(key: str | None = KEY_A) -> Settings:
        extra = {"token_encryption_key": key} if key else {}
        return settings_factory(
            "clock",
            slack_client_id=CLIENT_ID,
            slack_client_secret=CLIENT_SECRET,
            slack_api_url=fake.url,
            database_url=database_url,
            **extra,
        )

    return build


def stored_tokens(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = [*conn.execute(select(bots.c.bot_token, bots.c.bot_refresh_token))]
        rows += [
            *conn.execute(select(installations.c.bot_token, installations.c.bot_refresh_token))
        ]
    return [value for row in rows for value in row]


# -- the cipher ---------------------------------------------------------------------------------
def test_the_cipher_round_trips_and_never_repeats_a_ciphertext() -> None:
    cipher = TokenCipher(KEY_A)
    token = token_of("T1")
    first, second = cipher.encrypt(token), cipher.encrypt(token)
    assert first != second  # a random IV: equal tokens are not recognisable in the table
    assert token not in first
    assert cipher.decrypt(first) == cipher.decrypt(second) == token


def test_a_wrong_key_is_a_clear_error_never_a_wrong_token() -> None:
    sealed = TokenCipher(KEY_A).encrypt(token_of("T1"))
    with pytest.raises(TokenDecryptError, match="TOKEN_ENCRYPTION_KEY") as caught:
        TokenCipher(KEY_B).decrypt(sealed)
    assert "old key after the new one" in str(caught.value)
    with pytest.raises(TokenDecryptError):
        TokenCipher(KEY_A).decrypt(sealed[:-4] + "AAAA")  # tampered


def test_rotation_new_key_first_old_key_still_reads() -> None:
    old = TokenCipher(KEY_A).encrypt(token_of("T1"))
    rotated = TokenCipher(f"{KEY_B}, {KEY_A}")
    assert rotated.decrypt(old) == token_of("T1")
    assert TokenCipher(KEY_B).decrypt(rotated.encrypt(token_of("T2"))) == token_of("T2")


def test_a_token_stored_before_encryption_was_switched_on_stays_readable() -> None:
    assert TokenCipher(KEY_A).decrypt(token_of("T1")) == token_of("T1")


# -- the store ----------------------------------------------------------------------------------
def test_tokens_are_encrypted_in_both_tables_and_decrypted_on_find(
    oauth: Callable[..., Settings], engine: Engine
) -> None:
    store = Installations(oauth(), engine).store
    store.save(installation("T1"))
    stored = stored_tokens(engine)
    assert len(stored) == 4
    assert all(v.startswith("gAAAAA") and "xox" not in v for v in stored)
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None
    assert (bot.bot_token, bot.bot_refresh_token) == (token_of("T1"), "xoxe-1-refresh-T1")
    found = store.find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    assert found.bot_token == token_of("T1")


def test_a_long_rotating_token_fits_the_column(
    oauth: Callable[..., Settings], engine: Engine
) -> None:
    # Token-rotation tokens are much longer than xoxb- ones; PostgreSQL refuses what overflows.
    long_token = "xoxe.xoxb-1-" + "M" * 240
    store = Installations(oauth(), engine).store
    store.save(installation("T1", long_token))
    assert max(len(v) for v in stored_tokens(engine)) > 300
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None
    assert bot.bot_token == long_token


def test_without_a_key_tokens_are_stored_as_slack_sdk_stores_them(
    oauth: Callable[..., Settings], engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        found = installations_for(oauth(key=None), engine)
    assert found is not None
    assert not found.encrypted
    assert "stored unencrypted" in caplog.text
    found.store.save(installation("T1"))
    assert token_of("T1") in stored_tokens(engine)


def test_a_changed_key_fails_the_lookup_clearly_without_calling_slack(
    oauth: Callable[..., Settings],
    engine: Engine,
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    Installations(oauth(KEY_A), engine).store.save(installation("T1"))
    reader = Installations(oauth(KEY_B), engine)
    with caplog.at_level(logging.ERROR):
        gateway = reader.gateway("T1")
    assert "cannot be decrypted with TOKEN_ENCRYPTION_KEY" in caplog.text
    assert KEY_A not in caplog.text
    assert KEY_B not in caplog.text
    with pytest.raises(SlackError) as failed:
        gateway.post_message("C1", "hello")
    assert failed.value.code == "token_undecryptable"
    assert fake.calls == []
    # Rotating properly (new key first, old key kept) reads it again.
    fake.tokens[token_of("T1")] = ("T1", "UBOTT1")
    Installations(oauth(f"{KEY_B},{KEY_A}"), engine).gateway("T1").post_message("C1", "hello")
    assert [c.token for c in fake.calls_to("chat.postMessage")] == [token_of("T1")]


# -- per-team gateways --------------------------------------------------------------------------
def test_each_team_gets_its_own_token_and_an_unknown_team_fails_cleanly(
    oauth: Callable[..., Settings],
    engine: Engine,
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    found = Installations(oauth(), engine)
    for team, enterprise in (("T1", None), ("T2", "E1")):  # T2 sits in an Enterprise Grid org
        found.store.save(installation(team, enterprise_id=enterprise))
        fake.tokens[token_of(team)] = (team, f"UBOT{team}")
    found.gateway("T1").post_message("C1", "one")
    found.gateway("T2").post_message("C2", "two")
    assert [(c.args["channel"], c.token) for c in fake.calls_to("chat.postMessage")] == [
        ("C1", token_of("T1")),
        ("C2", token_of("T2")),
    ]
    with caplog.at_level(logging.ERROR):
        missing = found.gateway("T404")
    assert "workspace T404 has no Slack installation" in caplog.text
    with pytest.raises(SlackError) as failed:
        missing.post_message("C3", "three")
    assert failed.value.code == "not_installed"
    assert len(fake.calls) == 2  # nothing was sent without a token


def test_tokens_are_cached_briefly_and_reinstall_or_uninstall_take_effect(
    oauth: Callable[..., Settings], engine: Engine, fake: FakeSlack
) -> None:
    ticker = Ticker()
    found = Installations(oauth(), engine, ttl=60, monotonic=ticker)
    found.store.save(installation("T1"))
    first = found.gateway("T1")
    assert found.gateway("T1") is first  # no database read within the TTL
    with engine.begin() as conn:  # another process deleted the tokens (uninstall)
        conn.execute(delete(bots))
        conn.execute(delete(installations))
    assert found.gateway("T1") is first
    ticker.now += 61
    with pytest.raises(SlackError, match="not_installed"):
        found.gateway("T1").post_message("C1", "hi")
    # A reinstall handled here is seen at once.
    found.store.save(installation("T1", token_of("T1") + "new"))
    found.forget("T1")
    fake.tokens[token_of("T1") + "new"] = ("T1", "UBOTT1")
    found.gateway("T1").post_message("C1", "hi")
    assert fake.calls_to("chat.postMessage")[-1].token == token_of("T1") + "new"
    # An uninstall event stops the token at once, before its rows are gone.
    found.revoked("T1")
    with pytest.raises(SlackError, match="token_revoked"):
        found.gateway("T1").post_message("C1", "hi")
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_the_scheduler_posts_with_each_workspaces_token(
    oauth: Callable[..., Settings], engine: Engine, fake: FakeSlack, clock: FixedClock
) -> None:
    settings = oauth()
    found = installations_for(settings, engine)
    assert found is not None
    deps = build_deps(
        settings,
        engine,
        make_web_client(None, settings.slack_api_url),
        clock=clock,
        installations=found,
    )
    teams = ("T1", "T2", "T3")
    for team in teams:
        found.store.save(installation(team))
        fake.tokens[token_of(team)] = (team, f"UBOT{team}")
        reply = scheduling.set_schedule(deps, team, f"C{team}", ADMIN, "daily 09:00 UTC")
        assert "Nothing changed" not in reply
    with engine.begin() as conn:  # T3 uninstalled since
        conn.execute(delete(bots).where(bots.c.team_id == "T3"))
    found.forget("T3")
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    report = daily.tick(deps)
    assert sorted(report.posted) == [("CT1", date(2026, 3, 3)), ("CT2", date(2026, 3, 3))]
    posts = {c.args["channel"]: c.token for c in fake.calls_to("chat.postMessage")}
    assert posts == {"CT1": token_of("T1"), "CT2": token_of("T2")}
    with deps.session_factory() as s:
        t3 = s.scalars(select(QuestionPost).where(QuestionPost.status == "pending")).one()
    assert t3.last_error == "not_installed"  # kept for a retry, as any failed post
    assert t3.next_attempt_at is not None


def test_bolts_lookups_are_remembered_briefly_but_a_new_install_is_seen_at_once(
    oauth: Callable[..., Settings], engine: Engine
) -> None:
    ticker = Ticker()
    here = Installations(oauth(), engine, ttl=60, monotonic=ticker)
    elsewhere = Installations(oauth(), engine)  # another `serve` process on the same database
    assert here.store.find_bot(enterprise_id=None, team_id="T1") is None
    elsewhere.store.save(installation("T1"))
    found = here.store.find_bot(enterprise_id=None, team_id="T1")  # absence was not remembered
    assert found is not None
    assert found.bot_token == token_of("T1")
    with engine.begin() as conn:
        conn.execute(delete(bots))
    assert here.store.find_bot(enterprise_id=None, team_id="T1") is found  # no query in the TTL
    ticker.now += 61
    assert here.store.find_bot(enterprise_id=None, team_id="T1") is None
    here.store.save(installation("T1", token_of("T1") + "new"))  # a save here is seen at once
    again = here.store.find_bot(enterprise_id=None, team_id="T1")
    assert again is not None
    assert again.bot_token == token_of("T1") + "new"
