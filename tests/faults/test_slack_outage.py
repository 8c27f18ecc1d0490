"""Slack answers 500s and 429s for a while: feedback, reactions and scheduled posts go out once.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import queries
from bot.db.models import QuestionPost
from tests.faults.conftest import (
    ANSWER,
    answer_event,
    ask_question,
    feedback_counts,
    stored_answers,
)
from tests.serve_process import Serve, wait_until
from tests.slack_fake import TEAM_ID, Call, FakeSlack

USERS = [f"USLACK{n:03d}" for n in range(20)]
SCHEDULED = "C0SCHED01"


def accepted(fake: FakeSlack, method: str) -> list[Call]:
    return [c for c in fake.calls_to(method) if c.status == 200 and c.response.get("ok")]


def test_feedback_and_scheduled_posts_go_out_exactly_once_through_slack_errors(
    fake_slack: FakeSlack,
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    with session_factory.begin() as s:
        ch = queries.channel(s, TEAM_ID, SCHEDULED, now)
        ch.schedule_days = "0,1,2,3,4,5,6"
        ch.schedule_time = now.replace(second=0, microsecond=0).time()
        ch.timezone = "UTC"
        ch.schedule_since = now - timedelta(minutes=5)
    # The scheduled question's first attempt meets more 500s than the Web API client retries:
    # the clock must try again later, and post it once.
    fake_slack.fail("chat.postMessage", times=3, status=500)
    serve = Serve(database_url, fake_slack, tmp_path, clock=True).wait_healthy()
    try:
        wait_until(lambda: len(fake_slack.calls_to("chat.postMessage")) >= 3, 30, "the failed post")
        thread_ts = ask_question(serve, fake_slack, session_factory)

        # Slack falls over while answers arrive: 500s, then 429s with Retry-After.
        for method in ("chat.postEphemeral", "reactions.add"):
            fake_slack.fail_for(method, 0.8, status=500)
            fake_slack.fail_for(method, 2.0, status=429, retry_after=1)
        bodies = [answer_event(user, thread_ts, n) for n, user in enumerate(USERS)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(serve.event, bodies)) == {200}

        wait_until(
            lambda: set(feedback_counts(fake_slack)) >= set(USERS),
            60,
            "all feedback",
            lambda: (
                set(USERS) - set(feedback_counts(fake_slack)),
                stored_answers(session_factory).keys(),
            ),
        )
        wait_until(
            lambda: len(accepted(fake_slack, "reactions.add")) >= len(USERS), 30, "reactions"
        )
        errors = [c.status for c in fake_slack.calls_to("chat.postEphemeral") if c.status != 200]
        assert {500, 429} <= set(errors)  # the outage really happened

        wait_until(
            lambda: any(c.args["channel"] == SCHEDULED
                        for c in accepted(fake_slack, "chat.postMessage")),
            120,
            "the scheduled question to be posted after its failure",
        )  # fmt: skip
    finally:
        serve.stop()

    assert Counter(feedback_counts(fake_slack)) == Counter(dict.fromkeys(USERS, 1))
    reacted = Counter(str(c.args["timestamp"]) for c in accepted(fake_slack, "reactions.add"))
    assert sorted(reacted.values()) == [1] * len(USERS)
    found = stored_answers(session_factory)
    for user in USERS:
        [answer] = found[user]
        assert answer.text == f"{ANSWER} ({user})"
        assert answer.key_point_count > 0
    scheduled_posts = [
        c
        for c in accepted(fake_slack, "chat.postMessage")
        if c.args["channel"] == SCHEDULED and "thread_ts" not in c.args
    ]
    assert len(scheduled_posts) == 1
    with session_factory() as s:
        posts = list(
            s.scalars(select(QuestionPost).where(QuestionPost.channel.has(channel_id=SCHEDULED)))
        )
    assert [(p.status, p.slack_ts) for p in posts] == [("open", scheduled_posts[0].response["ts"])]
    assert posts[0].attempts == 2  # one failed attempt, one that posted
