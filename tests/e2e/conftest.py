"""End-to-end harness: the bot's real HTTP server against the local fake of Slack's Web API."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.app import bot_client, build_deps, create_app, database_healthy, installations_for
from bot.config import Settings
from bot.deps import Deps
from bot.server import Router, make_server
from bot.slack.gateway import make_web_client
from tests.fakes import FixedClock
from tests.slack_fake import (
    BOT_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    SIGNING_SECRET,
    TEAM_ID,
    FakeSlack,
    sign,
)

CHANNEL = "C0STUDY01"
# A Fernet key for tests only (TOKEN_ENCRYPTION_KEY in OAuth mode).
TOKEN_KEY = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXktMDE="
ADMIN = "UADMIN001"
ALICE = "UALICE001"
BOB = "UBOB00001"


@dataclass
class Response:
    """What the bot's server answered."""

    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class Harness:
    """Send Slack's requests to the bot exactly as Slack does, and watch the fake Web API."""

    def __init__(self, base_url: str, fake: FakeSlack, deps: Deps, clock: FixedClock) -> None:
        self.base_url = base_url
        self.fake = fake
        self.deps = deps
        self.clock = clock
        self._event_n = 0

    # -- raw requests -------------------------------------------------------------------
    def post(
        self,
        body: str,
        content_type: str,
        *,
        signed: bool = True,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers.update(sign(body, timestamp))
        request = urllib.request.Request(
            self.base_url + "/slack/events", data=body.encode(), headers=all_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return Response(resp.status, resp.read().decode())
        except urllib.error.HTTPError as err:
            return Response(err.code, err.read().decode())

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=10) as resp:
                return Response(resp.status, resp.read().decode())
        except urllib.error.HTTPError as err:
            return Response(err.code, err.read().decode())

    # -- Slack-shaped requests ----------------------------------------------------------
    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int = 0,
        team_id: str = TEAM_ID,
    ) -> Response:
        self._event_n += 1
        body = {
            "token": "verification-token-unused",
            "team_id": team_id,
            "api_app_id": "A111",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._event_n:08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": team_id,
                    "user_id": "UBOT0QOTD",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        return self.post(json.dumps(body), "application/json", headers=headers)

    def command(
        self, text: str, user: str = ALICE, channel: str = CHANNEL, team_id: str = TEAM_ID
    ) -> Response:
        fields = {
            "token": "verification-token-unused",
            "team_id": team_id,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "study",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/qotd",
            "text": text,
            "api_app_id": "A111",
            "response_url": self.fake.response_url(f"{user}-{self._event_n}"),
            "trigger_id": "123.456.abc",
        }
        self._event_n += 1
        return self.post(urllib.parse.urlencode(fields), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any]) -> Response:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def reply(
        self, text: str, thread_ts: str, user: str = ALICE, ts: str | None = None
    ) -> tuple[Response, str]:
        ts = ts or f"{1_772_500_000 + self._event_n}.{self._event_n:06d}"
        event = {
            "type": "message",
            "channel": CHANNEL,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": thread_ts,
            "parent_user_id": "UBOT0QOTD",
            "team": TEAM_ID,
            "event_ts": ts,
        }
        return self.event(event), ts

    def post_question(self, topic: str | None = None, user: str = ADMIN) -> str:
        """Ask for a question with /qotd now; return the ts Slack gave the post."""
        before = len(self.fake.calls_to("chat.postMessage"))
        assert self.command(f"now {topic or ''}".strip(), user=user).status == 200
        call = self.fake.wait_for("chat.postMessage", before + 1)[before]
        assert call.response["ok"], call.response
        ts = str(call.response["ts"])
        self.wait_until(lambda: self.post_status(ts) == "open")
        return ts

    def post_status(self, ts: str) -> str | None:
        """The stored status of the post with this ts."""
        from sqlalchemy import select

        from bot.db.models import QuestionPost

        with self.deps.session_factory() as s:
            return s.scalar(select(QuestionPost.status).where(QuestionPost.slack_ts == ts))

    @staticmethod
    def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll until `condition()` holds (listeners run after the acknowledgement)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.01)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running fake of Slack's Web API with an admin and two members."""
    fake = FakeSlack().start()
    fake.add_user(ADMIN, admin=True, tz="Europe/Paris")
    fake.add_user(ALICE, tz="Europe/London")
    fake.add_user(BOB, tz="America/New_York")
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def harness(
    fake_slack: FakeSlack,
    engine: Engine,
    database_url: str,
    clock: FixedClock,
    settings_factory: Callable[..., Settings],
) -> Iterator[Harness]:
    """The bot served over real HTTP on a free port, talking to the fake Slack."""
    settings = settings_factory(
        "serve",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
        database_url=database_url,
    )
    client = make_web_client(BOT_TOKEN, settings.slack_api_url)
    deps = build_deps(settings, engine, client, clock=clock)
    app = create_app(deps, client)
    router = Router(app, database_healthy(engine))
    try:
        with serving(router) as base_url:
            yield Harness(base_url, fake_slack, deps, clock)
    finally:
        drain(app)


