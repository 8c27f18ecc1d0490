"""`/qotd leaderboard`, `teams` and `stats` through the slash use case, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db.models import Channel, QuestionPost, Workspace
from bot.deps import Deps
from bot.domain import commands as cmd
from bot.domain.streaks import Streak
from bot.slack.blocks import Message
from bot.usecases import boards
from bot.usecases.slash import SlashRequest, handle
from tests.board_data import Rows
from tests.fakes import FixedClock
from tests.slack_fake import check_blocks
from tests.usecases.conftest import CHANNEL, TEAM

ME = "UME000001"
# Monday 16 Nov 2026, 09:00 in Los Angeles (17:00 UTC).
MON_LA = datetime(2026, 11, 16, 17, tzinfo=UTC)


def slash(
    deps: Deps, text: str, user: str = ME, team: str = TEAM, channel: str = CHANNEL
) -> Message:
    reply = handle(deps, SlashRequest(team, channel, user, text), cmd.parse(text))
    assert reply is not None
    check_blocks(reply.blocks)
    return reply


def body(message: Message) -> str:
    return "\n".join(
        str(b.get("text", {}).get("text", ""))
        + "".join(str(e.get("text", "")) for e in b.get("elements", []))
        + "".join(str(f["text"]) for f in b.get("fields", []))
        for b in message.blocks
    )


def la_channel(deps: Deps) -> tuple[Workspace, Channel]:
    with deps.session_factory.begin() as s:
        r = Rows(s)
        ws = r.workspace(TEAM)
        ch = r.channel(ws, CHANNEL, tz="America/Los_Angeles")
        s.expunge_all()
    return ws, ch


def test_a_sunday_night_answer_in_pacific_time_belongs_to_that_week(
    deps: Deps, clock: FixedClock
) -> None:
    _, ch = la_channel(deps)
    with deps.session_factory.begin() as s:
        r = Rows(s)
        post = r.post(ch, MON_LA + timedelta(days=6))  # Sunday 22 Nov, 09:00 local
        # Sunday 22:00 in Los Angeles is already Monday 06:00 UTC.
        r.answer(post, "UALICE", datetime(2026, 11, 23, 6, tzinfo=UTC), score=90)
    clock.set(datetime(2026, 11, 23, 7, 30, tzinfo=UTC))  # Sunday 23:30 local
    week = slash(deps, "leaderboard")
    assert "1. <@UALICE> — 10 pts" in body(week)
    assert "Week of Mon 16 Nov – Sun 22 Nov 2026" in body(week)

    clock.set(datetime(2026, 11, 23, 17, tzinfo=UTC))  # Monday 09:00 local: a new week
    empty = slash(deps, "leaderboard week")
    assert "No points in <#C0STUDY01> this week yet" in empty.text
    assert "1. <@UALICE> — 10 pts" in body(slash(deps, "leaderboard month"))
    assert "November 2026" in body(slash(deps, "leaderboard month"))


def test_the_month_board_ends_at_local_midnight(deps: Deps, clock: FixedClock) -> None:
    _, ch = la_channel(deps)
    with deps.session_factory.begin() as s:
        r = Rows(s)
        post = r.post(ch, datetime(2026, 10, 31, 16, tzinfo=UTC))
        # Saturday 31 Oct, 23:00 in Los Angeles = 1 Nov 06:00 UTC: an October answer.
        r.answer(post, "UOCT", datetime(2026, 11, 1, 6, tzinfo=UTC))
        r.answer(post, "UNOV", datetime(2026, 11, 1, 7, 30, tzinfo=UTC))
    clock.set(datetime(2026, 11, 1, 12, tzinfo=UTC))
    november = body(slash(deps, "leaderboard month"))
    assert "<@UNOV>" in november
    assert "<@UOCT>" not in november
    everything = body(slash(deps, "leaderboard all"))
    assert "<@UOCT>" in everything
    assert "<@UNOV>" in everything


def test_ties_share_a_rank_and_streaks_show(deps: Deps, clock: FixedClock) -> None:
    _, ch = la_channel(deps)
    with deps.session_factory.begin() as s:
        r = Rows(s)
        posts = [r.post(ch, MON_LA + timedelta(days=d)) for d in range(3)]
        for p in posts:
            r.answer(p, "UALICE", score=80)
        r.answer(posts[0], "UBOB", score=100)
        r.answer(posts[2], "UBOB", score=100)
        r.answer(posts[2], "UCAROL", score=100)
    clock.set(MON_LA + timedelta(days=3))
    lines = body(slash(deps, "leaderboard")).splitlines()
    assert "1. <@UALICE> — 27 pts  ·  3 answers  ·  :fire: 3 in a row :first_place_medal:" in lines
    assert "2. <@UBOB> — 22 pts  ·  2 answers :second_place_medal:" in lines
    assert "3. <@UCAROL> — 11 pts  ·  1 answer :third_place_medal:" in lines
    # My view: I am not on the board, and I am told how to join.
    assert "You're not on this board yet" in body(slash(deps, "leaderboard"))


def test_the_callers_own_rank_shows_below_the_top_ten(deps: Deps, clock: FixedClock) -> None:
    _, ch = la_channel(deps)
    with deps.session_factory.begin() as s:
        r = Rows(s)
        post = r.post(ch, MON_LA)
        for i in range(12):
            r.answer(post, f"U{i:02d}", score=100 - 5 * i)
        r.answer(post, ME, score=0)
    clock.set(MON_LA + timedelta(hours=10))
    reply = slash(deps, "leaderboard")
    text = body(reply)
    assert text.count("<@U") == 11
    assert f"…\n*13. <@{ME}> — 1 pt  ·  1 answer*  ← you" in text
    assert "13 members took part" in text
    # Someone inside the top 10 gets their line highlighted, not repeated.
    top = body(slash(deps, "leaderboard", user="U00"))
    assert "*1. <@U00> — 11 pts" in top
    assert top.count("<@U00>") == 1


def test_an_unknown_channel_has_an_empty_board_and_creates_nothing(deps: Deps) -> None:
    reply = slash(deps, "leaderboard all")
    assert reply.text.startswith(":trophy: No points in <#C0STUDY01> so far yet")
    with deps.session_factory() as s:
        assert s.query(Workspace).count() == 0


def test_two_workspaces_sharing_channel_and_user_ids_never_mix(
    deps: Deps, clock: FixedClock
) -> None:
    with deps.session_factory.begin() as s:
        r = Rows(s)
        for team, score in (("TAAAA", 100), ("TBBBB", 0)):
            ch = r.channel(r.workspace(team), CHANNEL)
            post = r.post(ch, MON_LA)
            r.answer(post, ME, score=score)
    clock.set(MON_LA + timedelta(hours=1))
    assert f"1. <@{ME}> — 11 pts" in body(slash(deps, "leaderboard", team="TAAAA"))
    assert f"1. <@{ME}> — 1 pt" in body(slash(deps, "leaderboard", team="TBBBB"))
    a = boards.stats(deps, "TAAAA", CHANNEL, ME)
    b = boards.stats(deps, "TBBBB", CHANNEL, ME)
    assert (a.points, a.average, b.points, b.average) == (11, 100, 1, 0)
    assert boards.teams(deps, "TAAAA", CHANNEL).lines[0].average == 11
    assert boards.teams(deps, "TCCCC", CHANNEL).lines == ()


def test_teams_rank_channels_by_average_points_per_member(deps: Deps, clock: FixedClock) -> None:
    with deps.session_factory.begin() as s:
        r = Rows(s)
        ws = r.workspace(TEAM)
        big, small, quiet = (r.channel(ws, c) for c in ("CBIG", "CSMALL", "CQUIET"))
        day = datetime(2026, 11, 10, 9, tzinfo=UTC)
        p = r.post(big, day)
        for i in range(4):  # 4 members, 11 + 11 + 1 + 1 = 24 points: 6.0 per member
            r.answer(p, f"UB{i}", score=100 if i < 2 else 0)
        p = r.post(small, day)
        r.answer(p, "US1", score=60)  # 7.0 per member
        r.post(quiet, day)
        old = r.post(quiet, day - timedelta(days=30))  # last month does not count
        r.answer(old, "UQ", score=100)
    clock.set(datetime(2026, 11, 20, tzinfo=UTC))
    reply = slash(deps, "teams", channel="CBIG")
    lines = body(reply).splitlines()
    assert "1. <#CSMALL> — 7.0 pts per member  ·  1 member, 1 answer" in lines
    assert "*2. <#CBIG> — 6.0 pts per member  ·  4 members, 4 answers*  ← this channel" in lines
    assert "CQUIET" not in body(reply)
    assert "Team standings · November 2026" in body(reply)


def test_teams_with_no_answers_this_month(deps: Deps, clock: FixedClock) -> None:
    la_channel(deps)
    assert "No channel has points yet in March 2026" in slash(deps, "teams").text


def test_stats_for_myself_and_for_someone_else(deps: Deps, clock: FixedClock) -> None:
    _, ch = la_channel(deps)
    dl = [q.id for q in deps.bank.questions if q.topic == "deep-learning"][:2]
    ev = [q.id for q in deps.bank.questions if q.topic == "evaluation"][:1]
    with deps.session_factory.begin() as s:
        r = Rows(s)
        posts = [
            r.post(ch, MON_LA, question_id=dl[0]),
            r.post(ch, MON_LA + timedelta(days=1), question_id=ev[0]),
            r.post(ch, MON_LA + timedelta(days=2), question_id=dl[1]),
        ]
        r.answer(posts[0], ME, score=90)
        r.answer(posts[1], ME, score=30)
        r.answer(posts[2], ME, score=80)
        r.answer(posts[0], "UBOB", score=50)
        october = r.post(ch, datetime(2026, 10, 30, 16, tzinfo=UTC), question_id=ev[0])
        r.answer(october, ME, score=100)
    clock.set(MON_LA + timedelta(days=2, hours=5))
    mine = slash(deps, "stats")
    text = body(mine)
    assert f"Stats for <@{ME}>" in text
    assert "34 pts in all  ·  23 pts in November 2026" in text  # 11, then 10 + 4 + 9
    assert "4  ·  average score 75/100" in text
    assert ":fire: 4 in a row now  ·  best 4" in text
    assert "*Strongest topics*\nDeep learning 85%" in text
    assert "*Weakest topics*\nEvaluation and metrics 65%" in text
    bob = body(slash(deps, "stats <@UBOB|bob>"))
    assert "Stats for <@UBOB>" in bob
    assert "6 pts in all" in bob
    assert ":fire: 0 in a row now  ·  best 1" in bob  # he missed the next two questions
    nobody = slash(deps, "stats <@UNEW00001>")
    assert nobody.text == (
        ":bar_chart: <@UNEW00001> hasn't answered a question of the day in this workspace yet."
    )
    assert "You haven't answered" in slash(deps, "stats", user="UNEW00001").text


def test_skipped_days_keep_a_streak_and_unanswered_days_break_it(
    deps: Deps, clock: FixedClock
) -> None:
    ws, ch = la_channel(deps)
    with deps.session_factory.begin() as s:
        r = Rows(s)
        mon = r.post(ch, MON_LA)
        r.post(ch, MON_LA + timedelta(days=1), status="skipped")  # `/qotd skip`
        wed = r.post(ch, MON_LA + timedelta(days=2))
        thu = r.post(ch, MON_LA + timedelta(days=3))
        fri = r.post(ch, MON_LA + timedelta(days=4))
        # Weekend: no posts. Monday's question is still open.
        r.post(ch, MON_LA + timedelta(days=7), status="open")
        for p in (mon, wed, thu, fri):
            r.answer(p, "USTEADY")
        for p in (mon, wed, fri):
            r.answer(p, "UGAPPY")
        r.answer(thu, "UGONE", deleted=True)
        r.answer(fri, "UGONE")
    clock.set(MON_LA + timedelta(days=7, hours=2))
    with deps.session_factory() as s:
        found = boards.channel_streaks(s, ws.id, ch.id, ["USTEADY", "UGAPPY", "UGONE"])
        assert boards.person_streak(s, ws.id, "UGAPPY") == Streak(1, 2)
    assert found == {
        "USTEADY": Streak(4, 4),
        "UGAPPY": Streak(1, 2),
        "UGONE": Streak(1, 1),
    }
    # Once the open question closes unanswered, the streak is broken.
    with deps.session_factory.begin() as s:
        s.query(QuestionPost).filter_by(status="open").update({"status": "closed"})
    with deps.session_factory() as s:
        assert boards.channel_streaks(s, ws.id, ch.id, ["USTEADY"])["USTEADY"] == Streak(0, 4)
