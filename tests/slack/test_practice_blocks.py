"""Practice DMs as data: complete feedback, escaped user text, Slack's limits."""

from __future__ import annotations

import json

from bot.domain.practice_views import Graded, PointView, StatsView, TopicRow
from bot.slack import practice_blocks
from tests.bank_eval import load_content_bank
from tests.slack_fake import check_blocks


def test_feedback_shows_every_point_evidence_escaped_and_when_it_returns() -> None:
    question = load_content_bank().questions[0]
    points = tuple(
        PointView(i == 0, kp.point, "x <b> & y" if i == 0 else None)
        for i, kp in enumerate(question.key_points)
    )
    message = practice_blocks.graded(
        Graded(question, 30, 1, len(points), points, "tomorrow (Tue 3 Mar)", "again", True)
    )
    check_blocks(message.blocks)
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert message.text == f"1/{len(points)} key points, score 30/100"
    assert "x &lt;b&gt; &amp; y" in shown
    for kp in question.key_points[1:]:
        assert f":x: *Missed:* {kp.point.replace('&', '&amp;')}" in shown
    assert "this question comes back tomorrow (Tue 3 Mar)" in shown
    assert "first 40,000 characters" in shown


def test_nudge_button_starts_practice_without_an_empty_value() -> None:
    message = practice_blocks.nudge(1)
    check_blocks(message.blocks)
    (button,) = message.blocks[1]["elements"]
    assert button["action_id"] == "practice_now"
    assert "value" not in button
    assert message.text == "1 practice question is due for review today."


def test_stats_fit_slack_with_many_topics() -> None:
    rows = tuple(TopicRow(f"topic-{n}", "T" * 140, 99, 50, 77) for n in range(60))
    message = practice_blocks.stats(StatsView(60, 3, 200, 77, rows, "tomorrow (Tue 3 Mar)", False))
    check_blocks(message.blocks)
    assert "remind on" in json.dumps(message.blocks)
