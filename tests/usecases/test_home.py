"""App Home: points, streak, mastery from channel answers and practice, due cards, button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.deps import Deps
from bot.slack.home_blocks import PRACTICE_NOW_ACTION
from bot.usecases import home
from tests.board_data import Rows
from tests.fakes import FixedClock, RecordingGateway
from tests.slack_fake import check_view
from tests.usecases.conftest import CHANNEL, TEAM

ME = "UME000001"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def texts(view: dict[str, Any]) -> str:
    out = []
    for b in view["blocks"]:
        out.append(str(b.get("text", {}).get("text", "")))
        out += [str(f["text"]) for f in b.get("fields", [])]
        out += [str(e.get("text", "")) for e in b.get("elements", []) if e.get("type") == "mrkdwn"]
    return "\n".join(out)


def buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_home_shows_points_streak_mastery_and_due_practice(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    dl = [q.id for q in deps.bank.questions if q.topic == "deep-learning"]
    with deps.session_factory.begin() as s:
        r = Rows(s)
        ws = r.workspace(TEAM)
        ch = r.channel(ws, CHANNEL)
        other = r.channel(ws, "C0OTHER01")
        october = r.post(ch, datetime(2026, 10, 20, 9, tzinfo=UTC), question_id=dl[0])
        r.answer(october, ME, score=100)  # 11 pts, last month
        for d in range(3):
            post = r.post(other, datetime(2026, 11, 16 + d, 9, tzinfo=UTC), question_id=dl[1])
            r.answer(post, ME, score=60)  # 7 pts each, a 3-question streak there
        r.card(ws, ME, "q-p1", "evaluation", NOW - timedelta(days=1), 40)
        r.card(ws, ME, "q-p2", "evaluation", NOW + timedelta(days=2), 100)
        r.card(ws, ME, dl[2], "deep-learning", NOW, 20)
        r.card(ws, "USOMEONE", "q-p1", "evaluation", NOW - timedelta(days=1), 90)
    clock.set(NOW)

    assert home.publish_home(deps, TEAM, ME)

    (call,) = gateway.of("publish_home")
    view = call["view"]
    assert call["user"] == ME
    check_view(view)  # Slack's limits for a home view
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    text = texts(view)
    assert "*November 2026*\n21 pts" in text  # in the person's own timezone (Europe/Paris)
    assert "*All time*\n32 pts" in text
    assert "*Streak*\n:fire: 3  ·  best 3" in text
    assert "*2* practice questions due" in text
    # Deep learning: channel 100, 60, 60, 60 and practice 20 -> 60%; evaluation 40, 100 -> 70%.
    assert "`▰▰▰▰▰▰▱▱▱▱`   60%  *Deep learning*  ·  4 in channels, 1 practised" in text
    assert "`▰▰▰▰▰▰▰▱▱▱`   70%  *Evaluation and metrics*  ·  2 practised" in text
    assert "*MLOps" not in text  # never tried: shown without a score
    assert "not tried yet" in text
    practice = buttons(view)
    assert [(b["action_id"], b["value"]) for b in practice] == [
        (PRACTICE_NOW_ACTION, ""),
        (PRACTICE_NOW_ACTION, "deep-learning"),
    ]
    assert practice[0]["text"]["text"] == "Practice now (2 due)"
    assert practice[1]["text"]["text"] == "Practise Deep learning (60%)"


def test_a_newcomer_gets_a_friendly_empty_home(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    gateway.fail_with["user_info"] = "user_not_found"  # timezone unknown: UTC

    assert home.publish_home(deps, TEAM, "UNEW00001")

    view = gateway.of("publish_home")[0]["view"]
    check_view(view)
    text = texts(view)
    assert "*March 2026*\n0 pts" in text
    assert "Nothing due for practice" in text
    assert [b["value"] for b in buttons(view)] == [""]
    assert text.count("not tried yet") == len(deps.bank.topics)


def test_home_never_sees_another_workspaces_points(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    with deps.session_factory.begin() as s:
        r = Rows(s)
        ch = r.channel(r.workspace("TOTHER"), CHANNEL)
        r.answer(r.post(ch, datetime(2026, 3, 1, 9, tzinfo=UTC)), ME, score=100)
        r.card(r.workspace(TEAM), ME, "q-1", "mlops", datetime(2026, 3, 1, tzinfo=UTC), None)
    assert home.publish_home(deps, TEAM, ME)
    text = texts(gateway.of("publish_home")[0]["view"])
    assert "*All time*\n0 pts" in text
    assert "*1* practice question due" in text


def test_a_refused_publish_is_reported_not_raised(deps: Deps, gateway: RecordingGateway) -> None:
    gateway.fail_with["publish_home"] = "not_enabled"
    assert home.publish_home(deps, TEAM, ME) is False
