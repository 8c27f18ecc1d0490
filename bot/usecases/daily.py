"""The clock's decisions: which scheduled questions go out now, retries, catch-up, reveals.

Exactly-once lives in the database: a scheduled post claims its (channel, local date) slot with a
unique key in the transaction that records it, so two clocks never both post. A claimed post is
leased to its claimer for a while; a post left pending (a crash, a Slack failure) is taken over
by whichever clock comes next, with backoff, until the grace period ends.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot.db import inbox_queries, queries
from bot.db.models import QuestionPost
from bot.deps import Deps
from bot.domain import schedule as sched
from bot.usecases import ask, nudge, recap, reveal

log = logging.getLogger(__name__)

# Scheduled posts sent at once; Slack's per-channel limit is what really paces a busy minute.
POST_WORKERS = 8
# How long processed Slack event ids are kept to recognise retries.
EVENT_MEMORY = timedelta(days=1)
# How far back a tick looks for scheduled slots: yesterday's, plus the grace period.
LOOKBACK = timedelta(days=1) + sched.GRACE


@dataclass
class TickReport:
    """What one tick did (for logs and tests)."""

    posted: list[tuple[str, date]] = field(default_factory=list)
    missed: list[tuple[str, date]] = field(default_factory=list)
    skipped: list[tuple[str, date]] = field(default_factory=list)
    failed: list[tuple[str, date]] = field(default_factory=list)
    revealed: list[int] = field(default_factory=list)
    nudged: list[str] = field(default_factory=list)  # user ids sent the practice nudge
    recaps: recap.RecapReport = field(default_factory=recap.RecapReport)


def tick(deps: Deps) -> TickReport:
    """Reveal what is due, post every scheduled question due now, retry pending ones."""
    now = deps.clock.now()
    report = TickReport(revealed=reveal.reveal_due(deps))
    with deps.session_factory.begin() as s:
        # Slack retries an event for minutes, not days: older ids need not be remembered.
        queries.forget_events_before(s, now - EVENT_MEMORY)
        inbox_queries.forget_handled_before(s, now - EVENT_MEMORY)
    with deps.session_factory() as s:
        channels = queries.scheduled_channels(s)
        since = (now - LOOKBACK).date() - timedelta(days=1)
        claimed = queries.claimed_slots(s, since)
        skips = queries.skip_slots(s, since)
    to_post: list[tuple[queries.ScheduledChannel, date]] = []
    for row in channels:
        schedule = sched.Schedule(row.days, row.at, row.timezone)
        start = now - LOOKBACK
        if row.since is not None and row.since > start:
            start = row.since
        for day, instant in sched.due_occurrences(schedule, start, now):
            if (row.channel_pk, day) in claimed:
                continue
            if (row.channel_pk, day) in skips:
                if _mark(deps, row.channel_pk, day, instant, "skipped by an admin"):
                    report.skipped.append((row.channel_id, day))
            elif not sched.should_catch_up(instant, now):
                if _mark(deps, row.channel_pk, day, instant, "missed: more than 2 hours late"):
                    log.warning(
                        "missed the %s question in %s (down past grace)", day, row.channel_id
                    )
                    report.missed.append((row.channel_id, day))
            else:
                to_post.append((row, day))
    # Posting waits on Slack (and its rate limits) far more than it computes: many at once.
    with ThreadPoolExecutor(max_workers=POST_WORKERS, thread_name_prefix="qotd-post") as pool:
        results = pool.map(
            lambda job: post_scheduled(deps, job[0].team_id, job[0].channel_id, job[1]), to_post
        )
        for (row, day), result in zip(to_post, results, strict=True):
            if result is None:
                continue  # another clock claimed it first
            (report.posted if result.ok else report.failed).append((row.channel_id, day))
    _retry_pending(deps, now, report)
    report.nudged = nudge.send_due(deps)
    report.recaps = recap.send_due(deps)
    return report


def post_scheduled(deps: Deps, team_id: str, channel_id: str, day: date) -> ask.AskResult | None:
    """Close earlier days' open questions, then claim and post this one (None: already taken)."""
    with deps.session_factory() as s:
        ch = queries.find_channel(s, team_id, channel_id)
        still_open = queries.open_post_ids(s, ch.id, before=day) if ch else []
    for post_id in still_open:
        reveal.reveal(deps, team_id, post_id)
    try:
        return ask.post_question(deps, team_id, channel_id, scheduled_date=day)
    except IntegrityError:
        return None


def _mark(deps: Deps, channel_pk: int, day: date, instant: datetime, reason: str) -> bool:
    """Record a slot that will not be posted, so it is decided once; False if already decided."""
    now = deps.clock.now()
    try:
        with deps.session_factory.begin() as s:
            s.add(
                QuestionPost(
                    channel_pk=channel_pk,
                    question_id="",
                    local_date=day,
                    scheduled_date=day,
                    status="skipped",
                    due_at=instant,
                    last_error=reason,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def _retry_pending(deps: Deps, now: datetime, report: TickReport) -> None:
    with deps.session_factory() as s:
        pending = queries.pending_scheduled_posts(s, now)
    for post in pending:
        if now - post.due_at > sched.GRACE:
            with deps.session_factory.begin() as s:
                stored = s.get(QuestionPost, post.id)
                if stored is not None and stored.status == "pending":
                    stored.status = "skipped"
                    stored.last_error = (
                        f"gave up after {stored.attempts} attempts: {stored.last_error}"
                    )
            log.error("gave up posting question %s to %s", post.id, post.channel_id)
            report.failed.append((post.channel_id, post.day))
            continue
        result = ask.deliver(deps, post.team_id, post.channel_id, post.id, take=True)
        if result.ok:
            report.posted.append((post.channel_id, post.day))
