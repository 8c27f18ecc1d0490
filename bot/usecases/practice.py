"""DM practice (SPEC §4.4): ask due cards first, grade answers, schedule them again with FSRS.

`handle` decides and returns plain data (a `Turn`); the Slack side (`dm`, `start_in_dm`) renders
it with bot.slack.practice_blocks after commit, and `qotd practice` renders the same data as text.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import practice_queries as pq
from bot.db import queries
from bot.db.models import PracticeCard, PracticeReview, Practitioner
from bot.deps import Deps
from bot.domain import dm_commands as dc
from bot.domain import grading, srs
from bot.domain.bank import Question
from bot.domain.practice_views import (
    Asked,
    Graded,
    HelpView,
    Info,
    Part,
    PointView,
    StatsView,
    TopicRow,
    TopicsView,
    Turn,
)
from bot.slack import practice_blocks
from bot.slack.gateway import SlackError
from bot.usecases.answer import MAX_GRADED_CHARS, clean, key_points_for

log = logging.getLogger(__name__)


# --- deciding ----------------------------------------------------------------------------------


def handle(
    deps: Deps,
    team_id: str,
    user_id: str,
    text: str,
    *,
    event_id: str | None = None,
    timezone: str | None = None,
) -> Turn | None:
    """One message from a person; None when the event was already handled (a Slack retry).

    `timezone` (the person's IANA zone, if known) is remembered for dates and the nudge.
    """
    command = dc.parse(clean(text))
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if event_id and not queries.claim_event(s, event_id, now):
            return None
        ws = queries.workspace(s, team_id, now)
        person = pq.practitioner(s, ws.id, user_id, now)
        if timezone and person.timezone != timezone:
            person.timezone = timezone
        return _decide(deps, s, person, command, now)


def _decide(
    deps: Deps, s: Session, person: Practitioner, command: dc.DmCommand, now: datetime
) -> Turn:
    match command:
        case dc.Start(topic):
            return _start(deps, s, person, topic, now)
        case dc.Answer(text):
            return _answer(deps, s, person, text, now)
        case dc.Skip():
            if person.pending_question_id is None:
                return (Info("There is no question to skip. Type `practice` to get one."),)
            skipped = person.pending_question_id
            note = Info("Skipped: that question stays in your queue for later.")
            return (note, _next(deps, s, person, now, exclude=skipped))
        case dc.Stop():
            was_pending = person.pending_question_id is not None
            person.pending_question_id = person.pending_since = None
            stats = _stats(deps, s, person, now)
            first = "Stopped. " if was_pending else "Nothing was running. "
            when = f" Your next question comes back {stats.next_due}." if stats.next_due else ""
            return (Info(f"{first}Type `practice` whenever you want to go on.{when}"),)
        case dc.ShowStats():
            return (_stats(deps, s, person, now),)
        case dc.ShowTopics():
            return (TopicsView(_topic_rows(deps, s, person), person.topic),)
        case dc.ShowHelp():
            return (HelpView(),)
        case dc.Remind(on):
            person.remind = on
            if not on:
                return (Info("Daily reminders are off."),)
            zone = person.timezone or "UTC"
            return (
                Info(
                    "Daily reminders are on: on days when questions are due I'll send you one "
                    f"message at 09:00 ({zone} time). `remind off` stops them."
                ),
            )
        case dc.SetLevel(level):
            person.level = level
            label = f"{level} level" if level else "any level"
            return (Info(f"New questions will be {label}. Due questions still come back."),)
        case dc.Unclear(problem):
            return (HelpView(problem),)
    raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover


def _start(deps: Deps, s: Session, person: Practitioner, topic: str | None, now: datetime) -> Turn:
    if topic is not None and topic not in deps.bank.topics:
        known = ", ".join(f"`{t}`" for t in sorted(deps.bank.topics))
        return (Info(f"There is no topic `{topic}`. Topics: {known}."),)
    # `practice` alone means every topic; the question waiting is asked again if it fits.
    person.topic = topic
    pending = deps.bank.get(person.pending_question_id or "")
    if pending is not None and topic in (None, pending.topic):
        return (
            Info("Still waiting for your answer to this one:"),
            _asked(deps, s, person, pending, now),
        )
    return (_next(deps, s, person, now),)


def _answer(deps: Deps, s: Session, person: Practitioner, text: str, now: datetime) -> Turn:
    question = deps.bank.get(person.pending_question_id or "")
    if question is None:
        person.pending_question_id = person.pending_since = None
        return (HelpView("There is no question waiting for an answer right now."),)
    key_points = key_points_for(s, question, person.workspace_id)
    result = grading.grade(
        text[:MAX_GRADED_CHARS], key_points, question=question.question, idf=deps.idf
    )
    if result.message:  # empty, or nothing but emoji and links: refused, nothing recorded
        return (Info(f"{result.message} The question is still waiting for you (or type `skip`)."),)
    card = pq.card(s, person.workspace_id, person.user_id, question.id)
    review = srs.review(card.fsrs_state if card else None, result.score, now, person.timezone)
    if card is None:
        card = PracticeCard(
            workspace_id=person.workspace_id,
            user_id=person.user_id,
            question_id=question.id,
            topic=question.topic,
            fsrs_state=review.state,
            due_at=review.due_at,
            reviews=0,
        )
        s.add(card)
    card.topic = question.topic
    card.fsrs_state = review.state
    card.due_at = review.due_at
    card.last_score = result.score
    card.reviews += 1
    card.last_reviewed_at = now
    s.flush()
    s.add(
        PracticeReview(
            card_id=card.id, score=result.score, rating=int(review.rating), reviewed_at=now
        )
    )
    person.pending_question_id = person.pending_since = None
    graded = Graded(
        question=question,
        score=result.score,
        covered=len(result.covered_indices),
        total=len(question.key_points),
        points=tuple(PointView(p.covered, p.key_point.point, p.evidence) for p in result.points),
        comes_back=srs.comes_back(review.due_at, now, person.timezone),
        rating=srs.RATING_NAMES[review.rating],
        truncated=len(text) > MAX_GRADED_CHARS,
    )
    return (graded, _next(deps, s, person, now))


def _next(
    deps: Deps, s: Session, person: Practitioner, now: datetime, exclude: str | None = None
) -> Part:
    """Pick and mark pending the next question: due cards first, then a new one."""
    person.pending_question_id = person.pending_since = None
    due = [
        q
        for qid in pq.due_question_ids(s, person.workspace_id, person.user_id, now, person.topic)
        if qid != exclude and (q := deps.bank.get(qid)) is not None
    ]
    if due:
        return _asked(deps, s, person, due[0], now, returning=True, due_after=len(due) - 1)
    seen = pq.seen_question_ids(s, person.workspace_id, person.user_id)
    topics = [person.topic] if person.topic else None
    fresh = [
        q for q in deps.bank.eligible(topics, person.level) if q.id not in seen and q.id != exclude
    ]
    if fresh:
        seed = f"{person.workspace_id}:{person.user_id}:{len(seen)}"
        return _asked(deps, s, person, random.Random(seed).choice(fresh), now)
    return Info(_caught_up(deps, s, person, now))


def _asked(
    deps: Deps,
    s: Session,
    person: Practitioner,
    question: Question,
    now: datetime,
    *,
    returning: bool | None = None,
    due_after: int = 0,
) -> Asked:
    person.pending_question_id = question.id
    person.pending_since = now
    if returning is None:
        returning = pq.card(s, person.workspace_id, person.user_id, question.id) is not None
    topic = deps.bank.topics.get(question.topic)
    return Asked(question, topic.title if topic else question.topic, returning, due_after)


def _caught_up(deps: Deps, s: Session, person: Practitioner, now: datetime) -> str:
    scope = f"in `{person.topic}`" if person.topic else "in the bank"
    if person.level:
        scope += f" at {person.level} level"
    text = f"You're all caught up: nothing is due and you have seen every question {scope}."
    upcoming = [c for c in pq.cards(s, person.workspace_id, person.user_id) if c.due_at > now]
    if upcoming:
        text += (
            f" The next one comes back {srs.comes_back(upcoming[0].due_at, now, person.timezone)}."
        )
    if person.topic or person.level:
        text += (
            " Type `practice` for every topic"
            + (" (and `level any`)" if person.level else "")
            + "."
        )
    return text


def _topic_rows(deps: Deps, s: Session, person: Practitioner) -> tuple[TopicRow, ...]:
    by_topic: dict[str, list[int | None]] = defaultdict(list)
    for c in pq.cards(s, person.workspace_id, person.user_id):
        by_topic[c.topic].append(c.last_score)
    sizes: dict[str, int] = defaultdict(int)
    for q in deps.bank.questions:
        sizes[q.topic] += 1
    return tuple(
        TopicRow(slug, t.title, sizes[slug], len(by_topic[slug]), srs.mastery(by_topic[slug]))
        for slug, t in sorted(deps.bank.topics.items())
        if sizes[slug]
    )


def _stats(deps: Deps, s: Session, person: Practitioner, now: datetime) -> StatsView:
    rows = pq.cards(s, person.workspace_id, person.user_id)
    reviews, average = pq.review_totals(s, person.workspace_id, person.user_id)
    upcoming = [c.due_at for c in rows if c.due_at > now]
    return StatsView(
        seen=len(rows),
        due=sum(1 for c in rows if c.due_at <= now),
        reviews=reviews,
        average=round(average) if average is not None else None,
        topics=tuple(r for r in _topic_rows(deps, s, person) if r.seen),
        next_due=srs.comes_back(upcoming[0], now, person.timezone) if upcoming else None,
        remind=person.remind,
    )


# --- Slack ---------------------------------------------------------------------------------------


def dm(
    deps: Deps,
    team_id: str,
    user_id: str,
    channel_id: str,
    text: str,
    *,
    event_id: str | None = None,
    thread_ts: str | None = None,
) -> Turn | None:
    """A direct message to the bot: decide, then reply in the same conversation."""
    turn = handle(
        deps, team_id, user_id, text, event_id=event_id, timezone=_timezone(deps, team_id, user_id)
    )
    if turn is not None:
        _send(deps, team_id, channel_id, turn, thread_ts)
    return turn


@dataclass(frozen=True, slots=True)
class Started:
    """The outcome of starting practice from outside the DM; `message` is for the caller."""

    in_dm: bool
    message: str


def start_in_dm(deps: Deps, team_id: str, user_id: str, topic: str | None) -> Started:
    """`/qotd practice [topic]` or "Practice now": ask the next question in the DM."""
    text = f"practice {topic}" if topic else "practice"
    turn = handle(deps, team_id, user_id, text, timezone=_timezone(deps, team_id, user_id))
    assert turn is not None  # no event id, so never a duplicate
    if not any(isinstance(part, Asked) for part in turn):
        # Nothing to ask (unknown topic, all caught up): say so where the person is.
        return Started(False, " ".join(part.text for part in turn if isinstance(part, Info)))
    if not _send(deps, team_id, user_id, turn, None):
        message = "I couldn't send you a direct message. Open my Messages tab and type `practice`."
        return Started(False, message)
    return Started(True, "Your practice question is waiting in our direct messages.")


def _timezone(deps: Deps, team_id: str, user_id: str) -> str | None:
    """The person's zone: remembered, else asked of Slack once (never fatal)."""
    with deps.session_factory() as s:
        found = pq.timezone_of(s, team_id, user_id)
    if found:
        return str(found)
    try:
        return deps.slack(team_id).user_info(user_id).timezone
    except SlackError as exc:
        log.warning("users.info for %s failed: %s", user_id, exc.code)
        return None


def _send(deps: Deps, team_id: str, channel: str, turn: Turn, thread_ts: str | None) -> bool:
    """Post each part of a turn as its own message; False when Slack refused."""
    gateway = deps.slack(team_id)
    for part in turn:
        message = practice_blocks.render(part)
        try:
            gateway.post_message(channel, message.text, message.blocks, thread_ts=thread_ts)
        except SlackError as exc:
            log.warning("practice DM to %s failed: %s", channel, exc.code)
            return False
    return True
