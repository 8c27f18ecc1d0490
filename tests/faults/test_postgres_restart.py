"""PostgreSQL restarts while `qotd serve` takes answers: no 200 unrecorded, no loss, no doubles.

Runs in every test run (SQLite and PostgreSQL legs alike) on a private cluster started for it
(tests/faults/pg_cluster.py), never on the shared server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_session_factory
from tests.faults.conftest import (
    ANSWER,
    answer_event,
    ask_question,
    feedback_counts,
    stored_answers,
    unfinished,
)
from tests.faults.pg_cluster import Cluster
from tests.serve_process import Serve, wait_until
from tests.slack_fake import FakeSlack

USERS = [f"UPGRST{n:03d}" for n in range(50)]
BEFORE, BURST, DURING = USERS[:10], USERS[10:30], USERS[30:40]
AFTER = USERS[40:]
STOP_AFTER_ACKS = 5


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    pg = Cluster()
    pg.start()
    try:
        yield pg
    finally:
        pg.destroy()


def test_serve_rides_out_a_postgres_restart_and_keeps_every_acknowledged_answer(
    cluster: Cluster, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    serve = Serve(cluster.url, fake_slack, tmp_path).wait_healthy()
    engine = make_engine(cluster.url)
    factory: sessionmaker[Session] = make_session_factory(engine)
    try:
        thread_ts = ask_question(serve, fake_slack, factory)
        bodies = {user: answer_event(user, thread_ts, n) for n, user in enumerate(USERS)}
        statuses: dict[str, int] = {}

        for user in BEFORE:
            statuses[user] = serve.event(bodies[user])
        assert {statuses[u] for u in BEFORE} == {200}

        # A burst of answers with PostgreSQL stopped (fast: sessions cut off) in its middle.
        lock = threading.Lock()
        enough = threading.Event()

        def send(user: str) -> None:
            status = serve.event(bodies[user])
            with lock:
                statuses[user] = status
                if sum(statuses[u] == 200 for u in BURST if u in statuses) >= STOP_AFTER_ACKS:
                    enough.set()

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(send, user) for user in BURST]
            assert enough.wait(timeout=30)
            cluster.stop()
            for future in futures:
                future.result()

        # While it is down: nothing can be written down, so nothing is acknowledged.
        for user in DURING:
            statuses[user] = serve.event(bodies[user])
        assert {statuses[u] for u in DURING} == {503}
        assert serve.health() == 503
        assert set(statuses.values()) <= {200, 503}

        cluster.start()
        serve.wait_healthy(timeout=30)  # no restart, no intervention: the pool reconnects
        # Slack retries every request that got no 200 (same event id), and keeps sending.
        for user in [u for u in USERS if statuses.get(u, 503) != 200 and u not in AFTER]:
            retried = serve.event(bodies[user], retry=1)
            assert retried == 200, (user, retried)
        for user in AFTER:
            assert serve.event(bodies[user]) == 200

        def all_graded() -> bool:
            found = stored_answers(factory)
            return len(found) == len(USERS) and all(
                a.key_point_count > 0 for rows in found.values() for a in rows
            )

        # Listeners cut off by the restart are replayed when their 30-second lease ends.
        wait_until(all_graded, 120, "every answer to be stored and graded")
        wait_until(lambda: set(feedback_counts(fake_slack)) >= set(USERS), 30, "all feedback")
        # A listener whose work finished but whose "handled" mark met the outage is replayed too.
        wait_until(lambda: unfinished(factory) == 0, 90, "the inbox to drain")
        _check_once_each(factory, fake_slack)
    finally:
        output = serve.stop()
        engine.dispose()
    assert "asking Slack to retry" in output


def _check_once_each(factory: sessionmaker[Session], fake: FakeSlack) -> None:
    found = stored_answers(factory)
    feedback = feedback_counts(fake)
    for user in USERS:
        [answer] = found[user]
        assert [m.text for m in answer.messages] == [f"{ANSWER} ({user})"]
        assert answer.key_point_count > 0
        assert 1 <= feedback[user] <= answer.revision, (user, feedback[user], answer.revision)
