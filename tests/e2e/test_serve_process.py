"""`qotd serve` as a real process: starts, migrates, answers Slack, stops cleanly on SIGTERM."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import insert, select

from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import Workspace
from bot.slack.listeners import events
from tests.serve_process import Serve
from tests.slack_fake import BOT_TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parents[2]


def test_serve_process_answers_slack_and_stops_on_sigterm(
    fake_slack: FakeSlack, empty_database_url: str, tmp_path: Path
) -> None:
    # The app was uninstalled once; a restart with a working token means it is installed again.
    team_id = fake_slack.tokens[BOT_TOKEN][0]
    engine = make_engine(empty_database_url)
    upgrade(engine)
    then = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Workspace).values(team_id=team_id, created_at=then, uninstalled_at=then)
        )
    serve = Serve(empty_database_url, fake_slack, tmp_path)
    try:
        serve.wait_healthy(30)
        assert serve.command("now", fake_slack, user="U1", channel="C1", team="T111") == 200
        post = fake_slack.wait_for("chat.postMessage")[0]
        assert post.args["channel"] == "C1"
        assert post.token == BOT_TOKEN
        with engine.connect() as conn:
            mark = conn.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == team_id))
        assert mark is None  # its data is no longer due for deletion
    finally:
        output = serve.stop()
    engine.dispose()
    assert serve.proc.returncode == 0, output
    assert "listening on port" in output


def test_manifest_matches_what_the_app_handles() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == ["/qotd"]
    subscribed = {
        e.split(".")[0] for e in manifest["settings"]["event_subscriptions"]["bot_events"]
    }
    # Events with their own listener, besides the acknowledged-only ones.
    handled = {"message", *events.HANDLED, "app_home_opened", "app_uninstalled", "tokens_revoked"}
    assert subscribed <= handled
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {"chat:write", "commands", "reactions:write", "users:read", "channels:history",
              "groups:history", "im:history", "im:write"}  # fmt: skip
    assert needed <= scopes
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"]
    assert manifest["features"]["app_home"]["home_tab_enabled"]
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert urls == {c["url"] for c in manifest["features"]["slash_commands"]}
    assert all(u.endswith("/slack/events") for u in urls)
