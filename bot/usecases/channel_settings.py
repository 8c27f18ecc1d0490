"""Channel settings: topics, level and close time (admins change them, anyone may look)."""

from __future__ import annotations

from datetime import time

from bot.db import queries
from bot.deps import Deps
from bot.domain.bank import Level
from bot.domain.schedule import DEFAULT_CLOSE_MINUTES, closes_at, format_local


def show_topics(deps: Deps, team_id: str, channel_id: str) -> str:
    """The bank's topics, with the channel's choice marked."""
    with deps.session_factory() as s:
        ch = queries.find_channel(s, team_id, channel_id)
        chosen = set(ch.topics) if ch and ch.topics else None
    counts: dict[str, int] = {}
    for q in deps.bank.questions:
        counts[q.topic] = counts.get(q.topic, 0) + 1
    lines = [
        f"{':white_check_mark:' if chosen is None or slug in chosen else ':white_small_square:'} "
        f"`{slug}` — {topic.title} ({counts.get(slug, 0)} questions)"
        for slug, topic in sorted(deps.bank.topics.items())
    ]
    scope = "all topics" if chosen is None else ", ".join(f"`{t}`" for t in sorted(chosen))
    return (
        f"*This channel asks about:* {scope}\n"
        + "\n".join(lines)
        + "\nAdmins choose with `/qotd topics mlops,llm-genai` or `/qotd topics all`."
    )


def set_topics(deps: Deps, team_id: str, channel_id: str, topics: tuple[str, ...] | None) -> str:
    """Choose the channel's topics (None = all); unknown names change nothing."""
    if topics is not None:
        unknown = [t for t in topics if t not in deps.bank.topics]
        if unknown:
            known = ", ".join(f"`{t}`" for t in sorted(deps.bank.topics))
            return f"Unknown topic `{unknown[0]}`; nothing changed. Topics: {known}."
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, team_id, channel_id, now)
        ch.topics = list(topics) if topics is not None else None
        ch.updated_at = now
    if topics is None:
        return "This channel now gets questions from every topic."
    return "This channel now gets questions about " + ", ".join(f"`{t}`" for t in topics) + "."


def show_level(deps: Deps, team_id: str, channel_id: str) -> str:
    """The channel's level."""
    with deps.session_factory() as s:
        ch = queries.find_channel(s, team_id, channel_id)
        level = ch.level if ch else None
    return (
        f"This channel's level is *{level or 'any'}*. "
        "Admins change it with `/qotd level junior|mid|senior|any`."
    )


def set_level(deps: Deps, team_id: str, channel_id: str, level: str | None) -> str:
    """Choose the channel's level (None = any)."""
    if level is not None:
        Level(level)  # the parser only lets valid levels through
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, team_id, channel_id, now)
        ch.level = level
        ch.updated_at = now
    return f"This channel's questions are now at level *{level or 'any'}*."


def set_close(
    deps: Deps, team_id: str, channel_id: str, at: time | None, after_minutes: int | None
) -> str:
    """Choose when questions close; the open question (if any) moves too."""
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, team_id, channel_id, now)
        ch.close_time = at
        ch.close_after_minutes = None if at is not None else after_minutes or DEFAULT_CLOSE_MINUTES
        ch.updated_at = now
        post = queries.latest_open_post(s, ch.id)
        moved = ""
        if post is not None and post.opened_at is not None:
            post.closes_at = max(
                now, closes_at(post.opened_at, ch.timezone, ch.close_time, ch.close_after_minutes)
            )
            moved = (
                f" The open question now closes {format_local(post.closes_at, ch.timezone, now)}."
            )
        rule = (
            f"at {at:%H:%M} ({ch.timezone})"
            if at is not None
            else f"{(ch.close_after_minutes or DEFAULT_CLOSE_MINUTES) // 60} hours after posting"
        )
    return f"Questions in this channel now close {rule}.{moved}"
