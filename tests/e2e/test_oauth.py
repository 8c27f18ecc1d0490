"""Multi-workspace install over real HTTP: /slack/install, Slack's consent screen (the fake's),
/slack/oauth_redirect, then each workspace's requests answered with that workspace's token."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, text, update

from bot.db.models import Workspace
from bot.db.slack_tables import bots, oauth_states
from bot.slack.gateway import SlackError
from tests.e2e.conftest import ADMIN, CHANNEL, TOKEN_KEY, Harness
from tests.serve_process import Serve, free_port
from tests.slack_fake import (
    CLIENT_ID,
    CLIENT_SECRET,
    Call,
    FakeSlack,
    Grant,
)

UNINSTALLED = Path(__file__).parents[1] / "data/slack-payloads/events_api/app_uninstalled.json"


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the test follows each hop itself, carrying the cookie as a browser does


def fetch(url: str, cookie: str | None = None) -> Page:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=10) as resp:
            return Page(resp.status, dict(resp.headers), resp.read().decode())
    except urllib.error.HTTPError as err:
        return Page(err.code, dict(err.headers), err.read().decode())


def grant(team_id: str) -> Grant:
    return Grant(
        team_id=team_id,
        team_name=f"Team <{team_id}>",
        bot_token=f"xoxb-{team_id}-3333333333-fake0oauth0token0not0real",
        bot_user_id=f"UBOT{team_id}",
    )


def start_install(h: Harness) -> tuple[str, str]:
    """GET /slack/install: the consent URL at Slack and the state cookie for this browser."""
    page = fetch(h.base_url + "/slack/install")
    assert page.status == 302
    return page.headers["Location"], page.headers["Set-Cookie"].split(";")[0]


def install(h: Harness, team: Grant) -> Page:
    """The whole browser dance: our install link, Slack's consent screen, our redirect page."""
    h.fake.approve_installs(team)
    consent_url, cookie = start_install(h)
    consent = fetch(consent_url)
    assert consent.status == 302
    return fetch(consent.headers["Location"], cookie)


def ask_now(h: Harness, team_id: str) -> Call:
    """/qotd now from a workspace; the question post's call, once the post is stored as open."""
    before = len(h.fake.calls_to("chat.postMessage"))
    assert h.command("now", user=ADMIN, team_id=team_id).status == 200
    call = h.fake.wait_for("chat.postMessage", before + 1)[before]
    ts = str(call.response["ts"])
    h.wait_until(lambda: h.post_status(ts) == "open")
    return call


