"""Board, standings, stats and App Home payloads as data, within Slack's limits."""

from __future__ import annotations

import json

from bot.domain.boards import Board, BoardLine, PersonStats, Standings, TeamLine, TopicMastery
from bot.domain.streaks import Streak
from bot.slack import board_blocks, home_blocks
from tests.slack_fake import check_blocks, check_view


def line(rank: int, user: str, points: int = 5, streak: int = 0) -> BoardLine:
    return BoardLine(rank, user, points, 1, streak)


def test_board_lines_follow_the_spec_format() -> None:
    board = Board(
        "C1",
        "UME",
        "week",
        "Week of Mon 16 Nov – Sun 22 Nov 2026",
        (line(1, "UA", 12, 4), line(1, "UB", 12), line(3, "UC", 1)),
        None,
        3,
    )
    message = board_blocks.leaderboard(board)
    check_blocks(message.blocks)
    rows = message.blocks[2]["text"]["text"].splitlines()
    assert rows == [
        "1. <@UA> — 12 pts  ·  1 answer  ·  :fire: 4 in a row :first_place_medal:",
        "1. <@UB> — 12 pts  ·  1 answer :first_place_medal:",
        "3. <@UC> — 1 pt  ·  1 answer :third_place_medal:",
    ]
    assert message.blocks[0]["text"]["text"] == (
        ":trophy: Leaderboard · Week of Mon 16 Nov – Sun 22 Nov 2026"
    )
    assert message.text == "Leaderboard (Week of Mon 16 Nov – Sun 22 Nov 2026): 1. <@UA> — 12 pts"


def test_a_full_board_with_the_callers_row_stays_within_limits() -> None:
    top = tuple(line(i + 1, f"U{'X' * 30}{i:02d}", 10_000 - i, 365) for i in range(10))
    board = Board("C" * 20, "UME", "all", "All time", top, line(1234, "UME"), 5000)
    message = board_blocks.leaderboard(board)
    check_blocks(message.blocks)
    assert (
        "…\n*1234. <@UME> — 5 pts  ·  1 answer*  ← you"
        in json.loads(json.dumps(message.blocks))[3]["text"]["text"]
    )


def test_empty_board_teams_and_stats_messages() -> None:
    empty = board_blocks.leaderboard(Board("C1", "U1", "month", "November 2026", (), None, 0))
    assert empty.text == (
        ":trophy: No points in <#C1> this month yet. Answer the question of the day in its "
        "thread to open the board."
    )
    no_teams = board_blocks.teams(Standings("November 2026", "C1", (), None, 0))
    assert "No channel has points yet in November 2026" in no_teams.text
    nothing = PersonStats("U2", "November 2026", 0, 0, 0, None, Streak(), ())
    assert board_blocks.stats(nothing, "U1").text == (
        ":bar_chart: <@U2> hasn't answered a question of the day in this workspace yet."
    )
    for message in (empty, no_teams):
        check_blocks(message.blocks)


def test_team_standings_show_the_callers_channel_below_the_top() -> None:
    lines = tuple(TeamLine(i + 1, f"C{i}", 10 - i / 3, 4, 9) for i in range(15))
    standings = Standings("November 2026", "CME", lines, TeamLine(30, "CME", 1.25, 1, 1), 30)
    message = board_blocks.teams(standings)
    check_blocks(message.blocks)
    text = message.blocks[2]["text"]["text"]
    assert text.splitlines()[0] == "1. <#C0> — 10.0 pts per member  ·  4 members, 9 answers"
    assert text.endswith(
        "…\n*30. <#CME> — 1.2 pts per member  ·  1 member, 1 answer*  ← this channel"
    )
    assert "30 channels with answers this month" in message.blocks[1]["elements"][0]["text"]


def test_topic_titles_are_escaped() -> None:
    found = PersonStats(
        "U1", "November 2026", 3, 3, 1, 20, Streak(1, 1), (TopicMastery("x", "<b>&", 1, 0, 20),)
    )
    fields = board_blocks.stats(found, "U1").blocks[0]["fields"]
    assert fields[3]["text"] == "*Strongest topics*\n&lt;b&gt;&amp; 20%"
    home = json.dumps(home_blocks.home_view(found))
    assert "<b>" not in home


def test_home_stays_within_100_blocks_with_a_huge_bank() -> None:
    topics = tuple(
        TopicMastery(f"topic-{i}", f"Topic number {i} " + "x" * 60, i % 3, i % 2, i % 101)
        for i in range(3000)
    )
    found = PersonStats("U1", "November 2026", 1, 2, 3, 40, Streak(2, 5), topics, due_cards=7)
    view = home_blocks.home_view(found)
    check_view(view)
    assert len(view["blocks"]) == 100
    assert view["blocks"][-1]["type"] == "context"  # the explanation is never cut off
    for block in view["blocks"]:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
