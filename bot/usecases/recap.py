"""The weekly recap (SPEC §4.3): every Monday, last week's board, lesson and chart, once.

Exactly-once works as for the daily question: a recap claims its (channel, week) delivery with a
unique key before anything is sent, leased to its claimer; a recap left pending (a crash, a Slack
failure) is taken over by whichever clock comes next, with backoff, until Monday ends locally,
after which it is skipped. Which channels: those not paused, of installed workspaces, where a
question was posted or answered last week; a week without answers is recorded as skipped and
posts nothing. When: the first tick at or after 09:00 on Monday in the channel's timezone (a
tick sends at most RECAP_BATCH recaps; the others follow on the next ticks).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import boards, recap_queries
from bot.db.models import Delivery
from bot.deps import Deps
from bot.domain import recap as rules
from bot.render import chart
from bot.slack import recap_blocks
from bot.slack.gateway import SlackError
from bot.usecases.ask import LEASE, RETRY_BASE, RETRY_MAX

log = logging.getLogger(__name__)

# Recaps sent at once: like questions, they wait on Slack far more than they compute.
RECAP_WORKERS = 4
# Recaps one tick sends at most (each reads its week and draws a chart): a Monday with
# thousands of channels spreads over a few minutes instead of holding up reveals and posts.
RECAP_BATCH = 100
# A recap the bot could not even claim on Monday (it was down all day) is recorded as missed
# for this long afterwards; later than that, nothing is recorded.
MISSED_LOOKBACK = timedelta(days=1)
# How far back claims are read: the latest slot is at most 14 days + a day's lookback old.
_CLAIMS_SINCE = timedelta(days=16)

Key = tuple[str, date]  # (channel id, period)


@dataclass
class RecapReport:
    """What one pass did (for logs and tests)."""

    sent: list[Key] = field(default_factory=list)
    quiet: list[Key] = field(default_factory=list)
    missed: list[Key] = field(default_factory=list)
    failed: list[Key] = field(default_factory=list)


def send_due(deps: Deps) -> RecapReport:
    """Claim and send the recaps due now, retry pending ones, record missed ones."""
    now = deps.clock.now()
    report = RecapReport()
    to_send, to_miss = _due(deps, now)
    for ch, slot in to_miss:
        if _claim_skipped(deps, ch, slot.period, "missed: the bot was down all Monday"):
            log.warning("missed the recap of %s for %s", slot.period, ch.channel_id)
            report.missed.append((ch.channel_id, slot.period))
    # The rest stay undecided and due: the next tick takes them, so no tick runs for minutes.
    batch = sorted(to_send, key=lambda job: job[1].due)[:RECAP_BATCH]
    if batch:
        with ThreadPoolExecutor(RECAP_WORKERS, thread_name_prefix="qotd-recap") as pool:
            for outcome in pool.map(lambda job: _claim_and_send(deps, *job), batch):
                _note(report, outcome)
    _retry_pending(deps, now, report)
    if report != RecapReport():
        log.info(
            "recaps: sent %d, quiet %d, missed %d, failed %d",
            len(report.sent), len(report.quiet), len(report.missed), len(report.failed),
        )  # fmt: skip
    return report


_Job = tuple[recap_queries.RecapChannel, rules.RecapSlot]


def _due(deps: Deps, now: datetime) -> tuple[list[_Job], list[_Job]]:
    """Active channels whose recap is undecided: (sendable now, missed while the bot was down)."""
    to_send: list[_Job] = []
    to_miss: list[_Job] = []
    with deps.session_factory() as s:
        # Channels of one timezone share their week: one slot and one activity query per zone,
        # and nothing more to read at all outside Monday 09:00 to Tuesday's end somewhere.
        slots = {tz: rules.latest_slot(now, tz) for tz in recap_queries.recap_zones(s)}
        slots = {tz: slot for tz, slot in slots.items() if now < slot.ends + MISSED_LOOKBACK}
        if not slots:
            return to_send, to_miss
        decided = recap_queries.decided_recaps(s, (now - _CLAIMS_SINCE).date())
        by_zone: dict[str, list[recap_queries.RecapChannel]] = {}
        for ch in recap_queries.recap_channels(s, list(slots)):
            if (ch.workspace_id, ch.channel_id, slots[ch.timezone].period) not in decided:
                by_zone.setdefault(ch.timezone, []).append(ch)
        for tz, channels in by_zone.items():
            slot = slots[tz]
            pks = [ch.channel_pk for ch in channels]
            active = recap_queries.active_channels(s, pks, slot.week_start, slot.week_end)
            due = to_send if slot.open_at(now) else to_miss
            due.extend((ch, slot) for ch in channels if ch.channel_pk in active)
    return to_send, to_miss


@dataclass(frozen=True, slots=True)
class _Outcome:
    key: Key
    status: str  # "sent", "quiet", "failed"


def _note(report: RecapReport, outcome: _Outcome | None) -> None:
    if outcome is not None:
        getattr(report, outcome.status).append(outcome.key)


def _claim_and_send(
    deps: Deps, ch: recap_queries.RecapChannel, slot: rules.RecapSlot
) -> _Outcome | None:
    """Claim the recap (None: another clock has it) and send it."""
    now = deps.clock.now()
    try:
        with deps.session_factory.begin() as s:
            delivery_id = recap_queries.claim_recap(
                s, ch.workspace_id, ch.channel_id, slot.period, now, LEASE
            )
    except IntegrityError:
        return None
    return deliver(deps, delivery_id)


def _claim_skipped(deps: Deps, ch: recap_queries.RecapChannel, period: date, reason: str) -> bool:
    """Record a recap that will not be sent, so it is decided once; False if already decided."""
    now = deps.clock.now()
    try:
        with deps.session_factory.begin() as s:
            delivery_id = recap_queries.claim_recap(
                s, ch.workspace_id, ch.channel_id, period, now, timedelta(0)
            )
            _finish(s, delivery_id, "skipped", reason)
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class _Content:
    recap: recap_blocks.Recap
    points: list[int]
    answers: list[int]


def deliver(deps: Deps, delivery_id: int, *, take: bool = False) -> _Outcome | None:
    """Send a claimed recap: the message, then its chart; on failure record it for a retry.

    `take`: first lease the pending recap to this process (a retry by any clock); without it
    the caller is the claimer and already holds the lease. None: nothing to do here.
    """
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if take and not recap_queries.take_recap(s, delivery_id, now, LEASE):
            return None
        found = recap_queries.recap_delivery(s, delivery_id)
        if found is None or found.status != "pending":
            return None
        key = (found.channel_id, found.period)
        content = _gather(s, deps, found)
        if content is None:
            _finish(s, delivery_id, "skipped", "quiet week: no answers")
            return _Outcome(key, "quiet")
    message = recap_blocks.recap_message(content.recap)
    png = chart.points_per_day_png(
        recap_blocks.chart_title(found.period), content.points, content.answers
    )
    gateway = deps.slack(found.team_id)
    try:
        gateway.post_message(found.channel_id, message.text, message.blocks)
    except SlackError as exc:
        log.warning("posting the recap to %s failed: %s", found.channel_id, exc.code)
        _record_failure(deps, delivery_id, exc.code)
        return _Outcome(key, "failed")
    with deps.session_factory.begin() as s:
        _finish(s, delivery_id, "sent", None, sent_at=now)
    try:
        gateway.upload_file(
            found.channel_id,
            f"qotd-recap-{found.period.isoformat()}.png",
            png,
            recap_blocks.chart_title(found.period),
            alt_text=recap_blocks.chart_alt_text(content.points, content.answers),
        )
    except SlackError as exc:
        # The message is out: posting it again would be worse than a recap without its chart.
        log.warning("sharing the recap chart in %s failed: %s", found.channel_id, exc.code)
        with deps.session_factory.begin() as s:
            stored = s.get(Delivery, delivery_id)
            assert stored is not None
            stored.last_error = f"sent without its chart: {exc.code}"
    return _Outcome(key, "sent")


def _gather(s: Session, deps: Deps, found: recap_queries.RecapDelivery) -> _Content | None:
    """What the week held for the channel; None for a week without answers."""
    slot = rules.slot_for(found.period, found.timezone)
    start, end = slot.week_start, slot.week_end
    given = recap_queries.week_answers(s, found.channel_pk, start, end)
    if not given:
        return None
    points = rules.sum_by_weekday(((a.answered_at, a.points) for a in given), found.timezone)
    answers = rules.sum_by_weekday(((a.answered_at, 1) for a in given), found.timezone)
    recap = recap_blocks.Recap(
        channel_id=found.channel_id,
        period=found.period,
        questions=recap_queries.questions_posted(s, found.channel_pk, start, end),
        answers=len(given),
        people=len({a.user_id for a in given}),
        points=sum(points),
        board=boards.channel_board(s, found.channel_pk, start, end, limit=10),
        lesson=_lesson(s, deps, found.channel_pk, start, end),
    )
    return _Content(recap, points, answers)


def _lesson(
    s: Session, deps: Deps, channel_pk: int, start: datetime, end: datetime
) -> recap_blocks.MissedLesson | None:
    """The key point of last week's (revealed) questions that most answers missed."""
    counts: dict[str, int] = {}
    graded: list[rules.GradedAnswer] = []
    for row in recap_queries.graded_answers(s, channel_pk, start, end):
        question = deps.bank.get(row.question_id)
        # Indices only mean the same key points while the question still has as many.
        if question is None or len(question.key_points) != row.key_point_count:
            continue
        counts[row.question_id] = row.key_point_count
        graded.append(rules.GradedAnswer(row.question_id, frozenset(row.covered)))
    top = rules.most_missed(graded, counts)
    if top is None:
        return None
    question = deps.bank.get(top.question_id)
    assert question is not None
    return recap_blocks.MissedLesson(
        question=question.question,
        key_point=question.key_points[top.index].point,
        missed=top.missed,
        answers=top.answers,
    )


