"""`/qotd` argument parsing: every subcommand, and clear messages for bad input."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.domain import commands as cmd


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", cmd.Help()),
        ("   ", cmd.Help()),
        ("help", cmd.Help()),
        ("HELP", cmd.Help()),
        ("now", cmd.Now()),
        ("now mlops", cmd.Now("mlops")),
        ("now  LLM-GenAI ", cmd.Now("llm-genai")),
        ("reveal", cmd.Reveal()),
        ("close 17:30", cmd.Close(at=time(17, 30))),
        ("close 7:05", cmd.Close(at=time(7, 5))),
        ("close +8h", cmd.Close(after_minutes=480)),
        ("close +1H", cmd.Close(after_minutes=60)),
        ("topics", cmd.Topics()),
        ("topics all", cmd.Topics(set_all=True)),
        ("topics mlops,llm-genai", cmd.Topics(("mlops", "llm-genai"))),
        ("topics mlops, llm-genai", cmd.Topics(("mlops", "llm-genai"))),
        ("topics mlops,mlops", cmd.Topics(("mlops",))),
        ("level", cmd.SetLevel()),
        ("level senior", cmd.SetLevel("senior")),
        ("level any", cmd.SetLevel(set_any=True)),
        ("schedule weekdays 09:30 Europe/Paris", cmd.Schedule("weekdays 09:30 Europe/Paris")),
        ("schedule off", cmd.Schedule("off")),
        ("pause", cmd.Pause()),
        ("resume", cmd.Resume()),
        ("skip", cmd.Skip()),
        ("skip 2026-03-04", cmd.Skip(date(2026, 3, 4))),
        ("leaderboard", cmd.Leaderboard("week")),
        ("leaderboard month", cmd.Leaderboard("month")),
        ("leaderboard ALL", cmd.Leaderboard("all")),
        ("teams", cmd.Teams()),
        ("stats", cmd.Stats()),
        ("stats <@U123ABC>", cmd.Stats("U123ABC")),
        ("stats <@U123ABC|alice>", cmd.Stats("U123ABC")),
        ("practice", cmd.Practice()),
        ("practice deep-learning", cmd.Practice("deep-learning")),
        ("forget-me", cmd.ForgetMe()),
        ("now\u200b\tmlops", cmd.Now("mlops")),
    ],
)
def test_valid_input(text: str, expected: cmd.Command) -> None:
    assert cmd.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("leaderbord", "I don't know `leaderbord`. Did you mean `leaderboard`?"),
        ("dance", "I don't know `dance`."),
        ("close 25:00", "`25:00` is not a time of day; use 24-hour HH:MM like 17:30."),
        ("close +0h", "Choose between +1h and +72h."),
        ("close +100h", "Choose between +1h and +72h."),
        ("close soon", "`soon` is neither HH:MM nor +Nh (e.g. `17:30` or `+8h`)."),
        ("close", "Use `/qotd close HH:MM` (local time) or `/qotd close +Nh`."),
        ("level expert", "Choose a level: junior, mid, senior, any."),
        ("skip tomorrow", "Use `/qotd skip` for the next question or `/qotd skip YYYY-MM-DD`."),
        ("skip 2026-02-30", "Use `/qotd skip` for the next question or `/qotd skip YYYY-MM-DD`."),
        ("leaderboard year", "Use `/qotd leaderboard`, or add `week`, `month` or `all`."),
        ("stats alice", "Use `/qotd stats` or `/qotd stats @someone`."),
        ("reveal now", "`reveal` takes no arguments."),
        ("now two topics", "Use `/qotd now` or `/qotd now <topic>`."),
        ("now <script>", "`<script>` is not a topic name; see `/qotd topics`."),
        ("topics mlops,all", "`all` is not a topic name."),
        ("schedule", "Use `/qotd schedule weekdays 09:30 [Europe/Paris]` or `/qotd schedule off`."),
    ],
)
def test_bad_input_explains_itself(text: str, problem: str) -> None:
    assert cmd.parse(text) == cmd.Help(problem)


def test_huge_and_binary_input_is_shortened_not_echoed_whole() -> None:
    parsed = cmd.parse("x" * 50_000)
    assert isinstance(parsed, cmd.Help)
    assert parsed.problem is not None
    assert len(parsed.problem) < 100
    parsed = cmd.parse("\x00\x01\x02 now")
    assert parsed == cmd.Now()
