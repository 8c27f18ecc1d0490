"""APScheduler wiring only: a periodic tick; every decision lives in bot.usecases.daily.

APScheduler 3.x has no coordination between processes, so the scheduler only says "look now";
exactly-once is enforced by the database. Schedules are read from the database on every tick,
so a change made by any process takes effect at the next tick without a restart.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from bot.usecases import daily

log = logging.getLogger(__name__)

TICK_SECONDS = 15


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


def make_scheduler(deps: Deps, *, blocking: bool) -> BaseScheduler:
    """A scheduler running the tick every TICK_SECONDS, first at once."""
    scheduler: BaseScheduler = (
        BlockingScheduler(timezone=UTC) if blocking else BackgroundScheduler(timezone=UTC)
    )
    scheduler.add_job(
        run_tick,
        IntervalTrigger(seconds=TICK_SECONDS, timezone=UTC),
        args=[deps],
        id="qotd-tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=TICK_SECONDS,
        next_run_time=datetime.now(UTC),
    )
    return scheduler
