"""Leaderboards, team standings and personal stats (SPEC §4.3): read-only use cases.

Each opens one short read transaction and returns pure view data (bot.domain.boards) that the
Block Kit builders render. Nothing here writes: looking at a board never creates a workspace or
channel row.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from sqlalchemy.orm import Session

from bot.db import boards as q
from bot.db import queries
from bot.deps import Deps
from bot.domain import boards as d
from bot.domain.bank import Bank
from bot.domain.streaks import Asked, Streak, best_streak, streak

BOARD_SIZE = 10
TEAMS_SIZE = 15


def leaderboard(deps: Deps, team_id: str, channel_id: str, caller: str, period: str) -> d.Board:
    """The channel's top members for `period`, with streaks, and the caller's own line."""
    now = deps.clock.now()
    with deps.session_factory() as s:
        ch = queries.find_channel(s, team_id, channel_id)
        window = d.period_window(period, now, ch.timezone if ch else None)
        if ch is None:
            return d.Board(channel_id, caller, period, window.label, (), None, 0)
        page = q.board_page(s, ch.id, window.start, window.end, BOARD_SIZE, member=caller)
        shown = [*page.rows, *([page.own] if page.own else [])]
        streaks = channel_streaks(s, ch.workspace_id, ch.id, [r.user_id for r in shown])

    def line(row: q.BoardRow) -> d.BoardLine:
        return d.BoardLine(
            row.rank, row.user_id, row.points, row.answers, streaks[row.user_id].current
        )

    return d.Board(
        channel_id,
        caller,
        period,
        window.label,
        tuple(line(r) for r in page.rows),
        line(page.own) if page.own else None,
        page.participants,
    )


def channel_streaks(
    s: Session, workspace_id: int, channel_pk: int, user_ids: list[str]
) -> dict[str, Streak]:
    """Each person's streak in one channel (one query for the posts, one for the answers)."""
    posts = q.asked_posts(s, channel_pk)
    answered = q.answered_post_ids(s, workspace_id, channel_pk, user_ids)
    return {
        user: streak([Asked(p.post_id in answered[user], p.is_open) for p in posts])
        for user in user_ids
    }


def person_streak(s: Session, workspace_id: int, user_id: str) -> Streak:
    """A person's workspace streak: their best current and best longest run over channels."""
    return best_streak(
        channel_streaks(s, workspace_id, pk, [user_id])[user_id]
        for pk in q.person_channel_pks(s, workspace_id, user_id)
    )


def teams(deps: Deps, team_id: str, channel_id: str) -> d.Standings:
    """The workspace's channels ranked by average points per member who took part this month.

    Each channel's month is its own local calendar month; the label uses the caller's channel's.
    """
    now = deps.clock.now()
    with deps.session_factory() as s:
        ws = q.workspace_pk(s, team_id)
        ch = queries.find_channel(s, team_id, channel_id)
        label = d.period_window("month", now, ch.timezone if ch else None).label
        if ws is None:
            return d.Standings(label, channel_id, (), None, 0)
        by_zone: dict[str, list[int]] = {}
        channel_ids = {}
        for pk, cid, tz in q.workspace_channels(s, ws):
            by_zone.setdefault(tz, []).append(pk)
            channel_ids[pk] = cid
        windows = []
        for tz, pks in by_zone.items():
            month = d.period_window("month", now, tz)
            windows.append((pks, month.start, month.end))
        totals = q.team_totals(s, windows)
    ordered = sorted(
        totals,
        key=lambda t: (-Fraction(t.points, t.members), -t.members, channel_ids[t.channel_pk]),
    )
    ranks = d.competition_ranks([Fraction(t.points, t.members) for t in ordered])
    lines = [
        d.TeamLine(rank, channel_ids[t.channel_pk], t.points / t.members, t.members, t.answers)
        for rank, t in zip(ranks, ordered, strict=True)
    ]
    shown = tuple(lines[:TEAMS_SIZE])
    own = next((line for line in lines[TEAMS_SIZE:] if line.channel_id == channel_id), None)
    return d.Standings(label, channel_id, shown, own, len(lines))


def topic_titles(bank: Bank) -> dict[str, str]:
    """Topic slug -> title, in bank order."""
    titles = {slug: topic.title for slug, topic in bank.topics.items()}
    for question in bank.questions:
        titles.setdefault(question.topic, question.topic)
    return titles


def person_stats(
    s: Session, bank: Bank, workspace_id: int | None, user_id: str, month: d.Window
) -> d.PersonStats:
    """Points (this month, all time), answers, average, streak and topic mastery of a person."""
    titles = topic_titles(bank)
    if workspace_id is None:
        return d.PersonStats(
            user_id, month.label, 0, 0, 0, None, Streak(), tuple(d.mastery(titles, {}, {}))
        )
    total = q.person_totals(s, workspace_id, user_id, since=month.start)
    channel: dict[str, d.Tally] = {}
    for group in q.answer_scores_by_question(s, workspace_id, user_id):
        question = bank.get(group.key)
        if question is not None:  # a question since removed from the bank has no topic
            tally = d.Tally(group.count, group.score_sum)
            channel[question.topic] = channel.get(question.topic, d.Tally()) + tally
    practice = {
        g.key: d.Tally(g.count, g.score_sum)
        for g in q.practice_scores_by_topic(s, workspace_id, user_id)
    }
    average = d.percent(total.score_sum, total.answers) if total.answers else None
    return d.PersonStats(
        user_id,
        month.label,
        total.recent_points,
        total.points,
        total.answers,
        average,
        person_streak(s, workspace_id, user_id),
        tuple(d.mastery(titles, channel, practice)),
    )


def stats(deps: Deps, team_id: str, channel_id: str, user_id: str) -> d.PersonStats:
    """`/qotd stats [@user]`: a person's numbers in this workspace ("this month" is local to
    the channel the command was run in)."""
    now = deps.clock.now()
    with deps.session_factory() as s:
        ch = queries.find_channel(s, team_id, channel_id)
        month = d.period_window("month", now, ch.timezone if ch else None)
        return person_stats(s, deps.bank, q.workspace_pk(s, team_id), user_id, month)


def person_summary(
    deps: Deps, team_id: str, user_id: str, timezone: str | None = None
) -> d.PersonStats:
    """A person's points, streak and mastery, plus their due practice cards (App Home, DM)."""
    now = deps.clock.now()
    month = d.period_window("month", now, timezone)
    with deps.session_factory() as s:
        ws = q.workspace_pk(s, team_id)
        found = person_stats(s, deps.bank, ws, user_id, month)
        due = q.due_practice_count(s, ws, user_id, now) if ws is not None else 0
    return replace(found, due_cards=due)
