"""`qotd serve` as a real process on a free port, for the tests that need one (e2e and faults)."""

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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, FakeSlack, sign


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
    """One `qotd serve` process on a free port (with the in-process clock if `clock`).

    Single-workspace mode with the fake's bot token; `env` adds settings or, with None, removes
    one (OAuth mode: {"SLACK_BOT_TOKEN": None, "SLACK_CLIENT_ID": ...}); `port` when a setting
    must name it (a redirect URL).
    """

    def __init__(
        self,
        database_url: str,
        fake: FakeSlack,
        cwd: Path,
        *,
        clock: bool = False,
        env: Mapping[str, str | None] | None = None,
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        settings: dict[str, str | None] = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
            "PORT": str(self.port),
            **(env or {}),
        }
        self.log = cwd / f"serve-{self.port}.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", *([] if clock else ["--no-clock"])],
                env={k: v for k, v in settings.items() if v is not None},
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

    def command(
        self, text: str, fake: FakeSlack, *, user: str, channel: str, team: str = TEAM_ID
    ) -> int:
        """`/qotd <text>` from `user` in `channel`, signed as Slack signs it."""
        fields = {
            "team_id": team,
            "channel_id": channel,
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
        """SIGTERM (a kill after 20 s); the process's output."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.output()
