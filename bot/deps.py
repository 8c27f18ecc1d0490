"""Deps: everything a use case needs, built once at start and passed explicitly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.domain.bank import Bank
from bot.slack.gateway import SlackGateway


@dataclass(frozen=True)
class Deps:
    """Settings, database sessions, the question bank, the clock and Slack (per workspace)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    bank: Bank
    clock: Clock
    # The Slack gateway for a workspace (team id): one token per workspace.
    slack: Callable[[str], SlackGateway]
    # Word rarity over the bank, so the grader weighs rare terms above common ones.
    idf: Mapping[str, float] = field(default_factory=dict)
