"""The tables of the whole product (SPEC §4, §6), typed with SQLAlchemy 2.x `Mapped[]`."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import slack_tables  # noqa: F401  (slack_sdk's OAuth tables, same metadata)
from bot.db.base import Base

# Slack ids (T…, C…, U…) and message timestamps ("1700000000.000100") are short strings.
SlackId = String(32)
SlackTs = String(32)
QuestionId = String(100)


class Workspace(Base):
    """A Slack workspace (team) the bot is installed in."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(SlackId, unique=True)
    enterprise_id: Mapped[str | None] = mapped_column(SlackId)
    bot_user_id: Mapped[str | None] = mapped_column(SlackId)
    created_at: Mapped[datetime]
    # Set by app_uninstalled / tokens_revoked; the data goes 30 days later unless reinstalled.
    uninstalled_at: Mapped[datetime | None]

    channels: Mapped[list[Channel]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan", passive_deletes=True
    )


class Channel(Base):
    """A study channel and its question-of-the-day settings."""

    __tablename__ = "channels"
    __table_args__ = (
        UniqueConstraint("workspace_id", "channel_id"),
        CheckConstraint("level IN ('junior', 'mid', 'senior')", name="level"),
        CheckConstraint(
            "close_after_minutes IS NULL OR close_after_minutes > 0", name="close_after_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(SlackId)
    # Schedule: comma-separated weekday numbers (0 = Monday) and a local time.
    # NULL days = no schedule.
    schedule_days: Mapped[str | None] = mapped_column(String(20))
    schedule_time: Mapped[time | None] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # When the schedule was set or resumed: slots before it are neither posted nor "missed".
    schedule_since: Mapped[datetime | None]
    # NULL topics = every topic; otherwise a JSON list of topic slugs.
    topics: Mapped[list[str] | None] = mapped_column(JSON)
    # NULL level = any level.
    level: Mapped[str | None] = mapped_column(String(10))
    # Reveal either a fixed local time or N minutes after posting (default 8 hours).
    close_time: Mapped[time | None] = mapped_column(Time)
    close_after_minutes: Mapped[int | None] = mapped_column(
        Integer, default=480, server_default="480"
    )
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    low_bank_notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    workspace: Mapped[Workspace] = relationship(back_populates="channels")
    admins: Mapped[list[ChannelAdmin]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    skip_dates: Mapped[list[ChannelSkipDate]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class ChannelAdmin(Base):
    """A member allowed to change a channel's QOTD settings (besides workspace admins)."""

    __tablename__ = "channel_admins"
    __table_args__ = (UniqueConstraint("channel_pk", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_pk: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(SlackId)
    added_at: Mapped[datetime]


class ChannelSkipDate(Base):
    """A local date on which a channel's scheduled question is skipped."""

    __tablename__ = "channel_skip_dates"
    __table_args__ = (UniqueConstraint("channel_pk", "skip_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_pk: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    skip_date: Mapped[date] = mapped_column(Date)


class QuestionPost(Base):
    """A question posted (or claimed for posting) in a channel.

    A scheduled post claims its (channel, local date) slot first, in the same transaction that
    records it, so two schedulers can never both post; manual `/qotd now` posts leave
    `scheduled_date` NULL, which the unique constraint does not compare.
    """

    __tablename__ = "question_posts"
    __table_args__ = (
        UniqueConstraint("channel_pk", "scheduled_date"),
        UniqueConstraint("channel_pk", "slack_ts"),
        CheckConstraint("status IN ('pending', 'open', 'closed', 'skipped')", name="status"),
        Index("ix_question_posts_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_question_posts_channel_opened", "channel_pk", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_pk: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(QuestionId)
    local_date: Mapped[date] = mapped_column(Date)
    scheduled_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    slack_ts: Mapped[str | None] = mapped_column(SlackTs)
    due_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Delivery bookkeeping: a failed post is retried with backoff, never duplicated.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    reveal_ts: Mapped[str | None] = mapped_column(SlackTs)
    created_at: Mapped[datetime]

    channel: Mapped[Channel] = relationship()


class Answer(Base):
    """One person's answer to one post: everything they wrote in its thread (or the modal).

    Answers given after the close are kept apart (`late`) so practice never changes points.
    """

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id", "late"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
        CheckConstraint("points >= 0", name="points_nonnegative"),
        # Leaderboards: a channel's answers in a period; a person's answers over time.
        Index("ix_answers_workspace_user_answered", "workspace_id", "user_id", "answered_at"),
        # Covering index of boards and team standings: a period's totals are read from the
        # index alone; it also serves every look-up by channel and answer time.
        Index(
            "ix_answers_channel_board",
            "channel_pk",
            "answered_at",
            "user_id",
            "points",
            "first_answered_at",
            "late",
            "copied",
            "deleted_at",
        ),
        # Covering index of a person's stats and streaks (random row look-ups are the slow part).
        Index(
            "ix_answers_person",
            "workspace_id",
            "user_id",
            "channel_pk",
            "post_id",
            "answered_at",
            "points",
            "score",
            "late",
            "copied",
            "deleted_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("question_posts.id", ondelete="CASCADE"))
    # Denormalised from the post so leaderboard queries need no join.
    channel_pk: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(SlackId)
    text: Mapped[str] = mapped_column(Text, default="")
    # The text's normal form for the copy check (grading.copy_form); None on rows before 0003.
    copy_form: Mapped[str | None] = mapped_column(Text, default=None)
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    covered: Mapped[list[int]] = mapped_column(JSON, default=list)
    key_point_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    copied: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    first_answered_at: Mapped[datetime]
    answered_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    # Every reply deleted: the answer no longer counts but its row keeps the thread history.
    deleted_at: Mapped[datetime | None]
    # Bumped by every change of the answer's messages; a grade is stored only for the newest.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    messages: Mapped[list[AnswerMessage]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="AnswerMessage.message_ts"
    )


class AnswerMessage(Base):
    """One Slack message (thread reply or modal submission) that is part of an answer."""

    __tablename__ = "answer_messages"
    __table_args__ = (UniqueConstraint("answer_id", "message_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    message_ts: Mapped[str] = mapped_column(SlackTs)
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class ProcessedEvent(Base):
    """A Slack event id already handled, so retries never double-grade or double-reply."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class InboxEvent(Base):
    """A Slack request written down before it is acknowledged, kept until its listener finishes.

    Bolt acknowledges events before their listener runs; a crash in between would lose an
    acknowledged answer. Entries whose listener never finished are replayed once their lease
    runs out (the process working on one renews its lease while it is alive).
    """

    __tablename__ = "inbox_events"
    __table_args__ = (Index("ix_inbox_events_handled_lease", "handled_at", "lease_until"),)

    # The Slack event_id, or "view:<trigger_id>" for a modal submission.
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    # The request body as Bolt parsed it (after the signature check), to dispatch again.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    lease_until: Mapped[datetime]
    # Replays so far; after a few the entry is given up (and logged) rather than retried forever.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    handled_at: Mapped[datetime | None]


class Delivery(Base):
    """An exactly-once claim for a periodic message (weekly recap, practice nudge).

    The unique key makes the claim; status and attempts make the send retryable.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "workspace_id", "target", "period"),
        CheckConstraint("kind IN ('recap', 'nudge')", name="kind"),
        CheckConstraint("status IN ('pending', 'sent', 'skipped')", name="status"),
        Index("ix_deliveries_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # A channel id for recaps, a user id for nudges.
    target: Mapped[str] = mapped_column(SlackId)
    period: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Practitioner(Base):
    """A person practising in DM: their pending question and reminder preference."""

    __tablename__ = "practitioners"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(SlackId)
    topic: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(10))
    pending_question_id: Mapped[str | None] = mapped_column(QuestionId)
    pending_since: Mapped[datetime | None]
    remind: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class PracticeCard(Base):
    """A spaced-repetition card: one per person and question (FSRS state kept as JSON)."""

    __tablename__ = "practice_cards"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", "question_id"),
        Index("ix_practice_cards_workspace_user_due", "workspace_id", "user_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(SlackId)
    question_id: Mapped[str] = mapped_column(QuestionId)
    topic: Mapped[str] = mapped_column(String(64))
    fsrs_state: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime]
    last_score: Mapped[int | None]
    reviews: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_reviewed_at: Mapped[datetime | None]


class PracticeReview(Base):
    """One graded practice answer (history for stats and per-topic mastery)."""

    __tablename__ = "practice_reviews"
    __table_args__ = (Index("ix_practice_reviews_card_reviewed", "card_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("practice_cards.id", ondelete="CASCADE"))
    score: Mapped[int]
    rating: Mapped[int]
    reviewed_at: Mapped[datetime]


class Appeal(Base):
    """A request to count a missed key point, decided by a channel's QOTD admin."""

    __tablename__ = "appeals"
    __table_args__ = (
        UniqueConstraint("answer_id", "key_point_index"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    key_point_index: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    decided_by: Mapped[str | None] = mapped_column(SlackId)
    # The answer as it stood when appealed: what the admin judged and what approval accepts.
    answer_text: Mapped[str | None] = mapped_column(Text)
    # The DMs sent to the channel's admins, [[channel, ts], ...], updated once decided.
    admin_messages: Mapped[list[list[str]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class AcceptedWording(Base):
    """A phrasing approved on appeal; the grader accepts it for that key point in the workspace."""

    __tablename__ = "accepted_wordings"
    __table_args__ = (
        Index("ix_accepted_wordings_workspace_question", "workspace_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(QuestionId)
    key_point_index: Mapped[int]
    wording: Mapped[str] = mapped_column(Text)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
