"""kill -9 `qotd serve` in the middle of a burst of answers: no acknowledged answer is lost.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (the CI's PostgreSQL leg).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.faults.conftest import (
    ANSWER,
    answer_event,
    ask_question,
    feedback_counts,
    stored_answers,
    unfinished,
)
from tests.serve_process import Serve, wait_until
from tests.slack_fake import FakeSlack

USERS = [f"UBURST{n:03d}" for n in range(60)]
KILL_AFTER_ACKS = 20


def test_kill_9_mid_burst_loses_no_acknowledged_answer_and_counts_none_twice(
    fake_slack: FakeSlack,
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    first = Serve(database_url, fake_slack, tmp_path).wait_healthy()
    thread_ts = ask_question(first, fake_slack, session_factory)
    bodies = {user: answer_event(user, thread_ts, n) for n, user in enumerate(USERS)}

    acked: set[str] = set()
    lock = threading.Lock()
    enough = threading.Event()

    def send(user: str) -> None:
        status = first.event(bodies[user])
        with lock:
            if status == 200:
                acked.add(user)
                if len(acked) >= KILL_AFTER_ACKS:
                    enough.set()

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(send, user) for user in USERS]
        assert enough.wait(timeout=30), first.output()
        first.kill9()  # no clean-up of any kind: the process is gone
        for future in futures:
            future.result()
    acked_at_kill = set(acked)
    assert KILL_AFTER_ACKS <= len(acked_at_kill) < len(USERS)
    # Bolt acknowledges before the listener runs: some acknowledged answers were mid-work.
    assert unfinished(session_factory) > 0

    second = Serve(database_url, fake_slack, tmp_path).wait_healthy()
    try:
        # Slack retries what got no 200 (same event id, X-Slack-Retry-Num), and a few that did
        # (a timeout on its side): the retries must neither lose nor double anything.
        retried = [u for u in USERS if u not in acked_at_kill] + sorted(acked_at_kill)[:5]
        statuses = {user: second.event(bodies[user], retry=1) for user in retried}
        assert set(statuses.values()) == {200}, statuses

        def all_graded() -> bool:
            found = stored_answers(session_factory)
            return len(found) == len(USERS) and all(
                a.key_point_count > 0 for rows in found.values() for a in rows
            )

        # Abandoned entries are replayed when their 30-second lease ends.
        wait_until(all_graded, 120, "every answer to be stored and graded")
        wait_until(
            lambda: set(feedback_counts(fake_slack)) >= set(USERS), 30, "feedback for everyone"
        )
        wait_until(lambda: unfinished(session_factory) == 0, 90, "the inbox to drain")
    finally:
        output = second.stop()

    found = stored_answers(session_factory)
    feedback = feedback_counts(fake_slack)
    for user in USERS:
        [answer] = found[user]  # exactly one answer per person
        assert [m.text for m in answer.messages] == [f"{ANSWER} ({user})"]
        assert answer.text == f"{ANSWER} ({user})"
        assert answer.key_point_count > 0  # graded (the question is random: any score)
        # Feedback at most once per graded revision: a replay re-grades as a new revision.
        assert 1 <= feedback[user] <= answer.revision, (user, feedback[user], answer.revision)
    assert "replaying Slack request" in output
