"""Engine and session factory from a database URL, with the settings each backend needs."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

# How long a SQLite writer waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine: SQLite in WAL mode with foreign keys, PostgreSQL with pre-ping."""
    if url.startswith("sqlite"):
        connection_class = _writer_lock_connection_class()
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "factory": connection_class}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that reads and then writes can
        # fail at once with "database is locked" when another process wrote in between, and the
        # busy timeout cannot help then. IMMEDIATE waits for the lock instead.
        dbapi_connection = connection.connection.dbapi_connection
        dbapi_connection.take_writer_lock()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.release_writer_lock()
            raise


def _writer_lock_connection_class() -> type[sqlite3.Connection]:
    """A sqlite3 connection class whose connections share one in-process writer lock.

    SQLite lets one transaction write at a time; a connection that finds the lock taken polls
    for it, sleeping up to 100 ms between tries. Under load the threads of one process then
    queue in those sleeps (a transaction's holder also waits for the GIL), so every
    transaction of one engine first takes this lock, which wakes the next thread as soon as
    a transaction ends. Other processes still wait through SQLite's busy timeout. A session
    abandoned without closing releases it too: SQLAlchemy's pool rolls back the connections it
    finds dropped.
    """
    lock = threading.Lock()

    class WriterLockConnection(sqlite3.Connection):
        _holds_writer_lock = False

        def take_writer_lock(self) -> None:
            if not lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise OperationalError(
                    "BEGIN IMMEDIATE",
                    None,
                    sqlite3.OperationalError(
                        "database is locked (another transaction of this process held it)"
                    ),
                )
            self._holds_writer_lock = True

        def release_writer_lock(self) -> None:
            if self._holds_writer_lock:
                self._holds_writer_lock = False
                lock.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.release_writer_lock()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.release_writer_lock()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self.release_writer_lock()

    return WriterLockConnection


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (use cases read them afterwards)."""
    return sessionmaker(engine, expire_on_commit=False)