@contextmanager
def extra_app(deps: Deps) -> Iterator[Any]:
    """A second Bolt app on the harness's deps (Socket Mode, replays), drained afterwards."""
    app = create_app(deps, make_web_client(BOT_TOKEN, deps.settings.slack_api_url))
    try:
        yield app
    finally:
        drain(app)


def drain(app: Any) -> None:
    """Let listeners still running after a test finish before the engine is disposed: a
    connection they return to a disposed pool would be left open and warned about later."""
    app.listener_runner.listener_executor.shutdown(wait=True)


@contextmanager
def serving(app: Callable[[Any, Any], Any]) -> Iterator[str]:
    """Serve a WSGI app (the Router) over real HTTP on a free port; yield its base URL."""
    server = make_server(app, "127.0.0.1", 0, threads=4)
    stop = threading.Event()

    def serve() -> None:
        # waitress's close() is not safe from another thread while its loop sits in select():
        # run the loop in short slices and close the server from this same thread.
        try:
            while not stop.is_set():
                server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        finally:
            server.task_dispatcher.shutdown()
            server.asyncore.close_all(server._map)  # the listener and any kept-alive connection

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop.set()
        thread.join(timeout=10)


@pytest.fixture
def oauth_settings(
    fake_slack: FakeSlack, database_url: str, settings_factory: Callable[..., Settings]
) -> Callable[..., Settings]:
    """Settings for multi-workspace (OAuth) mode against the fake; keywords override."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": CLIENT_SECRET,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": fake_slack.url,
            "database_url": database_url,
            "token_encryption_key": TOKEN_KEY,
        }
        values.update(overrides)
        return settings_factory("serve", **{k: v for k, v in values.items() if v is not None})

    return build


@pytest.fixture
def oauth_harness(
    fake_slack: FakeSlack,
    engine: Engine,
    clock: FixedClock,
    oauth_settings: Callable[..., Settings],
) -> Iterator[Harness]:
    """The bot in OAuth mode (no SLACK_BOT_TOKEN; tokens encrypted), served over real HTTP."""
    # The redirect URL must name the server's port, known only once it listens: bind first.
    holder: dict[str, Any] = {}

    def late_router(environ: Any, start_response: Any) -> Any:
        return holder["router"](environ, start_response)

    with serving(late_router) as base_url:
        settings = oauth_settings(slack_redirect_uri=base_url + "/slack/oauth_redirect")
        client = bot_client(settings)
        installations = installations_for(settings, engine)
        deps = build_deps(settings, engine, client, clock=clock, installations=installations)
        app = create_app(deps, client, installations)
        holder["router"] = Router(app, database_healthy(engine))
        try:
            yield Harness(base_url, fake_slack, deps, clock)
        finally:
            drain(app)
