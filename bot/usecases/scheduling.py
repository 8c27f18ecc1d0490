"""Channel schedules: `/qotd schedule`, `pause`, `resume`, `skip`, with the next post time."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.db import queries
from bot.db.models import Channel, ChannelSkipDate
from bot.deps import Deps
from bot.domain import schedule as sched
from bot.slack.gateway import SlackError


def channel_schedule(ch: Channel) -> sched.Schedule | None:
    """The channel's schedule, or None when it has none."""
    if not ch.schedule_days or ch.schedule_time is None:
        return None
    days = frozenset(int(d) for d in ch.schedule_days.split(",") if d != "")
    return sched.Schedule(days, ch.schedule_time, ch.timezone) if days else None


def next_post(s: Session, ch: Channel, now: datetime) -> datetime | None:
    """When the channel's next scheduled question goes out (skips and pauses included)."""
    schedule = channel_schedule(ch)
    if schedule is None or ch.paused:
        return None
    skipped = queries.skip_dates(s, ch.id)
    taken = queries.scheduled_dates(s, ch.id, now.date() - timedelta(days=2))
    moment = now
    for _ in range(400):  # a year of days is plenty to find the next free one
        moment = sched.next_occurrence(schedule, moment)
        day = sched.local_date(moment, schedule.timezone)
        if day not in skipped and day not in taken:
            return moment
    return None


def _describe_next(s: Session, ch: Channel, now: datetime) -> str:
    upcoming = next_post(s, ch, now)
    if upcoming is None:
        return "No question is scheduled."
    return f"Next question: {sched.format_local(upcoming, ch.timezone, now)}."


def set_schedule(deps: Deps, team_id: str, channel_id: str, user_id: str, args: str) -> str:
    """Set or clear the schedule; the first person to set one becomes a QOTD admin."""
    default_tz = None
    with contextlib.suppress(SlackError):  # without Slack's answer the zone falls back to UTC
        default_tz = deps.slack(team_id).user_info(user_id).timezone
    parsed = sched.parse_schedule(args, default_tz)
    if isinstance(parsed, str):
        return parsed + " Nothing changed."
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, team_id, channel_id, now)
        ch.updated_at = now
        if isinstance(parsed, sched.ScheduleOff):
            ch.schedule_days = None
            ch.schedule_time = None
            return "Daily questions are off for this channel. `/qotd now` still works."
        ch.schedule_since = now
        ch.schedule_days = ",".join(str(d) for d in sorted(parsed.days))
        ch.schedule_time = parsed.at
        ch.timezone = parsed.timezone
        became = not queries.channel_admin_ids(s, ch.id)
        if became:
            queries.add_channel_admin(s, ch.id, user_id, now)
        text = f"Questions scheduled {parsed.describe()}. {_describe_next(s, ch, now)}"
        if ch.paused:
            text += " (The channel is paused: `/qotd resume` to start.)"
    if became:
        text += " You are now a QOTD admin of this channel."
    return text


def may_set_schedule(deps: Deps, team_id: str, channel_id: str) -> bool:
    """Anyone may set the first schedule of a channel that has no QOTD admins yet."""
    with deps.session_factory() as s:
        ch = queries.find_channel(s, team_id, channel_id)
        return ch is None or not queries.channel_admin_ids(s, ch.id)


def pause(deps: Deps, team_id: str, channel_id: str, paused: bool) -> str:
    """Pause or resume scheduled questions."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, team_id, channel_id, now)
        if ch.paused and not paused:
            ch.schedule_since = now  # what fell due while paused is not owed
        ch.paused = paused
        ch.updated_at = now
        if paused:
            return "Scheduled questions are paused. `/qotd resume` brings them back."
        if channel_schedule(ch) is None:
            return "Resumed, but this channel has no schedule yet: `/qotd schedule weekdays 09:30`."
        return f"Scheduled questions are back. {_describe_next(s, ch, now)}"


def skip(deps: Deps, team_id: str, channel_id: str, on: date | None) -> str:
    """Skip the next scheduled question, or the one on a given local date."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, team_id, channel_id, now)
        schedule = channel_schedule(ch)
        if schedule is None:
            return "This channel has no schedule to skip. Set one with `/qotd schedule`."
        if on is None:
            upcoming = next_post(s, ch, now)
            if upcoming is None:
                return "There is no upcoming question to skip."
            on = sched.local_date(upcoming, ch.timezone)
        if on < sched.local_date(now, ch.timezone):
            return f"{on:%a %-d %b %Y} is in the past. Nothing changed."
        if sched.occurrence_on(schedule, on) is None:
            return f"No question is scheduled on {on:%a %-d %b}. Nothing changed."
        if on not in queries.skip_dates(s, ch.id):
            s.add(ChannelSkipDate(channel_pk=ch.id, skip_date=on))
            s.flush()
        ch.updated_at = now
        return f"Skipping {on:%a %-d %b}. {_describe_next(s, ch, now)}"
