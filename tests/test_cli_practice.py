"""`qotd practice` as a person runs it: a real process, piped answers, a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.db.engine import make_engine, make_session_factory
from bot.db.models import PracticeCard, Practitioner, Workspace


def practise(database_url: str, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    env.update({"DATABASE_URL": database_url, "USER": "carol", "TZ": "Europe/Paris"})
    return subprocess.run(
        [sys.executable, "-m", "bot", "practice", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_piped_answers_are_graded_and_scheduled(empty_database_url: str) -> None:
    answer = (
        "Bias is error from wrong assumptions: a model too simple underfits.\n"
        "Variance is sensitivity to the training sample, so the model overfits.\n"
    )
    result = practise(empty_database_url, f"{answer}\nstats\nstop\n", "--topic", "classical-ml")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Practising as carol." in out
    assert out.count("── Question (") == 2  # the first one, then the next after feedback
    assert "key points · score " in out
    assert "Model answer:" in out
    assert "This question comes back " in out
    assert "1 question seen · 0 due now · 1 answer · average score " in out
    assert "Stopped." in out
    for noise in ("*", ":white_check_mark:", "&amp;", "`"):
        assert noise not in out
    # The database was created and holds the card, in the local workspace.
    engine = make_engine(empty_database_url)
    try:
        with make_session_factory(engine)() as s:
            card = s.scalars(select(PracticeCard)).one()
            person = s.scalars(select(Practitioner)).one()
            team = s.scalar(select(Workspace.team_id))
        assert (card.user_id, card.reviews, card.topic) == ("carol", 1, "classical-ml")
        assert person.timezone == "Europe/Paris"
        assert person.pending_question_id is None
        assert team == "T-LOCAL"
    finally:
        engine.dispose()


def test_state_survives_between_runs(empty_database_url: str) -> None:
    first = practise(empty_database_url, "skip\n", "--user", "dave")
    assert first.returncode == 0, first.stderr
    assert "Skipped" in first.stdout
    assert "Bye! Your progress is saved" in first.stdout
    # The question left pending is asked again by the next run (same user, same database).
    pending = first.stdout.split("── Question (")[-1].splitlines()[1]
    second = practise(empty_database_url, "", "--user", "dave")
    assert "Still waiting for your answer" in second.stdout
    assert pending in second.stdout


def test_unknown_topic_exits_2_with_the_topics(tmp_path: Path) -> None:
    result = practise(f"sqlite:///{tmp_path / 'q.db'}", "", "--topic", "astrology")
    assert result.returncode == 2
    assert "no topic 'astrology'" in result.stderr
    assert "classical-ml" in result.stderr
