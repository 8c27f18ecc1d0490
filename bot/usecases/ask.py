"""Ask: choose a channel's next question, record it, then post it to Slack."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from bot.db import queries
from bot.db.models import QuestionPost
from bot.deps import Deps
from bot.domain import rotation
from bot.domain.bank import Question
from bot.domain.schedule import closes_at, format_local, local_date
from bot.slack import blocks
from bot.slack.gateway import SlackError

log = logging.getLogger(__name__)

# Backoff for a post Slack refused or could not take: 1, 2, 4 ... minutes, at most an hour.
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
# A claimed post belongs to its claimer this long; after that another clock may take it over
# (the claimer crashed). Longer than Slack's retries of one call can take.
LEASE = timedelta(minutes=2)

FRIENDLY_ERRORS = {
    "not_in_channel": "I am not in this channel yet: invite me with `/invite @qotd` first.",
    "channel_not_found": "I can't see this channel. Invite me to it first (`/invite @qotd`).",
    "is_archived": "This channel is archived, so I can't post here.",
    "restricted_action": "This workspace doesn't allow me to post here.",
}


@dataclass(frozen=True, slots=True)
class AskResult:
    """What happened, with a sentence for the person who asked."""

    ok: bool
    message: str
    post_id: int | None = None
    ts: str | None = None


@dataclass(frozen=True, slots=True)
class _Claim:
    post_id: int
    question: Question
    warn_admins: tuple[str, ...]


def post_question(
    deps: Deps,
    team_id: str,
    channel_id: str,
    *,
    topic: str | None = None,
    requested_by: str | None = None,
    scheduled_date: date | None = None,
) -> AskResult:
    """Pick the next question for a channel and post it."""
    claim = _claim(deps, team_id, channel_id, topic, requested_by, scheduled_date)
    if isinstance(claim, AskResult):
        return claim
    result = deliver(deps, team_id, channel_id, claim.post_id, manual=scheduled_date is None)
    if result.ok and claim.warn_admins:
        _warn_low_bank(deps, team_id, channel_id, claim.warn_admins)
    return result


def _claim(
    deps: Deps,
    team_id: str,
    channel_id: str,
    topic: str | None,
    requested_by: str | None,
    scheduled_date: date | None,
) -> _Claim | AskResult:
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, team_id, channel_id, now)
        if topic is not None and topic not in deps.bank.topics:
            known = ", ".join(sorted(deps.bank.topics))
            return AskResult(False, f"There is no topic `{topic}`. Topics: {known}.")
        topics = [topic] if topic else ch.topics
        eligible = deps.bank.eligible(topics, ch.level)
        if not eligible:
            return AskResult(
                False,
                "No question matches this channel's topics and level. "
                "Widen them with `/qotd topics all` or `/qotd level any`.",
            )
        history = queries.asked_question_ids(s, ch.id)
        pick = rotation.pick_next(eligible, history, seed=f"{team_id}:{channel_id}:{len(history)}")
        assert pick is not None
        if pick.new_cycle:
            ch.low_bank_notified_at = None
        warn = rotation.should_warn_low_bank(pick, ch.low_bank_notified_at is not None)
        if warn:
            ch.low_bank_notified_at = now
        post = QuestionPost(
            channel_pk=ch.id,
            question_id=pick.question.id,
            local_date=local_date(now, ch.timezone),
            scheduled_date=scheduled_date,
            status="pending",
            due_at=now,
            next_attempt_at=now + LEASE if scheduled_date else None,
            created_at=now,
        )
        s.add(post)
        s.flush()
        admins = queries.channel_admin_ids(s, ch.id) if warn else []
        if warn and not admins and requested_by:
            admins = [requested_by]
        return _Claim(post.id, pick.question, tuple(admins))


def deliver(
    deps: Deps,
    team_id: str,
    channel_id: str,
    post_id: int,
    *,
    manual: bool = False,
    take: bool = False,
) -> AskResult:
    """Post a claimed question to Slack and open it; on failure record it for a retry.

    `take`: first lease the pending post to this process (a retry by any clock); without it
    the caller is the claimer and already holds the lease.
    """
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if take and not queries.take_post(s, post_id, now, LEASE):
            return AskResult(False, "Another process is posting this question.", post_id)
        post = s.get(QuestionPost, post_id)
        if post is None or post.status != "pending":
            return AskResult(False, "This question was already posted.", post_id)
        ch = post.channel
        question = deps.bank.get(post.question_id)
        if question is None:
            post.status = "skipped"
            post.last_error = "question no longer in the bank"
            return AskResult(False, "That question is no longer in the bank.", post_id)
        closing = closes_at(now, ch.timezone, ch.close_time, ch.close_after_minutes)
        topic = deps.bank.topics[question.topic].title if question.topic in deps.bank.topics else ""
        message = blocks.question_post(
            question, topic, format_local(closing, ch.timezone, now), post_id
        )
    try:
        ts = deps.slack(team_id).post_message(channel_id, message.text, message.blocks)
    except SlackError as exc:
        log.warning("posting question %s to %s failed: %s", post_id, channel_id, exc.code)
        _record_failure(deps, post_id, exc.code, give_up=manual)
        friendly = FRIENDLY_ERRORS.get(exc.code, f"Slack refused the post ({exc.code}).")
        return AskResult(False, friendly, post_id)
    with deps.session_factory.begin() as s:
        post = s.get(QuestionPost, post_id)
        assert post is not None
        post.slack_ts = ts
        post.status = "open"
        post.opened_at = now
        post.closes_at = closing
        post.attempts += 1
        post.last_error = None
        post.next_attempt_at = None
    return AskResult(True, "Question posted.", post_id, ts)


def _record_failure(deps: Deps, post_id: int, code: str, *, give_up: bool) -> None:
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        post = s.get(QuestionPost, post_id)
        if post is None:
            return
        post.attempts += 1
        post.last_error = code
        if give_up:
            post.status = "skipped"
        else:
            delay = min(RETRY_BASE * 2 ** (post.attempts - 1), RETRY_MAX)
            post.next_attempt_at = now + delay


def _warn_low_bank(deps: Deps, team_id: str, channel_id: str, admins: tuple[str, ...]) -> None:
    text = (
        f"Heads-up: fewer than {rotation.LOW_BANK_THRESHOLD} questions are left in <#{channel_id}> "
        "before the bank starts over. Widen the channel's topics or level, or add a team pack "
        "(see docs/content.md)."
    )
    gateway = deps.slack(team_id)
    for admin in admins:
        try:
            gateway.post_message(admin, text)
        except SlackError as exc:
            log.warning("could not tell admin %s about the low bank: %s", admin, exc.code)
