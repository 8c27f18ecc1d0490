"""Rows for leaderboard tests: workspaces, channels, posted questions and answers, made directly.

Answers are written as the grading flow leaves them (points from bot.domain.scoring), so board
tests do not depend on the grader.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.db.models import Answer, Channel, PracticeCard, QuestionPost, Workspace
from bot.domain.scoring import points_for

T0 = datetime(2026, 3, 2, tzinfo=UTC)


class Rows:
    """Adds rows to an open session (the caller commits)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def workspace(self, team_id: str) -> Workspace:
        ws = Workspace(team_id=team_id, created_at=T0)
        self.s.add(ws)
        self.s.flush()
        return ws

    def channel(self, ws: Workspace, channel_id: str, tz: str = "UTC") -> Channel:
        ch = Channel(
            workspace_id=ws.id, channel_id=channel_id, timezone=tz, created_at=T0, updated_at=T0
        )
        self.s.add(ch)
        self.s.flush()
        return ch

    def post(
        self,
        ch: Channel,
        opened_at: datetime,
        *,
        status: str = "closed",
        question_id: str = "q-test",
        scheduled: bool = True,
    ) -> QuestionPost:
        day = opened_at.date()
        post = QuestionPost(
            channel_pk=ch.id,
            question_id=question_id,
            local_date=day,
            scheduled_date=day if scheduled else None,
            status=status,
            slack_ts=None if status in ("pending", "skipped") else f"{opened_at.timestamp():.6f}",
            due_at=opened_at,
            opened_at=None if status in ("pending", "skipped") else opened_at,
            closes_at=opened_at + timedelta(hours=8),
            created_at=opened_at,
        )
        self.s.add(post)
        self.s.flush()
        return post

    def answer(
        self,
        post: QuestionPost,
        user_id: str,
        at: datetime | None = None,
        *,
        score: int = 80,
        late: bool = False,
        copied: bool = False,
        deleted: bool = False,
    ) -> Answer:
        ch = self.s.get(Channel, post.channel_pk)
        assert ch is not None
        assert post.opened_at is not None
        when = at or post.opened_at + timedelta(minutes=30)
        ans = Answer(
            post_id=post.id,
            channel_pk=ch.id,
            workspace_id=ch.workspace_id,
            user_id=user_id,
            text=f"answer of {user_id}",
            score=score,
            points=points_for(score, late=late, copied=copied),
            late=late,
            copied=copied,
            first_answered_at=when,
            answered_at=when,
            deleted_at=when + timedelta(minutes=1) if deleted else None,
        )
        self.s.add(ans)
        self.s.flush()
        return ans

    def card(
        self,
        ws: Workspace,
        user_id: str,
        question_id: str,
        topic: str,
        due_at: datetime,
        last_score: int | None,
    ) -> PracticeCard:
        card = PracticeCard(
            workspace_id=ws.id,
            user_id=user_id,
            question_id=question_id,
            topic=topic,
            fsrs_state={},
            due_at=due_at,
            last_score=last_score,
            reviews=0 if last_score is None else 1,
        )
        self.s.add(card)
        self.s.flush()
        return card


def day(d: date, hour: int = 9) -> datetime:
    """`d` at `hour`:00 UTC."""
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)
