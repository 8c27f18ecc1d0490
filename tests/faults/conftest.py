"""Fault-test harness: real `qotd serve` processes, signed HTTP requests, the fake Slack Web API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Answer, InboxEvent, QuestionPost
from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, FakeSlack, sign

CHANNEL = "C0FAULTS1"
ADMIN = "UADMIN001"
ANSWER = (
    "Bias is error from wrong assumptions, so the model underfits; variance is sensitivity to "
    "the training data, so it overfits. More complexity lowers bias and raises variance."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    detail: Callable[[], object] = lambda: "",
) -> None:
    """Poll until `condition()` holds; fail naming `what` (and `detail()`) otherwise."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what} {detail()}"
        time.sleep(0.2)


class Serve:
    """One `qotd serve` process on a free port (with the in-process clock if `clock`)."""

    def __init__(
        self, database_url: str, fake: FakeSlack, cwd: Path, *, clock: bool = False
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
            "PORT": str(self.port),
        }
        self.log = cwd / f"serve-{self.port}.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", *([] if clock else ["--no-clock"])],
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text()

    def health(self) -> int | None:
        """GET /healthz status, or None when nothing answers."""
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=5) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as err:
            return err.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def wait_healthy(self, timeout: float = 60) -> Serve:
        def up() -> bool:
            assert self.proc.poll() is None, self.output()
            return self.health() == 200

        wait_until(up, timeout, "serve to answer /healthz")
        return self

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> int:
        """POST a signed request to /slack/events; the status, or 0 if the connection failed."""
        request = urllib.request.Request(
            self.base + "/slack/events",
            data=body.encode(),
            headers={"Content-Type": content_type, **sign(body), **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as err:
            return err.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0

    def command(self, text: str, fake: FakeSlack, user: str = ADMIN) -> int:
        fields = {
            "team_id": TEAM_ID,
            "channel_id": CHANNEL,
            "user_id": user,
            "command": "/qotd",
            "text": text,
            "response_url": fake.response_url(f"{user}-{text}"),
            "trigger_id": "1.2.3",
        }
        return self.post(urllib.parse.urlencode(fields), "application/x-www-form-urlencoded")

    def event(self, body: dict[str, Any], retry: int = 0) -> int:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
        return self.post(json.dumps(body), "application/json", headers if retry else None)

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.output()


def answer_event(user: str, thread_ts: str, n: int) -> dict[str, Any]:
    """A signed-to-be Events API body: `user` replies in the question's thread."""
    ts = f"{1_772_500_000 + n}.{n:06d}"
    return {
        "token": "verification-token-unused",
        "team_id": TEAM_ID,
        "api_app_id": "A111",
        "type": "event_callback",
        "event_id": f"EvFAULT{n:06d}",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel": CHANNEL,
            "channel_type": "channel",
            "user": user,
            "text": f"{ANSWER} ({user})",
            "ts": ts,
            "thread_ts": thread_ts,
            "parent_user_id": "UBOT0QOTD",
            "team": TEAM_ID,
            "event_ts": ts,
        },
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": "UBOT0QOTD", "is_bot": True,
             "is_enterprise_install": False}
        ],
    }  # fmt: skip


def ask_question(serve: Serve, fake: FakeSlack, factory: sessionmaker[Session]) -> str:
    """`/qotd now` in the channel; the ts Slack gave the question post, once it is open."""
    before = len(fake.calls_to("chat.postMessage"))
    assert serve.command("now", fake) == 200
    call = fake.wait_for("chat.postMessage", before + 1, timeout=20)[before]
    assert call.response["ok"], call.response
    ts = str(call.response["ts"])

    def is_open() -> bool:
        with factory() as s:
            status = s.scalar(select(QuestionPost.status).where(QuestionPost.slack_ts == ts))
        return status == "open"

    # Replies are answers only once the post is recorded open, a moment after Slack's reply.
    wait_until(is_open, 30, "the question post to be recorded open")
    return ts


def stored_answers(factory: sessionmaker[Session]) -> dict[str, list[Answer]]:
    """Every stored answer, by user."""
    found: dict[str, list[Answer]] = {}
    with factory() as s:
        for ans in s.scalars(select(Answer)):
            _ = ans.messages  # loaded while the session is open
            found.setdefault(ans.user_id, []).append(ans)
    return found


def unfinished(factory: sessionmaker[Session]) -> int:
    """Inbox entries not (yet) handled."""
    with factory() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(InboxEvent).where(InboxEvent.handled_at.is_(None))
            )
            or 0
        )


def feedback_counts(fake: FakeSlack) -> dict[str, int]:
    """Ephemeral feedback messages Slack accepted, by user."""
    counts: dict[str, int] = {}
    for call in fake.calls_to("chat.postEphemeral"):
        if call.status == 200 and call.response.get("ok"):
            user = str(call.args["user"])
            counts[user] = counts.get(user, 0) + 1
    return counts


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running fake of Slack's Web API with a workspace admin."""
    fake = FakeSlack().start()
    fake.add_user(ADMIN, admin=True)
    try:
        yield fake
    finally:
        fake.stop()
