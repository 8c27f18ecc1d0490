"""Engine behaviour: SQLite pragmas, aware timestamps, and concurrent writers."""

from __future__ import annotations

import gc
import multiprocessing
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_session_factory
from bot.db.migrate import upgrade
from bot.db.models import Channel, QuestionPost, Workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _workspace(session: Session, team_id: str = "T1") -> Workspace:
    ws = Workspace(team_id=team_id, created_at=T0)
    session.add(ws)
    session.flush()
    return ws


def test_sqlite_uses_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


def test_timestamps_come_back_aware_in_utc(session_factory: sessionmaker[Session]) -> None:
    paris = timezone(timedelta(hours=1))
    with session_factory.begin() as s:
        ws = Workspace(team_id="T1", created_at=datetime(2026, 3, 2, 10, 0, tzinfo=paris))
        s.add(ws)
    with session_factory() as s:
        stored = s.scalars(select(Workspace.created_at)).one()
    assert stored == T0
    assert stored.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        s.add(Workspace(team_id="T1", created_at=datetime(2026, 3, 2, 9, 0)))  # noqa: DTZ001
        with pytest.raises(StatementError, match="naive datetime"):
            s.flush()
        s.rollback()


def test_foreign_keys_cascade(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        ws = _workspace(s)
        s.add(Channel(workspace_id=ws.id, channel_id="C1", created_at=T0, updated_at=T0))
    with session_factory.begin() as s:
        s.execute(text("DELETE FROM workspaces"))
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Channel)) == 0


def test_one_scheduled_post_per_channel_and_date(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        ws = _workspace(s)
        ch = Channel(workspace_id=ws.id, channel_id="C1", created_at=T0, updated_at=T0)
        s.add(ch)
        s.flush()
        channel_pk = ch.id

    def post(scheduled: date | None) -> QuestionPost:
        return QuestionPost(
            channel_pk=channel_pk,
            question_id="ml-bias-variance",
            local_date=date(2026, 3, 2),
            scheduled_date=scheduled,
            due_at=T0,
            created_at=T0,
        )

    with session_factory.begin() as s:
        s.add_all([post(date(2026, 3, 2)), post(None), post(None)])
    with pytest.raises(IntegrityError), session_factory.begin() as s:
        s.add(post(date(2026, 3, 2)))


def _hammer(url: str, worker: int, rounds: int, start: Any) -> None:
    """Read-then-write transactions, the pattern that fails with deferred SQLite transactions."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    start.wait(timeout=60)
    for i in range(rounds):
        with factory.begin() as s:
            count = s.scalar(select(func.count()).select_from(Workspace)) or 0
            time.sleep(0.002)  # widen the gap between read and write, as real work does
            s.add(Workspace(team_id=f"W{worker}-{i}-{count}", created_at=T0))
    engine.dispose()


def test_two_processes_writing_one_sqlite_file_do_not_lock_out(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine: Engine = make_engine(url)
    upgrade(engine)
    rounds = 100
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_hammer, args=(url, n, rounds, start)) for n in range(2)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Workspace)) == 2 * rounds
    engine.dispose()


def test_threads_of_one_process_write_one_sqlite_file_in_turn(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'threads.db'}"
    engine = make_engine(url, pool_size=8)
    upgrade(engine)
    factory = make_session_factory(engine)
    rounds = 40

    def work(worker: int) -> None:
        for i in range(rounds):
            with factory.begin() as s:
                count = s.scalar(select(func.count()).select_from(Workspace)) or 0
                s.add(Workspace(team_id=f"T{worker}-{i}-{count}", created_at=T0))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))
    with factory() as s:
        counts = [int(t.rsplit("-", 1)[1]) for t in s.scalars(select(Workspace.team_id))]
    # Each transaction saw every earlier one: the counts it read are 0, 1, 2, ... once each.
    assert sorted(counts) == list(range(8 * rounds))
    engine.dispose()


def test_a_leaked_sqlite_session_does_not_keep_the_writer_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'leak.db'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    leaked = factory()
    leaked.execute(select(func.count()).select_from(Workspace))  # a transaction holds the lock
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy warns about the connection it rolls back
        del leaked
        gc.collect()

    done = threading.Event()

    def write() -> None:
        with factory.begin() as s:
            s.add(Workspace(team_id="T-after-leak", created_at=T0))
        done.set()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    # Without the release the writer would wait out the 30 s lock timeout.
    assert done.wait(timeout=10)
    writer.join(timeout=10)
    engine.dispose()
