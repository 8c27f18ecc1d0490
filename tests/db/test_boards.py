"""Board queries on a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.db import boards as q
from tests.board_data import Rows

MON = datetime(2026, 11, 16, tzinfo=UTC)
NEXT_MON = MON + timedelta(days=7)


def test_channel_board_ranks_with_ties_in_a_stable_order(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        r = Rows(s)
        ch = r.channel(r.workspace("T1"), "C1")
        p1 = r.post(ch, MON + timedelta(hours=9))
        p2 = r.post(ch, MON + timedelta(days=1, hours=9))
        # Carol and Alice tie on 9 + 9 = 18; Carol answered first, so she is listed first.
        r.answer(p1, "UALICE", MON + timedelta(hours=10), score=80)
        r.answer(p1, "UCAROL", MON + timedelta(hours=9, minutes=5), score=80)
        r.answer(p2, "UALICE", score=80)
        r.answer(p2, "UCAROL", score=80)
        r.answer(p1, "UBOB", score=100)  # 11
        r.answer(p2, "UDAVE", score=100)  # 11: ties with Bob, answered a day later
        r.answer(p1, "UERIN", score=0)  # 1
        pk = ch.id
    with session_factory() as s:
        board = q.channel_board(s, pk, MON, NEXT_MON)
    assert board == [
        q.BoardRow(1, "UCAROL", 18, 2),
        q.BoardRow(1, "UALICE", 18, 2),
        q.BoardRow(3, "UBOB", 11, 1),
        q.BoardRow(3, "UDAVE", 11, 1),
        q.BoardRow(5, "UERIN", 1, 1),
    ]


def test_late_deleted_and_copied_answers_do_not_count(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        r = Rows(s)
        ch = r.channel(r.workspace("T1"), "C1")
        post = r.post(ch, MON + timedelta(hours=9))
        r.answer(post, "UALICE", score=60)
        r.answer(post, "ULATE", score=100, late=True)
        r.answer(post, "UGONE", score=100, deleted=True)
        r.answer(post, "UCOPY", score=100, copied=True)
        # Alice's late answer (practice after the close) adds nothing to her on-time one.
        r.answer(post, "UALICE", MON + timedelta(hours=18), score=100, late=True)
        pk = ch.id
    with session_factory() as s:
        assert q.channel_board(s, pk, MON, NEXT_MON) == [q.BoardRow(1, "UALICE", 7, 1)]
        page = q.board_page(s, pk, MON, NEXT_MON, member="UGONE")
        assert (page.own, page.participants) == (None, 1)


def test_the_period_is_start_inclusive_end_exclusive(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        r = Rows(s)
        ch = r.channel(r.workspace("T1"), "C1")
        before = r.post(ch, MON - timedelta(hours=2))
        r.answer(before, "UEARLY", MON - timedelta(microseconds=1))
        r.answer(before, "USTART", MON)
        after = r.post(ch, NEXT_MON - timedelta(hours=1))
        r.answer(after, "ULAST", NEXT_MON - timedelta(microseconds=1))
        r.answer(after, "UNEXT", NEXT_MON)
        pk = ch.id
    with session_factory() as s:
        users = {row.user_id for row in q.channel_board(s, pk, MON, NEXT_MON)}
    assert users == {"USTART", "ULAST"}


def test_limit_and_the_callers_own_rank_below_it(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        r = Rows(s)
        ch = r.channel(r.workspace("T1"), "C1")
        post = r.post(ch, MON + timedelta(hours=9))
        # Ten people tie on 11 points, later names answering earlier; then 6, 6 and 1 point.
        for i in range(10):
            r.answer(post, f"U{i:02d}", MON + timedelta(hours=10, minutes=30 - i), score=100)
        r.answer(post, "U10", score=50)
        r.answer(post, "U11", score=50)
        r.answer(post, "U12", score=0)
        pk = ch.id
    with session_factory() as s:
        top = q.channel_board(s, pk, MON, NEXT_MON)
        assert [row.user_id for row in top] == [f"U{i:02d}" for i in reversed(range(10))]
        assert {row.rank for row in top} == {1}
        assert [row.user_id for row in q.channel_board(s, pk, MON, NEXT_MON, limit=2)] == [
            "U09",
            "U08",
        ]
        page = q.board_page(s, pk, MON, NEXT_MON, member="U11")
        assert page.rows == top
        assert (page.own, page.participants) == (q.BoardRow(11, "U11", 6, 1), 13)
        assert q.board_page(s, pk, MON, NEXT_MON, member="U12").own == q.BoardRow(13, "U12", 1, 1)
        assert q.board_page(s, pk, MON, NEXT_MON, member="UNOBODY").own is None
        # A member inside the top is not repeated as their own line.
        assert q.board_page(s, pk, MON, NEXT_MON, member="U03").own is None


def test_two_workspaces_with_the_same_ids_never_mix(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        r = Rows(s)
        ws_a, ws_b = r.workspace("TAAA"), r.workspace("TBBB")
        a, b = r.channel(ws_a, "CSAME"), r.channel(ws_b, "CSAME")
        pa, pb = r.post(a, MON + timedelta(hours=9)), r.post(b, MON + timedelta(hours=9))
        r.answer(pa, "USAME", score=100)
        r.answer(pb, "USAME", score=0)
        r.answer(pb, "UOTHER", score=50)
        ids = (ws_a.id, ws_b.id, a.id, b.id)
    ws_a_id, ws_b_id, a_pk, b_pk = ids
    with session_factory() as s:
        assert q.workspace_pk(s, "TAAA") == ws_a_id
        assert q.channel_board(s, a_pk, MON, NEXT_MON) == [q.BoardRow(1, "USAME", 11, 1)]
        assert [r.user_id for r in q.channel_board(s, b_pk, MON, NEXT_MON)] == ["UOTHER", "USAME"]
        assert q.person_totals(s, ws_a_id, "USAME") == q.PersonTotals(11, 1, 100)
        assert q.person_totals(s, ws_b_id, "USAME", since=MON) == q.PersonTotals(1, 1, 0, 1)
        assert q.person_channel_pks(s, ws_a_id, "USAME") == [a_pk]
        a_channels = [pk for pk, _cid, _tz in q.workspace_channels(s, ws_a_id)]
        assert a_channels == [a_pk]
        assert q.team_totals(s, [(a_channels, MON, NEXT_MON)]) == [q.TeamTotals(a_pk, 11, 1, 1)]
        streaks = q.answered_post_ids(s, ws_b_id, b_pk, ["USAME"])
        assert len(streaks["USAME"]) == 1


def test_team_totals_use_each_channels_own_window(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        r = Rows(s)
        ws = r.workspace("T1")
        utc_ch, la_ch, quiet = r.channel(ws, "CUTC"), r.channel(ws, "CLA"), r.channel(ws, "CQ")
        # 31 Oct 23:30 in Los Angeles = 1 Nov 06:30 UTC: October there, November in UTC.
        edge = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
        for ch in (utc_ch, la_ch):
            post = r.post(ch, edge - timedelta(hours=1))
            r.answer(post, "UALICE", edge, score=100)
            r.answer(post, "UBOB", edge, score=50)
            r.answer(post, "UCOPY", edge, score=50, copied=True)
        r.post(quiet, edge)
        ws_id, utc_pk, la_pk = ws.id, utc_ch.id, la_ch.id
    nov_utc = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    nov_la = (datetime(2026, 11, 1, 7, tzinfo=UTC), datetime(2026, 12, 1, 8, tzinfo=UTC))
    with session_factory() as s:
        found = q.team_totals(s, [([utc_pk], *nov_utc), ([la_pk], *nov_la), ([], *nov_la)])
        assert found == [q.TeamTotals(utc_pk, 17, 2, 2)]
        assert q.team_totals(s, []) == []
        channels = sorted(q.workspace_channels(s, ws_id))
        assert [c[1] for c in channels] == ["CUTC", "CLA", "CQ"]


def test_streak_inputs_skip_undelivered_posts(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        r = Rows(s)
        ch = r.channel(r.workspace("T1"), "C1")
        p1 = r.post(ch, MON + timedelta(hours=9))
        r.post(ch, MON + timedelta(days=1, hours=9), status="skipped")
        r.post(ch, MON + timedelta(days=2, hours=9), status="pending")
        p4 = r.post(ch, MON + timedelta(days=3, hours=9), scheduled=False)  # a /qotd now post
        p5 = r.post(ch, MON + timedelta(days=4, hours=9), status="open")
        r.answer(p1, "UALICE")
        r.answer(p4, "UALICE", deleted=True)
        r.answer(p4, "UBOB")
        r.answer(p5, "UBOB", late=True)
        ws_id, pk, ids = ch.workspace_id, ch.id, (p1.id, p4.id, p5.id)
    with session_factory() as s:
        assert q.asked_posts(s, pk) == [
            q.PostSlot(ids[0], False),
            q.PostSlot(ids[1], False),
            q.PostSlot(ids[2], True),
        ]
        assert q.answered_post_ids(s, ws_id, pk, ["UALICE", "UBOB", "UNONE"]) == {
            "UALICE": {ids[0]},
            "UBOB": {ids[1]},
            "UNONE": set(),
        }
        assert q.answered_post_ids(s, ws_id, pk, []) == {}


def test_scores_by_question_and_practice_by_topic(session_factory: sessionmaker[Session]) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    with session_factory.begin() as s:
        r = Rows(s)
        ws = r.workspace("T1")
        ch = r.channel(ws, "C1")
        p1 = r.post(ch, MON, question_id="q-a")
        p2 = r.post(ch, MON + timedelta(days=1), question_id="q-a")
        p3 = r.post(ch, MON + timedelta(days=2), question_id="q-b")
        r.answer(p1, "UALICE", score=80)
        r.answer(p2, "UALICE", score=60, late=True)  # late answers still show knowledge
        r.answer(p3, "UALICE", score=90, copied=True)  # a copy shows nothing
        r.card(ws, "UALICE", "q-x", "evaluation", now - timedelta(days=1), 70)
        r.card(ws, "UALICE", "q-y", "evaluation", now, 50)
        r.card(ws, "UALICE", "q-z", "mlops", now + timedelta(days=3), None)
        r.card(ws, "UBOB", "q-x", "evaluation", now - timedelta(days=1), 10)
        ws_id = ws.id
    with session_factory() as s:
        assert q.answer_scores_by_question(s, ws_id, "UALICE") == [q.ScoreGroup("q-a", 2, 140)]
        assert q.practice_scores_by_topic(s, ws_id, "UALICE") == [
            q.ScoreGroup("evaluation", 2, 120)
        ]
        assert q.due_practice_count(s, ws_id, "UALICE", now) == 2
        # Only the on-time answer counts for points: 9 of them, before `since`.
        assert q.person_totals(s, ws_id, "UALICE", since=MON + timedelta(days=1)) == (
            q.PersonTotals(9, 1, 80, 0)
        )
