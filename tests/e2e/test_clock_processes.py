"""Two real `qotd clock` processes on one database post each scheduled question exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import queries
from bot.db.models import QuestionPost
from tests.slack_fake import BOT_TOKEN, Call, FakeSlack

CHANNELS = 20


def questions(fake: FakeSlack) -> list[Call]:
    """Question posts (not thread replies) the fake received."""
    return [c for c in fake.calls_to("chat.postMessage") if "thread_ts" not in c.args]


def test_two_clocks_post_each_scheduled_question_once(
    fake_slack: FakeSlack,
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    due = now.replace(second=0, microsecond=0).time()
    with session_factory.begin() as s:
        for n in range(CHANNELS):
            ch = queries.channel(s, "T111", f"C{n:08d}", now)
            ch.schedule_days = "0,1,2,3,4,5,6"
            ch.schedule_time = due
            ch.timezone = "UTC"
            ch.schedule_since = now - timedelta(minutes=5)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.url,
        "LOG_LEVEL": "WARNING",
    }
    clocks = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "clock"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(questions(fake_slack)) < CHANNELS:
            assert time.monotonic() < deadline, "the clocks did not post every question"
            time.sleep(0.2)
        time.sleep(3)  # let both clocks finish their racing first ticks
    finally:
        outputs = []
        for proc in clocks:
            proc.send_signal(signal.SIGTERM)
        for proc in clocks:
            out, _ = proc.communicate(timeout=30)
            outputs.append(out)
    assert all("thread_ts" not in c.args for c in fake_slack.calls_to("chat.postMessage"))
    channels = sorted(str(c.args["channel"]) for c in questions(fake_slack))
    assert channels == [f"C{n:08d}" for n in range(CHANNELS)], outputs
    with session_factory() as s:
        count = s.scalar(select(func.count()).select_from(QuestionPost))
        opened = s.scalar(
            select(func.count()).select_from(QuestionPost).where(QuestionPost.status == "open")
        )
    assert (count, opened) == (CHANNELS, CHANNELS)
    assert all(proc.returncode == 0 for proc in clocks), outputs