def _finish(
    s: Session, delivery_id: int, status: str, error: str | None, sent_at: datetime | None = None
) -> None:
    stored = s.get(Delivery, delivery_id)
    assert stored is not None
    stored.status = status
    stored.last_error = error
    stored.next_attempt_at = None
    if sent_at is not None:
        stored.attempts += 1
        stored.sent_at = sent_at


def _record_failure(deps: Deps, delivery_id: int, code: str) -> None:
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        stored = s.get(Delivery, delivery_id)
        if stored is None:
            return
        stored.attempts += 1
        stored.last_error = code
        stored.next_attempt_at = now + min(RETRY_BASE * 2 ** (stored.attempts - 1), RETRY_MAX)


def _retry_pending(deps: Deps, now: datetime, report: RecapReport) -> None:
    """Retry recaps whose lease or backoff ran out; give up on those past Monday."""
    with deps.session_factory() as s:
        pending = recap_queries.pending_recaps(s, now, limit=RECAP_BATCH)
    for found in pending:
        key = (found.channel_id, found.period)
        if now >= rules.slot_for(found.period, found.timezone).ends:
            with deps.session_factory.begin() as s:
                if recap_queries.take_recap(s, found.id, now, LEASE):
                    tries = f"{found.attempts} attempt{'' if found.attempts == 1 else 's'}"
                    reason = f"gave up after {tries}: {found.last_error}"
                    _finish(s, found.id, "skipped", reason)
                    log.error("gave up the recap of %s in %s", found.period, found.channel_id)
                    report.failed.append(key)
            continue
        _note(report, deliver(deps, found.id, take=True))