def test_install_stores_an_encrypted_token_and_its_workspace_uses_it(
    oauth_harness: Harness,
) -> None:
    h = oauth_harness
    consent_url, cookie = start_install(h)
    parts = urlsplit(consent_url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    assert consent_url.startswith(h.fake.url.removesuffix("api/") + "oauth/v2/authorize?")
    assert query["client_id"] == CLIENT_ID
    assert query["scope"] == h.deps.settings.slack_scopes
    assert query["redirect_uri"] == h.base_url + "/slack/oauth_redirect"
    assert cookie == f"slack-app-oauth-state={query['state']}"

    team = grant("T222")
    page = install(h, team)
    assert page.status == 200, page.body
    assert "qotd is installed" in page.body
    assert "Team &lt;T222&gt;" in page.body  # the workspace name, escaped
    assert "/invite @qotd" in page.body
    exchange = h.fake.calls_to("oauth.v2.access")
    assert [c.response["ok"] for c in exchange] == [True]
    # Bolt checks the new token with auth.test, at SLACK_API_URL like every call.
    assert [c.token for c in h.fake.calls_to("auth.test")] == [team.bot_token]

    with h.deps.session_factory() as s:
        stored = s.execute(select(bots.c.bot_token).where(bots.c.team_id == "T222")).scalar_one()
        workspace = s.scalars(select(Workspace).where(Workspace.team_id == "T222")).one()
    assert stored.startswith("gAAAAA")
    assert team.bot_token not in stored
    assert (workspace.bot_user_id, workspace.uninstalled_at) == ("UBOTT222", None)

    post = ask_now(h, "T222")
    assert (post.args["channel"], post.token) == (CHANNEL, team.bot_token)


def test_two_workspaces_each_get_their_own_token(oauth_harness: Harness) -> None:
    h = oauth_harness
    teams = [grant("T222"), grant("T333")]
    for team in teams:
        assert install(h, team).status == 200
    for team in teams:
        ask_now(h, team.team_id)
    tokens = [c.token for c in h.fake.calls_to("chat.postMessage")]
    assert tokens == [teams[0].bot_token, teams[1].bot_token]
    # Every Web API call made for a workspace carried that workspace's token.
    made = {c.token for c in h.fake.calls if c.method not in ("oauth.v2.access", "oauth.authorize")}
    assert made == {teams[0].bot_token, teams[1].bot_token}


def test_a_reinstall_replaces_the_token_and_clears_the_uninstall(oauth_harness: Harness) -> None:
    h = oauth_harness
    assert install(h, grant("T222")).status == 200
    with h.deps.session_factory.begin() as s:
        s.execute(
            update(Workspace)
            .where(Workspace.team_id == "T222")
            .values(uninstalled_at=h.clock.now() - timedelta(days=3))
        )
    fresh = Grant("T222", "Team T222", "xoxb-T222-4444444444-fake0second0token0xx", "UBOTT222")
    assert install(h, fresh).status == 200
    with h.deps.session_factory() as s:
        assert (
            s.scalars(select(Workspace).where(Workspace.team_id == "T222")).one().uninstalled_at
            is None
        )
    assert ask_now(h, "T222").token == fresh.bot_token


def test_a_forged_or_foreign_state_is_refused(oauth_harness: Harness) -> None:
    h = oauth_harness
    h.fake.approve_installs(grant("T222"))
    forged = h.base_url + "/slack/oauth_redirect?code=stolen&state=forged"
    no_cookie = fetch(forged)
    assert no_cookie.status == 400
    assert "This install link has expired" in no_cookie.body
    assert 'href="/slack/install"' in no_cookie.body
    matching_cookie = fetch(forged, "slack-app-oauth-state=forged")  # not one we issued
    assert matching_cookie.status == 401
    assert h.fake.calls_to("oauth.v2.access") == []
    with h.deps.session_factory() as s:
        assert s.execute(select(bots)).first() is None


def test_an_expired_state_is_refused(oauth_harness: Harness) -> None:
    h = oauth_harness
    h.fake.approve_installs(grant("T222"))
    consent_url, cookie = start_install(h)
    with h.deps.session_factory.begin() as s:  # ten minutes pass
        s.execute(
            update(oauth_states).values(expire_at=oauth_states.c.expire_at - timedelta(hours=1))
        )
    page = fetch(fetch(consent_url).headers["Location"], cookie)
    assert page.status == 401
    assert "expired" in page.body
    assert h.fake.calls_to("oauth.v2.access") == []


def test_a_cancelled_install_says_so(oauth_harness: Harness) -> None:
    h = oauth_harness  # the fake's consent screen denies when nothing is approved
    consent_url, cookie = start_install(h)
    page = fetch(fetch(consent_url).headers["Location"], cookie)
    assert page.status == 200
    assert "Installation cancelled" in page.body
    assert h.fake.calls_to("oauth.v2.access") == []


def test_a_workspace_without_an_installation_is_told_how_to_add_qotd(
    oauth_harness: Harness,
) -> None:
    h = oauth_harness
    assert h.command("now", user=ADMIN, team_id="T999").status == 200
    told = h.fake.wait_for_response()[0]["text"]  # privately, through the response_url
    assert "qotd is not installed in this workspace" in told
    assert h.base_url + "/slack/install" in told
    assert h.fake.calls_to("chat.postMessage") == []


def test_an_uninstall_stops_the_token_at_once_and_deletes_it(oauth_harness: Harness) -> None:
    h = oauth_harness
    assert install(h, grant("T222")).status == 200
    h.deps.slack("T222").post_message(CHANNEL, "still installed")
    body = json.loads(UNINSTALLED.read_text())  # Slack's payload, for our workspace
    body.update(team_id="T222", event_id="EvUNINSTALL1")
    del body["enterprise_id"]
    assert h.post(json.dumps(body), "application/json").status == 200
    with pytest.raises(SlackError, match="token_revoked"):
        h.deps.slack("T222").post_message(CHANNEL, "gone")

    def deleted() -> bool:
        with h.deps.session_factory() as s:
            return s.execute(select(bots).where(bots.c.team_id == "T222")).first() is None

    h.wait_until(deleted)
    assert len(h.fake.calls_to("chat.postMessage")) == 1


def test_a_database_failure_while_saving_shows_a_page_not_a_traceback(
    oauth_harness: Harness,
) -> None:
    h = oauth_harness
    with h.deps.session_factory.begin() as s:  # the store's table is gone: every save fails
        s.execute(text("DROP TABLE slack_installations"))
    page = install(h, grant("T222"))
    assert page.status == 500
    assert "The installation could not be saved" in page.body
    assert "Traceback" not in page.body


def test_serve_process_installs_and_answers_with_the_installed_token(
    fake_slack: FakeSlack, empty_database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    oauth_mode = {
        "SLACK_BOT_TOKEN": None,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_REDIRECT_URI": base + "/slack/oauth_redirect",
        "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
    }
    serve = Serve(empty_database_url, fake_slack, tmp_path, env=oauth_mode, port=port)
    try:
        serve.wait_healthy(30)
        team = grant("T222")
        fake_slack.approve_installs(team)
        start = fetch(base + "/slack/install")
        consent = fetch(start.headers["Location"])
        done = fetch(consent.headers["Location"], start.headers["Set-Cookie"].split(";")[0])
        assert done.status == 200, done.body
        assert serve.command("now", fake_slack, user=ADMIN, channel=CHANNEL, team="T222") == 200
        assert fake_slack.wait_for("chat.postMessage")[0].token == team.bot_token
    finally:
        output = serve.stop()
    assert serve.proc.returncode == 0, output
    assert "multi-workspace installs at GET /slack/install" in output
    assert TOKEN_KEY not in output
    assert team.bot_token not in output
