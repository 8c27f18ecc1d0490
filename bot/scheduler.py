"""APScheduler wiring only: a periodic tick; every decision lives in bot.usecases.daily.

APScheduler 3.x has no coordination between processes, so the scheduler only says "look now";
exactly-once is enforced by the database. Schedules are read from the database on every tick,
so a change made by any process takes effect at the next tick without a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from bot.usecases import daily, privacy

log = logging.getLogger(__name__)

TICK_SECONDS = 15
# How often serve/socket renew their inbox leases and replay abandoned requests (< inbox LEASE).
INBOX_SECONDS = 10
# Uninstalled workspaces are deleted 30 days on: looking once an hour is precise enough.
PURGE_SECONDS = 3600


def run_tick(deps: Deps) -> None:
    """One tick; an error is logged and the next tick tries again."""
    try:
        report = daily.tick(deps)
    except Exception:  # the clock must outlive any one failure (database restart, bug)
        log.exception("scheduler tick failed")
        return
    if report.posted or report.missed or report.failed or report.revealed:
        log.info(
            "tick: posted %d, revealed %d, missed %d, failed %d",
            len(report.posted), len(report.revealed), len(report.missed), len(report.failed),
        )  # fmt: skip


def run_purge(deps: Deps) -> None:
    """Delete the data of workspaces uninstalled long enough ago; a failure waits for next time."""
    try:
        privacy.purge_uninstalled(deps)
    except Exception:  # like the tick: the clock must outlive any one failure
        log.exception("purge of uninstalled workspaces failed")


def make_scheduler(deps: Deps, *, blocking: bool) -> BaseScheduler:
    """A scheduler running the tick every TICK_SECONDS and the purge hourly, both first at once."""
    scheduler: BaseScheduler = (
        BlockingScheduler(timezone=UTC) if blocking else BackgroundScheduler(timezone=UTC)
    )
    _every(scheduler, TICK_SECONDS, "qotd-tick", run_tick, deps)
    _every(scheduler, PURGE_SECONDS, "qotd-purge", run_purge, deps)
    return scheduler


def run_replay(replay: Callable[[], object]) -> None:
    """One inbox run; an error (the database restarting) is logged and the next run tries again."""
    try:
        replay()
    except Exception:  # the replayer must outlive any one failure
        log.exception("inbox replay failed")


def make_inbox_scheduler(replay: Callable[[], object]) -> BaseScheduler:
    """A background scheduler running the inbox replay every INBOX_SECONDS, first at once.

    It runs in every `serve` and `socket` process (with or without --no-clock): replays go
    through that process's Bolt listeners, and its own unfinished requests need their leases kept.
    """
    scheduler = BackgroundScheduler(timezone=UTC)
    _every(scheduler, INBOX_SECONDS, "qotd-inbox", run_replay, replay)
    return scheduler


def _every(
    scheduler: BaseScheduler, seconds: int, job_id: str, job: Callable[[Any], None], arg: object
) -> None:
    """Run `job(arg)` every `seconds`, first at once; a late run is merged, never doubled."""
    scheduler.add_job(
        job,
        IntervalTrigger(seconds=seconds, timezone=UTC),
        args=[arg],
        id=job_id,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=seconds,
        next_run_time=datetime.now(UTC),
    )
