"""Block Kit for `/qotd leaderboard`, `/qotd teams` and `/qotd stats` (pure, tested as data)."""

from __future__ import annotations

from bot.domain.boards import Board, BoardLine, PersonStats, Standings, TeamLine, TopicMastery
from bot.domain.boards import strongest_and_weakest as split_topics
from bot.slack.blocks import Block, Message, context, escape, header, section

POINTS_RULE = "1 point for taking part + score/10 per answer before the close"
PERIOD_NAMES = {"week": "this week", "month": "this month", "all": "so far"}
# Section text is limited to 3,000 characters; a board line is < 120, so 15 lines fit easily.
MEDALS = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}


def pts(points: int) -> str:
    """'1 pt', '12 pts'."""
    return f"{points} pt" if points == 1 else f"{points} pts"


def plural(n: int, word: str) -> str:
    """'1 answer', '3 answers'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def board_line(line: BoardLine, caller: str) -> str:
    """`rank. <@USER> — N pts`, then answers, streak and a marker on the caller's own line."""
    text = f"{line.rank}. <@{line.user_id}> — {pts(line.points)}"
    extras = [plural(line.answers, "answer")]
    if line.streak >= 2:
        extras.append(f":fire: {line.streak} in a row")
    text += "  ·  " + "  ·  ".join(extras)
    if line.rank in MEDALS:
        text += f" {MEDALS[line.rank]}"
    return f"*{text}*  ← you" if line.user_id == caller else text


def leaderboard(board: Board) -> Message:
    """The channel board: top members, the caller's own rank below when outside the top."""
    channel = f"<#{board.channel_id}>"
    if not board.lines:
        when = PERIOD_NAMES.get(board.period, "")
        text = (
            f":trophy: No points in {channel} {when} yet. Answer the question of the day in "
            "its thread to open the board."
        )
        return Message(text, [section(text)])
    blocks: list[Block] = [
        header(f":trophy: Leaderboard · {board.label}"),
        context(
            f"{channel}  ·  {plural(board.participants, 'member')} took part  ·  {POINTS_RULE}"
        ),
        section("\n".join(board_line(line, board.caller_id) for line in board.lines)),
    ]
    if board.own is not None:
        blocks.append(section("…\n" + board_line(board.own, board.caller_id)))
    elif all(line.user_id != board.caller_id for line in board.lines):
        blocks.append(context("You're not on this board yet: answer today's question to join."))
    blocks.append(
        context(":fire: = questions answered in a row.  `/qotd leaderboard week|month|all`")
    )
    first = board.lines[0]
    text = f"Leaderboard ({board.label}): 1. <@{first.user_id}> — {pts(first.points)}"
    return Message(text, blocks)


def team_line(line: TeamLine, caller_channel: str) -> str:
    """`rank. <#CHANNEL> — 8.4 pts per member`, then participation."""
    text = (
        f"{line.rank}. <#{line.channel_id}> — {line.average:.1f} pts per member  ·  "
        f"{plural(line.members, 'member')}, {plural(line.answers, 'answer')}"
    )
    return f"*{text}*  ← this channel" if line.channel_id == caller_channel else text


def teams(standings: Standings) -> Message:
    """Channels of the workspace ranked by average points per member who took part."""
    if not standings.lines:
        text = (
            f":busts_in_silhouette: No channel has points yet in {standings.label}. "
            "Teams appear here once their members answer."
        )
        return Message(text, [section(text)])
    lines = [team_line(line, standings.caller_channel_id) for line in standings.lines]
    if standings.own is not None:
        lines += ["…", team_line(standings.own, standings.caller_channel_id)]
    blocks = [
        header(f":busts_in_silhouette: Team standings · {standings.label}"),
        context(
            f"{plural(standings.teams, 'channel')} with answers this month, ranked by average "
            "points per member who took part"
        ),
        section("\n".join(lines)),
    ]
    return Message(f"Team standings ({standings.label})", blocks)


def topic_names(topics: list[TopicMastery]) -> str:
    """'Deep learning 82%, Evaluation 75%' (or a dash when there are none)."""
    return ", ".join(f"{escape(t.title)} {t.percent}%" for t in topics) or "—"


def stats(found: PersonStats, caller: str) -> Message:
    """A person's points, answers, average, streak and strongest and weakest topics."""
    who = "You" if found.user_id == caller else f"<@{found.user_id}>"
    strong, weak = split_topics(found.topics)
    if found.answers == 0 and not strong:
        tail = (
            "haven't answered" if who == "You" else "hasn't answered"
        ) + " a question of the day in this workspace yet."
        text = f":bar_chart: {who} {tail}"
        return Message(text, [section(text)])
    average = f"average score {found.average}/100" if found.average is not None else "no score"
    fields = [
        f"*Points*\n{pts(found.points)} in all  ·  {pts(found.month_points)} in "
        f"{found.month_label}",
        f"*Answers*\n{found.answers}  ·  {average}",
        f"*Streak*\n:fire: {found.streak.current} in a row now  ·  best {found.streak.longest}",
        f"*Strongest topics*\n{topic_names(strong)}",
        f"*Weakest topics*\n{topic_names(weak)}",
    ]
    blocks: list[Block] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f":bar_chart: *Stats for <@{found.user_id}>*"},
            "fields": [{"type": "mrkdwn", "text": f} for f in fields],
        },
        context(
            "Streak: questions of a channel answered in a row (skipped days don't break it; "
            "your best channel counts). Topics mix channel answers and DM practice."
        ),
    ]
    text = f"Stats for <@{found.user_id}>: {pts(found.points)}, {found.answers} answers"
    return Message(text, blocks)
